"""The TSV line and JSON member of each output row of a chunk, rendered from text shared between rows.

tsv_line and record_json already reuse the text of a row's junction and verdict and encode only its 14 call
columns. Within one input file most of those 14 repeat too (caller, file, the caller's fusion name and frame,
symbols as the caller wrote them, the empty --bam columns): only the sample, the two read counts and the line
number change from row to row. ChunkRenderer keeps, per verdict and those repeated values, the row's text with
four holes, so a row costs four encoded values and one join per format. A rejected row likewise takes the text
of its caller, file, reason and raw text, and adds its sample and line number.
"""
from __future__ import annotations

from typing import Optional

from .json import json_value, record_json, reject_json
from .records import CALL_COLUMNS, FusionRow, TextMemo
from .tsv import reject_tsv_line, tsv_cell, tsv_line

# the call columns that change from row to row of one file (holes in the shared text)
_PER_ROW = tuple(CALL_COLUMNS.index(c) for c in ("sample", "split_reads", "spanning_reads", "source_line"))
_SAMPLE, _SPLIT, _SPANNING, _LINE = _PER_ROW
# the others, by which the texts with holes are kept: in CALL_COLUMNS order, between the per-row ones
# (tests/test_writers_fast_paths.py checks the order this relies on)
_REPEATED = (slice(_SAMPLE + 1, _SPLIT), slice(_SPANNING + 1, _LINE))


class ChunkRenderer:
    """TSV lines and JSON members of one chunk's rows. ``templates``: the texts with holes, a dict shared by
    the chunks of one file; at most ``max_templates`` of them (a few kB each), rows past that are rendered by
    tsv_line and record_json. The memo of encoded values is the chunk's own."""

    def __init__(self, templates: Optional[dict] = None, max_templates: int = 4096):
        self.cell = TextMemo(tsv_cell).__getitem__  # value -> TSV cell, strings and ints kept
        self.value = TextMemo(json_value).__getitem__  # value -> JSON text
        self._templates: dict = {} if templates is None else templates
        self._max_templates = max_templates
        # a reject's line and member but for its sample and line number, per (caller, file, reason, raw text):
        # the chunk's own (a raw text can be a whole input line)
        self._reject_templates: dict = {}

    def render(self, row) -> tuple[str, str]:
        """(TSV line with its newline, JSON member) of one output row (records.FusionRow)."""
        if row.__class__ is not FusionRow:
            return tsv_line(row, encode=self.cell), record_json(row, self.value)
        values = row.call_values
        key = (id(row.verdict), values[_REPEATED[0]], values[_REPEATED[1]])
        templates = self._templates.get(key)
        if templates is None:
            tsv_text, json_text = tsv_line(row, encode=self.cell), record_json(row, self.value)
            verdict = row.verdict
            if (len(self._templates) < self._max_templates and verdict.tsv_segments
                    and verdict.json_segments):  # False: shared text holds the placeholder, rendered cell by cell
                # the verdict (kept by the process-wide record cache) keeps its id unique while the key lives
                self._templates[key] = (_with_holes(verdict.tsv_segments, values, self.cell),
                                        _with_holes(verdict.json_segments, values, self.value))
            return tsv_text, json_text
        return self.fill(templates, values[_SAMPLE], values[_SPLIT], values[_SPANNING], values[_LINE])

    def template_of(self, row) -> Optional[tuple]:
        """The texts with holes render keeps for this row's verdict and repeated values, if it keeps them."""
        if row.__class__ is not FusionRow:
            return None
        values = row.call_values
        return self._templates.get((id(row.verdict), values[_REPEATED[0]], values[_REPEATED[1]]))

    def fill(self, templates: tuple, sample, split, spanning, source_line) -> tuple[str, str]:
        """(TSV line, JSON member) of a row from its texts with holes (template_of) and its own four values (the
        read counts as output_row gives them)."""
        tsv_parts, json_parts = templates
        line = int.__repr__(source_line) if source_line.__class__ is int else None
        cell, value = self.cell, self.value
        tsv_parts[1], tsv_parts[3], tsv_parts[5] = cell(sample), cell(split), cell(spanning)
        tsv_parts[7] = line if line is not None else cell(source_line)
        json_parts[1], json_parts[3], json_parts[5] = value(sample), value(split), value(spanning)
        json_parts[7] = line if line is not None else value(source_line)
        return "".join(tsv_parts), "".join(json_parts)

    def reject(self, r) -> tuple[str, str]:
        """(rejects.tsv line, JSON member) of one model.Reject, as reject_tsv_line and reject_json give."""
        if r.line.__class__ is not int:
            return reject_tsv_line(r, self.cell), reject_json(r, self.value)
        return self.fill_reject(self.reject_texts(r), r.sample, r.line)

    def reject_texts(self, r) -> tuple:
        """A reject's texts but for its sample and line number (fill_reject), kept per (caller, file, reason, raw)."""
        key = (r.caller, r.source, r.reason, r.raw)
        texts = self._reject_templates.get(key)
        if texts is None:
            cell, value = self.cell, self.value
            texts = (f"\t{cell(r.caller)}\t{cell(r.source)}\t", f"\t{cell(r.reason)}\t{cell(r.raw)}\n",
                     f', "caller": {value(r.caller)}, "source_file": {value(r.source)}, "source_line": ',
                     f', "reason": {value(r.reason)}, "raw": {value(r.raw)}}}')
            if len(self._reject_templates) < self._max_templates:
                self._reject_templates[key] = texts
        return texts

    def fill_reject(self, texts: tuple, sample: str, line: int) -> tuple[str, str]:
        """(rejects.tsv line, JSON member) of a reject with an int line number, from reject_texts."""
        line = int.__repr__(line)
        return (f"{self.cell(sample)}{texts[0]}{line}{texts[1]}",
                f'{{"sample": {self.value(sample)}{texts[2]}{line}{texts[3]}')


def _with_holes(parts: list, values: tuple, encode) -> list:
    """A verdict's shared text (records.fill_segments' ``parts``) with the repeated call values filled in and
    the per-row ones left as holes: [text, hole, text, hole, text, hole, text, hole, text]."""
    out, current = [], [parts[0]]
    for k, value in enumerate(values):
        if k in _PER_ROW:
            out.append("".join(current))
            out.append("")
            current = []
        else:
            current.append(encode(value))
        current.append(parts[2 * k + 2])
    out.append("".join(current))
    return out

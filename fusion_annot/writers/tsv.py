"""Tab-separated output with '#' provenance lines; one row per annotated call (or transcript pair).

Cells follow csv's QUOTE_NONE dialect with '\\' as escape character (what these files always held): tabs and
line breaks become spaces, a backslash or double quote is preceded by a backslash."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from .records import CALL_COLUMNS, COLUMNS, KNOWLEDGE_COLUMNS, REJECT_COLUMNS, FusionRow, fill_segments, interleaved


def tsv_cell(value) -> str:
    text = "" if value is None else value if type(value) is str else str(value)
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return text


def _one_line(value) -> str:
    return ("" if value is None else str(value)).replace("\t", " ").replace("\n", " ").replace("\r", " ")


_CALL_POSITIONS = tuple(COLUMNS.index(c) for c in CALL_COLUMNS)
_VERDICT_POSITIONS = tuple(COLUMNS.index(c) for c in KNOWLEDGE_COLUMNS)


def tsv_line(rec, columns=COLUMNS, encode=tsv_cell) -> str:
    """One record (a dict, or a FusionRow) as a TSV line with its newline. Rows from records.py reuse the
    text of their junction and verdict, rendered once for all the rows that share them: a row adds only its
    call columns (sample, reads, line) between the shared pieces. ``encode``: value -> cell, tsv_cell or a
    records.TextMemo's lookup over it."""
    junction = getattr(rec, "junction", None)
    if junction is None or columns is not COLUMNS:
        if not isinstance(rec, dict):
            rec = rec.as_dict()
        return "\t".join([tsv_cell(rec.get(c, "")) for c in columns]) + "\n"
    verdict = rec.verdict
    parts = verdict.tsv_segments
    if parts is None:
        parts = verdict.tsv_segments = _segments(junction, verdict)
    values = rec.call_values if isinstance(rec, FusionRow) else [rec[c] for c in CALL_COLUMNS]
    if parts is False:  # a shared cell holds the placeholder character: cell by cell
        cells = _cells(junction, verdict)
        for i, value in zip(_CALL_POSITIONS, values):
            cells[i] = tsv_cell(value)
        return "\t".join(cells) + "\n"
    return fill_segments(parts, values, encode)


def reject_tsv_line(r, encode=tsv_cell) -> str:
    """A model.Reject as its rejects.tsv line (REJECT_COLUMNS), as tsv_line(reject_record(r)) gives."""
    line = r.line
    line = int.__repr__(line) if line.__class__ is int else encode(line)  # new on every row: never worth a memo
    return f"{encode(r.sample)}\t{encode(r.caller)}\t{encode(r.source)}\t{line}\t{encode(r.reason)}\t{encode(r.raw)}\n"


_HOLE = "\x00"


def _cells(junction, verdict) -> list:
    """Every cell of the junction's rows with this verdict (call columns as the junction holds them)."""
    if junction.tsv_cells is None:
        junction.tsv_cells = [tsv_cell(junction.values[c]) for c in COLUMNS]
    cells = junction.tsv_cells.copy()
    for i, c in zip(_VERDICT_POSITIONS, KNOWLEDGE_COLUMNS):
        cells[i] = tsv_cell(verdict.values[c])
    return cells


def _segments(junction, verdict):
    """The line's text between the call columns, or False when a shared cell holds the placeholder."""
    cells = _cells(junction, verdict)
    if any(_HOLE in cell for cell in cells):
        return False
    for i in _CALL_POSITIONS:
        cells[i] = _HOLE
    return interleaved(("\t".join(cells) + "\n").split(_HOLE))


def tsv_header(metadata: dict, columns=COLUMNS) -> str:
    """The '## key: value' provenance lines and the column line."""
    lines = [f"## {key}: {_one_line(value)}\n" for key, value in metadata.items()]
    return "".join(lines) + "\t".join(tsv_cell(c) for c in columns) + "\n"


def write_tsv(path: str | Path, records: Iterable[dict], metadata: dict, columns=COLUMNS) -> int:
    n = 0
    with open(path, "w", newline="") as fh:
        fh.write(tsv_header(metadata, columns))
        write = fh.write
        for rec in records:
            write(tsv_line(rec, columns))
            n += 1
    return n


def write_rejects(path: str | Path, records: Iterable[dict], metadata: dict) -> int:
    return write_tsv(path, records, metadata, columns=REJECT_COLUMNS)


def read_tsv(path: str | Path) -> list[dict]:
    """Read one of our TSVs back (skips '##' provenance lines)."""
    with open(path) as fh:
        lines = [line for line in fh if not line.startswith("##")]
    return list(csv.DictReader(lines, delimiter="\t"))

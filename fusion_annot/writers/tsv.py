"""Tab-separated output with '#' provenance lines; one row per annotated call (or transcript pair).

Cells follow csv's QUOTE_NONE dialect with '\\' as escape character (what these files always held): tabs and
line breaks become spaces, a backslash or double quote is preceded by a backslash."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from .records import CALL_COLUMNS, COLUMNS, KNOWLEDGE_COLUMNS, REJECT_COLUMNS, FusionRow


def _clean(value) -> str:
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


def tsv_line(rec, columns=COLUMNS) -> str:
    """One record (a dict, or a FusionRow) as a TSV line with its newline. Rows from records.py reuse the
    cells of their junction and verdict, rendered once for all the rows that share them."""
    junction = getattr(rec, "junction", None)
    if junction is None or columns is not COLUMNS:
        if not isinstance(rec, dict):
            rec = rec.as_dict()
        return "\t".join([_clean(rec.get(c, "")) for c in columns]) + "\n"
    cells = junction.tsv_cells
    if cells is None:
        cells = junction.tsv_cells = [_clean(junction.values[c]) for c in COLUMNS]
    verdict = rec.verdict
    if verdict.tsv_cells is None:
        verdict.tsv_cells = [_clean(verdict.values[c]) for c in KNOWLEDGE_COLUMNS]
    cells = cells.copy()
    values = rec.call_values if isinstance(rec, FusionRow) else [rec[c] for c in CALL_COLUMNS]
    for i, value in zip(_CALL_POSITIONS, values):
        cells[i] = _clean(value)
    for i, cell in zip(_VERDICT_POSITIONS, verdict.tsv_cells):
        cells[i] = cell
    return "\t".join(cells) + "\n"


def tsv_header(metadata: dict, columns=COLUMNS) -> str:
    """The '## key: value' provenance lines and the column line."""
    lines = [f"## {key}: {_one_line(value)}\n" for key, value in metadata.items()]
    return "".join(lines) + "\t".join(_clean(c) for c in columns) + "\n"


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

"""Tab-separated output with '#' provenance lines; one row per annotated call (or transcript pair)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Iterable

from .records import COLUMNS, REJECT_COLUMNS


def _clean(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def write_tsv(path: str | Path, records: Iterable[dict], metadata: dict, columns=COLUMNS) -> int:
    n = 0
    with open(path, "w", newline="") as fh:
        for key, value in metadata.items():
            fh.write(f"## {key}: {_clean(value)}\n")
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(columns)
        for rec in records:
            writer.writerow([_clean(rec.get(c, "")) for c in columns])
            n += 1
    return n


def write_rejects(path: str | Path, records: Iterable[dict], metadata: dict) -> int:
    return write_tsv(path, records, metadata, columns=REJECT_COLUMNS)


def read_tsv(path: str | Path) -> list[dict]:
    """Read one of our TSVs back (skips '##' provenance lines)."""
    with open(path) as fh:
        lines = [line for line in fh if not line.startswith("##")]
    return list(csv.DictReader(lines, delimiter="\t"))

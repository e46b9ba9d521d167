"""JSON output: {"metadata": {...}, "fusions": [records], "rejects": [records]} with the TSV's columns.

One record per line: readable, diff-able, and written with the C encoder (an `indent=` dump falls back to
the pure-Python encoder, 3-4x slower on a 57k-row cohort file)."""
from __future__ import annotations

import json
from pathlib import Path


def _records(fh, records) -> None:
    fh.write("[")
    for i, rec in enumerate(records):
        fh.write(",\n " if i else "\n ")
        fh.write(json.dumps(rec, default=str, ensure_ascii=False))
    fh.write("\n]" if records else "]")


def write_json(path: str | Path, records: list[dict], rejects: list[dict], metadata: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('{"metadata": ')
        fh.write(json.dumps(metadata, default=str, ensure_ascii=False, indent=1))
        fh.write(',\n"fusions": ')
        _records(fh, records)
        fh.write(',\n"rejects": ')
        _records(fh, rejects)
        fh.write("}\n")

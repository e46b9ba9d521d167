"""JSON output: {"metadata": {...}, "fusions": [records], "rejects": [records]} with the TSV's columns."""
from __future__ import annotations

import json
from pathlib import Path


def write_json(path: str | Path, records: list[dict], rejects: list[dict], metadata: dict) -> None:
    with open(path, "w") as fh:
        json.dump({"metadata": metadata, "fusions": records, "rejects": rejects}, fh, indent=1, default=str)
        fh.write("\n")

"""JSON output: {"metadata": {...}, "fusions": [records], "rejects": [records]} with the TSV's columns.

One record per line: readable, diff-able, and written with the C encoder (an `indent=` dump falls back to
the pure-Python encoder, 3-4x slower on a 57k-row cohort file). A record from to_record reuses the JSON text
of its junction's columns, so a cohort file's repeated junctions are encoded once."""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from pathlib import Path

from .records import CALL_COLUMNS, COLUMNS, KNOWLEDGE_COLUMNS, FusionRow

_CALL_POSITIONS = tuple(COLUMNS.index(c) for c in CALL_COLUMNS)
_VERDICT_POSITIONS = tuple(COLUMNS.index(c) for c in KNOWLEDGE_COLUMNS)
_KEYS = tuple(encode_basestring(c) + ": " for c in COLUMNS)


def _value(value) -> str:
    """json.dumps(value, default=str, ensure_ascii=False) for one value, quicker for plain strings and ints."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value, default=str, ensure_ascii=False)


def record_json(rec) -> str:
    """One record (a dict, or a FusionRow) as the text json.dumps(rec, default=str, ensure_ascii=False) gives."""
    junction = getattr(rec, "junction", None)
    if junction is None:
        return "{" + ", ".join([encode_basestring(k) + ": " + _value(v) for k, v in rec.items()]) + "}"
    parts = junction.json_parts
    if parts is None:
        values = junction.values
        parts = junction.json_parts = [key + _value(values[c]) for key, c in zip(_KEYS, COLUMNS)]
    verdict = rec.verdict
    if verdict.json_parts is None:
        verdict.json_parts = [_KEYS[i] + _value(verdict.values[c]) for i, c in zip(_VERDICT_POSITIONS, KNOWLEDGE_COLUMNS)]
    parts = parts.copy()
    values = rec.call_values if isinstance(rec, FusionRow) else [rec[c] for c in CALL_COLUMNS]
    for i, value in zip(_CALL_POSITIONS, values):
        parts[i] = _KEYS[i] + _value(value)
    for i, part in zip(_VERDICT_POSITIONS, verdict.json_parts):
        parts[i] = part
    return "{" + ", ".join(parts) + "}"


def _records(fh, records) -> None:
    fh.write("[")
    for i, rec in enumerate(records):
        fh.write(",\n " if i else "\n ")
        fh.write(record_json(rec))
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

"""JSON output: {"metadata": {...}, "fusions": [records], "rejects": [records]} with the TSV's columns.

One record per line: readable, diff-able, and written with the C encoder (an `indent=` dump falls back to
the pure-Python encoder, 3-4x slower on a 57k-row cohort file). A record from to_record reuses the JSON text
of its junction's columns, so a cohort file's repeated junctions are encoded once."""
from __future__ import annotations

import json
from json.encoder import encode_basestring
from pathlib import Path

from .records import CALL_COLUMNS, COLUMNS, KNOWLEDGE_COLUMNS, FusionRow, fill_segments, interleaved

_CALL_POSITIONS = tuple(COLUMNS.index(c) for c in CALL_COLUMNS)
_VERDICT_POSITIONS = tuple(COLUMNS.index(c) for c in KNOWLEDGE_COLUMNS)
_KEYS = tuple(encode_basestring(c) + ": " for c in COLUMNS)


def json_value(value) -> str:
    """json.dumps(value, default=str, ensure_ascii=False) for one value, quicker for plain strings and ints."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value, default=str, ensure_ascii=False)


def record_json(rec, encode=json_value) -> str:
    """One record (a dict, or a FusionRow) as the text json.dumps(rec, default=str, ensure_ascii=False) gives.
    Rows from records.py reuse the text of their junction and verdict, encoded once for all the rows that share
    them: a row encodes only its call columns. ``encode``: value -> JSON text, json_value or a records.TextMemo's
    lookup over it."""
    junction = getattr(rec, "junction", None)
    if junction is None:
        return "{" + ", ".join([encode_basestring(k) + ": " + json_value(v) for k, v in rec.items()]) + "}"
    verdict = rec.verdict
    segments = verdict.json_segments
    if segments is None:
        if junction.json_parts is None:
            junction.json_parts = [key + json_value(junction.values[c]) for key, c in zip(_KEYS, COLUMNS)]
        parts = junction.json_parts.copy()
        for i, c in zip(_VERDICT_POSITIONS, KNOWLEDGE_COLUMNS):
            parts[i] = _KEYS[i] + json_value(verdict.values[c])
        for i in _CALL_POSITIONS:  # encoded JSON never holds a raw NUL: it marks where a row's values go
            parts[i] = _KEYS[i] + "\x00"
        segments = verdict.json_segments = interleaved(("{" + ", ".join(parts) + "}").split("\x00"))
    values = rec.call_values if isinstance(rec, FusionRow) else [rec[c] for c in CALL_COLUMNS]
    return fill_segments(segments, values, encode)


def reject_json(r, encode=json_value) -> str:
    """A model.Reject as its JSON member, as record_json(reject_record(r)) gives."""
    line = r.line
    line = int.__repr__(line) if line.__class__ is int else encode(line)  # new on every row: never worth a memo
    return (f'{{"sample": {encode(r.sample)}, "caller": {encode(r.caller)}, "source_file": {encode(r.source)}, '
            f'"source_line": {line}, "reason": {encode(r.reason)}, "raw": {encode(r.raw)}}}')


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

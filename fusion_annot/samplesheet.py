"""The sample sheet (the workflow's own format) read by `fusion-annot annotate --samples`.

Tab-separated, a header line naming at least sample, format, path; optional columns tumor_type, age (years),
variants, bam
(extra_calls, "path:format;path:format", are further callers' files for the sample: annotate counts the callers
that found each call, see extra_call_specs). '#' lines and blank lines
are skipped, a UTF-8 byte-order mark is allowed. Relative paths are relative to the working directory, as in
the workflow. Errors name the sheet and the line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .textio import numbered_lines

REQUIRED = ("sample", "format", "path")
OPTIONAL = ("tumor_type", "age", "bam", "variants", "extra_calls")
SAMPLE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class SampleRow:
    sample: str
    format: str
    path: str
    tumor_type: str = ""
    bam: str = ""
    variants: str = ""
    line: int = 0
    age: str = ""  # years, as written (checked by knowledge.eligibility.parse_age)
    extra_calls: str = ""  # "path:format;path:format" (format optional: auto)

    def extra_call_specs(self) -> list[tuple[str, str]]:
        """[(path, format)] of extra_calls, as the workflow reads them (rules/common.smk extra_calls_of)."""
        out = []
        for entry in filter(None, (e.strip() for e in self.extra_calls.split(";"))):
            path, sep, fmt = entry.rpartition(":")
            out.append((path, fmt) if sep and path else (entry, "auto"))
        return out


def read_sample_sheet(path: str | Path) -> list[SampleRow]:
    header = None
    rows: list[SampleRow] = []
    first_line: dict[str, int] = {}
    by_folded_name: dict[str, str] = {}  # casefolded name -> the name as first written
    for number, text in numbered_lines(path):
        if not text.strip() or text.startswith("#"):
            continue
        cells = [c.strip() for c in text.split("\t")]
        if header is None:
            header = cells
            missing = [c for c in REQUIRED if c not in header]
            unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
            if missing or unknown:
                what = f"missing column(s) {', '.join(missing)}" if missing else f"unknown column(s) {', '.join(unknown)}"
                raise InputError(path, number, f"{what} (a sample sheet has sample, format, path and optionally "
                                               f"{', '.join(OPTIONAL)})")
            continue
        if len(cells) > len(header):
            raise InputError(path, number, f"{len(cells)} tab-separated cells, the header has {len(header)}")
        record = dict(zip(header, cells))
        sample = record.get("sample", "")
        if not SAMPLE_NAME.fullmatch(sample):
            raise InputError(path, number, f"sample name '{sample}' must be letters, digits, '.', '_' or '-' (it names output files)")
        if sample in first_line:
            raise InputError(path, number, f"sample '{sample}' is duplicated (first on line {first_line[sample]})")
        other = by_folded_name.setdefault(sample.casefold(), sample)
        if other != sample:
            raise InputError(path, number, f"sample '{sample}' differs from '{other}' (line {first_line[other]}) only in case: "
                                           "their outputs would overwrite each other on a case-insensitive file system")
        first_line[sample] = number
        if not record.get("path"):
            raise InputError(path, number, "empty path")
        age = record.get("age", "")
        if age:
            from .knowledge.eligibility import parse_age

            parse_age(age, str(path), number)  # a bad age stops the sheet here, with its line
        rows.append(SampleRow(sample, record.get("format") or "auto", record["path"], record.get("tumor_type", ""),
                              record.get("bam", ""), record.get("variants", ""), number, age,
                              record.get("extra_calls", "")))
    if header is None:
        raise InputError(path, 0, "sample sheet is empty: expected a header line (sample, format, path)")
    if not rows:
        raise InputError(path, 0, "sample sheet has no sample rows")
    return rows

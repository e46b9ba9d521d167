"""Shared plumbing for header-named tabular caller files."""
from __future__ import annotations

import re
from typing import Iterator, Optional, Sequence

from ..errors import InputError
from ..model import Reject
from ..textio import numbered_lines


def split_header(line: str, delimiter: str = "\t") -> list[str]:
    return [c.strip().lstrip("#").strip() for c in line.split(delimiter)]


def iter_records(
    path: str,
    required: Sequence[str],
    *,
    delimiter: str = "\t",
    header_prefix: Optional[str] = None,
    skip_prefixes: Sequence[str] = (),
    header_predicate=None,
) -> Iterator[tuple[int, dict[str, str], str]]:
    """Yield (line number, {column: value}, raw line) for each data row after the header.

    The header is the first line that is not skipped (or, with header_predicate,
    the first line for which it is true). Columns are addressed by name; a missing
    required column is an InputError naming the file and the header line. A data
    row with fewer fields than the header is padded with '' so that the reader can
    reject it with a reason instead of crashing.
    """
    header: Optional[list[str]] = None
    header_line = 0
    for number, line in numbered_lines(path):
        if header is None:
            if not line.strip() or any(line.startswith(p) for p in skip_prefixes):
                continue
            if header_predicate is not None and not header_predicate(line):
                continue
            if header_prefix is not None and not line.startswith(header_prefix):
                raise InputError(path, number, f"expected a header line starting with '{header_prefix}'")
            header = split_header(line, delimiter)
            header_line = number
            missing = [c for c in required if c not in header]
            if missing:
                raise InputError(path, number, "missing required column(s): " + ", ".join(missing))
            continue
        if not line.strip() or any(line.startswith(p) for p in skip_prefixes):
            continue
        fields = line.split(delimiter)
        if len(fields) < len(header):
            fields = fields + [""] * (len(header) - len(fields))
        yield number, dict(zip(header, (f.strip() for f in fields))), line
    if header is None:
        raise InputError(path, header_line, "no header line found")


_INT = re.compile(r"^-?\d+$")
# Larger than any genome coordinate or read count (2^53: exact as a float); 'inf', 'nan', '1e309' and
# numbers of thousands of digits are not numbers a caller writes for a position or a count.
MAX_INT = 2 ** 53


def to_int(value: str) -> Optional[int]:
    """An integer as written ('12', '12.00', '1e3'); None for anything else, never an exception.

    None for non-finite or absurd values ('inf', 'nan', '1e309', > 2^53, > 40 characters), so that the
    reader rejects the row with a reason instead of crashing or carrying the value on."""
    if type(value) is str and len(value) < 16 and value.isascii() and value.isdigit():  # the common case: a count
        return int(value)  # at most 15 digits: below 2^53
    value = (value or "").strip()
    if len(value) > 40:
        return None
    if _INT.match(value):
        n = int(value)
        return n if abs(n) <= MAX_INT else None
    try:
        f = float(value)
    except ValueError:
        return None
    if f != f or abs(f) > MAX_INT or f != int(f):  # nan, inf, beyond 2^53, a fraction
        return None
    return int(f)


def reject(sample: str, caller: str, path: str, line: int, reason: str, raw: str = "") -> Reject:
    return Reject(sample=sample, caller=caller, source=str(path), line=line, reason=reason, raw=raw[:2000])


def normalize_chrom(chrom: str) -> str:
    """Ensembl-style contig name: 'chr12' -> '12', 'chrM' -> 'MT'."""
    c = chrom.strip()
    if c.lower().startswith("chr"):
        c = c[3:]
    return "MT" if c in ("M", "m") else c


_CALLER_FRAME = {
    "inframe": "in_frame",
    "in_frame": "in_frame",
    "in-frame": "in_frame",
    "frameshift": "out_of_frame",
    "out_of_frame": "out_of_frame",
    "out-of-frame": "out_of_frame",
    "outofframe": "out_of_frame",
    "stop-codon": "stop_before_junction",
    "stop_codon": "stop_before_junction",
}


def normalize_caller_frame(value: str) -> Optional[str]:
    """Map a caller's frame vocabulary onto ours; keep unknown words as given (never invent)."""
    v = (value or "").strip()
    if not v or v in (".", "NA", "N/A", "-"):
        return None
    return _CALLER_FRAME.get(v.lower(), v)

"""Parsing of the small values caller files share: 'chr12:11869969:+', 'ETV6^ENSG...', counts.

Each parser returns None (or raises ValueError with a reason a user can read) and
never guesses: the reader turns a ValueError into a Reject naming the column.
Coordinates are returned exactly as the caller wrote them (1-based for every
format that uses these helpers), except junction_base, which turns a 0-based
BEDPE interval into the 1-based junction base.
"""
from __future__ import annotations

from collections.abc import Mapping

import re
from typing import Iterable, Iterator, Optional, Sequence

from ..errors import InputError
from ..textio import numbered_lines
from .tabular import MAX_INT, normalize_chrom, split_header, to_int

_CHROM_POS_STRAND = re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d+)(?::(?P<strand>[+\-.]))?$")


def parse_locus(value: str, *, need_strand: bool = False) -> tuple[str, int, Optional[str]]:
    """'chr12:11869969:+' or '12:11869969' -> ('12', 11869969, '+' | None).

    The position is returned as written (the callers using this write 1-based).
    Raises ValueError with the reason when the value is not a locus.
    """
    v = (value or "").strip()
    match = _CHROM_POS_STRAND.match(v)
    if not match:
        raise ValueError(f"'{v[:60]}' is not chrom:pos[:strand]")
    digits = match.group("pos")
    if len(digits) > 16 or int(digits) > MAX_INT:
        raise ValueError(f"'{v[:60]}' has position {digits[:20]}{'...' if len(digits) > 20 else ''}: larger than any genome coordinate")
    pos = int(digits)
    if pos < 1:
        raise ValueError(f"'{v}' has position {pos}; 1-based positions start at 1")
    strand = match.group("strand")
    strand = strand if strand in ("+", "-") else None
    if need_strand and strand is None:
        raise ValueError(f"'{v}' has no strand")
    return normalize_chrom(match.group("chrom")), pos, strand


def junction_base(start: int, end: int, strand: Optional[str], five_prime: bool, *, end_inclusive: bool) -> int:
    """1-based junction base of a 0-based interval [start, end) (or [start, end] when end_inclusive).

    The 5' partner's junction is at its 3' end (high coordinate on '+', low on '-');
    the 3' partner's at its 5' end (low on '+', high on '-').
    """
    last = end + 1 if end_inclusive else end  # 1-based position of the interval's last base
    first = start + 1  # 1-based position of its first base
    if strand is None:
        if first == last:
            return first
        raise ValueError(f"strand unknown and interval {start}-{end} is longer than 1 bp: junction end unknown")
    high_end = (strand == "+") == five_prime
    return last if high_end else first


def parse_strand(value: str) -> Optional[str]:
    v = (value or "").strip()
    return v if v in ("+", "-") else None


def split_gene_id(value: str) -> tuple[Optional[str], Optional[str]]:
    """CTAT style 'ETV6^ENSG00000139083.12' -> ('ETV6', 'ENSG00000139083.12'); plain names pass through."""
    v = (value or "").strip()
    if not v or v in (".", "NA", "N/A"):
        return None, None
    name, _, gene_id = v.partition("^")
    return (name or None), (gene_id or None)


# What callers write for "no gene here" (CICERO '-', pbfusion 'N/A', deFuse 'NA', ...).
_NO_GENE = frozenset({"", ".", "NA", "N/A", "-", "na", "None"})


def gene_or_none(value: str) -> Optional[str]:
    """A gene symbol (or gene id) as the caller wrote it; None for a 'no gene' placeholder.

    A CTAT '^ENSG...' suffix is dropped ('ETV6^ENSG00000139083' -> 'ETV6');
    split_gene_id gives the id as well.
    """
    name, _ = split_gene_id(value)
    return None if name is None or name in _NO_GENE else name


# A read count; '', '.', 'NA', '-' -> None; '12.00' -> 12 (to_int itself: readers call it twice per row).
count = to_int


def count_sum(*values: str) -> Optional[int]:
    parts = [to_int(v) for v in values]
    known = [p for p in parts if p is not None]
    return sum(known) if known else None


def header_columns(head: Iterable[str], delimiter: str = "\t", meta_prefix: Optional[str] = "##") -> list[str]:
    """Column names of the first line that is neither blank nor a meta line ([] if none).

    ``meta_prefix=None`` for formats without meta lines: their header is the first non-blank line.
    """
    for line in head:
        if not line.strip() or (meta_prefix and line.startswith(meta_prefix)):
            continue
        return split_header(line, delimiter)
    return []


def truncation_note(raw: str, n_columns: int, delimiter: str = "\t") -> str:
    """' (row has 7 of 17 columns: truncated?)' when the raw row is short, else ''."""
    n_fields = raw.count(delimiter) + 1
    if n_fields < n_columns:
        return f" (row has {n_fields} of {n_columns} columns: truncated?)"
    return ""


def open_table(
    path: str,
    required: Sequence[str],
    *,
    delimiter: str = "\t",
    meta_prefix: str = "##",
) -> tuple[list[str], Iterator[tuple[int, list[str], str]]]:
    """Header columns and an iterator of (line number, fields, raw line) for each data row.

    The fast path for large tables (57k-row aggregates): fields are addressed by
    index, not via a dict per row, and only the fields a reader uses are stripped.
    The header is the first non-blank line not starting with ``meta_prefix``; a
    missing required column is an InputError naming the file and header line.
    Short rows are padded with '' so the reader can reject them with a reason;
    blank lines are skipped.
    """
    lines = numbered_lines(path)
    for number, line in lines:
        if not line.strip() or (meta_prefix and line.startswith(meta_prefix)):
            continue
        columns = split_header(line, delimiter)
        missing = [c for c in required if c not in columns]
        if missing:
            raise InputError(path, number, "missing required column(s): " + ", ".join(missing))
        return columns, _rows(lines, len(columns), delimiter)
    raise InputError(path, 0, "no header line found")


def _rows(lines, n_columns: int, delimiter: str) -> Iterator[tuple[int, list[str], str]]:
    for number, line in lines:
        if not line or line.isspace():  # blank (isspace: no stripped copy of every row)
            continue
        fields = line.split(delimiter)
        if len(fields) < n_columns:
            fields.extend([""] * (n_columns - len(fields)))
        yield number, fields, line


class RowExtra(Mapping):
    """A row's caller columns the model has no field for, read from the row's own fields on access (empty and
    '.' values absent). The same mapping as a dict built per row, without one dict per row: aggregates run to
    hundreds of thousands of rows and few of these columns are ever read."""

    __slots__ = ("_index", "_fields")

    def __init__(self, index: dict[str, int], fields: list[str]):
        self._index = index  # column name -> field index, shared by every row of the file
        self._fields = fields

    def __getitem__(self, name: str) -> str:
        value = self._fields[self._index[name]]
        if value in ("", "."):
            raise KeyError(name)
        return value

    def get(self, name: str, default=None):
        i = self._index.get(name)
        if i is None:
            return default
        value = self._fields[i]
        return default if value in ("", ".") else value

    def lacks(self, names) -> bool:
        """True when the file has none of these columns (so the row has none of them either)."""
        return self._index.keys().isdisjoint(names)

    def __iter__(self):
        fields = self._fields
        return (name for name, i in self._index.items() if fields[i] not in ("", "."))

    def __len__(self) -> int:
        fields = self._fields
        return sum(fields[i] not in ("", ".") for i in self._index.values())

    def __repr__(self) -> str:
        return repr(dict(self))


def extra_columns(record: dict[str, str], used: frozenset[str], bulky: frozenset[str] = frozenset()) -> dict[str, str]:
    """Caller columns the model has no field for, kept verbatim (empty and '.' values dropped).

    ``bulky`` columns (read-name lists, sequences) are left out: they can be megabytes
    per file and nothing downstream reads them.
    """
    return {
        k: v
        for k, v in record.items()
        if k not in used and k not in bulky and v not in ("", ".")
    }

"""JAFFA jaffa_results.csv (comma-separated, fields optionally double-quoted), with or without
the strand1/strand2 columns that JAFFA 2 added.

Spec (JAFFA wiki "OutputDescription", and make_final_table.R / compile_results.R):
- 'fusion genes' is 'A:B' (JAFFA 1) or 'A::B' (JAFFA 2); chrom1/base1 belong to A
  and chrom2/base2 to B. base1/base2 are 1-based junction bases (they equal
  STAR-Fusion's LeftBreakpoint/RightBreakpoint for the same junction).
- Order of A and B: JAFFA 2 (the layout with strand columns) orders every row 5'
  first (is_actually_the_start in make_final_table.R); strand1/strand2 are the
  genes' annotated strands. For the older layout the wiki says the direction is
  inferred "when the fusion is inframe", i.e. when 'aligns' is TRUE (both breaks on
  exon boundaries, the only case JAFFA computes a frame). Rows without that get
  orientation="unknown" and the annotator orients them from the reference.
- inframe TRUE/FALSE (NA when not computed) is the caller frame;
  'spanning reads' cover the junction (split_reads), 'spanning pairs' straddle it
  (spanning_reads; '-' = no flanking sequence to count pairs on -> None).
- 'sample' is JAFFA's own sample name (from its input file names); like any
  sample column it names the row's sample, the ``sample`` argument is the fallback.
"""
from __future__ import annotations

import csv
from typing import Iterator, Optional, Union

from ..errors import InputError
from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .fields import count, parse_strand
from .tabular import normalize_caller_frame, normalize_chrom, reject, to_int

NAME = "jaffa"

REQUIRED = ("fusion genes", "chrom1", "base1", "chrom2", "base2")
_USED = frozenset({*REQUIRED, "sample", "strand1", "strand2", "inframe", "spanning reads", "spanning pairs"})
_FRAME = {"TRUE": "in_frame", "FALSE": "out_of_frame"}


def _split_csv(text: str) -> list[str]:
    try:
        return next(csv.reader([text]))
    except csv.Error:  # e.g. a field over the csv module's 128 kB limit: split plainly, the row is then judged as usual
        return text.split(",")


def split_fusion_genes(value: str) -> tuple[str, str]:
    separator = "::" if "::" in value else ":"
    parts = [p.strip() for p in value.split(separator)]
    if len(parts) != 2 or not all(parts):
        raise ValueError(f"'fusion genes' value '{value}' is not GENE1:GENE2")
    return parts[0], parts[1]


def _side(gene: str, record: dict[str, str], n: str) -> Breakpoint:
    chrom = record[f"chrom{n}"].strip()
    pos = to_int(record[f"base{n}"])
    if not chrom or chrom == "NA" or pos is None or pos < 1:
        raise ValueError(f"no genomic position for {gene} (chrom{n}='{chrom}', base{n}='{record[f'base{n}']}')")
    return Breakpoint(gene=gene, chrom=normalize_chrom(chrom), pos=pos, strand=parse_strand(record.get(f"strand{n}", "")))


def _caller_frame(value: str) -> Optional[str]:
    v = value.strip().upper()
    return _FRAME.get(v) or normalize_caller_frame(value)


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    columns: list[str] = []
    has_strands = False
    for line, text in numbered_lines(path):
        if not text.strip():
            continue
        fields = [f.strip() for f in _split_csv(text)]
        if not columns:
            columns = fields
            missing = [c for c in REQUIRED if c not in columns]
            if missing:
                raise InputError(path, line, "missing required column(s): " + ", ".join(missing))
            has_strands = {"strand1", "strand2"} <= set(columns)
            continue
        record = dict(zip(columns, fields + [""] * (len(columns) - len(fields))))
        row_sample = record.get("sample") or sample
        short = f" (row has {len(fields)} of {len(columns)} columns: truncated?)" if len(fields) < len(columns) else ""
        try:
            gene1, gene2 = split_fusion_genes(record["fusion genes"])
            five = _side(gene1, record, "1")
            three = _side(gene2, record, "2")
        except ValueError as exc:
            yield reject(row_sample, NAME, path, line, f"{exc}{short}", text)
            continue
        ordered = has_strands or record.get("aligns", "").upper() == "TRUE"
        yield FusionCall(
            sample=row_sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=five,
            three_prime=three,
            orientation="5to3" if ordered else "unknown",
            caller_fusion_name=record["fusion genes"],
            caller_frame=_caller_frame(record.get("inframe", "")),
            split_reads=count(record.get("spanning reads", "")),
            spanning_reads=count(record.get("spanning pairs", "")),
            level="breakpoint",
            extra={k: v for k, v in record.items() if k not in _USED and v not in ("", "NA", "-")},
        )
    if not columns:
        raise InputError(path, 0, "no header line found")


def sniff(head: list[str]) -> bool:
    for line in head:
        if line.strip():
            return "," in line and set(REQUIRED) <= {c.strip() for c in _split_csv(line)}
    return False


READER = ReaderSpec(
    name=NAME,
    description="JAFFA jaffa_results.csv (with or without strand columns)",
    sniff=sniff,
    read=read,
    priority=20,
)

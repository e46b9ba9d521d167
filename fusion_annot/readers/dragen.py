"""Illumina DRAGEN RNA gene-fusion table (``*.fusion_candidates.final``).

Header ``#FusionGene Score LeftBreakpoint RightBreakpoint ...``; the fusion is
named ``5'GENE--3'GENE`` and the breakpoints ``chr:pos:strand`` (1-based, strand
of the partner's transcription), left = 5'. Newer DRAGEN versions add read
counts (``NumSplitReads``, ``NumPairedReads``) which are used when present;
older tables give only ``Score`` and ``ReadNames``, kept in ``extra``.
"""
from __future__ import annotations

from typing import Iterator, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import gene_or_none, parse_locus
from .tabular import iter_records, reject, split_header, to_int

CALLER = "dragen"
_REQUIRED = ("FusionGene", "LeftBreakpoint", "RightBreakpoint")


def sniff(head: list[str]) -> bool:
    for line in head:
        if line.strip():
            return line.startswith("#FusionGene") and all(c in split_header(line) for c in _REQUIRED)
    return False


def split_name(name: str) -> tuple[str | None, str | None]:
    if "--" not in (name or ""):
        return None, None
    g5, g3 = name.split("--", 1)
    return gene_or_none(g5), gene_or_none(g3)


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        try:
            left, right = parse_locus(row.get("LeftBreakpoint", "")), parse_locus(row.get("RightBreakpoint", ""))
        except ValueError:
            yield reject(sample, CALLER, path, number, "LeftBreakpoint/RightBreakpoint not in chrom:pos:strand form", raw)
            continue
        name = row.get("FusionGene", "").strip()
        gene5, gene3 = split_name(name)
        if gene5 is None or gene3 is None:
            yield reject(sample, CALLER, path, number, f"FusionGene '{name[:80]}' is not GENE--GENE", raw)
            continue
        read_names = [r for r in row.get("ReadNames", "").split(";") if r]
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene5, chrom=left[0], pos=left[1], strand=left[2], gene_id=gene_or_none(row.get("Gene1Id", ""))),
            three_prime=Breakpoint(gene=gene3, chrom=right[0], pos=right[1], strand=right[2], gene_id=gene_or_none(row.get("Gene2Id", ""))),
            orientation="5to3",
            caller_fusion_name=f"{gene5}::{gene3}",
            split_reads=to_int(row.get("NumSplitReads", "")),
            spanning_reads=to_int(row.get("NumPairedReads", "")),
            extra={"score": row.get("Score", ""), "read_names": len(read_names), "filter": row.get("Filter", "")},
        )


READER = ReaderSpec(
    name="dragen",
    description="Illumina DRAGEN RNA fusion table (#FusionGene, LeftBreakpoint, RightBreakpoint)",
    sniff=sniff,
    read=read,
    priority=40,
)

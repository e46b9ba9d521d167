"""SQUID annotated output (``*_sv.txt`` after utils/AnnotateSQUIDOutput.py).

Columns: ``# chrom1 start1 end1 chrom2 start2 end2 name score strand1 strand2
Type FusedGenes``; segments are BED-style (0-based start, end exclusive).
AnnotateSQUIDOutput.py puts the breakpoint of a segment at ``end`` when its
strand is '+' and at ``start`` when it is '-': in 1-based terms the junction base
is ``end`` ('+', the segment keeps the bases to the left) or ``start + 1`` ('-',
it keeps the bases to the right). The same script calls a segment 5' when its
strand equals the gene strand, and writes FusedGenes as ``5'gene:3'gene`` (a
comma-separated list when several gene pairs fit), but it does not say which
segment carries which gene. So the reader keeps the segment order with
orientation "unknown", leaves the gene of each breakpoint open, and records
``extra['retained']`` (the side each segment keeps) and
``extra['candidate_genes']`` (5'->3'); fusion_annot.orientation assigns the
genes and the 5'/3' order from the reference gene strands.
Rows typed ``non-fusion-gene`` are rearrangements outside gene pairs: rejected
with that reason. ``score`` = number of supporting reads.
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import parse_strand
from .tabular import iter_records, normalize_chrom, reject, split_header, to_int

CALLER = "squid"
_REQUIRED = ("chrom1", "start1", "end1", "chrom2", "start2", "end2", "strand1", "strand2", "Type", "FusedGenes")


def sniff(head: list[str]) -> bool:
    for line in head:
        if line.strip():
            columns = split_header(line)
            return line.startswith("#") and all(c in columns for c in _REQUIRED)
    return False


def junction(start0: Optional[int], end: Optional[int], strand: Optional[str]) -> tuple[Optional[int], str]:
    """1-based junction base and the side the segment keeps ('left'/'right')."""
    if start0 is None or end is None or strand is None or start0 < 0 or end <= start0:
        return None, ""
    return (end, "left") if strand == "+" else (start0 + 1, "right")


def gene_pairs(fused: str) -> list[tuple[str, str]]:
    pairs = []
    for item in (fused or "").split(","):
        if ":" in item:
            g5, g3 = (x.strip() for x in item.split(":", 1))
            if g5 and g3:
                pairs.append((g5, g3))
    return pairs


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        kind = row.get("Type", "").strip()
        if kind == "non-fusion-gene":
            yield reject(sample, CALLER, path, number, "SQUID type non-fusion-gene: rearrangement not between two genes", raw)
            continue
        s1, s2 = parse_strand(row.get("strand1", "")), parse_strand(row.get("strand2", ""))
        pos1, kept1 = junction(to_int(row.get("start1", "")), to_int(row.get("end1", "")), s1)
        pos2, kept2 = junction(to_int(row.get("start2", "")), to_int(row.get("end2", "")), s2)
        chrom1, chrom2 = normalize_chrom(row.get("chrom1", "")), normalize_chrom(row.get("chrom2", ""))
        if pos1 is None or pos2 is None or not chrom1 or not chrom2:
            yield reject(sample, CALLER, path, number, "segment coordinates or strands missing/invalid", raw)
            continue
        pairs = gene_pairs(row.get("FusedGenes", ""))
        if not pairs:
            yield reject(sample, CALLER, path, number, "FusedGenes names no gene pair", raw)
            continue
        g5, g3 = pairs[0]
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=None, chrom=chrom1, pos=pos1),
            three_prime=Breakpoint(gene=None, chrom=chrom2, pos=pos2),
            orientation="unknown",
            caller_fusion_name=f"{g5}::{g3}",
            split_reads=None,
            spanning_reads=None,
            extra={
                "retained": (kept1, kept2),
                "candidate_genes": (g5, g3),
                "all_gene_pairs": pairs,
                "supporting_reads": to_int(row.get("score", "")),
            },
        )


READER = ReaderSpec(
    name="squid",
    description="SQUID annotated fusion table (BEDPE-like, 0-based segments)",
    sniff=sniff,
    read=read,
    priority=40,
    junction_model="dna",
)

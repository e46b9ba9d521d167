"""deFuse results.tsv / results.filtered.tsv / results.classify.tsv.

deFuse does not order gene1/gene2 5'->3'. Its documentation defines
``genomic_strand{1,2}`` as "genomic strand in gene N of fusion splice /
breakpoint, retained sequence upstream on this strand, breakpoint is
downstream": '+' keeps the bases at lower coordinates, '-' those at higher
coordinates. A partner keeps its own 5' part (and is the 5' partner) exactly
when that strand equals its gene strand (``gene_strand{1,2}``); the 3' partner
keeps its 3' part, so the two strands differ. When exactly one side is 5' the
pair is oriented ("5to3"); when both or neither are (a partner read antisense)
the pair keeps deFuse's order with orientation "unknown" and the reason in
``extra['orientation_note']``. (deFuse's ``gene_align_strand{1,2}`` carries the
same information: '+' on the 5' side, '-' on the 3' side.)

Positions ``genomic_break_pos{1,2}`` are 1-based: the last/first retained base.
Reads: ``splitr_count`` split reads, ``span_count`` spanning read pairs.
``orf`` 'Y' means deFuse found the fusion to preserve a reading frame.
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import gene_or_none, parse_strand
from .tabular import iter_records, normalize_chrom, reject, to_int

CALLER = "defuse"
_SIGNATURE = ("cluster_id", "splitr_count", "span_count", "genomic_break_pos1", "genomic_break_pos2")
_REQUIRED = ("gene_chromosome1", "gene_chromosome2", "genomic_break_pos1", "genomic_break_pos2")


def sniff(head: list[str]) -> bool:
    for line in head:
        if line.strip():
            columns = {c.strip() for c in line.split("\t")}
            return all(c in columns for c in _SIGNATURE)
    return False


def _is_five_prime(genomic_strand: Optional[str], gene_strand: Optional[str]) -> Optional[bool]:
    if genomic_strand is None or gene_strand is None:
        return None
    return genomic_strand == gene_strand


def _side(row: dict, n: str) -> Breakpoint:
    return Breakpoint(
        gene=gene_or_none(row.get(f"gene_name{n}", "")),
        chrom=normalize_chrom(row.get(f"gene_chromosome{n}", "")),
        pos=to_int(row.get(f"genomic_break_pos{n}", "")),
        strand=parse_strand(row.get(f"gene_strand{n}", "")),
        gene_id=gene_or_none(row.get(f"gene{n}", "")),
    )


def orient(row: dict) -> tuple[bool, str]:
    """(swap, note): swap=True when gene2 is the 5' partner; note explains an unresolved order."""
    five1 = _is_five_prime(parse_strand(row.get("genomic_strand1", "")), parse_strand(row.get("gene_strand1", "")))
    five2 = _is_five_prime(parse_strand(row.get("genomic_strand2", "")), parse_strand(row.get("gene_strand2", "")))
    if five1 is None or five2 is None:
        align1, align2 = parse_strand(row.get("gene_align_strand1", "")), parse_strand(row.get("gene_align_strand2", ""))
        if align1 and align2 and align1 != align2:
            return align1 == "-", ""
        return False, "genomic/gene strands missing: deFuse order kept"
    if five1 and not five2:
        return False, ""
    if five2 and not five1:
        return True, ""
    which = "both partners keep their 5' part" if five1 else "both partners keep their 3' part"
    return False, f"{which} (one is read antisense): deFuse order kept"


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        side1, side2 = _side(row, "1"), _side(row, "2")
        if not side1.chrom or not side2.chrom or not side1.pos or not side2.pos or side1.pos < 1 or side2.pos < 1:
            yield reject(sample, CALLER, path, number, "genomic_break_pos/gene_chromosome missing or not a positive integer", raw)
            continue
        swap, note = orient(row)
        five, three = (side2, side1) if swap else (side1, side2)
        orf = row.get("orf", "").strip().upper()
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=five,
            three_prime=three,
            orientation="unknown" if note else "5to3",
            caller_fusion_name=f"{five.gene or five.chrom}::{three.gene or three.chrom}",
            caller_frame="in_frame" if orf == "Y" else None,
            split_reads=to_int(row.get("splitr_count", "")),
            spanning_reads=to_int(row.get("span_count", "")),
            extra={
                "cluster_id": row.get("cluster_id", ""),
                "orf": orf,
                "probability": row.get("probability", ""),
                "gene_order_swapped": swap,
                "orientation_note": note,
                "gene_location5": row.get("gene_location2" if swap else "gene_location1", ""),
                "gene_location3": row.get("gene_location1" if swap else "gene_location2", ""),
            },
        )


READER = ReaderSpec(
    name="defuse",
    description="deFuse results(.filtered|.classify).tsv; gene1/gene2 oriented 5'->3' from genomic and gene strands",
    sniff=sniff,
    read=read,
    priority=40,
)

"""CTAT-LR-Fusion ``ctat-LR-fusion.fusion_predictions(.abridged).tsv`` (long reads).

Same breakpoint conventions as STAR-Fusion: ``LeftGene`` is the 5' partner
(``GENE`` or ``GENE^ENSG...``), ``LeftBreakpoint``/``RightBreakpoint`` are
``chr:pos:strand``, 1-based, strand of transcription. ``num_LR`` counts long
reads, each of which spans the junction: it is reported as split_reads; there
are no spanning pairs (spanning_reads None).
"""
from __future__ import annotations

from typing import Iterator, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import gene_or_none, header_columns, parse_locus, split_gene_id
from .tabular import iter_records, reject, to_int

CALLER = "ctat-lr-fusion"
_REQUIRED = ("FusionName", "num_LR", "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint")


def sniff(head: list[str]) -> bool:
    return set(_REQUIRED) <= set(header_columns(head, meta_prefix=None))


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        try:
            left, right = parse_locus(row.get("LeftBreakpoint", "")), parse_locus(row.get("RightBreakpoint", ""))
        except ValueError:
            yield reject(sample, CALLER, path, number, "LeftBreakpoint/RightBreakpoint not in chrom:pos:strand form", raw)
            continue
        left_gene, right_gene = row.get("LeftGene", ""), row.get("RightGene", "")
        gene5, gene3 = gene_or_none(left_gene), gene_or_none(right_gene)
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene5, chrom=left[0], pos=left[1], strand=left[2], gene_id=split_gene_id(left_gene)[1]),
            three_prime=Breakpoint(gene=gene3, chrom=right[0], pos=right[1], strand=right[2], gene_id=split_gene_id(right_gene)[1]),
            orientation="5to3",
            caller_fusion_name=row.get("FusionName", "").replace("--", "::"),
            split_reads=to_int(row.get("num_LR", "")),
            spanning_reads=None,
            extra={"SpliceType": row.get("SpliceType", ""), "LR_FFPM": row.get("LR_FFPM", ""), "annots": row.get("annots", "")[:500]},
        )


READER = ReaderSpec(
    name="ctat-lr-fusion",
    description="CTAT-LR-Fusion fusion_predictions.tsv (long-read STAR-Fusion layout with num_LR)",
    sniff=sniff,
    read=read,
    priority=30,
)

"""EricScript results.tsv / results.filtered.tsv.

GeneName1 is the 5' partner (EricScript writes the junction sequence with
GeneName1 in lower case, upstream of GeneName2 in upper case). Breakpoint
columns are ``Breakpoint1/2`` in real output files although the manual says
``GenomicBreakpoint1/2``; both are accepted. Positions are 1-based; when the
junction has homology (column ``homology``) EricScript may place the shared
base on either side, so a position can sit 1 bp off an exon edge.
``strand1/2`` are the gene strands.

Reads (EricScript manual): ``spanningreads`` = reads spanning the junction
(split reads), ``crossingreads`` = discordant read pairs (spanning fragments).

A row whose breakpoint reads "Unable to predict breakpoint position" still names
a supported gene pair: it becomes a gene-level call (level="gene").
"""
from __future__ import annotations

from typing import Iterator, Optional, Union

from ..errors import InputError
from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import gene_or_none, header_columns, parse_strand
from .tabular import iter_records, normalize_chrom, reject, to_int
from ..textio import head_lines

CALLER = "ericscript"
_GENES = ("GeneName1", "GeneName2")
_BREAKPOINT_NAMES = (("Breakpoint1", "Breakpoint2"), ("GenomicBreakpoint1", "GenomicBreakpoint2"))
_SIGNATURE = ("GeneName1", "GeneName2", "EricScore")


def sniff(head: list[str]) -> bool:
    columns = set(header_columns(head, meta_prefix=None))
    return all(c in columns for c in _SIGNATURE) and any(all(b in columns for b in pair) for pair in _BREAKPOINT_NAMES)


def _breakpoint_columns(path: str) -> tuple[str, str]:
    columns = set(header_columns(head_lines(path, 5), meta_prefix=None))
    for pair in _BREAKPOINT_NAMES:
        if all(c in columns for c in pair):
            return pair
    raise InputError(path, 1, "missing required column(s): Breakpoint1/Breakpoint2 (or GenomicBreakpoint1/GenomicBreakpoint2)")


def _position(value: str) -> tuple[Optional[int], bool]:
    """(1-based position or None, whether EricScript said it could not predict one)."""
    v = (value or "").strip()
    pos = to_int(v)
    return (pos if pos and pos > 0 else None), v.lower().startswith("unable to predict")


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    bp1_col, bp2_col = _breakpoint_columns(path)
    for number, row, raw in iter_records(path, _GENES + ("chr1", "chr2", bp1_col, bp2_col)):
        gene5, gene3 = gene_or_none(row.get("GeneName1", "")), gene_or_none(row.get("GeneName2", ""))
        pos5, unpredicted5 = _position(row.get(bp1_col, ""))
        pos3, unpredicted3 = _position(row.get(bp2_col, ""))
        chrom5, chrom3 = normalize_chrom(row.get("chr1", "")), normalize_chrom(row.get("chr2", ""))
        level = "breakpoint"
        if pos5 is None or pos3 is None:
            if (unpredicted5 or unpredicted3) and gene5 and gene3 and (pos5 is not None or unpredicted5) and (pos3 is not None or unpredicted3):
                level = "gene"
                pos5 = pos3 = None
            else:
                yield reject(sample, CALLER, path, number, f"{bp1_col}/{bp2_col} missing or not a positive integer", raw)
                continue
        if not chrom5 or not chrom3:
            yield reject(sample, CALLER, path, number, "chr1/chr2 missing", raw)
            continue
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene5, chrom=chrom5, pos=pos5, strand=parse_strand(row.get("strand1", "")), gene_id=gene_or_none(row.get("EnsemblGene1", ""))),
            three_prime=Breakpoint(gene=gene3, chrom=chrom3, pos=pos3, strand=parse_strand(row.get("strand2", "")), gene_id=gene_or_none(row.get("EnsemblGene2", ""))),
            orientation="5to3",
            caller_fusion_name=f"{gene5}::{gene3}",
            split_reads=to_int(row.get("spanningreads", "")),
            spanning_reads=to_int(row.get("crossingreads", "")),
            level=level,
            extra={
                "fusiontype": row.get("fusiontype", ""),
                "homology": row.get("homology", ""),
                "EricScore": row.get("EricScore", ""),
                "breakpoint_note": "EricScript could not predict the breakpoint position: gene-level call" if level == "gene" else "",
            },
        )


READER = ReaderSpec(
    name="ericscript",
    description="EricScript results(.filtered).tsv (Breakpoint1/2 or GenomicBreakpoint1/2)",
    sniff=sniff,
    read=read,
    priority=40,
)

"""pizzly flat table (``*_flat.tsv`` / ``*_flat_filtered.tsv``).

pizzly works on the transcriptome and reports gene pairs only: geneA is the 5'
partner (each fusion transcript in ``transcripts.list`` is written
``<geneA transcript>_<start>:<end>_<geneB transcript>_<start>:<end>``, geneA's
part first). There are no genomic coordinates, so every call is gene-level
(level="gene"): the annotation can say which genes fuse, not which exons.
Reads: ``splitcount`` split reads, ``paircount`` spanning read pairs.
"""
from __future__ import annotations

from typing import Iterator, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import gene_or_none, header_columns
from .tabular import iter_records, reject, to_int

CALLER = "pizzly"
_REQUIRED = ("geneA.name", "geneB.name", "paircount", "splitcount")


def sniff(head: list[str]) -> bool:
    return set(_REQUIRED) <= set(header_columns(head, meta_prefix=None))


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        gene5, gene3 = gene_or_none(row.get("geneA.name", "")), gene_or_none(row.get("geneB.name", ""))
        if not gene5 or not gene3:
            yield reject(sample, CALLER, path, number, "geneA.name/geneB.name missing", raw)
            continue
        transcripts = [t for t in row.get("transcripts.list", "").split(";") if t]
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene5, gene_id=gene_or_none(row.get("geneA.id", ""))),
            three_prime=Breakpoint(gene=gene3, gene_id=gene_or_none(row.get("geneB.id", ""))),
            orientation="5to3",
            caller_fusion_name=f"{gene5}::{gene3}",
            split_reads=to_int(row.get("splitcount", "")),
            spanning_reads=to_int(row.get("paircount", "")),
            level="gene",
            extra={"transcript_pairs": len(transcripts), "level_note": "pizzly reports gene pairs only (no genomic breakpoint)"},
        )


READER = ReaderSpec(
    name="pizzly",
    description="pizzly flat table (gene-level calls: no genomic coordinates)",
    sniff=sniff,
    read=read,
    priority=40,
)

"""CICERO (St. Jude) fusion output.

Three layouts, all tab-separated, positions 1-based (CICERO writes BLAT hit
coordinates converted to 1-based; when the junction has 1 bp of microhomology
CICERO may put the shared base on both sides, so a position can sit 1 bp off an
exon edge):

* ``final_fusions.txt`` / ``annotated.fusion.txt``: header ``sample geneA chrA
  posA ortA featureA geneB chrB posB ortB featureB sv_ort readsA readsB ...``.
  annotate.pl orders the pair so that A is upstream and sets ``sv_ort`` to '>'
  when the orientation is supported by the gene models, '?' when it is not
  (src/bin/annotate.pl, sub annotate). ortA/ortB are the strands of the oriented
  contig on each side, i.e. the transcription strand of each partner.
* ``unfiltered.fusion.txt``: headerless raw breakpoint pairs, 30 columns, as
  read back by annotate.pl: 0 sample, 1 gene1, 2 gene2, 3 reads at first
  breakpoint, 4 cutoff, 5 posA, 6 posB, 7 ortA, 8 chrA, 9-10 hit start/end,
  11-12 query start/end, 13 query strand, 14 matches, 15 identity, 16 repeat,
  17 contig, 18 ortB, 19 chrB, 20-21 hit start/end, 22-23 query start/end,
  24 query strand, 25 matches, 26 identity, 27 repeat, 28 gap, 29 same_gene.
  The first breakpoint is the soft-clip site, not the 5' partner: orientation
  is "unknown" and the annotator orients the pair from the reference.

Read counts: readsA/readsB count soft-clipped reads at each breakpoint; a split
read is clipped at one side only, so split_reads = readsA + readsB.
"""
from __future__ import annotations

import re
from typing import Iterator, Union

from ..errors import InputError
from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .fields import count_sum, gene_or_none, parse_strand
from .tabular import iter_records, normalize_chrom, reject, to_int

CALLER = "cicero"
_HEADER_COLUMNS = ("geneA", "chrA", "posA", "ortA", "geneB", "chrB", "posB", "ortB", "sv_ort")
_REQUIRED = ("geneA", "chrA", "posA", "geneB", "chrB", "posB")
_UNFILTERED_COLUMNS = 30
_DNA = re.compile(r"^[ACGTNacgtn]+$")


def _looks_unfiltered(fields: list[str]) -> bool:
    if len(fields) != _UNFILTERED_COLUMNS:
        return False
    return (
        to_int(fields[5]) is not None
        and to_int(fields[6]) is not None
        and fields[7].strip() in ("1", "-1")
        and fields[18].strip() in ("1", "-1")
        and bool(_DNA.match(fields[17].strip()))
    )


def sniff(head: list[str]) -> bool:
    lines = [line for line in head if line.strip()]
    if not lines:
        return False
    first = lines[0]
    columns = {c.strip().lstrip("#") for c in first.split("\t")}
    if all(c in columns for c in _HEADER_COLUMNS):
        return True
    return _looks_unfiltered(first.split("\t"))


def _gene(value: str) -> tuple[str | None, list[str]]:
    """CICERO lists overlapping genes as 'A,B' or 'A|B'; the first is the reported partner."""
    names = [g for g in (gene_or_none(x) for x in re.split(r"[,|]", value or "")) if g]
    return (names[0] if names else None), names


def _read_annotated(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, row, raw in iter_records(path, _REQUIRED):
        pos_a, pos_b = to_int(row.get("posA", "")), to_int(row.get("posB", ""))
        chr_a, chr_b = row.get("chrA", "").strip(), row.get("chrB", "").strip()
        if pos_a is None or pos_b is None or pos_a < 1 or pos_b < 1 or not chr_a or not chr_b:
            yield reject(sample, CALLER, path, number, "posA/posB/chrA/chrB missing or not a positive integer", raw)
            continue
        gene_a, genes_a = _gene(row.get("geneA", ""))
        gene_b, genes_b = _gene(row.get("geneB", ""))
        sv_ort = row.get("sv_ort", "").strip()
        reads_a, reads_b = to_int(row.get("readsA", "")), to_int(row.get("readsB", ""))
        split = count_sum(row.get("readsA", ""), row.get("readsB", ""))
        yield FusionCall(
            sample=sample or row.get("sample", ""),
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene_a, chrom=normalize_chrom(chr_a), pos=pos_a, strand=parse_strand(row.get("ortA", ""))),
            three_prime=Breakpoint(gene=gene_b, chrom=normalize_chrom(chr_b), pos=pos_b, strand=parse_strand(row.get("ortB", ""))),
            orientation="5to3" if sv_ort == ">" else "unknown",
            caller_fusion_name=f"{gene_a or chr_a + ':' + str(pos_a)}::{gene_b or chr_b + ':' + str(pos_b)}",
            split_reads=split,
            spanning_reads=None,
            extra={
                "sv_ort": sv_ort,
                "readsA": reads_a,
                "readsB": reads_b,
                "featureA": row.get("featureA", ""),
                "featureB": row.get("featureB", ""),
                "type": row.get("type", ""),
                "genesA": genes_a,
                "genesB": genes_b,
                "frame_raw": row.get("frame", row.get("Frame", "")),
            },
        )


def _read_unfiltered(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != _UNFILTERED_COLUMNS:
            yield reject(sample, CALLER, path, number, f"expected {_UNFILTERED_COLUMNS} columns (CICERO unfiltered), found {len(fields)}", line)
            continue
        pos_a, pos_b = to_int(fields[5]), to_int(fields[6])
        chr_a, chr_b = fields[8].strip(), fields[19].strip()
        if pos_a is None or pos_b is None or pos_a < 1 or pos_b < 1 or not chr_a or not chr_b:
            yield reject(sample, CALLER, path, number, "breakpoint position/chromosome (columns 6, 7, 9, 20) missing or invalid", line)
            continue
        gene_a, genes_a = _gene(fields[1])
        gene_b, genes_b = _gene(fields[2])
        yield FusionCall(
            sample=sample or fields[0].strip(),
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene_a, chrom=normalize_chrom(chr_a), pos=pos_a),
            three_prime=Breakpoint(gene=gene_b, chrom=normalize_chrom(chr_b), pos=pos_b),
            orientation="unknown",
            caller_fusion_name=f"{gene_a or chr_a}::{gene_b or chr_b}",
            split_reads=to_int(fields[3]),
            extra={"layout": "unfiltered", "genesA": genes_a, "genesB": genes_b},
        )


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    first = next((line for _, line in numbered_lines(path) if line.strip()), None)
    if first is None:
        raise InputError(path, 0, "file is empty")
    columns = {c.strip().lstrip("#") for c in first.split("\t")}
    if all(c in columns for c in _REQUIRED):
        yield from _read_annotated(path, sample)
    elif len(first.split("\t")) == _UNFILTERED_COLUMNS:
        yield from _read_unfiltered(path, sample)
    else:
        raise InputError(path, 1, "not a CICERO file: no geneA/chrA/posA/geneB/chrB/posB header and not the 30-column unfiltered layout")


READER = ReaderSpec(
    name="cicero",
    description="CICERO final_fusions.txt / annotated.fusion.txt, and headerless unfiltered.fusion.txt",
    sniff=sniff,
    read=read,
    priority=40,
)

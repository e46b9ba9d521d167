"""Arriba fusions.tsv: the v2 30-column layout and the older 24-column one (columns read by name,
so appended columns such as annoFuse's tumor_id / annots are carried in ``extra``).

Spec (arriba.readthedocs.io, "Output files"):
- gene1 makes up the 5' end of the transcript, gene2 the 3' end, "predicted on the
  basis of the strands ... and splice patterns".
- strand1(gene/fusion): annotated gene strand / transcribed strand. The transcribed
  strand is '.' when Arriba could not predict it; then the 5'/3' order of the
  partners is not known either, and the call gets orientation="unknown" (the
  annotator orients it from the reference). Breakpoint.strand is the transcribed
  strand (None when '.').
- breakpoint1/2 'chr:pos' are 1-based junction bases (the last 5' base, the first
  3' base; identical to STAR-Fusion's for the same junction).
- An intergenic breakpoint names the closest genes upstream and downstream with
  their distances: 'RPSAP53(30527),LINC00364(74154)'. Rule: the partner gene is
  the closest one (smallest distance; the first listed on a tie or when no
  distances are given); the raw value is kept in extra['gene1_raw'] /
  extra['gene2_raw']. A '.' gene (no gene annotated on the contig) is None.
- split_reads = split_reads1 + split_reads2; spanning_reads = discordant_mates;
  reading_frame (in-frame / out-of-frame / stop-codon / .) is the caller frame.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import count, count_sum, extra_columns, header_columns, parse_locus, truncation_note
from .tabular import iter_records, normalize_caller_frame, reject

NAME = "arriba"

STRAND1 = "strand1(gene/fusion)"
STRAND2 = "strand2(gene/fusion)"
REQUIRED = ("gene1", "gene2", STRAND1, STRAND2, "breakpoint1", "breakpoint2")
_USED = frozenset(
    {*REQUIRED, "split_reads1", "split_reads2", "discordant_mates", "reading_frame", "gene_id1", "gene_id2"}
)
_BULKY = frozenset({"fusion_transcript", "peptide_sequence", "read_identifiers"})
_GENE_WITH_DISTANCE = re.compile(r"^(?P<gene>[^()]+?)(?:\((?P<distance>\d+)\))?$")


def choose_gene(value: str) -> Optional[str]:
    """Arriba gene column -> one gene name: itself, or the closest of an intergenic pair."""
    v = value.strip()
    if not v or v == ".":
        return None
    best: tuple[int, int, str] | None = None
    for order, part in enumerate(p.strip() for p in v.split(",")):
        match = _GENE_WITH_DISTANCE.match(part)
        if not match or match.group("gene") == ".":
            continue
        distance = int(match.group("distance")) if match.group("distance") else 0
        candidate = (distance, order, match.group("gene"))
        if best is None or candidate < best:
            best = candidate
    if best is None:
        raise ValueError(f"cannot read a gene name from '{v}'")
    return best[2]


def split_strands(value: str, column: str) -> tuple[Optional[str], Optional[str]]:
    """'+/-' -> ('+', '-'): (annotated gene strand, transcribed strand); '.' -> None."""
    gene_strand, slash, fusion_strand = value.strip().partition("/")
    if not slash or gene_strand not in ("+", "-", ".") or fusion_strand not in ("+", "-", "."):
        raise ValueError(f"{column} '{value}' is not gene/fusion strands like '+/-'")
    return (gene_strand if gene_strand != "." else None), (fusion_strand if fusion_strand != "." else None)


def _value(value: str) -> Optional[str]:
    return value if value not in ("", ".") else None


def _side(record: dict[str, str], n: str, transcribed: Optional[str]) -> Breakpoint:
    try:
        chrom, pos, _ = parse_locus(record[f"breakpoint{n}"])
    except ValueError as exc:
        raise ValueError(f"breakpoint{n}: {exc}") from None
    return Breakpoint(
        gene=choose_gene(record[f"gene{n}"]),
        chrom=chrom,
        pos=pos,
        strand=transcribed,
        gene_id=_value(record.get(f"gene_id{n}", "")),
    )


def _extra(record: dict[str, str]) -> dict[str, str]:
    extra = extra_columns(record, _USED, _BULKY)
    for n in ("1", "2"):
        raw = record[f"gene{n}"]
        if "," in raw or "(" in raw:
            extra[f"gene{n}_raw"] = raw
    extra[STRAND1], extra[STRAND2] = record[STRAND1], record[STRAND2]
    return extra


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    n_columns = 0
    for line, record, raw in iter_records(path, REQUIRED):
        n_columns = n_columns or len(record)
        try:
            _, transcribed1 = split_strands(record[STRAND1], STRAND1)
            _, transcribed2 = split_strands(record[STRAND2], STRAND2)
            five = _side(record, "1", transcribed1)
            three = _side(record, "2", transcribed2)
        except ValueError as exc:
            yield reject(sample, NAME, path, line, f"{exc}{truncation_note(raw, n_columns)}", raw)
            continue
        oriented = transcribed1 is not None and transcribed2 is not None
        yield FusionCall(
            sample=sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=five,
            three_prime=three,
            orientation="5to3" if oriented else "unknown",
            caller_fusion_name=f"{record['gene1']}--{record['gene2']}",
            caller_frame=normalize_caller_frame(record.get("reading_frame", "")),
            split_reads=count_sum(record.get("split_reads1", ""), record.get("split_reads2", "")),
            spanning_reads=count(record.get("discordant_mates", "")),
            level="breakpoint",
            extra=_extra(record),
        )


def sniff(head: list[str]) -> bool:
    return set(REQUIRED) <= set(header_columns(head))


READER = ReaderSpec(
    name=NAME,
    description="Arriba fusions.tsv (v2 30-column and older 24-column layouts)",
    sniff=sniff,
    read=read,
    priority=20,
)

"""STAR-Fusion: fusion_predictions.tsv / star-fusion.fusion_candidates.final[.abridged][.FFPM],
with or without the --examine_coding_effect columns.

Spec (STAR-Fusion wiki, "Output"): the left gene is the 5' partner and the right
gene the 3' partner. LeftBreakpoint 'chr12:11869969:+' is 1-based: the last base
of the 5' partner kept before the junction; RightBreakpoint the first base of the
3' partner after it; the strand is the partner's transcribed strand. Gene columns
read 'ETV6^ENSG00000139083'. JunctionReadCount counts split reads,
SpanningFragCount the fragments whose mates lie on either side. With
--examine_coding_effect, PROT_FUSION_TYPE (INFRAME / FRAMESHIFT / ...) is the
caller's own frame call.

The Left/Right row layout is shared with FusionInspector, which reuses
``read_left_right`` from here.
"""
from __future__ import annotations

from typing import Iterator, Union

from ..model import Breakpoint, FusionCall, Reject
from . import ReaderSpec
from .fields import RowExtra, count, header_columns, open_table, parse_locus, split_gene_id, truncation_note
from .tabular import normalize_caller_frame, reject

NAME = "star-fusion"

REQUIRED = ("LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint")
_USED = frozenset(
    {
        "FusionName", "fusion_name", "sample",
        "LeftGene", "LeftBreakpoint", "RightGene", "RightBreakpoint",
        "JunctionReadCount", "SpanningFragCount", "PROT_FUSION_TYPE",
    }
)
# Read-name lists and sequences: large, and nothing downstream reads them.
_BULKY = frozenset(
    {"JunctionReads", "SpanningFrags", "CounterFusionLeftReads", "CounterFusionRightReads",
     "FUSION_CDS", "FUSION_TRANSL", "FUSION_MODEL"}
)


def _side(gene_value: str, locus_value: str, side: str) -> Breakpoint:
    gene, gene_id = split_gene_id(gene_value)
    if gene is None:
        raise ValueError(f"{side}Gene is empty")
    try:
        chrom, pos, strand = parse_locus(locus_value)
    except ValueError as exc:
        raise ValueError(f"{side}Breakpoint: {exc}") from None
    return Breakpoint(gene=gene, chrom=chrom, pos=pos, strand=strand, gene_id=gene_id)


def read_left_right(path: str, sample: str, caller: str) -> Iterator[Union[FusionCall, Reject]]:
    """Rows of a CTAT Left/Right table (STAR-Fusion, FusionInspector), 5' = Left, 1-based.

    A 'sample' column (multi-sample aggregates) names each row's sample; otherwise
    the ``sample`` argument does. Index-based (no dict per row): the FusionInspector
    aggregates run to tens of thousands of rows.
    """
    columns, rows = open_table(path, REQUIRED)
    index: dict[str, int] = {}
    for i, name in enumerate(columns):
        index.setdefault(name, i)  # a repeated column name: the first one counts

    def col(*names: str) -> int:
        return next((index[n] for n in names if n in index), -1)

    i_lgene, i_lbp, i_rgene, i_rbp = (index[c] for c in REQUIRED)
    i_sample = col("sample")
    i_name = col("FusionName", "fusion_name")
    i_junction, i_spanning, i_frame = col("JunctionReadCount"), col("SpanningFragCount"), col("PROT_FUSION_TYPE")
    extra_index = {n: i for n, i in index.items() if n not in _USED and n not in _BULKY}
    n_columns = len(columns)
    # An aggregate repeats the same partners and breakpoints in many rows: each distinct (gene, locus) text is
    # parsed once, and its rows share one (immutable) Breakpoint. Texts that do not parse keep their error.
    parsed_sides = {"Left": {}, "Right": {}}
    side_errors: dict = {}

    def parse_side(gene_value: str, locus_value: str, label: str) -> Breakpoint:
        key = (gene_value, locus_value, label)
        error = side_errors.get(key)
        if error is None:
            try:
                parsed = parsed_sides[label][gene_value, locus_value] = _side(gene_value, locus_value, label)
                return parsed
            except ValueError as exc:
                error = side_errors[key] = exc
        raise error

    left, right = parsed_sides["Left"], parsed_sides["Right"]
    source = str(path)
    for line, fields, raw in rows:
        row_sample = fields[i_sample].strip() if i_sample >= 0 else ""
        row_sample = row_sample or sample
        try:
            five = left.get((fields[i_lgene], fields[i_lbp])) or parse_side(fields[i_lgene], fields[i_lbp], "Left")
            three = right.get((fields[i_rgene], fields[i_rbp])) or parse_side(fields[i_rgene], fields[i_rbp], "Right")
        except ValueError as exc:
            yield reject(row_sample, caller, path, line, f"{exc}{truncation_note(raw, n_columns)}", raw)
            continue
        yield FusionCall(
            sample=row_sample,
            caller=caller,
            source=source,
            line=line,
            five_prime=five,
            three_prime=three,
            orientation="5to3",
            caller_fusion_name=fields[i_name].strip() if i_name >= 0 else "",
            caller_frame=normalize_caller_frame(fields[i_frame]) if i_frame >= 0 else None,
            split_reads=count(fields[i_junction]) if i_junction >= 0 else None,
            spanning_reads=count(fields[i_spanning]) if i_spanning >= 0 else None,
            level="breakpoint",
            extra=RowExtra(extra_index, fields),  # verbatim
        )


def sniff(head: list[str]) -> bool:
    columns = set(header_columns(head))
    return (
        "FusionName" in columns
        and {"JunctionReadCount", "SpanningFragCount", *REQUIRED} <= columns
        # FusionInspector adds the local (contig) coordinates; it has its own reader.
        and "LeftLocalBreakpoint" not in columns
    )


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    return read_left_right(path, sample, NAME)


READER = ReaderSpec(
    name=NAME,
    description="STAR-Fusion fusion_predictions / fusion_candidates.final (plain, abridged, FFPM, coding effect)",
    sniff=sniff,
    read=read,
    priority=20,
)

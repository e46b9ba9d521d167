"""FusionCatcher: final-list_candidate-fusion-genes.txt, and the gene-level summary_candidate_fusions.txt.

final-list (FusionCatcher manual, "Output data"): gene 1 is the 5' partner, gene 2
the 3' partner; Fusion_point_for_gene_1(5end_fusion_partner) '12:11869969:+' is
chromosome:position:strand, 1-based, the last 5' base before the junction
(Fusion_point_for_gene_2 the first 3' base). Spanning_unique_reads are reads that
cross the junction (split reads); Spanning_pairs are pairs whose mates straddle it.
Predicted_effect (in-frame / out-of-frame / CDS(truncated)/UTR / ...) is the
caller's frame call; words we have no vocabulary for are kept as written.

summary_candidate_fusions.txt is a short human-readable list, one
'  * GENE1--GENE2  (description)' line per fusion gene and no coordinates. Each
such line becomes a gene-level call (level="gene", positions None) so the
clinical layer can still say whether the pair is known/actionable; the prose
lines around them are not data rows.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from ..textio import head_lines, numbered_lines
from . import ReaderSpec
from .fields import count, extra_columns, header_columns, parse_locus, truncation_note
from .tabular import iter_records, normalize_caller_frame, reject

NAME = "fusioncatcher"

GENE1 = "Gene_1_symbol(5end_fusion_partner)"
GENE2 = "Gene_2_symbol(3end_fusion_partner)"
POINT1 = "Fusion_point_for_gene_1(5end_fusion_partner)"
POINT2 = "Fusion_point_for_gene_2(3end_fusion_partner)"
ID1 = "Gene_1_id(5end_fusion_partner)"
ID2 = "Gene_2_id(3end_fusion_partner)"
REQUIRED = (GENE1, GENE2, POINT1, POINT2)
_USED = frozenset({*REQUIRED, ID1, ID2, "Spanning_pairs", "Spanning_unique_reads", "Predicted_effect"})
_BULKY = frozenset({"Fusion_sequence", "Predicted_fused_transcripts", "Predicted_fused_proteins"})

_SUMMARY_TITLE = "Very short summary of found candidate fusion genes"
_SUMMARY_COUNT = re.compile(r"^Found \d+ fusion gene\(s\)")
_SUMMARY_ROW = re.compile(r"^\s*\*\s+(?P<gene1>[^\s(]+?)--(?P<gene2>[^\s(]+)\s*(?:\((?P<description>[^)]*)\))?\s*$")


def _value(value: str) -> Optional[str]:
    v = (value or "").strip()
    return v if v and v != "." else None


def _side(record: dict[str, str], gene_column: str, point_column: str, id_column: str) -> Breakpoint:
    gene, gene_id = _value(record[gene_column]), _value(record.get(id_column, ""))
    if gene is None and gene_id is None:
        raise ValueError(f"{gene_column} and {id_column} are empty")
    try:
        chrom, pos, strand = parse_locus(record[point_column])
    except ValueError as exc:
        raise ValueError(f"{point_column}: {exc}") from None
    return Breakpoint(gene=gene, chrom=chrom, pos=pos, strand=strand, gene_id=gene_id)


def read_final_list(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    n_columns = 0
    for line, record, raw in iter_records(path, REQUIRED):
        n_columns = n_columns or len(record)
        try:
            five = _side(record, GENE1, POINT1, ID1)
            three = _side(record, GENE2, POINT2, ID2)
        except ValueError as exc:
            yield reject(sample, NAME, path, line, f"{exc}{truncation_note(raw, n_columns)}", raw)
            continue
        yield FusionCall(
            sample=sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=five,
            three_prime=three,
            orientation="5to3",
            caller_fusion_name=f"{record[GENE1]}--{record[GENE2]}",
            caller_frame=normalize_caller_frame(record.get("Predicted_effect", "")),
            split_reads=count(record.get("Spanning_unique_reads", "")),
            spanning_reads=count(record.get("Spanning_pairs", "")),
            level="breakpoint",
            extra=extra_columns(record, _USED, _BULKY),
        )


def read_summary(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    """Gene-level calls from summary_candidate_fusions.txt: one per '  * A--B (...)' line."""
    for line, text in numbered_lines(path):
        if not text.lstrip().startswith("*"):
            continue  # title, counts and prose around the list
        match = _SUMMARY_ROW.match(text)
        if not match:
            yield reject(sample, NAME, path, line, "fusion line is not '* GENE1--GENE2 (description)'", text)
            continue
        description = (match.group("description") or "").strip()
        yield FusionCall(
            sample=sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=Breakpoint(gene=match.group("gene1")),
            three_prime=Breakpoint(gene=match.group("gene2")),
            orientation="5to3",
            caller_fusion_name=f"{match.group('gene1')}--{match.group('gene2')}",
            level="gene",
            extra={"Fusion_description": description} if description else {},
        )


def _is_summary(head: list[str]) -> bool:
    return any(line.startswith(_SUMMARY_TITLE) or _SUMMARY_COUNT.match(line) for line in head[:10])


def sniff(head: list[str]) -> bool:
    return _is_summary(head) or set(REQUIRED) <= set(header_columns(head))


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    if _is_summary(head_lines(path, 10)):
        return read_summary(path, sample)
    return read_final_list(path, sample)


READER = ReaderSpec(
    name=NAME,
    description="FusionCatcher final-list_candidate-fusion-genes.txt (and gene-level summary_candidate_fusions.txt)",
    sniff=sniff,
    read=read,
    priority=20,
)

"""FusionAnnotation -> flat record (one dict per output row). The column list is the contract
with other tools; docs/output-columns.md documents every column."""
from __future__ import annotations

from dataclasses import fields
from typing import Optional

from ..domains import format_hits
from ..model import FRAME_VALUES, FusionAnnotation, KnowledgeResult, Reject

CORE_COLUMNS = (
    "sample", "caller", "fusion_name", "gene5", "gene3",
    "chrom5", "pos5", "strand5", "chrom3", "pos3", "strand3",
    "transcript5", "transcript3", "exon5", "exon3", "exons5", "exons3", "site5", "site3",
    "frame", "fusion_protein_length", "junction_peptide", "kinase_domain", "kinase_domain_kept_pct",
    "domains5", "caller_frame",
)
DETAIL_COLUMNS = (
    "frame_agrees_with_caller", "frame_reason", "peptide_note", "junction_sequence", "kinase_domain_detail", "domains3",
    "kinase_domain5", "kinase_domain5_kept_pct", "kinase_domain5_detail",
    "junction_model", "intron_nt5", "intron_nt3", "mane_transcript5", "mane_exon5", "mane_transcript3", "mane_exon3",
    "best_frame", "best_transcript5", "best_transcript3", "best_exon5", "best_exon3", "best_exons5", "best_exons3",
    "best_kinase_domain", "best_fusion_protein_length", "isoform_pairs", "actionability_pair",
    "cds_kept5", "phase5", "cds_skipped3", "phase3", "aa_end5", "aa_start3",
    "protein_length5", "protein_length3", "canonical5", "canonical3",
    "gene5_original", "gene3_original", "split_reads", "spanning_reads", "bam_split_reads", "bam_spanning_pairs",
    "bam_note", "caller_fusion_name", "oriented_by", "notes",
    "source_file", "source_line",
)
KNOWLEDGE_COLUMNS = tuple(f.name for f in fields(KnowledgeResult))
COLUMNS = CORE_COLUMNS + KNOWLEDGE_COLUMNS + DETAIL_COLUMNS
REJECT_COLUMNS = ("sample", "caller", "source_file", "source_line", "reason", "raw")


def _range(r):
    return f"{r[0]}-{r[1]}" if r else ""


def _v(x):
    return "" if x is None else x


def read_count_value(x):
    """A read count as int, or as text when a reader gave something else (the writers' TextMemo keys on it)."""
    return x if x.__class__ is int else "" if x is None else str(x)


# Columns that come from the row itself (sample, reads, line) or from the per-sample knowledge step; every other
# column depends only on the junction's annotation and is worked out once per junction (JunctionColumns).
CALL_COLUMNS = ("sample", "caller", "caller_frame", "frame_agrees_with_caller", "gene5_original", "gene3_original",
                "split_reads", "spanning_reads", "bam_split_reads", "bam_spanning_pairs", "bam_note",
                "caller_fusion_name", "source_file", "source_line")
ROW_COLUMNS = CALL_COLUMNS + KNOWLEDGE_COLUMNS
# The writers interleave the call values with the shared text in CALL_COLUMNS order, which is therefore the
# order of these columns in a row (tests/test_writers_fast_paths.py checks it).


class FusionRecord(dict):
    """One output row (column -> value; read-only by convention). ``junction`` and ``verdict`` hold the columns
    shared by every row of the same junction annotation and knowledge result, with their TSV cells and JSON
    text rendered once for all those rows."""

    __slots__ = ("junction", "verdict")


class SharedColumns:
    """Columns shared by many rows, and their TSV and JSON renderings (filled by the writers on first use)."""

    __slots__ = ("values", "anchor", "verdicts", "tsv_cells", "json_parts", "tsv_segments", "json_segments")

    def __init__(self, values: dict, anchor):
        self.values = values
        self.anchor = anchor  # keeps the objects whose ids key the caches alive, so an id is never reused
        self.verdicts = {}
        self.tsv_cells = None  # a junction's cells / JSON members, every column (writers fill them in)
        self.json_parts = None
        # a verdict's whole line but for the call columns: the text between them (writers fill it in)
        self.tsv_segments = None
        self.json_segments = None


def fill_segments(parts: list, call_values, encode) -> str:
    """A row's text: the shared pieces of its junction and verdict with its own call columns between them.
    ``parts`` holds the shared pieces at even positions; the odd ones take the row's call values (CALL_COLUMNS
    order, which is their order in a row), each passed through encode (a TSV cell or a JSON value)."""
    parts[1:-2:2] = map(encode, call_values[:-1])
    line = call_values[-1]  # source_line, the last call column: new on every row, so never worth a memo
    parts[-2] = int.__repr__(line) if line.__class__ is int else encode(line)
    return "".join(parts)


def interleaved(segments: list) -> list:
    """The text between the call columns as fill_segments' ``parts``."""
    parts = [""] * (2 * len(segments) - 1)
    parts[0::2] = segments
    return parts


class TextMemo(dict):
    """value -> its encoded text (a TSV cell or a JSON value), kept for strings and ints: the sample, caller,
    file name, reasons and read counts that many rows repeat are encoded once, by a lookup in C.

    Only for str, int and None values: a value of another type that equals a kept int (True and 1, 3.0 and 3)
    would be given the int's text. output_row passes counts as int or str, and a Reject's line is an int."""

    __slots__ = ("encode",)

    def __init__(self, encode):
        super().__init__()
        self.encode = encode

    def __missing__(self, value):
        text = self.encode(value)
        kind = value.__class__
        if kind is str or kind is int:
            self[value] = text
        return text


class FusionRow:
    """One output row kept compactly: the junction and verdict columns it shares with other rows, and its own
    call columns (CALL_COLUMNS order). The writers render it without building a dict per row."""

    __slots__ = ("junction", "verdict", "call_values")

    def __init__(self, junction: SharedColumns, verdict: SharedColumns, call_values: tuple):
        self.junction, self.verdict, self.call_values = junction, verdict, call_values

    def as_dict(self) -> FusionRecord:
        rec = FusionRecord(self.junction.values)
        rec.junction, rec.verdict = self.junction, self.verdict
        rec.update(zip(CALL_COLUMNS, self.call_values))
        rec.update(self.verdict.values)
        return rec


def output_row(a: FusionAnnotation, cache: Optional[dict] = None) -> FusionRow:
    """The output row of one annotation. ``cache`` (a dict kept by the caller, e.g. per process) holds the
    junction-level columns of annotations that share their sides, frame and domains (the rows of one
    junction in a cohort file) and of the verdicts they share, so each is built and rendered once."""
    knowledge = a.knowledge
    if cache is None:
        junction = SharedColumns(_junction_columns(a), a)
    else:
        key = (id(a.side5), id(a.side3), id(a.frame), id(a.domains), id(a.best), id(a.notes), id(a.flags),
               id(a.mane_exons), a.oriented_by, a.actionability_pair, a.call.level)
        junction = cache.get(key)
        if junction is None:
            junction = cache[key] = SharedColumns(_junction_columns(a), a)
    verdict = junction.verdicts.get(id(knowledge))
    if verdict is None:
        verdict = junction.verdicts[id(knowledge)] = SharedColumns(_knowledge_columns(knowledge, a.flags), knowledge)
    call, support = a.call, a.support
    return FusionRow(junction, verdict, (
        call.sample, call.caller, _v(call.caller_frame), _agreement(call.caller_frame, a.frame.frame),
        *_originals(call, a), read_count_value(call.split_reads),
        read_count_value(call.spanning_reads), read_count_value(support.split_reads) if support else "",
        read_count_value(support.spanning_pairs) if support else "",
        support.note if support else "", call.caller_fusion_name, call.source, call.line,
    ))


def to_record(a: FusionAnnotation, cache: Optional[dict] = None) -> FusionRecord:
    """The output row of one annotation as a dict (column -> value, in COLUMNS order)."""
    return output_row(a, cache).as_dict()


def _knowledge_columns(knowledge: KnowledgeResult, flags: tuple) -> dict:
    values = {name: getattr(knowledge, name) for name in KNOWLEDGE_COLUMNS}
    if flags:
        values["review_flag"] = "; ".join(x for x in (values["review_flag"], *flags) if x)
    return values


def _junction_columns(a: FusionAnnotation) -> dict:
    """Every column of COLUMNS, the row-level ones empty (filled by to_record)."""
    s5, s3, call = a.side5, a.side3, a.call
    bp5, bp3 = (call.five_prime, call.three_prime)
    if a.oriented_by == "reference" and s5 is not None and bp5.gene != s5.gene and bp3.gene == s5.gene:
        bp5, bp3 = bp3, bp5  # the reference reversed the caller's order
    rec = dict.fromkeys(COLUMNS, "")
    rec.update({
        "fusion_name": a.fusion_name,
        "gene5": a.gene5,
        "gene3": a.gene3,
        "chrom5": s5.chrom if s5 else _v(bp5.chrom),
        "pos5": _v(s5.pos if s5 else bp5.pos),
        "strand5": s5.strand if s5 else _v(bp5.strand),
        "chrom3": s3.chrom if s3 else _v(bp3.chrom),
        "pos3": _v(s3.pos if s3 else bp3.pos),
        "strand3": s3.strand if s3 else _v(bp3.strand),
        "transcript5": s5.transcript_id if s5 else "",
        "transcript3": s3.transcript_id if s3 else "",
        "exon5": _v(s5.exon if s5 else None),
        "exon3": _v(s3.exon if s3 else None),
        "exons5": _range(s5.retained_exons) if s5 else "",
        "exons3": _range(s3.retained_exons) if s3 else "",
        "site5": s5.site if s5 else "",
        "site3": s3.site if s3 else "",
        "frame": a.frame.frame,
        "fusion_protein_length": _v(a.frame.fusion_protein_length),
        "junction_peptide": a.frame.junction_peptide,
        "kinase_domain": a.domains.kinase_domain,
        "kinase_domain_kept_pct": _v(a.domains.kinase_domain_kept_pct),
        "domains5": format_hits(a.domains.domains5),
        "frame_reason": a.frame.reason,
        "peptide_note": a.frame.peptide_note,
        "junction_sequence": a.frame.junction_sequence,
        "kinase_domain_detail": _join(a.domains.kinase_domain_name, a.domains.note),
        "kinase_domain5": a.domains.kinase_domain5,
        "kinase_domain5_kept_pct": _v(a.domains.kinase_domain5_kept_pct),
        "kinase_domain5_detail": a.domains.kinase_domain5_detail,
        "domains3": format_hits(a.domains.domains3),
        "cds_kept5": _v(s5.cds_offset if s5 else None),
        "phase5": _v(s5.phase if s5 else None),
        "cds_skipped3": _v(s3.cds_offset if s3 else None),
        "phase3": _v(s3.phase if s3 else None),
        "aa_end5": _v(s5.aa_boundary if s5 else None),
        "aa_start3": _v(s3.aa_boundary if s3 else None),
        "protein_length5": _v(s5.protein_length if s5 else None),
        "protein_length3": _v(s3.protein_length if s3 else None),
        "canonical5": _v(s5.is_canonical if s5 else None),
        "canonical3": _v(s3.is_canonical if s3 else None),
        "oriented_by": a.oriented_by,
        "notes": " | ".join(a.notes),
    })
    rec.update(_isoform_columns(a))
    return rec


def _isoform_columns(a: FusionAnnotation) -> dict:
    """Junction model, MANE exon numbers and the best coding isoform pair."""
    s5, s3, best = a.side5, a.side3, a.best
    mane = a.mane_exons or ("", None, "", None)
    rec = {
        "junction_model": (s5.junction_model if s5 and a.call.level == "breakpoint" else ""),
        "intron_nt5": s5.intron_bases if s5 and s5.intron_bases else "",
        "intron_nt3": s3.intron_bases if s3 and s3.intron_bases else "",
        "mane_transcript5": mane[0], "mane_exon5": _v(mane[1]), "mane_transcript3": mane[2], "mane_exon3": _v(mane[3]),
        "actionability_pair": a.actionability_pair,
    }
    if best is None:
        rec.update({k: "" for k in ("best_frame", "best_transcript5", "best_transcript3", "best_exon5", "best_exon3",
                                    "best_exons5", "best_exons3", "best_kinase_domain", "best_fusion_protein_length",
                                    "isoform_pairs")})
        return rec
    rec.update({
        "best_frame": best.frame.frame,
        "best_transcript5": best.side5.transcript_id, "best_transcript3": best.side3.transcript_id,
        "best_exon5": _v(best.side5.exon), "best_exon3": _v(best.side3.exon),
        "best_exons5": _range(best.side5.retained_exons), "best_exons3": _range(best.side3.retained_exons),
        "best_kinase_domain": best.domains.kinase_domain,
        "best_fusion_protein_length": _v(best.frame.fusion_protein_length),
        "isoform_pairs": f"{best.pairs_in_frame} of {best.pairs_evaluated} in frame",
    })
    return rec


ORIGINAL_COLUMNS = ("gene5_original", "gene3_original")


def _originals(call, a: FusionAnnotation) -> tuple[str, str]:
    """gene5_original and gene3_original. A row of a tabular file whose columns include neither
    (readers.fields.RowExtra.lacks) has neither: symbol resolution replaces such rows' extra with a dict."""
    lacks = getattr(call.extra, "lacks", None)
    if lacks is not None and lacks(ORIGINAL_COLUMNS):
        return "", ""
    return _original(call, "5", a.gene5), _original(call, "3", a.gene3)


def _original(call, side: str, gene: str) -> str:
    """The caller's own symbol when it was replaced by the current one, with how it was resolved."""
    for key in ("5", "3"):
        original = call.extra.get(f"gene{key}_original")
        if original and (call.five_prime.gene if key == "5" else call.three_prime.gene) == gene:
            how = call.extra.get(f"gene{key}_resolved_by", "")
            return f"{original} ({how})" if how else original
    return ""


def _agreement(caller_frame, frame: str) -> str:
    """yes/no when the caller's frame call maps onto our vocabulary; empty when it cannot be compared."""
    if not caller_frame or caller_frame not in FRAME_VALUES or frame == "unknown":
        return ""
    return "yes" if caller_frame == frame else "no"


def reject_record(r: Reject) -> dict:
    return {"sample": r.sample, "caller": r.caller, "source_file": r.source, "source_line": r.line, "reason": r.reason, "raw": r.raw}


def _join(a, b):
    return f"{a}; {b}" if a and b else (a or b)

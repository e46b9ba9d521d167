"""Cohort summaries over per-sample annotation rows.

Pure functions: every input is a list of rows as read from `SAMPLE.fusions.tsv`
({column name: text}, the fixed column names of docs/output-columns.md), every
output is a list of rows with a stated column order. Reading and writing files
is left to `fusion_annot.commands.cohort`. The tables are documented in
docs/cohort-outputs.md.

Counting rules, so that a number in a table can be traced back:
- a *call* is one input row of a caller file, identified by (sample, caller,
  source_line); with `--transcripts all` one call gives several output rows,
  and it is still counted once;
- a fusion is *present in a sample* when the sample has at least one call with
  that fusion name; `n_samples` counts samples, never rows;
- the *kinase gene* of a row is its 3' partner when the annotation says the 3'
  partner has a kinase domain (kinase_domain retained, partial or lost); which
  genes are kinases comes from the domain table, not from a list in this code.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from .model import FRAME_VALUES, KINASE_VALUES

Row = Mapping[str, str]

# Columns the cohort tables need from every per-sample row; the rest are optional.
REQUIRED_COLUMNS = ("sample", "caller", "fusion_name", "gene5", "gene3", "frame", "kinase_domain")
# Every column the summaries below read (the others only pass through to cohort.fusions.tsv).
SUMMARY_COLUMNS = REQUIRED_COLUMNS + (
    "source_line", "exon5", "exon3", "actionability", "catalog_status", "drugs", "review_flag", "interpretation",
)

# kinase_domain values meaning "the 3' partner is a kinase" (retained, partial or lost).
KINASE_PRESENT = tuple(v for v in KINASE_VALUES if v not in ("not_applicable", "unknown"))

# actionability values that say "no"; anything else non-empty is a level (e.g. "OncoKB Level 1").
_NOT_ASSESSED = ("not assessed", "not_assessed")  # outside the knowledge base (no NTRK gene): neither yes nor no
_NOT_ACTIONABLE_PREFIXES = ("not", "non", "none", "no_", "no ")
_NOT_ACTIONABLE_EXACT = ("no", "-", ".", "na", "n/a")
# verdicts that are neither a level nor "no": a person decides (knowledge rules U1, U2)
_REVIEW_PREFIXES = ("uncertain significance", "kinase may be expressed")


def actionability_class(value: str) -> str:
    """'actionable' (a level, also 'actionable, confirm ...'), 'review' ('uncertain significance, review',
    'kinase may be expressed, confirm'), 'not_actionable', 'not_assessed' (the knowledge base does not cover
    the fusion, e.g. no NTRK gene) or 'unknown' (empty: the row was not annotated with knowledge)."""
    text = (value or "").strip().lower()
    if not text:
        return "unknown"
    if text.startswith(_NOT_ASSESSED):
        return "not_assessed"
    if text.startswith(_REVIEW_PREFIXES):
        return "review"
    if text in _NOT_ACTIONABLE_EXACT or text.startswith(_NOT_ACTIONABLE_PREFIXES):
        return "not_actionable"
    return "actionable"


def is_not_in_catalog(catalog_status: str) -> bool:
    """True when the knowledge base does not list the partner ('not in catalog'; outputs of versions before
    the rename wrote 'novel partner')."""
    text = (catalog_status or "").strip().lower().replace("_", " ")
    return text.startswith(("not in catalog", "novel"))


def call_key(row: Row) -> tuple[str, str, str]:
    """Identity of the caller row behind an output row (several rows per call with --transcripts all)."""
    source = row.get("source_line", "") or ""
    if not source:  # no provenance: every output row is its own call
        source = "row:" + str(id(row))
    return (row.get("sample", ""), row.get("caller", ""), source)


def _join(values: Iterable[str]) -> str:
    return ",".join(v for v in values if v)


def _sorted_unique(values: Iterable[str]) -> list[str]:
    return sorted({v for v in values if v})


def _counted(values: Iterable[str]) -> str:
    """'in_frame:3,out_of_frame:1' — distinct values with how often they occur, most frequent first."""
    counts = Counter(v for v in values if v)
    return ",".join(f"{v}:{n}" for v, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _junction(row: Row) -> str:
    """Exon-level junction as written in reports, e.g. 'ETV6 e5::NTRK3 e15' (empty when unmapped)."""
    exon5, exon3 = row.get("exon5", ""), row.get("exon3", "")
    if not (exon5 or exon3):
        return ""
    return f"{row.get('gene5', '')} e{exon5 or '?'}::{row.get('gene3', '')} e{exon3 or '?'}"


@dataclass(frozen=True)
class Table:
    """A cohort table: file stem, column order and rows."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[dict, ...]


def samples_of(rows: Sequence[Row], expected: Iterable[str] = ()) -> list[str]:
    """All samples: those named in rows plus the expected ones (samples without any fusion)."""
    return sorted(set(expected) | {r.get("sample", "") for r in rows if r.get("sample", "")})


SAMPLE_COLUMNS = (
    "sample", "callers", "n_calls", "n_fusions", "n_in_frame", "n_kinase_retained",
    "n_actionable_calls", "n_rejects", "fusions",
)


def sample_summary(rows: Sequence[Row], samples: Sequence[str], rejects: Mapping[str, int] | None = None) -> Table:
    """One row per sample: calls, distinct fusions, in-frame and kinase-retained calls, rejected input rows."""
    rejects = rejects or {}
    by_sample: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_sample[row.get("sample", "")].append(row)
    out = []
    for sample in samples:
        sample_rows = by_sample.get(sample, [])
        calls = {call_key(r) for r in sample_rows}
        out.append({
            "sample": sample,
            "callers": _join(_sorted_unique(r.get("caller", "") for r in sample_rows)),
            "n_calls": len(calls),
            "n_fusions": len({r["fusion_name"] for r in sample_rows}),
            "n_in_frame": len({call_key(r) for r in sample_rows if r.get("frame") == "in_frame"}),
            "n_kinase_retained": len({call_key(r) for r in sample_rows if r.get("kinase_domain") == "retained"}),
            "n_actionable_calls": len(
                {call_key(r) for r in sample_rows if actionability_class(r.get("actionability", "")) == "actionable"}
            ),
            "n_rejects": rejects.get(sample, ""),  # empty: no rejects table given
            "fusions": _join(_sorted_unique(r["fusion_name"] for r in sample_rows)),
        })
    return Table("samples", SAMPLE_COLUMNS, tuple(out))


RECURRENT_COLUMNS = (
    "fusion_name", "gene5", "gene3", "n_samples", "n_calls", "samples", "callers", "junctions", "frames",
    "kinase_domain", "actionability", "catalog_status",
)


def recurrent_fusions(rows: Sequence[Row], min_samples: int = 2) -> Table:
    """Fusions present in at least `min_samples` samples, most frequent first.

    Grouped by fusion name (5'::3'), so ETV6::NTRK3 and its reciprocal NTRK3::ETV6
    stay separate; the distinct exon junctions behind a name are listed.
    """
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[row["fusion_name"]].append(row)
    out = []
    for name, group in groups.items():
        samples = _sorted_unique(r.get("sample", "") for r in group)
        if len(samples) < min_samples:
            continue
        out.append({
            "fusion_name": name,
            "gene5": group[0].get("gene5", ""),
            "gene3": group[0].get("gene3", ""),
            "n_samples": len(samples),
            "n_calls": len({call_key(r) for r in group}),
            "samples": _join(samples),
            "callers": _join(_sorted_unique(r.get("caller", "") for r in group)),
            **_group_counts(group),
        })
    out.sort(key=lambda r: (-r["n_samples"], r["fusion_name"]))
    return Table("recurrent_fusions", RECURRENT_COLUMNS, tuple(out))


# output column -> row column counted per sample in the cohort tables
_COUNTED_COLUMNS = (("frames", "frame"), ("kinase_domain", "kinase_domain"), ("actionability", "actionability"),
                    ("catalog_status", "catalog_status"))


def _group_counts(group: Sequence[Row]) -> dict[str, str]:
    """Per-sample counts of junctions, frames, kinase status, actionability and catalog status in a group of rows."""
    counts = {"junctions": _counted(_per_sample_values(group, _junction))}
    for out_column, row_column in _COUNTED_COLUMNS:
        counts[out_column] = _counted(_per_sample_values(group, lambda r, c=row_column: r.get(c, "")))
    return counts


def _per_sample_values(group: Sequence[Row], value) -> list[str]:
    """One value per (sample, value) pair, so that counts in a cohort table are sample counts."""
    return [v for _, v in sorted({(r.get("sample", ""), value(r)) for r in group})]


PARTNER_COLUMNS = (
    "kinase_gene", "partner_gene", "n_samples", "samples", "junctions", "frames", "kinase_domain",
    "actionability", "catalog_status",
)


def kinase_partners(rows: Sequence[Row]) -> Table:
    """Per kinase gene (3' partner with a kinase domain), each 5' partner seen and in how many samples."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        if row.get("kinase_domain") in KINASE_PRESENT and row.get("gene3"):
            groups[(row["gene3"], row.get("gene5", ""))].append(row)
    out = []
    for (kinase, partner), group in groups.items():
        samples = _sorted_unique(r.get("sample", "") for r in group)
        out.append({
            "kinase_gene": kinase,
            "partner_gene": partner,
            "n_samples": len(samples),
            "samples": _join(samples),
            **_group_counts(group),
        })
    out.sort(key=lambda r: (r["kinase_gene"], -r["n_samples"], r["partner_gene"]))
    return Table("kinase_partners", PARTNER_COLUMNS, tuple(out))


FRAME_KINASE_COLUMNS = ("frame", "kinase_domain", "n_calls", "n_samples")


def frame_kinase_counts(rows: Sequence[Row]) -> Table:
    """Calls and samples per (frame, kinase_domain) cell; every cell of the fixed vocabularies is listed.

    Values outside the vocabularies are kept (listed after the fixed ones), never dropped.
    """
    calls: dict[tuple[str, str], set] = defaultdict(set)
    samples: dict[tuple[str, str], set] = defaultdict(set)
    for row in rows:
        cell = (row.get("frame", "") or "", row.get("kinase_domain", "") or "")
        calls[cell].add(call_key(row))
        samples[cell].add(row.get("sample", ""))
    cells = [(f, k) for f in FRAME_VALUES for k in KINASE_VALUES]
    cells += sorted(c for c in calls if c not in set(cells))
    out = tuple(
        {"frame": f, "kinase_domain": k, "n_calls": len(calls.get((f, k), ())), "n_samples": len(samples.get((f, k), ()))}
        for f, k in cells
    )
    return Table("frame_kinase_counts", FRAME_KINASE_COLUMNS, out)


ACTIONABLE_COLUMNS = (
    "sample", "status", "actionable_fusions", "levels", "drugs", "review_flag", "interpretation",
)


# Sample status = the first class any of its calls has, in this order: one actionable call makes the sample
# actionable; a call a person must decide on ("uncertain significance, review") makes it "review"; "not_actionable" needs every call assessed and not actionable (an ALK fusion outside the
# knowledge base must not make a sample look "not actionable").
_STATUS_ORDER = ("actionable", "review", "unknown", "not_assessed", "not_actionable", "no_fusions")


def actionable_samples(rows: Sequence[Row], samples: Sequence[str]) -> Table:
    """Every sample with its status (see _STATUS_ORDER), actionable samples first."""
    by_sample: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_sample[row.get("sample", "")].append(row)
    out = []
    for sample in samples:
        sample_rows = by_sample.get(sample, [])
        classes = {actionability_class(r.get("actionability", "")) for r in sample_rows} or {"no_fusions"}
        status = next(s for s in _STATUS_ORDER if s in classes)
        hits = [r for r in sample_rows if actionability_class(r.get("actionability", "")) == "actionable"]
        shown = hits or sample_rows
        out.append({
            "sample": sample,
            "status": status,
            "actionable_fusions": _join(_sorted_unique(r["fusion_name"] for r in hits)),
            "levels": _join(_sorted_unique(r.get("actionability", "") for r in hits)),
            "drugs": "; ".join(_sorted_unique(r.get("drugs", "") for r in hits)),
            "review_flag": "; ".join(_sorted_unique(r.get("review_flag", "") for r in shown)),
            "interpretation": " | ".join(_sorted_unique(r.get("interpretation", "") for r in shown)),
        })
    out.sort(key=lambda r: (_STATUS_ORDER.index(r["status"]), r["sample"]))
    return Table("actionable_samples", ACTIONABLE_COLUMNS, tuple(out))


NOT_IN_CATALOG_COLUMNS = (
    "gene5", "gene3", "fusion_name", "n_samples", "samples", "junctions", "frames", "kinase_domain",
    "actionability", "catalog_status", "review_flag",
)


def not_in_catalog(rows: Sequence[Row]) -> Table:
    """Fusions whose partner the knowledge base does not list (catalog_status 'not in catalog')."""
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if is_not_in_catalog(row.get("catalog_status", "")):
            groups[row["fusion_name"]].append(row)
    out = []
    for name, group in groups.items():
        samples = _sorted_unique(r.get("sample", "") for r in group)
        out.append({
            "gene5": group[0].get("gene5", ""),
            "gene3": group[0].get("gene3", ""),
            "fusion_name": name,
            "n_samples": len(samples),
            "samples": _join(samples),
            **_group_counts(group),
            "review_flag": "; ".join(_sorted_unique(r.get("review_flag", "") for r in group)),
        })
    out.sort(key=lambda r: (r["gene3"], -r["n_samples"], r["gene5"]))
    return Table("not_in_catalog", NOT_IN_CATALOG_COLUMNS, tuple(out))


def cohort_tables(
    rows: Sequence[Row], samples: Sequence[str], min_samples: int = 2, rejects: Mapping[str, int] | None = None
) -> list[Table]:
    """All cohort summary tables, in the order they are documented."""
    return [
        sample_summary(rows, samples, rejects),
        recurrent_fusions(rows, min_samples),
        kinase_partners(rows),
        frame_kinase_counts(rows),
        actionable_samples(rows, samples),
        not_in_catalog(rows),
    ]


def headline(rows: Sequence[Row], samples: Sequence[str], tables: Sequence[Table]) -> dict:
    """The cohort in a few numbers (cohort.summary.json)."""
    by_name = {t.name: t for t in tables}
    actionable = by_name["actionable_samples"].rows
    knowledge_annotated = any((r.get("actionability") or r.get("catalog_status")) for r in rows)
    return {
        "samples": len(samples),
        "samples_with_fusions": len({r.get("sample", "") for r in rows}),
        "calls": len({call_key(r) for r in rows}),
        "distinct_fusions": len({r["fusion_name"] for r in rows}),
        "recurrent_fusions": len(by_name["recurrent_fusions"].rows),
        "kinase_genes": sorted({r["kinase_gene"] for r in by_name["kinase_partners"].rows}),
        "in_frame_kinase_retained_calls": len(
            {call_key(r) for r in rows if r.get("frame") == "in_frame" and r.get("kinase_domain") == "retained"}
        ),
        "actionable_samples": sorted(r["sample"] for r in actionable if r["status"] == "actionable"),
        "not_in_catalog_fusions": sorted(r["fusion_name"] for r in by_name["not_in_catalog"].rows),
        "knowledge_annotated": knowledge_annotated,
    }

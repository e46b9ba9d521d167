"""`fusion-annot cohort`: per-sample annotation tables in, cohort summary tables out.

    fusion-annot cohort --out-dir results/cohort results/samples/*/*.fusions.tsv

Reads each `SAMPLE.fusions.tsv` written by `fusion-annot annotate` (comment
lines starting with '#' before the header are provenance and are skipped; after
the header every line is a row, also one whose sample starts with '#'),
checks that the columns the summaries need are there, and writes the tables of
fusion_annot.cohort (documented in docs/cohort-outputs.md) to the out dir.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .. import __version__
from ..cohort import REQUIRED_COLUMNS, Table, cohort_tables, headline, samples_of
from ..errors import InputError
from ..textio import numbered_lines

FUSIONS_SUFFIX = ".fusions.tsv"
REJECTS_SUFFIX = ".rejects.tsv"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "cohort",
        help="summarise annotated samples: recurrent fusions, partners per kinase, frame/kinase counts, actionable samples",
        description="Aggregate SAMPLE.fusions.tsv files from `fusion-annot annotate` into cohort tables "
        "(see docs/cohort-outputs.md).",
    )
    p.add_argument("fusions", nargs="+", metavar="SAMPLE.fusions.tsv", help="per-sample annotation tables")
    p.add_argument("--out-dir", required=True, help="directory for the cohort tables")
    p.add_argument(
        "--min-samples", type=int, default=2,
        help="a fusion is recurrent when present in at least this many samples (default: 2)",
    )
    p.add_argument(
        "--rejects", nargs="*", default=None, metavar="SAMPLE.rejects.tsv",
        help="per-sample reject tables, to count rejected input rows per sample "
        "(default: SAMPLE.rejects.tsv next to each fusions table, when present)",
    )
    p.set_defaults(func=run)


def _split_tsv(line: str) -> list[str]:
    return line.split("\t")


def read_fusion_table(path: str) -> tuple[list[str], list[dict]]:
    """(header, rows) of one annotation TSV; '#' lines before the header are skipped."""
    header: list[str] | None = None
    rows: list[dict] = []
    for number, line in numbered_lines(path):
        if header is None:
            if not line.strip() or line.startswith("#") and not _looks_like_header(line.lstrip("#")):
                continue
            header = _split_tsv(line.lstrip("#"))
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InputError(path, number, "not a fusion-annot table: missing column(s) " + ", ".join(missing))
            continue
        if not line.strip():
            continue
        # after the header every line is a row, also one whose sample starts with '#': never dropped
        fields = _split_tsv(line)
        if len(fields) != len(header):
            raise InputError(path, number, f"expected {len(header)} tab-separated fields, found {len(fields)}")
        row = dict(zip(header, fields))
        if not row["sample"]:
            raise InputError(path, number, "empty sample name")
        rows.append(row)
    if header is None:
        raise InputError(path, 0, "no header line (is this a SAMPLE.fusions.tsv from `fusion-annot annotate`?)")
    return header, rows


def _looks_like_header(line: str) -> bool:
    fields = set(_split_tsv(line))
    return "sample" in fields and "fusion_name" in fields


def _looks_like_reject_header(line: str) -> bool:
    return "reason" in set(_split_tsv(line))


def rejects_by_sample(path: str) -> dict[str, int]:
    """Rejected input rows per sample of a rejects table (its `sample` column: an aggregate file holds many
    samples); a table without that column counts for the sample its file name names."""
    lines: list[str] = []
    for _, line in numbered_lines(path):  # '#' provenance lines before the header; after it, every line is a row
        if line.strip() and (lines or not line.startswith("#") or _looks_like_reject_header(line.lstrip("#"))):
            lines.append(line.lstrip("#") if not lines else line)
    if not lines:
        return {}
    header = lines[0].split("\t")
    if "sample" not in header:
        name = os.path.basename(path)
        if not name.endswith(REJECTS_SUFFIX):
            raise InputError(path, 0, f"expected a sample column or a file named SAMPLE{REJECTS_SUFFIX}")
        return {name[: -len(REJECTS_SUFFIX)]: len(lines) - 1}
    column = header.index("sample")
    counts: dict[str, int] = {}
    for line in lines[1:]:
        fields = line.split("\t")
        sample = fields[column] if len(fields) > column else ""
        counts[sample] = counts.get(sample, 0) + 1
    return counts


def _sample_from_filename(path: str) -> str:
    name = os.path.basename(path)
    return name[: -len(FUSIONS_SUFFIX)] if name.endswith(FUSIONS_SUFFIX) else ""


def load_cohort(paths: list[str]) -> tuple[list[str], list[dict], list[str]]:
    """(union of columns in first-seen order, all rows, sample names) for the given tables.

    A sample may appear in one file only: the same sample in two files would be
    counted twice, so it is an error naming both files.
    """
    columns: list[str] = []
    rows: list[dict] = []
    owner: dict[str, str] = {}
    expected: list[str] = []
    for path in paths:
        header, file_rows = read_fusion_table(path)
        columns += [c for c in header if c not in columns]
        names = {r["sample"] for r in file_rows} or ({_sample_from_filename(path)} - {""})
        for sample in names:
            if sample in owner and owner[sample] != path:
                raise InputError(path, 0, f"sample '{sample}' is also in {owner[sample]}; each sample once")
            owner[sample] = path
        expected += names
        rows += file_rows
    return columns, rows, samples_of(rows, expected)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def write_table(path: Path, columns, rows) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\t".join(columns) + "\n")
        for row in rows:
            fh.write("\t".join(_cell(row.get(c, "")) for c in columns) + "\n")
    os.replace(tmp, path)  # a killed job never leaves a half-written table that looks complete


def knowledge_bases_of(paths) -> list[dict]:
    """The knowledge bases the per-sample TSVs were annotated with ('## knowledge_base_version: ...' and
    '## knowledge_base_hash: ...' provenance lines), one entry per distinct (version, hash), in input order."""
    seen: dict = {}
    for path in paths:
        found = {}
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    if not line.startswith("##"):
                        break
                    key, _, value = line[2:].strip().partition(":")
                    if key in ("knowledge_base_version", "knowledge_base_hash"):
                        found[key[len("knowledge_base_"):]] = value.strip()
        except OSError:
            continue  # load_cohort has already reported unreadable inputs
        if found:
            seen.setdefault((found.get("version", ""), found.get("hash", "")), None)
    return [{"version": v, "hash": h} for v, h in seen]


def run(args) -> int:
    if args.min_samples < 1:
        raise InputError("--min-samples", 0, "must be at least 1")
    columns, rows, samples = load_cohort(args.fusions)
    reject_paths = args.rejects
    if reject_paths is None:
        reject_paths = [p[: -len(FUSIONS_SUFFIX)] + REJECTS_SUFFIX for p in args.fusions if p.endswith(FUSIONS_SUFFIX)]
        reject_paths = [p for p in reject_paths if os.path.exists(p)]
    rejects: dict[str, int] = {}
    for path in reject_paths:
        for sample, n in rejects_by_sample(path).items():
            rejects[sample] = rejects.get(sample, 0) + n
    if reject_paths:
        # a sample whose every row was rejected is still a sample of the cohort; with rejects tables given,
        # a sample without rejected rows has 0 of them
        samples = list(samples) + sorted(s for s in rejects if s and s not in samples)
        rejects = {s: rejects.get(s, 0) for s in samples}

    tables: list[Table] = cohort_tables(rows, samples, args.min_samples, rejects)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    write_table(out / "cohort.fusions.tsv", columns, rows)
    for table in tables:
        write_table(out / f"{table.name}.tsv", table.columns, table.rows)
    summary = headline(rows, samples, tables)
    summary["fusion_annot_version"] = __version__
    summary["knowledge_bases"] = knowledge_bases_of(args.fusions)
    summary["min_samples_recurrent"] = args.min_samples
    summary_path = out / "cohort.summary.json"
    summary_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    if rows and not summary["knowledge_annotated"]:
        print(
            "fusion-annot cohort: note: knowledge columns (actionability, catalog_status) are empty; "
            "actionable_samples and not_in_catalog cannot say yes",
            file=sys.stderr,
        )
    print(
        f"fusion-annot cohort: {summary['samples']} samples, {summary['calls']} calls, "
        f"{summary['distinct_fusions']} distinct fusions, {summary['recurrent_fusions']} recurrent, "
        f"{len(summary['actionable_samples'])} actionable samples -> {out}",
        file=sys.stderr,
    )
    return 0

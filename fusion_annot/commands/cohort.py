"""`fusion-annot cohort`: per-sample annotation tables in, cohort summary tables out.

    fusion-annot cohort --out-dir results/cohort results/samples/*/*.fusions.tsv

Reads each `SAMPLE.fusions.tsv` written by `fusion-annot annotate` (comment
lines starting with '#' before the header are provenance and are skipped; after
the header every line is a row, also one whose sample starts with '#'),
checks that the columns the summaries need are there, and writes the tables of
fusion_annot.cohort (documented in docs/cohort-outputs.md) to the out dir.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Iterator, Sequence

from .. import __version__
from ..cohort import REQUIRED_COLUMNS, SUMMARY_COLUMNS, Table, cohort_tables, headline, samples_of
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


def _header(path: str, number: int, line: str) -> list[str] | None:
    """The header in this line, or None for a blank or '#' provenance line before it."""
    if not line.strip() or line.startswith("#") and not _looks_like_header(line.lstrip("#")):
        return None
    header = _split_tsv(line.lstrip("#"))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(path, number, "not a fusion-annot table: missing column(s) " + ", ".join(missing))
    return header


_NO_HEADER = "no header line (is this a SAMPLE.fusions.tsv from `fusion-annot annotate`?)"


def table_header(path: str) -> list[str]:
    """The header of one annotation TSV ('#' provenance lines before it are skipped)."""
    for number, line in numbered_lines(path):
        header = _header(path, number, line)
        if header is not None:
            return header
    raise InputError(path, 0, _NO_HEADER)


def table_rows(path: str) -> Iterator[tuple[list[str], list[str], str]]:
    """(header, fields, line without its newline) of each row of one annotation TSV. After the header every
    line is a row, also one whose sample starts with '#': never dropped. Universal newlines: no field holds a
    tab, a newline or a carriage return."""
    header: list[str] | None = None
    for number, line in numbered_lines(path):
        if header is None:
            header = _header(path, number, line)
            if header is not None:
                sample_index = header.index("sample")
            continue
        if not line.strip():
            continue
        fields = _split_tsv(line)
        if len(fields) != len(header):
            raise InputError(path, number, f"expected {len(header)} tab-separated fields, found {len(fields)}")
        if not fields[sample_index]:
            raise InputError(path, number, "empty sample name")
        yield header, fields, line
    if header is None:
        raise InputError(path, 0, _NO_HEADER)


def read_fusion_table(path: str) -> tuple[list[str], list[dict]]:
    """(header, rows) of one annotation TSV; '#' lines before the header are skipped."""
    return table_header(path), [dict(zip(header, fields)) for header, fields, _ in table_rows(path)]


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


def load_cohort(paths: list[str], combined: Path | None = None,
                kept_columns: Sequence[str] | None = None) -> tuple[list[str], list[dict], list[str]]:
    """(union of columns in first-seen order, all rows, sample names) for the given tables.

    ``combined``: also write every row, in those columns, to this TSV (cohort.fusions.tsv) as it is read: a
    row of a table whose header is the union goes out as it came in. ``kept_columns``: the rows returned
    hold only these columns (what the cohort tables read), with repeated values shared, so that memory
    follows the summaries' needs, not the ~60 columns of every row.

    A sample may appear in one file only: the same sample in two files would be
    counted twice, so it is an error naming both files.
    """
    columns: list[str] = []
    for path in paths:
        columns += [c for c in table_header(path) if c not in columns]
    rows: list[dict] = []
    owner: dict[str, str] = {}
    expected: list[str] = []
    shared: dict[str, str] = {}  # one object per distinct value of the kept columns
    with _table_writer(combined, columns) as write:
        for path in paths:
            file_rows, last_header = [], None
            for header, fields, line in table_rows(path):
                if header is not last_header:
                    last_header, verbatim = header, header == columns
                    if kept_columns is not None:
                        kept = [(c, header.index(c)) for c in kept_columns if c in header]
                if write is not None:
                    if verbatim:
                        write(line)
                    else:
                        row = dict(zip(header, fields))
                        write("\t".join(row.get(c, "") for c in columns))
                    write("\n")
                if kept_columns is None:
                    file_rows.append(dict(zip(header, fields)))
                else:
                    file_rows.append({c: shared.setdefault(fields[i], fields[i]) for c, i in kept})
            names = {r["sample"] for r in file_rows} or ({_sample_from_filename(path)} - {""})
            for sample in names:
                if sample in owner and owner[sample] != path:
                    raise InputError(path, 0, f"sample '{sample}' is also in {owner[sample]}; each sample once")
                owner[sample] = path
            expected += names
            rows += file_rows
    return columns, rows, samples_of(rows, expected)


@contextlib.contextmanager
def _table_writer(path: Path | None, columns: list[str]):
    """write(text) into a new TSV with the header ``columns``, or None without a path. The table appears
    under its name only when complete: a failed or killed run never leaves one that looks whole."""
    if path is None:
        yield None
        return
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as fh:
            fh.write("\t".join(columns) + "\n")
            yield fh.write
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def write_table(path: Path, columns, rows) -> None:
    with _table_writer(path, list(columns)) as write:
        for row in rows:
            write("\t".join(_cell(row.get(c, "")) for c in columns) + "\n")


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
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    columns, rows, samples = load_cohort(args.fusions, combined=out / "cohort.fusions.tsv", kept_columns=SUMMARY_COLUMNS)
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

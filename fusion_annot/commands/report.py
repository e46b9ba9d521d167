"""`fusion-annot report`: one self-contained HTML report from annotated samples.

    fusion-annot report results/IFS01.fusions.json --out IFS01.report.html
    fusion-annot report results/*.fusions.json --out cohort.report.html --title "Cohort 2024-07"

Reads the SAMPLE.fusions.json files `fusion-annot annotate` writes
({"metadata", "fusions", "rejects"}); a plain JSON list of records is accepted
too. The exon structure and all protein domains of each partner come from the
reference (--reference, default: the one named in the JSON when it is the
bundled one); without it the diagrams show what the output columns tell.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report",
        help="HTML report (sortable table + fusion diagrams) from SAMPLE.fusions.json files",
        description="Write one self-contained HTML file (no network access needed) with a sortable, filterable "
        "table of calls and a diagram per fusion: exons kept, junction, protein domains, kinase domain, frame. "
        "One JSON gives a sample report, several a cohort report.",
    )
    p.add_argument("fusions", nargs="+", metavar="SAMPLE.fusions.json", help="annotation JSON from `fusion-annot annotate`")
    p.add_argument("--out", required=True, help="output HTML file")
    p.add_argument("--title", default="", help="report title (default: sample name or cohort size)")
    p.add_argument(
        "--reference", default="auto",
        help="reference for exon structures and domains: bundled | GTF path | ensembl:N | none "
        "(default auto: the bundled reference when the JSON says it was used, else none)",
    )
    p.add_argument("--domains", default=None, help="protein domain table (default: the one shipped with the bundled reference)")
    p.add_argument("--cache-dir", default=None, metavar="DIR", help="where the reference index is (default $PYENSEMBL_CACHE_DIR)")
    p.set_defaults(func=run)


def read_annotation_json(path: str) -> tuple[list[dict], list[dict], dict]:
    """(records, rejects, metadata) of one JSON file; InputError naming the file when it is not one."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except OSError as exc:
        raise InputError(path, 0, f"cannot read: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # not UTF-8, a 5,000-digit number, arrays nested 100,000 deep
        raise InputError(path, 0, f"not valid JSON: {str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__}") from None
    if isinstance(data, list):
        records, rejects, metadata = data, [], {}
    elif isinstance(data, dict) and isinstance(data.get("fusions"), list):
        records, rejects, metadata = data["fusions"], data.get("rejects") or [], data.get("metadata") or {}
    else:
        raise InputError(path, 0, 'expected the JSON written by `fusion-annot annotate` ({"fusions": [...]}) or a list of records')
    if not isinstance(rejects, list) or not isinstance(metadata, dict):
        raise InputError(path, 0, '"rejects" must be a list and "metadata" an object')
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or "fusion_name" not in record:
            raise InputError(path, 0, f"fusion record {number} is not an object with a fusion_name")
        problem = record_problem(record)
        if problem:
            raise InputError(path, 0, f"fusion record {number} ({str(record.get('fusion_name'))[:60]}): {problem}")
    return records, [r for r in rejects if isinstance(r, dict)], metadata


# Columns the report computes with: integers (or their text), and exon ranges 'first-last'.
_INTEGER_FIELDS = ("pos5", "pos3", "exon5", "exon3", "cds_kept5", "cds_skipped3", "phase5", "phase3", "aa_end5",
                   "aa_start3", "protein_length5", "protein_length3", "fusion_protein_length", "source_line",
                   "split_reads", "spanning_reads", "mane_exon5", "mane_exon3", "best_exon5", "best_exon3")
_RANGE_FIELDS = ("exons5", "exons3", "best_exons5", "best_exons3")
_PERCENT_FIELDS = ("kinase_domain_kept_pct", "kinase_domain5_kept_pct")
_DOMAIN_TEXT_FIELDS = ("domains5", "domains3", "kinase_domain_detail", "kinase_domain5_detail")  # 'Name 40-123; ...'
_NUMBER = re.compile(r"-?\d{1,16}(\.\d{0,16})?")
MAX_EXON = 1000  # the longest human transcripts (TTN) have 363 exons
MAX_VALUE = 2 ** 53  # larger than any genome coordinate, protein length or read count
_EXON_RANGE = re.compile(r"\s*(\d{1,12})\s*-\s*(\d{1,12})\s*")


_HUGE_NUMBER = re.compile(r"\d{13,}")
_INTEGER_TEXT = re.compile(r"-?\d{1,16}")


def record_problem(record: dict) -> str:
    """Why a record cannot be drawn or shown ('' when it can): wrong-typed, non-numeric or absurd values and
    reversed or huge exon ranges are refused here, so that no diagram loops over a billion exons."""
    for key, value in record.items():
        kind = type(value)
        if kind is str or value is None or kind is int and -MAX_VALUE <= value <= MAX_VALUE:
            continue  # nearly every value: checked with one type test
        if not isinstance(value, (str, int, float, bool)):
            return f"{key} is a {type(value).__name__}, expected text or a number"
        if isinstance(value, float) and not (abs(value) <= MAX_VALUE):  # also nan and inf
            return f"{key} is {value}"
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_VALUE:
            return f"{key} is {str(value)[:20]}..., larger than any coordinate or length"
    for key in _INTEGER_FIELDS:
        value = record.get(key)
        if value is None or type(value) is int or value == "":
            continue
        text = str(value).strip()
        if isinstance(value, bool) or not _INTEGER_TEXT.fullmatch(text):
            return f"{key} must be an integer, got {text[:40]!r}"
    for key in _PERCENT_FIELDS:
        value = record.get(key)
        if value is None or type(value) in (int, float) or value == "":
            continue
        if isinstance(value, bool) or not _NUMBER.fullmatch(str(value).strip()):
            return f"{key} must be a number, got {str(value)[:40]!r}"
    for key in _DOMAIN_TEXT_FIELDS:
        value = record.get(key)
        if value and _HUGE_NUMBER.search(value if type(value) is str else str(value)):
            return f"{key} holds a residue number larger than any protein"
    for key in _RANGE_FIELDS:
        value = record.get(key)
        if value is None or value == "":
            continue
        match = _EXON_RANGE.fullmatch(value) if isinstance(value, str) else None
        if not match:
            return f"{key} must be an exon range 'first-last', got {str(value)[:40]!r}"
        first, last = int(match[1]), int(match[2])
        if not 1 <= first <= last <= MAX_EXON:
            return f"{key} {first}-{last} is not an exon range (1 <= first <= last <= {MAX_EXON})"
    return ""


def _reference_spec(requested: str, metadata: list[dict]) -> str:
    if requested != "auto":
        return requested
    named = {str(md.get("reference", "")) for md in metadata}
    return "bundled" if named and all(n.startswith("bundled") for n in named) else "none"


class _LazyDiagrams(Sequence):
    """One diagram per record, drawn when the report asks (it draws one per distinct fusion, not per row)."""

    def __init__(self, records: list, reference, table):
        self._records, self._reference, self._table = records, reference, table

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, i):
        from ..writers.diagram import diagram_from_record

        return diagram_from_record(self._records[i], self._reference, self._table)


def _report_fields(records: list, fields: frozenset, shared: dict) -> list[dict]:
    """The records with only the fields the report reads, repeated texts shared: a 10,000-sample cohort's
    records then fit in a fraction of the memory of the full rows."""
    out = []
    for r in records:
        if not isinstance(r, dict):
            out.append(r)
            continue
        out.append({k: shared.setdefault(v, v) if type(v) is str else v for k, v in r.items() if k in fields})
    return out


def run(args) -> int:
    from ..writers.html import MAX_REJECT_ROWS, REPORT_FIELDS, write_report  # loaded only for this command

    records: list[dict] = []
    rejects: list[dict] = []  # the first MAX_REJECT_ROWS (the report lists no more), and how many in all
    rejects_total = 0
    metadata: list[dict] = []
    shared: dict = {}  # one string object per distinct text, across files
    for path in args.fusions:
        recs, rejs, md = read_annotation_json(path)
        records += _report_fields(recs, REPORT_FIELDS, shared)
        rejects += rejs[: max(0, MAX_REJECT_ROWS - len(rejects))]
        rejects_total += len(rejs)
        metadata.append(md)
    spec = _reference_spec(args.reference, metadata)
    diagrams = None
    if spec != "none" and records:
        from ..pipeline import load_reference_with_domains

        reference, table = load_reference_with_domains(spec, args.domains, args.cache_dir)
        diagrams = _LazyDiagrams(records, reference, table)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out = write_report(args.out, records, diagrams=diagrams, title=args.title, metadata=metadata, rejects=rejects,
                       rejects_total=rejects_total)
    kind = "cohort" if len({r.get("sample") for r in records}) > 1 else "sample"
    print(f"fusion-annot report: {len(records)} calls from {len(args.fusions)} file(s) -> {out} ({kind} report)")
    return 0

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
    if isinstance(data, list):
        records, rejects, metadata = data, [], {}
    elif isinstance(data, dict) and isinstance(data.get("fusions"), list):
        records, rejects, metadata = data["fusions"], data.get("rejects") or [], data.get("metadata") or {}
    else:
        raise InputError(path, 0, 'expected the JSON written by `fusion-annot annotate` ({"fusions": [...]}) or a list of records')
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict) or "fusion_name" not in record:
            raise InputError(path, 0, f"fusion record {number} is not an object with a fusion_name")
    return records, [r for r in rejects if isinstance(r, dict)], metadata


def _reference_spec(requested: str, metadata: list[dict]) -> str:
    if requested != "auto":
        return requested
    named = {str(md.get("reference", "")) for md in metadata}
    return "bundled" if named and all(n.startswith("bundled") for n in named) else "none"


def run(args) -> int:
    from ..writers.diagram import diagram_from_record  # the HTML writers load only for this command
    from ..writers.html import write_report

    records: list[dict] = []
    rejects: list[dict] = []
    metadata: list[dict] = []
    for path in args.fusions:
        recs, rejs, md = read_annotation_json(path)
        records += recs
        rejects += rejs
        metadata.append(md)
    spec = _reference_spec(args.reference, metadata)
    diagrams = None
    if spec != "none" and records:
        from ..pipeline import load_reference_with_domains

        reference, table = load_reference_with_domains(spec, args.domains, args.cache_dir)
        diagrams = [diagram_from_record(r, reference, table) for r in records]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    out = write_report(args.out, records, diagrams=diagrams, title=args.title, metadata=metadata, rejects=rejects)
    kind = "cohort" if len({r.get("sample") for r in records}) > 1 else "sample"
    print(f"fusion-annot report: {len(records)} calls from {len(args.fusions)} file(s) -> {out} ({kind} report)")
    return 0

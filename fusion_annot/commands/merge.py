"""fusion-annot merge: one sample's calls from several callers -> consensus events (TSV)."""
from __future__ import annotations

import csv
import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser(
        "merge",
        help="merge several callers' calls for one sample at breakpoint level",
        description="Group calls of several callers for one sample into consensus events: both breakpoints within "
        "--tolerance bp (never by gene pair alone). Writes one row per event with the supporting callers, per-caller "
        "read counts and frame calls.",
    )
    p.add_argument("inputs", nargs="+", metavar="INPUT[:FORMAT]", help="caller output file, optionally ':format' (default: auto-detect)")
    p.add_argument("--sample", required=True, help="sample name written to every event")
    p.add_argument("--tolerance", type=int, default=None, help="max distance in bp between matching breakpoints (default 5)")
    p.add_argument("--reference", default=None,
                   help="optional: bundled | GTF | ensembl:N, to give genes and 5'->3' order to breakend-only calls (VCF, SQUID)")
    p.add_argument("--cache-dir", default=None, metavar="DIR", help="where the reference index is (default $PYENSEMBL_CACHE_DIR)")
    p.add_argument("--rejects", default=None, help="also write unreadable rows (file, line, reason) to this TSV")
    p.add_argument("--out", default="-", help="output TSV (default: stdout)")
    p.set_defaults(func=run)


def split_input(spec: str, known_formats) -> tuple[str, str]:
    """'file.tsv:arriba' -> ('file.tsv', 'arriba'); a suffix that is not a format name stays part of the path."""
    path, sep, fmt = spec.rpartition(":")
    if sep and fmt in known_formats:
        return path, fmt
    return spec, "auto"


def run(args) -> int:
    from ..pipeline import check_sample_name

    check_sample_name(args.sample)
    from ..errors import InputError
    from ..merge import DEFAULT_TOLERANCE, MERGE_COLUMNS, event_record, merge_calls
    from ..model import Reject
    from ..readers import format_names, read_calls

    tolerance = DEFAULT_TOLERANCE if args.tolerance is None else args.tolerance
    if tolerance < 0:
        raise InputError("--tolerance", 0, "must be >= 0")
    reference = None
    if args.reference:
        from ..reference import load_reference

        reference = load_reference(args.reference, cache_dir=args.cache_dir)
    calls, rejects = [], []
    seen: dict[str, str] = {}
    for spec in args.inputs:
        path, fmt = split_input(spec, set(format_names()))
        key = str(Path(path).resolve())
        if key in seen:  # the same calls twice would look like agreement
            raise InputError(path, 0, f"given twice (also as {seen[key]}): each caller file once")
        seen[key] = spec
        samples_in_file: set[str] = set()
        for item in read_calls(path, fmt, args.sample):
            if isinstance(item, Reject):
                rejects.append(item)
                continue
            samples_in_file.add(item.sample)
            if len(samples_in_file) > 1:  # a multi-sample aggregate: merging it would mix samples into one
                raise InputError(path, 0, f"holds calls of several samples ({', '.join(sorted(samples_in_file)[:3])}): "
                                          f"merge combines the callers of one sample (--sample {args.sample})")
            if reference is not None:
                from ..orientation import orient_with_reference

                item = orient_with_reference(item, reference)
            calls.append(item)
    events = merge_calls(calls, tolerance=tolerance)
    for target in (args.out, args.rejects):
        if target and target != "-":
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="")
    try:
        writer = csv.DictWriter(out, fieldnames=MERGE_COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        for event in events:
            writer.writerow(event_record(event, reference.has_gene if reference is not None else None))
    finally:
        if out is not sys.stdout:
            out.close()
    if args.rejects:
        with open(args.rejects, "w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(["sample", "caller", "source", "line", "reason"])
            for r in rejects:
                w.writerow([r.sample, r.caller, r.source, r.line, r.reason])
    print(f"fusion-annot merge: {len(calls)} calls -> {len(events)} events ({sum(e.level == 'gene' for e in events)} gene-level); "
          f"{len(rejects)} rows rejected", file=sys.stderr)
    return 0

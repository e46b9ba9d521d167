"""fusion-annot annotate: caller output files -> SAMPLE.fusions.tsv / .json / .rejects.tsv per sample.

Several inputs (or a sample sheet) are annotated in one process: the reference, domains and knowledge base
are loaded once, and each sample's outputs are the ones a single-sample run writes. A sample that fails is
reported with its reason and the others still run; the exit status is then 2."""
from __future__ import annotations

import gc
import sys

from ..readers import format_names
from .common import add_reference_options


def register(sub) -> None:
    p = sub.add_parser("annotate", help="annotate a caller output file (one sample, or a multi-sample aggregate)",
                       description="Annotate every call of a fusion-caller output file.")
    p.add_argument("input", nargs="*", help="caller output file(s) (plain or gzip); each is one sample unless it holds a sample column")
    p.add_argument("--samples", metavar="TSV", help="sample sheet (the workflow's format: sample, format, path, and optionally "
                                                    "tumor_type, age, variants, bam): annotate every sample in one process")
    p.add_argument("--format", default="auto", choices=["auto", *format_names()], help="input format (default: detect)")
    p.add_argument("--sample", help="sample name, with one input (default: the input file name up to the first dot)")
    p.add_argument("--out-dir", required=True, help="output directory; '{sample}' in it is replaced by each sample's name "
                                                    "(e.g. results/{sample})")
    p.add_argument("--only", metavar="S1,S2,...", help="with --samples: annotate only these samples of the sheet")
    p.add_argument("--html", action="store_true", help="also write SAMPLE.report.html (as `fusion-annot report` would)")
    p.add_argument("--variants", metavar="VCF", help="small variants (VCF) to check for TRK-inhibitor resistance mutations")
    from ..knowledge.verdict import (DEFAULT_MIN_SPLIT_READS, DEFAULT_MIN_SUPPORTING_READS, DEFAULT_RESISTANCE_MIN_DEPTH,
                                     DEFAULT_RESISTANCE_MIN_VAF)

    v = p.add_argument_group("verdict thresholds (config annotate.*)")
    v.add_argument("--resistance-min-depth", type=int, default=DEFAULT_RESISTANCE_MIN_DEPTH, metavar="N",
                   help=f"a resistance variant needs at least N reads of depth to count (default {DEFAULT_RESISTANCE_MIN_DEPTH})")
    v.add_argument("--resistance-min-vaf", type=float, default=DEFAULT_RESISTANCE_MIN_VAF, metavar="F",
                   help=f"... and a variant allele fraction of at least F (default {DEFAULT_RESISTANCE_MIN_VAF:g}); "
                        "FILTER must be PASS or '.'")
    v.add_argument("--min-split-reads", type=int, default=DEFAULT_MIN_SPLIT_READS, metavar="N",
                   help=f"an actionable call with fewer split (junction) reads is 'actionable, confirm' "
                        f"(default {DEFAULT_MIN_SPLIT_READS})")
    v.add_argument("--min-supporting-reads", type=int, default=DEFAULT_MIN_SUPPORTING_READS, metavar="N",
                   help=f"... or with fewer split reads + spanning fragments in all (default {DEFAULT_MIN_SUPPORTING_READS})")
    p.add_argument("--bam", metavar="BAM", help="indexed BAM/CRAM: count split reads and spanning pairs at each junction")
    p.add_argument("--bam-kind", choices=("rna", "dna"), default="rna",
                   help="rna: mates searched up to 100 kb from the junction (spliced); dna: 1 kb (default rna)")
    p.add_argument("--vcf", action="store_true", help="also write SAMPLE.fusions.vcf.gz (BND pairs, VCF 4.3, tabix-indexed)")
    p.add_argument("--no-build-check", action="store_true", help="skip the genome-build plausibility check")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="worker processes (default 1): several samples run side by side; one large file is annotated "
                        "in chunks across them. The outputs are the same as with 1")
    add_reference_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import InputError
    from ..parallel import map_in_processes
    from ..pipeline import load_resources

    from ..knowledge.verdict import VerdictPolicy

    if args.threads < 1:
        raise InputError("--threads", 0, f"must be at least 1, not {args.threads}")
    jobs = _jobs(args)
    args.policy = VerdictPolicy(args.min_split_reads, args.min_supporting_reads, args.resistance_min_depth,
                                args.resistance_min_vaf)
    resources = load_resources(args.reference, args.domains, args.genome, args.cache_dir,
                               preferred_transcripts=args.preferred_transcripts, mane_summary=args.mane_summary)
    # The loaded reference and knowledge base live as long as the process: left out of every later cyclic
    # collection (each would walk them all again, ~10 ms per sample of a batch).
    gc.freeze()
    if len(jobs) == 1:
        print(_annotate_one(args, resources, jobs[0], threads=args.threads), file=sys.stderr)
        return 0
    # several samples: one sample per worker process at a time; messages in sheet order, whichever ends first
    outcomes = map_in_processes(_try_one, [(args, job) for job in jobs], args.threads, resources)
    failed = []
    for job, (ok, message) in zip(jobs, outcomes):
        if ok:
            print(message, file=sys.stderr)
        else:  # one bad sample must not stop the others
            failed.append(_sample_of(job))
            print(f"fusion-annot annotate: error: sample {failed[-1]}: {message}", file=sys.stderr)
    print(f"annotated {len(jobs) - len(failed)} of {len(jobs)} samples"
          + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    if failed:
        raise InputError(args.samples or "<inputs>", 0, f"{len(failed)} of {len(jobs)} samples failed (reasons above)")
    return 0


def _sample_of(job: dict) -> str:
    from ..pipeline import default_sample_name

    return job["sample"] or default_sample_name(job["path"])


def _try_one(resources, task) -> tuple[bool, str]:
    from ..errors import FusionAnnotError

    args, job = task
    try:
        return True, _annotate_one(args, resources, job)
    except FusionAnnotError as exc:
        return False, str(exc)


def _jobs(args) -> list[dict]:
    """One dict per sample: path, format, sample, tumor_type, variants, bam (per-sample values over the options)."""
    from ..errors import InputError
    from ..knowledge.eligibility import parse_age
    from ..pipeline import default_sample_name

    common = {"format": args.format, "tumor_type": args.tumor_type, "variants": args.variants, "bam": args.bam,
              "age": parse_age(args.age, "--age")}
    if args.samples and args.input:
        raise InputError("--samples", 0, "give input files or a sample sheet, not both")
    if args.samples:
        from ..samplesheet import read_sample_sheet

        rows = read_sample_sheet(args.samples)
        if args.only:
            wanted = [s.strip() for s in args.only.split(",") if s.strip()]
            known = {r.sample for r in rows}
            missing = [s for s in wanted if s not in known]
            if missing:
                raise InputError(args.samples, 0, f"--only names sample(s) not in the sheet: {', '.join(missing[:5])}")
            rows = [r for r in rows if r.sample in set(wanted)]
        return [{**common, "path": r.path, "format": r.format, "sample": r.sample,
                 "tumor_type": r.tumor_type or args.tumor_type, "variants": r.variants or args.variants,
                 "age": parse_age(r.age, args.samples, r.line) if r.age else common["age"],
                 "extra_calls": r.extra_call_specs(),
                 "bam": r.bam or args.bam} for r in rows]
    if args.only:
        raise InputError("--only", 0, "--only selects samples of a sheet: use it with --samples SHEET")
    if not args.input:
        raise InputError("annotate", 0, "no input: give a caller output file, several, or --samples SHEET")
    if args.sample and len(args.input) > 1:
        raise InputError("--sample", 0, f"--sample names one sample, but {len(args.input)} inputs were given "
                                        "(use --samples SHEET to name each)")
    jobs = [{**common, "path": p, "sample": args.sample} for p in args.input]
    names: dict[str, str] = {}
    for job in jobs:  # two inputs defaulting to one name (or to names differing in case) would overwrite each other's outputs
        name = job["sample"] or default_sample_name(job["path"])
        if name.casefold() in names:
            raise InputError(job["path"], 0, f"its default sample name '{name}' (the file name up to the first dot) is that "
                                             f"of {names[name.casefold()]} too: the outputs would overwrite each other; "
                                             "name the samples with --samples SHEET")
        names[name.casefold()] = job["path"]
    return jobs


def _annotate_one(args, resources, job: dict, threads: int = 1) -> str:
    """Annotate one sample; the summary line to print."""
    from ..pipeline import annotate_file

    variants = ()
    if job["variants"]:
        from ..knowledge.variants import read_variants

        genes = resources.knowledge.resistance_genes if resources.knowledge is not None else None
        variants = read_variants(job["variants"], resources.reference, genes=genes, genome=resources.genome)
    sample = _sample_of(job)
    extra = _extra_calls(job.get("extra_calls") or (), sample)
    out_dir = args.out_dir.replace("{sample}", sample)
    result = annotate_file(job["path"], out_dir, resources, fmt=job["format"], sample=job["sample"],
                           transcripts=args.transcripts, variants=variants, tumor_type=job["tumor_type"],
                           build_check=not args.no_build_check, bam=job["bam"], bam_kind=args.bam_kind, vcf=args.vcf,
                           html=args.html, keep_annotations=False, threads=threads, age=job.get("age"),
                           policy=getattr(args, "policy", None), extra_calls=extra)
    counted = (f"; callers counted with {len(job['extra_calls'])} further caller file(s) of the sheet's extra_calls"
               if extra is not None else "")
    return (f"{job['path']} ({result.fmt}): read {result.rows_read} rows, annotated {result.annotated_calls} calls"
            f" ({result.annotation_rows} rows), rejected {result.rejected_rows} -> {result.tsv}{counted}"
            + reference_hint(result.rejected_not_in_reference, result.rejected_rows, args.reference))


def _extra_calls(specs, sample: str):
    """Calls of the sheet's extra_calls files for one sample (None without any): the verdict then knows how many
    callers found each call (a call only one caller found is 'actionable, confirm')."""
    if not specs:
        return None
    from ..model import Reject
    from ..readers import read_calls

    return [c for path, fmt in specs for c in read_calls(path, fmt, sample) if not isinstance(c, Reject)]


def reference_hint(missing: int, rejected: int, reference: str) -> str:
    """'; N of M rejects are genes or breakpoints not in the bundled reference: pass --reference ...' when that is
    most of them ('' otherwise): a file of another build or annotation must not look like a file of bad calls."""
    if str(reference or "bundled") != "bundled" or not rejected or missing * 2 <= rejected:
        return ""
    return (f"; {missing} of {rejected} rejects are genes or breakpoints not in the bundled reference (GRCh38, "
            "Ensembl 110): pass --reference (a GTF or ensembl:RELEASE of the input's build and annotation)")

"""fusion-annot annotate: one caller output file -> SAMPLE.fusions.tsv / .json / .rejects.tsv."""
from __future__ import annotations

import sys

from ..readers import format_names
from .common import add_reference_options


def register(sub) -> None:
    p = sub.add_parser("annotate", help="annotate a caller output file (one sample, or a multi-sample aggregate)",
                       description="Annotate every call of a fusion-caller output file.")
    p.add_argument("input", help="caller output file (plain or gzip)")
    p.add_argument("--format", default="auto", choices=["auto", *format_names()], help="input format (default: detect)")
    p.add_argument("--sample", help="sample name (default: the input file name up to the first dot)")
    p.add_argument("--out-dir", required=True, help="output directory")
    p.add_argument("--variants", metavar="VCF", help="small variants (VCF) to check for TRK-inhibitor resistance mutations")
    p.add_argument("--bam", metavar="BAM", help="indexed BAM/CRAM: count split reads and spanning pairs at each junction")
    p.add_argument("--bam-kind", choices=("rna", "dna"), default="rna",
                   help="rna: mates searched up to 100 kb from the junction (spliced); dna: 1 kb (default rna)")
    p.add_argument("--vcf", action="store_true", help="also write SAMPLE.fusions.vcf.gz (BND pairs, VCF 4.3, tabix-indexed)")
    p.add_argument("--no-build-check", action="store_true", help="skip the genome-build plausibility check")
    add_reference_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..pipeline import annotate_file, load_resources

    resources = load_resources(args.reference, args.domains, args.genome, args.cache_dir,
                               preferred_transcripts=args.preferred_transcripts, mane_summary=args.mane_summary)
    variants = ()
    if args.variants:
        from ..knowledge.variants import read_variants

        genes = resources.knowledge.resistance_genes if resources.knowledge is not None else None
        variants = read_variants(args.variants, resources.reference, genes=genes, genome=resources.genome)
    result = annotate_file(args.input, args.out_dir, resources, fmt=args.format, sample=args.sample,
                           transcripts=args.transcripts, variants=variants, tumor_type=args.tumor_type,
                           build_check=not args.no_build_check, bam=args.bam, bam_kind=args.bam_kind, vcf=args.vcf)
    calls = len({id(a.call) for a in result.annotations})
    print(f"{args.input} ({result.fmt}): read {result.rows_read} rows, annotated {calls} calls"
          f" ({len(result.annotations)} rows), rejected {len(result.rejects)} -> {result.tsv}", file=sys.stderr)
    return 0

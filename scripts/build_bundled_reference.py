#!/usr/bin/env python3
"""Rebuild the bundled genome-wide reference pack in resources/reference/ from the project's offline data.

    python scripts/build_bundled_reference.py \\
        --gtf ../shared/reference/ensembl110_coding.gtf.gz \\
        --domains ../shared/reference/protein_domains.ensembl110.tsv.gz \\
        --out resources/reference/ensembl110_genome.fapack

Every gene and transcript of the GTF goes in (exons, CDS with the stop codon, start/stop codon
presence, MANE/canonical and cds_start_NF/cds_end_NF tags), with the protein features of each
transcript from the domain table (rows decoded by alignment left out, as at run time). The output
is deterministic: a rebuild from the same input is byte-identical (checked by --check).
"""
from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fusion_annot.domains import load_domain_table  # noqa: E402
from fusion_annot.gtf import read_gtf  # noqa: E402
from fusion_annot.packbuild import DomainMatcher, build_pack_from_gtf  # noqa: E402

NAME = "bundled (Ensembl 110, GRCh38, genome-wide)"


def build(gtf: Path, domains: Path, out: Path) -> dict:
    contents = read_gtf(gtf)
    table = load_domain_table(domains)
    matcher = DomainMatcher(user_table=table)
    return build_pack_from_gtf(contents, out, name=NAME, source=f"{gtf.name} + {domains.name}", matcher=matcher,
                               domain_label=f"{domains.name} (InterPro/Pfam/SignalP/UniProt, Ensembl 110)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gtf", required=True, type=Path)
    ap.add_argument("--domains", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--check", action="store_true", help="rebuild into a temp file and compare with --out")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = Path(tmp) / args.out.name
            build(args.gtf, args.domains, fresh)
            same = filecmp.cmp(fresh, args.out, shallow=False)
        print(f"{args.out}: {'identical to a fresh build' if same else 'DIFFERS from a fresh build'}")
        return 0 if same else 1
    header = build(args.gtf, args.domains, args.out)
    print(f"{args.out}: {args.out.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s; "
          f"counts {header['counts']}; domains {header.get('domain_matching')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

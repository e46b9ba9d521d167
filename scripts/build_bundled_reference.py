#!/usr/bin/env python3
"""Rebuild the bundled offline reference in resources/reference/ from a full GTF and domain table.

    python scripts/build_bundled_reference.py \
        --gtf ../shared/reference/ensembl110_coding.gtf.gz \
        --domains ../shared/reference/protein_domains.ensembl110.tsv.gz \
        --genes resources/reference/bundled_genes.txt --out-dir resources/reference

Keeps every GTF line (gene, transcript, exon, CDS, start/stop codon, UTR) of the listed genes,
the GTF header comments, and the domain rows of those genes. Output is gzip with a fixed mtime
so that a rebuild from the same input is byte-identical.
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

GENE_NAME = re.compile(r'gene_name "([^"]+)"')


def read_genes(path: Path) -> set[str]:
    return {line.split("#")[0].strip() for line in path.read_text().splitlines() if line.split("#")[0].strip()}


def subset_gtf(gtf: Path, genes: set[str], out: Path) -> tuple[int, set[str]]:
    kept, seen = 0, set()
    with gzip.open(gtf, "rt") as src, gzip.GzipFile(out, "wb", mtime=0) as raw:
        for line in src:
            if line.startswith("#"):
                raw.write(line.encode())
                continue
            m = GENE_NAME.search(line)
            if m and m.group(1) in genes:
                raw.write(line.encode())
                kept += 1
                seen.add(m.group(1))
    return kept, seen


def subset_domains(domains: Path, genes: set[str], out: Path) -> int:
    kept = 0
    with gzip.open(domains, "rt") as src, gzip.GzipFile(out, "wb", mtime=0) as raw:
        header = src.readline()
        raw.write(header.encode())
        gene_col = header.rstrip("\n").split("\t").index("gene_name")
        for line in src:
            if line.rstrip("\n").split("\t")[gene_col] in genes:
                raw.write(line.encode())
                kept += 1
    return kept


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gtf", required=True, type=Path)
    ap.add_argument("--domains", required=True, type=Path)
    ap.add_argument("--genes", required=True, type=Path)
    ap.add_argument("--out-dir", required=True, type=Path)
    args = ap.parse_args(argv)
    genes = read_genes(args.genes)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    lines, seen = subset_gtf(args.gtf, genes, args.out_dir / "fusion_annot_bundled.ensembl110.gtf.gz")
    domains = subset_domains(args.domains, genes, args.out_dir / "protein_domains.bundled.ensembl110.tsv.gz")
    missing = sorted(genes - seen)
    print(f"genes requested {len(genes)}, found {len(seen)}; GTF lines {lines}; domain rows {domains}")
    if missing:
        print("not in the source GTF: " + ", ".join(missing), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Options shared by the subcommands that annotate."""
from __future__ import annotations

import argparse


def add_reference_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("reference")
    g.add_argument("--reference", default="bundled", metavar="bundled|PATH.gtf[.gz]|PATH.fapack|ensembl:RELEASE",
                   help="transcript models: the bundled genome-wide GRCh38 reference (default, Ensembl 110), any "
                        "Ensembl/GENCODE GTF or an installed pyensembl release (converted once into the cache, see "
                        "'fusion-annot index'), or a pack that command wrote")
    g.add_argument("--domains", metavar="TSV|none",
                   help="protein domain table (fusion-annot TSV or an Ensembl BioMart export) used before the domains "
                        "the reference carries; 'none' turns domain data off")
    g.add_argument("--genome", metavar="FASTA", help="genome FASTA (indexed) to build and translate the fusion sequence")
    g.add_argument("--transcripts", choices=("canonical", "all"), default="canonical",
                   help="canonical: MANE/Ensembl canonical first (default); all: one row per transcript pair")
    g.add_argument("--preferred-transcripts", metavar="TSV",
                   help="gene -> transcript a lab numbers exons on (Ensembl ID, transcript name such as ROS1-202, or "
                        "RefSeq NM_ with --mane-summary); used before MANE/canonical for those genes")
    g.add_argument("--mane-summary", metavar="FILE",
                   help="NCBI MANE summary (MANE.GRCh38.vX.summary.txt[.gz]) to read RefSeq transcript IDs")
    g.add_argument("--cache-dir", metavar="DIR", help="where converted references go (default $PYENSEMBL_CACHE_DIR or ~/.cache/fusion-annot)")
    g.add_argument("--tumor-type", metavar="TEXT", help="tumour type of the sample, for catalog context (optional)")
    g.add_argument("--age", metavar="YEARS",
                   help="age of the patient in years (e.g. 0.2 for a 10-week-old infant): drugs whose label age limit "
                        "excludes it are not eligible (optional)")

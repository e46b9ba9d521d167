"""`fusion-annot index`: convert a reference into its runtime pack once, before many annotate jobs read it.

    fusion-annot index --reference Homo_sapiens.GRCh38.110.gtf.gz [--domains biomart.tsv] --cache-dir DIR [--stamp FILE]
    fusion-annot index --reference ensembl:110 --out my_reference.fapack

A GTF or an installed pyensembl release is converted into a pack (transcript
models, tags and protein domains in one file) in the cache directory; `annotate`
does the same on first use, but when many jobs start at once (a cohort on a
cluster) they would all build it. After this command the jobs only read the pack,
and the cache can be made read-only. `--out` writes the pack to a file of your
choosing instead (then pass that file as `--reference`). The bundled reference is
already a pack: indexing it only checks it. `--stamp` writes a small JSON file
describing the pack (for workflow managers that track outputs).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

from .. import __version__
from ..paths import cache_dir as default_cache_dir


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "index",
        help="convert a reference (GTF or pyensembl release) once into the runtime pack",
        description="Convert a GTF or an installed pyensembl release (with an optional domain table) into the "
        "reference pack that annotate loads, in the cache directory or at --out.",
    )
    p.add_argument("--reference", default="bundled", metavar="bundled|PATH.gtf[.gz]|ensembl:RELEASE",
                   help="transcript models to convert (default: bundled, which is already a pack)")
    p.add_argument("--domains", metavar="TSV",
                   help="protein domain table (fusion-annot TSV or Ensembl BioMart export) to fold into the pack; "
                        "transcripts it does not cover get the shipped Ensembl 110 domains when their protein length matches")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where the pack goes (default $PYENSEMBL_CACHE_DIR or ~/.cache/fusion-annot)")
    p.add_argument("--out", metavar="FILE.fapack", help="also copy the pack to this file")
    p.add_argument("--stamp", metavar="FILE", help="write a JSON description of the pack here")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import InputError
    from ..reference import load_reference

    if args.out and not str(args.out).endswith(".fapack"):
        raise InputError(args.out, 0, "--out must end in .fapack (annotate recognises packs by that suffix)")
    started = time.perf_counter()
    reference = load_reference(args.reference, cache_dir=args.cache_dir, domains=args.domains)
    seconds = time.perf_counter() - started
    pack = reference.pack
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(args.out).with_name(Path(args.out).name + f".tmp{os.getpid()}")
        shutil.copyfile(pack.path, tmp)
        tmp.replace(args.out)
    header = pack.header
    info = {
        "reference": args.reference,
        "name": reference.name,
        "build": reference.build,
        "pack": str(Path(args.out).resolve() if args.out else pack.path.resolve()),
        "cache_dir": str(cache.resolve()),
        "counts": header.get("counts", {}),
        "domains": header.get("domains", "none"),
        "domain_matching": header.get("domain_matching", {}),
        "tool": f"fusion-annot {__version__}",
    }
    if args.stamp:
        stamp = Path(args.stamp)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_name(stamp.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        tmp.replace(stamp)
    counts = info["counts"]
    matching = info["domain_matching"]
    domains = (", ".join(f"{k} {v}" for k, v in matching.items()) if matching else info["domains"])
    print(f"fusion-annot index: {reference.name} ({reference.build}): {counts.get('genes', 0)} genes, "
          f"{counts.get('coding_transcripts', 0)} coding transcripts, domain data for "
          f"{counts.get('transcripts_with_domain_data', 0)} ({domains}); pack {info['pack']} ({seconds:.1f} s)",
          file=sys.stderr)
    return 0

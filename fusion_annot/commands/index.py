"""`fusion-annot index`: build the reference index once, before many annotate jobs read it.

    fusion-annot index --reference bundled --cache-dir /shared/fusion-annot-cache [--stamp FILE]

`annotate` indexes a reference on first use; when many jobs start at once (a
cohort on a cluster) they would all build the same index. This command builds
it once (as a side effect of loading the reference), so that the jobs only read
it; afterwards the cache can be made read-only. `--stamp` writes a small JSON
file describing the index (for workflow managers that track outputs).
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from .. import __version__
from ..paths import cache_dir as default_cache_dir


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "index",
        help="index a reference once into the cache (before parallel annotate jobs)",
        description="Build the pyensembl index of a reference in the cache directory, so that later "
        "annotate runs only read it.",
    )
    p.add_argument("--reference", default="bundled", metavar="bundled|PATH.gtf[.gz]|ensembl:RELEASE",
                   help="transcript models to index (default: bundled)")
    p.add_argument("--cache-dir", metavar="DIR",
                   help="where the index goes (default $PYENSEMBL_CACHE_DIR or ~/.cache/fusion-annot)")
    p.add_argument("--stamp", metavar="FILE", help="write a JSON description of the indexed reference here")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..reference import load_reference

    reference = load_reference(args.reference, cache_dir=args.cache_dir)
    cache = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    info = {
        "reference": args.reference,
        "name": reference.name,
        "build": reference.build,
        "cache_dir": str(cache.resolve()),
        "tool": f"fusion-annot {__version__}",
    }
    if args.stamp:
        stamp = Path(args.stamp)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        tmp = stamp.with_name(stamp.name + f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        tmp.replace(stamp)
    print(f"fusion-annot index: {reference.name} ({reference.build}) indexed in {info['cache_dir']}", file=sys.stderr)
    return 0

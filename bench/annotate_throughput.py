#!/usr/bin/env python3
"""Annotation throughput, cold start and peak memory. Prints numbers; asserts nothing.

    python bench/annotate_throughput.py [--gtf GENOME_WIDE.gtf.gz] [--domains DOMAINS.tsv.gz] [--calls FILE]

1. Cold start of a single-sample CLI run on the bundled reference (a new process; index
   cache already built, and once more with an empty cache).
2. Genome-wide reference: index once (separate process, not counted in RSS), then in one
   process read the FusionInspector C4 aggregate (57k real rows), annotate it with a cold
   model cache (transcript models loaded from the index on demand) and again warm (models
   in memory, fresh per-call caches), and report calls/s per core and peak RSS.
Defaults point at ../shared (the project's offline test data).
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def timed(cmd, env) -> float:
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def cold_start(cache: str) -> None:
    demo = REPO / "resources" / "demo" / "IFS01.star-fusion.tsv"
    cli = [sys.executable, "-m", "fusion_annot.cli", "annotate", str(demo), "--out-dir"]
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as empty:
        fresh = timed(cli + [out], dict(os.environ, PYENSEMBL_CACHE_DIR=empty))
        warm = [timed(cli + [out], dict(os.environ, PYENSEMBL_CACHE_DIR=cache)) for _ in range(3)]
    print(f"cold start, bundled reference, index cache present: {min(warm):.2f} s (best of 3; {', '.join(f'{w:.2f}' for w in warm)})")
    print(f"cold start, bundled reference, empty cache (builds the index): {fresh:.2f} s")


def genome_wide(gtf: str, domains: str, calls_path: str, cache: str) -> None:
    env = dict(os.environ, PYENSEMBL_CACHE_DIR=cache)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"from fusion_annot.reference import load_reference; load_reference({gtf!r})"], check=True, env=env)
    print(f"genome-wide index (first time builds, later reuses the cache): {time.perf_counter() - t:.1f} s")
    os.environ["PYENSEMBL_CACHE_DIR"] = cache

    from fusion_annot.annotate import Annotator
    from fusion_annot.domains import load_domain_table
    from fusion_annot.model import Reject
    from fusion_annot.readers import read_calls
    from fusion_annot.reference import load_reference

    t = time.perf_counter()
    ref = load_reference(gtf)
    table = load_domain_table(domains)
    print(f"open genome-wide reference + domain table: {time.perf_counter() - t:.2f} s")
    t = time.perf_counter()
    items = list(read_calls(calls_path))
    read_s = time.perf_counter() - t
    n_calls = sum(not isinstance(i, Reject) for i in items)
    print(f"read {len(items)} rows ({n_calls} calls) in {read_s:.2f} s ({len(items) / read_s:,.0f} rows/s)")
    for label in ("cold models", "warm models"):
        t = time.perf_counter()
        out = list(Annotator(ref, table).annotate_all(items))
        dt = time.perf_counter() - t
        rejected = sum(isinstance(o, Reject) for o in out)
        print(f"annotate ({label}): {dt:.2f} s, {n_calls / dt:,.0f} calls/s on one core; {len(out) - rejected} annotated, {rejected} rejected")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the annotating process: {peak_mb:,.0f} MiB")
    with tempfile.TemporaryDirectory() as out:
        cli = [sys.executable, "-m", "fusion_annot.cli", "annotate", calls_path, "--reference", gtf, "--domains", domains, "--out-dir", out]
        t = time.perf_counter()
        subprocess.run(cli, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"end to end, CLI (read + annotate + knowledge + TSV/JSON/rejects): {dt:.1f} s for {len(items)} rows "
          f"({len(items) / dt:,.0f} rows/s incl. start-up), peak RSS {child_mb:,.0f} MiB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gtf", default=str(SHARED / "reference" / "ensembl110_coding.gtf.gz"))
    ap.add_argument("--domains", default=str(SHARED / "reference" / "protein_domains.ensembl110.tsv.gz"))
    ap.add_argument("--calls", default=str(SHARED / "callers" / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz"))
    ap.add_argument("--cache-dir", default=os.environ.get("PYENSEMBL_CACHE_DIR") or str(Path.home() / ".cache" / "fusion-annot-bench"))
    args = ap.parse_args()
    subprocess.run([sys.executable, "-c", "from fusion_annot.reference import load_reference; load_reference('bundled')"],
                   check=True, env=dict(os.environ, PYENSEMBL_CACHE_DIR=args.cache_dir))
    cold_start(args.cache_dir)
    genome_wide(args.gtf, args.domains, args.calls, args.cache_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())

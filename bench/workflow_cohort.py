#!/usr/bin/env python3
"""Benchmark: a generated cohort through the Snakemake workflow vs. the same work with the CLI directly.

    python bench/workflow_cohort.py                 # 200 samples, 2 cores, batch sizes 1, 10, 25, 50, 100
    python bench/workflow_cohort.py --samples 50 --cores 4 --batch-sizes 1,50 --keep /tmp/cohort-bench

The baseline ("direct CLI") is one process per sample, the way the workflow ran before batching; the
workflow is run once per `annotate.batch_size` given, and the default batch size is the one this picks.

The cohort is written in real caller formats (STAR-Fusion, Arriba, FusionCatcher, JAFFA, rotating) by the
demo generator's writers (scripts/make_demo_cohort.py): each sample gets 1-4 fusions drawn (seeded) from
the demo junctions, all at true exon boundaries of the bundled reference. Both runs start from an empty
reference cache and do the same work: index the reference once, annotate every sample (with its VCF) and
write its HTML report with at most `--cores` processes at a time, build the cohort tables and report. Printed: wall time of each, and the workflow's
overhead per job = (workflow wall - direct wall) / jobs, with the workflow's parse/DAG time on its own.
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))

import make_demo_cohort as demo  # noqa: E402  (the demo generator's GTF parsing and caller writers)

CALLERS = ("star-fusion", "arriba", "fusioncatcher", "jaffa")


def write_cohort(directory: Path, n_samples: int, seed: int = 7) -> list[dict]:
    """Caller files for n samples in `directory`; returns sample-sheet rows (sample, format, path)."""
    rng = random.Random(seed)
    templates = demo.build_junctions(demo.DEFAULT_GTF)
    sheet = []
    for i in range(n_samples):
        sample = f"C{i:04d}"
        caller = CALLERS[i % len(CALLERS)]
        picks = rng.sample(templates, rng.randint(1, 4))
        junctions = [
            demo.Junction(replace(j.fusion, sample=sample, caller=caller), j.tx5, j.tx3) for j in picks
        ]
        fmt, suffix, writer = demo.FORMATS[caller]
        path = directory / f"{sample}.{suffix}"
        path.write_text(writer(junctions))
        sheet.append({"sample": sample, "format": fmt, "path": str(path)})
    return sheet


def run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")


def direct(sheet: list[dict], out: Path, cache: Path, cores: int) -> float:
    """The workflow's jobs, with the CLI: index; per sample annotate (+VCF) and its HTML report (cores at a
    time); cohort tables and the cohort report."""
    cli = [sys.executable, "-m", "fusion_annot"]
    ref = ["--reference", "bundled", "--cache-dir", str(cache)]
    started = time.perf_counter()
    run([*cli, "index", *ref], cwd=REPO)

    def annotate(row):
        sample_dir = out / row["sample"]
        run([*cli, "annotate", row["path"], "--format", row["format"], "--sample", row["sample"], *ref, "--vcf",
             "--out-dir", str(sample_dir)], cwd=REPO)
        run([*cli, "report", str(sample_dir / f"{row['sample']}.fusions.json"), *ref, "--title", row["sample"],
             "--out", str(sample_dir / f"{row['sample']}.report.html")], cwd=REPO)

    with ThreadPoolExecutor(max_workers=cores) as pool:
        list(pool.map(annotate, sheet))
    tables = [str(out / r["sample"] / f"{r['sample']}.fusions.tsv") for r in sheet]
    run([*cli, "cohort", "--out-dir", str(out / "cohort"), *tables], cwd=REPO)
    jsons = [str(out / r["sample"] / f"{r['sample']}.fusions.json") for r in sheet]
    run([*cli, "report", *jsons, *ref, "--title", "cohort", "--out", str(out / "cohort" / "cohort.report.html")], cwd=REPO)
    return time.perf_counter() - started


def make_workdir(workdir: Path, sheet: list[dict], cache: Path, batch_size: int = 50) -> None:
    import yaml

    (workdir / "config").mkdir(parents=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"]["cache_dir"] = str(cache)
    config["annotate"]["batch_size"] = batch_size
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    lines = ["sample\tformat\tpath"] + [f"{r['sample']}\t{r['format']}\t{r['path']}" for r in sheet]
    (workdir / "config" / "samples.tsv").write_text("\n".join(lines) + "\n")


def workflow(workdir: Path, cores: int, dry_run: bool = False) -> float:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--cores", str(cores), "--quiet"]
    if dry_run:
        command.append("-n")
    started = time.perf_counter()
    run(command, cwd=workdir)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs of each; the best is reported")
    parser.add_argument("--batch-sizes", default="1,10,25,50,100", help="annotate.batch_size values to run")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it (default: a temp dir)")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="fusion-annot-bench-"))
    if root.exists() and any(root.iterdir()):
        sys.exit(f"{root} is not empty")
    root.mkdir(parents=True, exist_ok=True)
    try:
        inputs = root / "inputs"
        inputs.mkdir()
        sheet = write_cohort(inputs, args.samples)
        calls = sum(1 for r in sheet for line in Path(r["path"]).read_text().splitlines()[1:] if line.strip())

        sizes = [int(x) for x in args.batch_sizes.split(",")]
        # Alternate the runs and keep each one's best time: on a shared machine the load changes between runs.
        direct_walls, walls, plans = [], {b: [] for b in sizes}, {b: [] for b in sizes}
        for k in range(args.repeat):
            direct_walls.append(direct(sheet, root / f"direct{k}", root / f"cache-direct{k}", args.cores))
            for b in sizes:
                workdir = root / f"workflow{k}-b{b}"
                make_workdir(workdir, sheet, root / f"cache-workflow{k}-b{b}", batch_size=b)
                plans[b].append(workflow(workdir, args.cores, dry_run=True))
                walls[b].append(workflow(workdir, args.cores))
        direct_wall = min(direct_walls)
        load = os.getloadavg()[0]
        print(f"cohort: {args.samples} samples ({calls} calls; {', '.join(CALLERS)} formats), --cores {args.cores}, "
              f"best of {args.repeat} alternating runs (load average now {load:.1f} on {os.cpu_count()} CPUs)")
        print(f"direct CLI, one process per sample (index + {args.samples} x (annotate --vcf + report), {args.cores} at a "
              f"time + cohort + cohort report): {direct_wall:7.1f} s ({direct_wall / args.samples * 1000:.0f} ms per sample)")
        for b in sizes:
            wall, plan = min(walls[b]), min(plans[b])
            batches = -(-args.samples // b)
            print(f"snakemake --cores {args.cores}, batch_size {b:4d} ({batches:5d} annotate jobs): {min(walls[b]):7.1f} s "
                  f"({wall / args.samples * 1000:6.1f} ms per sample; {direct_wall / wall:5.1f}x the direct CLI; "
                  f"planning {plan:.1f} s)")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

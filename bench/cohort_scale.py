#!/usr/bin/env python3
"""Cohort scale (issue 11): N generated samples through `snakemake --cores C`, end to end.

Each sample is one caller file of 20-200 real rows drawn (seeded, with replacement when a file is small) from
the GRCh38 caller files in ../shared/callers, formats rotating: FusionInspector (the C4 and COSMIC aggregates),
EricScript, CTAT-LR-fusion, pbfusion BEDPE, Arriba, STAR-Fusion. A file's header lines are copied as they are;
which lines are data rows is decided by the package's own reader (every data row is annotated or rejected).
The workflow runs everything it runs for a user: per-sample annotate (TSV, JSON, rejects, VCF, HTML report) in
batches, cohort tables and the cohort report.

    .venv/bin/python bench/cohort_scale.py --samples 1000            # ~1-2 min on 2 cores
    .venv/bin/python bench/cohort_scale.py --samples 10000 --keep /tmp/c10k

Printed: wall time, per-sample amortised cost, the time per rule (Snakemake benchmark files), rows read,
calls annotated and the cohort report's size. Nothing is asserted.
"""
from __future__ import annotations

import argparse
import gzip
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CALLERS = REPO.parent / "shared" / "callers"
POOLS = (  # (format, file under ../shared/callers)
    ("fusioninspector", "fusioninspector/FusionInspectorPaper.C4_targeted_fusions.tsv.gz"),
    ("ericscript", "ericscript/benchmark.NCI-H889.MyEric.results.filtered.tsv"),
    ("fusioninspector", "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz"),
    ("ctat-lr-fusion", "ctat-lr-fusion/LRbench.SeraCare_IsoSeq.ctat-LR-fusion.fusion_predictions.tsv.gz"),
    ("pbfusion", "bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz"),
    ("ericscript", "ericscript/benchmark.MHH-ES-1.MyEric.results.filtered.tsv"),
    ("arriba", "arriba/annoFuseData.arriba_example.tsv"),
    ("star-fusion", "star-fusion/fusion-report.starfusion.tsv"),
)


def _lines(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as fh:
        return fh.read().splitlines(keepends=True)


def load_pools() -> list[tuple[str, list[str], list[str]]]:
    """(format, header lines, data lines) per caller file; data lines are the ones the reader reads as rows."""
    sys.path.insert(0, str(REPO))
    from fusion_annot.readers import get_reader

    pools = []
    for fmt, name in POOLS:
        path = CALLERS / name
        lines = _lines(path)
        rows = sorted({item.line for item in get_reader(fmt).read(str(path), "x")})
        pools.append((fmt, lines[: rows[0] - 1], [lines[n - 1] for n in rows]))
    return pools


def write_cohort(directory: Path, n: int, seed: int = 11) -> tuple[Path, int]:
    rng = random.Random(seed)
    pools = load_pools()
    sheet, total = ["sample\tformat\tpath"], 0
    for i in range(n):
        fmt, header, data = pools[i % len(pools)]
        k = rng.randint(20, 200)
        rows = rng.sample(data, k) if len(data) >= k else [rng.choice(data) for _ in range(k)]
        path = directory / f"P{i:05d}.{fmt}.txt"
        path.write_text("".join(header) + "".join(rows), encoding="utf-8")
        sheet.append(f"P{i:05d}\t{fmt}\t{path}")
        total += k
    sheet_path = directory / "samples.tsv"
    sheet_path.write_text("\n".join(sheet) + "\n")
    return sheet_path, total


def _own_cpu_until_exit(process: subprocess.Popen) -> float:
    """CPU seconds the process used itself, not its children (Linux /proc; read until it exits), so the
    scheduler's own share of the cores is seen apart from the jobs it runs."""
    ticks, last = os.sysconf("SC_CLK_TCK"), 0.0
    while process.poll() is None:
        try:
            with open(f"/proc/{process.pid}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
            last = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime: fields 14 and 15 of stat(5)
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.5)
    return last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=None, help="annotate.batch_size (default: the config's)")
    parser.add_argument("--keep", type=Path, help="work here and keep it")
    parser.add_argument("--snakemake-arg", action="append", default=[], metavar="ARG",
                        help="one more snakemake argument (repeat it), e.g. --snakemake-arg=--workflow-profile=none")
    args = parser.parse_args()
    import yaml

    root = args.keep or Path(tempfile.mkdtemp(prefix="fusion-annot-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    try:
        inputs = root / "inputs"
        inputs.mkdir(exist_ok=True)
        started = time.perf_counter()
        sheet, rows = write_cohort(inputs, args.samples)
        generated = time.perf_counter() - started
        work = root / "run"
        (work / "config").mkdir(parents=True, exist_ok=True)
        config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
        config["samples"] = str(sheet)
        config["reference"]["cache_dir"] = str(root / "cache")
        if args.batch_size:
            config["annotate"]["batch_size"] = args.batch_size
        (work / "config" / "config.yaml").write_text(yaml.safe_dump(config))
        command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(work),
                   "--cores", str(args.cores), "--quiet", "--benchmark-extended", *args.snakemake_arg]
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as err:
            process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err, text=True)
            scheduler_cpu = _own_cpu_until_exit(process)
            wall = time.perf_counter() - started
            if process.returncode != 0:
                err.seek(0)
                print(err.read()[-3000:])
                return 1
        per_rule = defaultdict(float)
        for bench in (work / "benchmarks").rglob("*.tsv"):
            with open(bench) as fh:
                header, values = fh.readline().rstrip("\n").split("\t"), fh.readline().rstrip("\n").split("\t")
            row = dict(zip(header, values))
            per_rule[bench.parent.name if bench.parent.name != "benchmarks" else bench.stem] += float(row["s"])
        annotated = sum(max(0, sum(1 for line in open(p) if not line.startswith("#")) - 1)
                        for p in (work / "results" / "samples").glob("*/*.fusions.tsv"))
        report = work / "results" / "cohort" / "cohort.report.html"
        print(f"{args.samples} samples, {rows} rows ({annotated} annotated calls), --cores {args.cores}, "
              f"batch_size {config['annotate']['batch_size']}; inputs generated in {generated:.1f} s")
        print(f"snakemake wall: {wall:.1f} s = {wall / 60:.1f} min; {wall / args.samples * 1000:.1f} ms per sample, "
              f"{rows / wall:.0f} rows/s")
        print(f"  snakemake itself (the scheduler, not its jobs): {scheduler_cpu:.0f} s CPU, "
              f"{scheduler_cpu / wall:.2f} of a core on average")
        for rule, seconds in sorted(per_rule.items(), key=lambda kv: -kv[1]):
            print(f"  {rule:16s} {seconds:8.1f} s (job time, summed over jobs)")
        print(f"cohort report: {report.stat().st_size / 1e6:.1f} MB")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Many samples in one process vs one process per sample (issue 11 part 1), same run, same files.

Builds a sample sheet of N samples cycling over the demo caller files, then times
  (a) `fusion-annot annotate --samples SHEET` (one process), and
  (b) one `fusion-annot annotate FILE --sample S` process per sample (the first K samples, scaled to N),
and prints both, the per-sample amortised cost and the ratio. Nothing is asserted.

    .venv/bin/python bench/multi_sample.py [--samples 200] [--single 20]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
FILES = [("star-fusion", "IFS01.star-fusion.tsv"), ("arriba", "IFS02.arriba.tsv"), ("fusioncatcher", "STS03.fusioncatcher.txt"),
         ("jaffa", "STS04.jaffa.csv"), ("star-fusion", "STS05.star-fusion.tsv"), ("arriba", "STS06.arriba.tsv")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--single", type=int, default=20, help="samples run one process each (scaled to --samples)")
    args = parser.parse_args()
    cmd = [sys.executable, "-m", "fusion_annot", "annotate"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rows = [(f"S{i:05d}", *FILES[i % len(FILES)]) for i in range(args.samples)]
        sheet = tmp / "samples.tsv"
        sheet.write_text("sample\tformat\tpath\n" + "".join(f"{s}\t{f}\t{DEMO / p}\n" for s, f, p in rows))
        subprocess.run([*cmd, str(DEMO / FILES[0][1]), "--out-dir", str(tmp / "warm")], check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([*cmd, "--samples", str(sheet), "--out-dir", str(tmp / "batch")], check=True, capture_output=True)
        batch = time.perf_counter() - start
        start = time.perf_counter()
        for s, f, p in rows[: args.single]:
            subprocess.run([*cmd, str(DEMO / p), "--format", f, "--sample", s, "--out-dir", str(tmp / "single")],
                           check=True, capture_output=True)
        single = (time.perf_counter() - start) / args.single * args.samples
    print(f"{args.samples} samples, one process (--samples): {batch:.2f} s ({batch / args.samples * 1000:.1f} ms/sample)")
    print(f"{args.samples} samples, one process each (measured {args.single}, scaled): {single:.2f} s "
          f"({single / args.samples * 1000:.1f} ms/sample)")
    print(f"ratio: one process is {single / batch:.1f}x faster")


if __name__ == "__main__":
    main()

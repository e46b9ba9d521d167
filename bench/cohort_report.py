#!/usr/bin/env python3
"""Cohort HTML report at scale (issue 11): file size, Python write time, time to the first filtered page.

Generates a cohort (seeded): N samples of ~78 calls each (40-120), drawn from ~1,500 distinct fusions with a
skewed frequency (a few in thousands of samples, most in a handful), each fusion with its own frame, exons,
kinase domain and share kept, actionability, drugs (with approval details in brackets) and review flag; split
and spanning reads vary per call; four callers. Then, for each size:

- writes the report with this checkout's writers/html.py ("after") and, unless --no-before, with the version of
  that file at --before-rev ("before", loaded from git show into a module next to the package's own);
- opens each in headless Chromium with ?filter=frame:out_of_frame kinase_domain:retained&sort=split_reads&dir=desc
  and reads data-ready-ms (performance.now() when the first page is shown, from navigation start) from the DOM.
  --dump-dom runs with --virtual-time-budget so the asynchronous decode finishes before the dump. A 2,500-call
  report is measured the same way as the page's floor (browser start-up aside: parse, layout, SVG diagrams).

    .venv/bin/python bench/cohort_report.py                       # 100k and 780k calls, before and after
    .venv/bin/python bench/cohort_report.py --calls 100000 --no-before
    # real records: the C4 aggregate annotated, its 23,971 calls redrawn into 10,000 samples
    .venv/bin/fusion-annot annotate ../shared/callers/fusioninspector/FusionInspectorPaper.C4_targeted_fusions.tsv.gz \
        --sample C4 --out-dir /tmp/c4
    .venv/bin/python bench/cohort_report.py --from-json /tmp/c4/C4.fusions.json

Nothing is asserted; numbers are printed as a Markdown table.
"""
from __future__ import annotations

import argparse
import importlib.util
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERY = "?filter=frame:out_of_frame%20kinase_domain:retained&sort=split_reads&dir=desc"
FRAMES = ("in_frame",) * 6 + ("out_of_frame",) * 3 + ("stop_before_junction", "unknown")
KINASES = ("retained", "partial", "lost", "no_kinase", "")
DRUGS = ("", "", "larotrectinib [FDA accelerated approval 2018-11-26] | entrectinib [FDA 2019-08-15]",
         "crizotinib [FDA off-label, case evidence: durable response (S4[17])]", "selpercatinib [FDA 2020-05-08]",
         "imatinib [FDA 2001-05-10] | dasatinib [FDA 2006-06-28]", "")
ACTIONS = ("actionable", "investigational", "", "", "resistance")
CALLERS = ("star-fusion", "arriba", "fusioncatcher", "ctat-lr-fusion")


def fusions(n: int, rng: random.Random) -> list[dict]:
    out = []
    for k in range(n):
        gene5, gene3 = f"G{k:04d}A", f"K{k % 97:02d}B" if k % 3 else f"NTRK{k % 3 + 1}"
        frame = rng.choice(FRAMES)
        kinase = rng.choice(KINASES)
        out.append({
            "fusion_name": f"{gene5}::{gene3}", "gene5": gene5, "gene3": gene3, "chrom5": str(k % 22 + 1),
            "pos5": 1_000_000 + 137 * k, "strand5": "+", "chrom3": str((k * 7) % 22 + 1), "pos3": 5_000_000 + 91 * k,
            "strand3": "-", "transcript5": f"ENST{k:011d}", "transcript3": f"ENST{k + 50000:011d}",
            "exon5": rng.randint(1, 12), "exon3": rng.randint(2, 20), "exons5": "1-4", "exons3": "8-20",
            "site5": "exon_boundary", "site3": "exon_boundary", "frame": frame, "kinase_domain": kinase,
            "kinase_domain_kept_pct": rng.choice((100.0, 100.0, 87.5, 42.1)) if kinase in ("retained", "partial") else None,
            "fusion_protein_length": rng.randint(200, 1500), "actionability": rng.choice(ACTIONS),
            "drugs": rng.choice(DRUGS), "review_flag": rng.choice(("", "", "", "low_support", "no_reference_support")),
            "domains5": "Pointed domain 40-123", "domains3": "Protein kinase domain 539-823",
        })
    return out


def cohort(n_calls: int, *, per_sample: int = 78, n_fusions: int = 1500, seed: int = 11) -> list[dict]:
    """About n_calls records: samples of 40-120 calls (mean ~per_sample) until n_calls are made."""
    rng = random.Random(seed)
    pool = fusions(n_fusions, rng)
    weights = [1.0 / (k + 1) ** 1.1 for k in range(n_fusions)]  # a few fusions recurrent, a long tail
    records: list[dict] = []
    s = 0
    while len(records) < n_calls:
        s += 1
        take = min(rng.randint(per_sample // 2, per_sample * 3 // 2), n_calls - len(records))
        for f in rng.choices(pool, weights, k=take):
            records.append({**f, "sample": f"S{s:05d}", "caller": rng.choice(CALLERS),
                            "split_reads": int(rng.lognormvariate(2.5, 1.2)) + 1,
                            "spanning_reads": int(rng.lognormvariate(1.5, 1.3))})
    return records


def real_cohort(n_calls: int, path: Path, *, per_sample: int = 78, seed: int = 11) -> list[dict]:
    """About n_calls records drawn (seeded, with replacement) from the calls of one annotated JSON
    (SAMPLE.fusions.json), in samples of 40-120 calls, each call under its sample's name. Keys no report
    writer reads are dropped (memory: 780k full records would take several GB)."""
    import json

    sources = "".join((REPO / "fusion_annot" / "writers" / n).read_text() for n in ("html.py", "diagram.py", "svg.py"))
    pool = json.loads(path.read_text())["fusions"]
    keep = [k for k in pool[0] if k != "diagram" and (f'"{k}"' in sources or f'"{k.rstrip("53")}{{' in sources)]
    pool = [{k: r.get(k) for k in keep} for r in pool]
    rng = random.Random(seed)
    records: list[dict] = []
    s = 0
    while len(records) < n_calls:
        s += 1
        take = min(rng.randint(per_sample // 2, per_sample * 3 // 2), n_calls - len(records))
        records += [{**r, "sample": f"S{s:05d}"} for r in rng.choices(pool, k=take)]
    return records


def before_module(rev: str):
    source = subprocess.run(["git", "show", f"{rev}:fusion_annot/writers/html.py"], cwd=REPO, check=True,
                            capture_output=True, text=True).stdout
    path = Path(tempfile.mkdtemp(prefix="html_before_")) / "html_before.py"
    path.write_text(source)
    import fusion_annot.writers  # noqa: F401  (the package its relative imports resolve in)

    spec = importlib.util.spec_from_file_location("fusion_annot.writers._html_before", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def chromium() -> str:
    found = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if not found:
        sys.exit("chromium not found (apt-get install chromium)")
    return found


def first_page(page: Path, profile: Path, budget_ms: int) -> tuple[int | None, str, float]:
    """(data-ready-ms, 'showing N of M', wall seconds of the whole chromium run)."""
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}",
            "--dump-dom", page.as_uri() + QUERY]
    start = time.perf_counter()
    out = subprocess.run(args, capture_output=True, text=True, timeout=900).stdout
    wall = time.perf_counter() - start
    ready = re.search(r'data-ready-ms="(\d+)"', out)
    shown = re.search(r'showing <span id="shown">(\d+)</span> of (\d+)', out)
    return (int(ready.group(1)) if ready else None), (f"{shown.group(1)} of {shown.group(2)}" if shown else "?"), wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, nargs="+", default=[100_000, 780_000])
    parser.add_argument("--before-rev", default="1d8025a", help="git revision of the 'before' writers/html.py")
    parser.add_argument("--no-before", action="store_true")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--from-json", type=Path, help="draw the calls from this annotated SAMPLE.fusions.json "
                        "(real records, e.g. the FusionInspector C4 file annotated) instead of generating them")
    parser.add_argument("--keep", type=Path, help="write the reports here (default: a temporary folder)")
    args = parser.parse_args()

    from fusion_annot.writers import html as after

    versions = [("after", after)] + ([] if args.no_before else [("before", before_module(args.before_rev))])
    folder = args.keep or Path(tempfile.mkdtemp(prefix="cohort_report_"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    if not args.no_browser:
        small = after.write_report(folder / "floor.html", cohort(2_500))
        ready, shown, wall = first_page(small, folder / "profile", 20_000)
        rows.append(("2,500 (floor)", "after", f"{small.stat().st_size / 1e6:.2f}", "", f"{ready}", shown, f"{wall:.1f}"))
    for n in args.calls:
        records = real_cohort(n, args.from_json) if args.from_json else cohort(n)
        samples = len({r["sample"] for r in records})
        names = len({r["fusion_name"] for r in records})
        for label, module in versions:
            start = time.perf_counter()
            page = module.write_report(folder / f"{label}-{n}.html", records, title="cohort")
            seconds = time.perf_counter() - start
            size = page.stat().st_size / 1e6
            ready, shown, wall = (None, "", 0.0) if args.no_browser else first_page(page, folder / "profile", 120_000)
            rows.append((f"{n:,} ({samples:,} samples, {names:,} fusions)", label, f"{size:.1f}", f"{seconds:.1f}",
                         f"{ready}", shown, f"{wall:.1f}"))
            print(*rows[-1], sep=" | ", flush=True)
            if not args.keep:
                page.unlink()
    print("\n| calls | version | report MB | Python write s | first filtered page ms | shown | chromium run s |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Cohort HTML report at scale (issue 11): file size, Python write time, time to the first filtered page.

Generates a cohort (seeded): N samples of ~78 calls each (40-120), drawn from ~1,500 distinct fusions with a
skewed frequency (a few in thousands of samples, most in a handful), each fusion with its own frame, exons,
kinase domain and share kept, actionability, drugs (with approval details in brackets) and review flag; split
and spanning reads vary per call; four callers. Then, for each size:

- writes the report with this checkout's writers/html.py ("after") and, unless --no-before, with the version of
  that file at --before-rev ("before", loaded from git show into a module next to the package's own);
- opens each in headless Chromium (driven over its DevTools pipe, in real time) with
  ?filter=frame:out_of_frame kinase_domain:retained&sort=split_reads&dir=desc and reads data-ready-ms
  (performance.now() when the first page is shown, from navigation start). A 2,500-call report is measured
  the same way as the page's floor (parse, layout, the 300 SVG diagrams);
- then, in the same page, clicks the Sample header (sort all rows, re-filter, render), types a free-text term
  and clicks again, then clicks "next page", timing each.

(Not --dump-dom: waiting for the asynchronous decode needs --virtual-time-budget, under which performance.now()
stands still while a task runs, so the decode, sort and filter would not be counted.)

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


# Run in the page (DevTools Runtime.evaluate) once its first page is shown: times a header click
# (sort all rows, re-filter with the URL's filter, render a page), then a click with a free-text term typed
# in as well, then "next page". Each is synchronous in the page's script, so performance.now() around it is
# the whole cost.
CLICKS = """
(function () {
  var table = document.getElementById("calls");
  var wait = setInterval(function () {
    if (!table.hasAttribute("data-ready-ms")) { return; }
    clearInterval(wait);
    var th = table.querySelector('th[data-key="sample"]'), box = document.getElementById("filter");
    var t0 = performance.now();
    th.click();
    var t1 = performance.now();
    box.value = box.value + " ntrk";
    th.click();
    var t2 = performance.now();
    document.getElementById("next").click();
    var t3 = performance.now();
    table.setAttribute("data-clicks-ms", [t1 - t0, t2 - t1, t3 - t2].map(Math.round).join(","));
  }, 20);
})();
"""


class Chromium:
    """Headless Chromium driven over --remote-debugging-pipe (DevTools protocol: JSON messages ending in NUL on
    fds 3 and 4), so the page runs in real time: --virtual-time-budget (what --dump-dom needs to wait for the
    asynchronous decode) stops performance.now() while a task runs, which would hide the decode, sort and
    filter from data-ready-ms."""

    def __init__(self, profile: Path):
        import os

        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        self.proc = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer, self._id = b"", 0

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        import json
        import os

        self._id += 1
        message = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            while b"\0" not in self._buffer:
                chunk = os.read(self._from_chrome, 1 << 20)
                if not chunk:
                    raise RuntimeError("chromium closed the DevTools pipe")
                self._buffer += chunk
            raw, self._buffer = self._buffer.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def open(self, url: str) -> str:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def wait_for(self, session: str, expression: str, timeout: float = 600) -> object:
        """Evaluate expression in the page every 50 ms until it is not null; its value."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            value = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                              session).get("result", {}).get("value")
            if value is not None:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        self.proc.wait(timeout=60)


READY = """(function () { var t = document.getElementById("calls"); var n = document.getElementById("shown");
  return t && t.getAttribute("data-ready-ms") ? [t.getAttribute("data-ready-ms"), n.textContent,
  document.querySelectorAll("#calls tr.call").length] : null; })()"""
CLICKED = """(function () { var t = document.getElementById("calls");
  return t && t.getAttribute("data-clicks-ms"); })()"""


def measure(page: Path, profile: Path, clicks: bool) -> tuple[int, str, float, str]:
    """(data-ready-ms, 'showing N of M', wall seconds from opening the page to its first page, click times)."""
    browser = Chromium(profile)
    try:
        session = browser.open("about:blank")
        start = time.perf_counter()
        browser.send("Page.navigate", {"url": page.as_uri() + QUERY}, session)
        ready, shown, rows = browser.wait_for(session, READY)
        wall = time.perf_counter() - start
        total = re.search(r"of (\d+)</span>", page.read_text(encoding="utf-8")[:2_000_000] or "")
        click_times = ""
        if clicks:
            browser.send("Runtime.evaluate", {"expression": CLICKS}, session)
            click_times = str(browser.wait_for(session, CLICKED)).replace(",", " / ")
        return int(ready), f"{shown} of {total.group(1) if total else '?'} ({rows} rows shown)", wall, click_times
    finally:
        browser.close()


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
        ready, shown, wall, _ = measure(small, folder / "profile", clicks=False)
        rows.append(("2,500 (floor)", "after", f"{small.stat().st_size / 1e6:.2f}", "", f"{ready}", shown, f"{wall:.1f}",
                     ""))
    for n in args.calls:
        records = real_cohort(n, args.from_json) if args.from_json else cohort(n)
        samples = len({r["sample"] for r in records})
        names = len({r["fusion_name"] for r in records})
        for label, module in versions:
            start = time.perf_counter()
            page = module.write_report(folder / f"{label}-{n}.html", records, title="cohort")
            seconds = time.perf_counter() - start
            size = page.stat().st_size / 1e6
            ready, shown, wall, clicks = None, "", 0.0, ""
            if not args.no_browser:
                ready, shown, wall, clicks = measure(page, folder / "profile", clicks=True)
            rows.append((f"{n:,} ({samples:,} samples, {names:,} fusions)", label, f"{size:.1f}", f"{seconds:.1f}",
                         f"{ready}", shown, f"{wall:.1f}", clicks))
            print(*rows[-1], sep=" | ", flush=True)
            if not args.keep:
                page.unlink()
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    print("\n| calls | version | report MB | Python write s | first filtered page ms | shown | seconds to first page "
          "| sort click / sort + text filter / next page ms |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

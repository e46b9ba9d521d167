#!/usr/bin/env python3
"""Rebuild docs/report-etv6-ntrk3.png: annotate the demo ETV6::NTRK3 call, write its report, screenshot it.

    python scripts/report_screenshot.py [--out docs/report-etv6-ntrk3.png]

Needs headless Chromium (Debian: apt-get install chromium). Uses only files the
project ships (resources/demo/IFS01.star-fusion.tsv, the bundled reference).
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fusion_annot import cli  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "report-etv6-ntrk3.png"))
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1560)
    args = parser.parse_args()
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        print("chromium not found (apt-get install chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        demo = REPO / "resources" / "demo" / "IFS01.star-fusion.tsv"
        if cli.main(["annotate", str(demo), "--sample", "IFS01", "--out-dir", tmp]) != 0:
            return 1
        data = json.loads((tmp_path / "IFS01.fusions.json").read_text())
        data["fusions"] = [r for r in data["fusions"] if r["fusion_name"] == "ETV6::NTRK3"]
        data["metadata"]["input"] = "resources/demo/IFS01.star-fusion.tsv (ETV6::NTRK3 call)"
        only = tmp_path / "IFS01.etv6-ntrk3.json"
        only.write_text(json.dumps(data))
        page = tmp_path / "report.html"
        if cli.main(["report", str(only), "--out", str(page), "--title", "Fusion report: IFS01 (demo)"]) != 0:
            return 1
        result = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
             f"--window-size={args.width},{args.height}", f"--screenshot={args.out}", page.as_uri()],
            capture_output=True, text=True, timeout=120,
        )
        if result.returncode != 0:
            print(result.stderr, file=sys.stderr)
            return 1
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The command line as a user runs it: outputs, counts, exit codes, one-line errors."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fusion_annot.writers.records import CORE_COLUMNS
from fusion_annot.writers.tsv import read_tsv

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo" / "IFS01.star-fusion.tsv"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fusion_annot.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_annotate_demo_writes_tsv_json_rejects(tmp_path):
    res = run("annotate", DEMO, "--out-dir", tmp_path)
    assert res.returncode == 0, res.stderr
    assert "read 2 rows, annotated 2 calls" in res.stderr and "rejected 0" in res.stderr
    rows = read_tsv(tmp_path / "IFS01.fusions.tsv")
    assert list(rows[0])[: len(CORE_COLUMNS)] == list(CORE_COLUMNS)
    etv6 = next(r for r in rows if r["fusion_name"] == "ETV6::NTRK3")
    assert (etv6["exon5"], etv6["exon3"], etv6["frame"], etv6["kinase_domain"]) == ("5", "15", "in_frame", "retained")
    doc = json.loads((tmp_path / "IFS01.fusions.json").read_text())
    assert doc["metadata"]["reference"].startswith("bundled") and doc["metadata"]["coordinates"].startswith("1-based")
    assert [f["fusion_name"] for f in doc["fusions"]] == [r["fusion_name"] for r in rows]
    assert doc["fusions"][0]["exon5"] == int(rows[0]["exon5"])  # JSON keeps native types
    header = (tmp_path / "IFS01.fusions.tsv").read_text().splitlines()[0]
    assert header.startswith("## tool: fusion-annot")
    assert read_tsv(tmp_path / "IFS01.rejects.tsv") == []


def test_every_row_is_annotated_or_rejected(tmp_path, callers_dir):
    # hg19 cell-line calls against the bundled GRCh38 subset: most genes are not bundled
    src = callers_dir / "star-fusion" / "benchmark.K562.star-fusion.fusion_candidates.final.abridged"
    res = run("annotate", src, "--sample", "K562", "--out-dir", tmp_path, "--no-build-check")
    assert res.returncode == 0, res.stderr
    annotated = read_tsv(tmp_path / "K562.fusions.tsv")
    rejected = read_tsv(tmp_path / "K562.rejects.tsv")
    assert len(annotated) + len(rejected) == 50  # MANIFEST data_rows
    assert all(r["reason"] and r["source_line"] for r in rejected)


@pytest.mark.parametrize(
    "args, message",
    [
        (["annotate", "/no/such/file.tsv", "--out-dir", "OUT"], "/no/such/file.tsv: file not found"),
        (["annotate", "BAD", "--out-dir", "OUT"], ":1: unrecognised format"),
        (["annotate", "DEMO", "--sample", "../x", "--out-dir", "OUT"], "sample name '../x'"),
        (["describe", "ETV6 ex5::NTRK3 ex25"], "exon 25 not in ENST00000629765"),
        (["describe", "NOTAGENE ex1::NTRK3 ex15"], "NOTAGENE not in reference"),
    ],
)
def test_bad_input_gives_one_line_and_exit_2(tmp_path, args, message):
    bad = tmp_path / "bad.tsv"
    bad.write_text("foo\tbar\n1\t2\n")
    args = [str(bad) if a == "BAD" else str(DEMO) if a == "DEMO" else str(tmp_path / "o") if a == "OUT" else a for a in args]
    res = run(*args)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr


def test_describe_prints_the_sign_out_summary():
    res = run("describe", "KHDRBS1 exons 1-8 :: NTRK1 exons 12-17")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("KHDRBS1::NTRK1")
    assert "keeps exons 12-17" in res.stdout and "frame: in_frame" in res.stdout and "retained" in res.stdout


@pytest.mark.parametrize("text", ["ETV6 ex5::NTRK3 ex15", "ETV6::NTRK3 12:11869969:+ 15:87940753:-", "NTRK3-ETV6"])
def test_describe_json_gives_the_same_record(text):
    res = run("describe", text, "--json")
    assert res.returncode == 0, res.stderr
    rec = json.loads(res.stdout)["fusion"]
    assert set(CORE_COLUMNS) <= set(rec)
    assert rec["fusion_name"] == "ETV6::NTRK3"  # kinase-first seed wording is reordered
    if "ex5" in text or "11869969" in text:
        assert (rec["exon5"], rec["exon3"], rec["frame"], rec["kinase_domain"]) == (5, 15, "in_frame", "retained")


def test_sample_option_names_every_row_over_a_sample_column(tmp_path, callers_dir):
    # JAFFA writes its own run name ("jaffa-direct") in its sample column
    src = callers_dir / "jaffa" / "benchmark.K562.JAFFA_DIRECT.jaffa_results.csv"
    res = run("annotate", src, "--sample", "P1", "--no-build-check", "--out-dir", tmp_path)
    assert res.returncode == 0, res.stderr
    rows = read_tsv(tmp_path / "P1.fusions.tsv") + read_tsv(tmp_path / "P1.rejects.tsv")
    assert rows and {r["sample"] for r in rows} == {"P1"}


@pytest.mark.parametrize("args, message", [
    (["annotate", "DEMO", "--out-dir", "AFILE"], "--out-dir is a file"),
    (["annotate", "DEMO", "--reference", "AFILE", "--out-dir", "OUT"], "not a GTF line"),
    (["report", "JSON", "--out", "/proc/no/such/report.html"], "No such file or directory"),
])
def test_unusable_paths_give_one_line(tmp_path, args, message):
    afile = tmp_path / "afile"
    afile.write_text("not\ta gtf\n")
    demo_out = tmp_path / "demo"
    run("annotate", DEMO, "--out-dir", demo_out)
    subst = {"DEMO": str(DEMO), "AFILE": str(afile), "OUT": str(tmp_path / "o"), "JSON": str(demo_out / "IFS01.fusions.json")}
    res = run(*[subst.get(a, a) for a in args])
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and message in res.stderr, res.stderr

"""Many samples in one process (issue 11 part 1): `annotate A B C` and `annotate --samples SHEET` write the
outputs single-sample runs write, and a bad sample is reported while the others still run."""
from __future__ import annotations

from pathlib import Path

from fusion_annot.cli import main

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo"
SAMPLES = [("IFS01", "star-fusion", "IFS01.star-fusion.tsv"), ("IFS02", "arriba", "IFS02.arriba.tsv"),
           ("STS03", "fusioncatcher", "STS03.fusioncatcher.txt"), ("STS04", "jaffa", "STS04.jaffa.csv")]


def _without_timestamp(path: Path) -> str:
    return "".join(line for line in path.read_text().splitlines(keepends=True) if '"created"' not in line
                   and not line.startswith("## created"))


def test_sample_sheet_run_equals_single_sample_runs_and_survives_a_bad_sample(tmp_path, capsys):
    bad = tmp_path / "BAD.tsv"
    bad.write_text("this is not a fusion file\n")
    sheet = tmp_path / "samples.tsv"
    rows = [f"{s}\t{f}\t{DEMO / p}\tinfantile fibrosarcoma" for s, f, p in SAMPLES]
    rows.insert(2, f"BAD\tauto\t{bad}\t")
    sheet.write_text("\ufeffsample\tformat\tpath\ttumor_type\n" + "\n".join(rows) + "\n")  # a BOM, as Excel writes
    assert main(["annotate", "--samples", str(sheet), "--out-dir", str(tmp_path / "batch")]) == 2
    err = capsys.readouterr().err
    assert "error: sample BAD:" in err and "annotated 4 of 5 samples; failed: BAD" in err
    for sample, fmt, name in SAMPLES:
        single = tmp_path / "single" / sample
        assert main(["annotate", str(DEMO / name), "--format", fmt, "--sample", sample, "--tumor-type",
                     "infantile fibrosarcoma", "--out-dir", str(single)]) == 0
        for kind in ("fusions.tsv", "fusions.json", "rejects.tsv"):
            batch_file = tmp_path / "batch" / f"{sample}.{kind}"
            assert _without_timestamp(batch_file) == _without_timestamp(single / f"{sample}.{kind}"), (sample, kind)
    assert not (tmp_path / "batch" / "BAD.fusions.tsv").exists()


def test_several_inputs_in_one_call_and_name_clashes_refused(tmp_path, capsys):
    out = tmp_path / "out"
    inputs = [str(DEMO / "IFS01.star-fusion.tsv"), str(DEMO / "STS03.fusioncatcher.txt")]
    assert main(["annotate", *inputs, "--out-dir", str(out)]) == 0
    assert (out / "IFS01.fusions.tsv").is_file() and (out / "STS03.fusions.tsv").is_file()
    capsys.readouterr()
    clash = tmp_path / "clash"
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), str(DEMO / "IFS01.arriba.tsv"), "--out-dir", str(clash)]) == 2
    assert "default sample name 'IFS01'" in capsys.readouterr().err
    assert not clash.exists()  # refused before anything was written
    assert main(["annotate", *inputs, "--sample", "X", "--out-dir", str(clash)]) == 2
    assert "--sample names one sample" in capsys.readouterr().err


def test_bad_sample_sheets_are_one_line_errors(tmp_path, capsys):
    sheet = tmp_path / "s.tsv"
    for text, message in (("sample\tpath\nA\tx\n", "missing column(s) format"),
                          ("sample\tformat\tpath\nA\tauto\tx\nA\tauto\ty\n", "sample 'A' is duplicated (first on line 2)"),
                          ("sample\tformat\tpath\nP1 \n", "empty path"),
                          ("sample\tformat\tpath\nbad/name\tauto\tx\n", "sample name 'bad/name'")):
        sheet.write_text(text)
        assert main(["annotate", "--samples", str(sheet), "--out-dir", str(tmp_path / "o")]) == 2
        assert message in capsys.readouterr().err


def test_annotate_html_is_the_report_command_output(tmp_path):
    import re

    out = tmp_path / "out"
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--html", "--out-dir", str(out)]) == 0
    assert main(["report", str(out / "IFS01.fusions.json"), "--title", "IFS01", "--out", str(tmp_path / "r.html")]) == 0

    def stable(text: str) -> str:  # the CSP nonce and the creation times differ between two runs
        text = re.sub(r"nonce-?[A-Za-z0-9_\-\"=]+", "", text)
        return re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d\+00:00)?", "", text)

    assert stable((out / "IFS01.report.html").read_text()) == stable((tmp_path / "r.html").read_text())

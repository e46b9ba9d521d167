"""Cohort summaries (fusion_annot.cohort) and the `fusion-annot cohort` command, on hand-written rows."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from fusion_annot import cohort
from fusion_annot.cli import main
from fusion_annot.commands.cohort import load_cohort, read_fusion_table
from fusion_annot.errors import InputError

COLUMNS = (
    "sample", "caller", "fusion_name", "gene5", "gene3", "exon5", "exon3", "frame", "kinase_domain",
    "catalog_status", "actionability", "drugs", "review_flag", "interpretation", "source_line",
)


def row(sample, fusion, exon5="", exon3="", frame="in_frame", kinase="retained", status="", action="",
        caller="star-fusion", line="2", **extra):
    gene5, gene3 = fusion.split("::")
    r = {
        "sample": sample, "caller": caller, "fusion_name": fusion, "gene5": gene5, "gene3": gene3,
        "exon5": exon5, "exon3": exon3, "frame": frame, "kinase_domain": kinase, "catalog_status": status,
        "actionability": action, "drugs": "", "review_flag": "", "interpretation": "", "source_line": line,
    }
    r.update(extra)
    return r


COHORT = [
    row("S1", "ETV6::NTRK3", "5", "15", status="documented_partner", action="Level 1"),
    row("S1", "NTRK3::ETV6", "14", "6", frame="in_frame", kinase="not_applicable", action="not_actionable", line="3"),
    row("S2", "ETV6::NTRK3", "5", "15", status="documented_partner", action="Level 1", caller="arriba"),
    row("S3", "ETV6::NTRK3", "4", "15", status="documented_partner", action="Level 1", caller="jaffa"),
    row("S3", "TPM3::NTRK1", "7", "10", frame="out_of_frame", status="documented_partner",
        action="not_actionable", caller="jaffa", line="3"),
    row("S4", "EWSR1::NTRK1", "7", "10", status="not in catalog", action="Level 1", review_flag="partner not in catalog"),
    row("S5", "LMNA::NTRK1", "2", "11", status="", action=""),
]


def test_recurrent_fusion_counts_samples_not_rows():
    rows = COHORT + [row("S1", "ETV6::NTRK3", "5", "15", line="2", transcript3="alt")]  # same call, 2nd transcript
    table = cohort.recurrent_fusions(rows, min_samples=2)
    assert [r["fusion_name"] for r in table.rows] == ["ETV6::NTRK3"]
    top = table.rows[0]
    assert top["n_samples"] == 3 and top["n_calls"] == 3
    assert top["samples"] == "S1,S2,S3"
    assert top["junctions"] == "ETV6 e5::NTRK3 e15:2,ETV6 e4::NTRK3 e15:1"


def test_reciprocal_fusion_is_not_merged_with_forward_fusion():
    table = cohort.recurrent_fusions(COHORT, min_samples=1)
    names = {r["fusion_name"]: r["n_samples"] for r in table.rows}
    assert names["NTRK3::ETV6"] == 1 and names["ETV6::NTRK3"] == 3


def test_kinase_partners_group_by_3prime_kinase_gene():
    table = cohort.kinase_partners(COHORT)
    pairs = [(r["kinase_gene"], r["partner_gene"], r["n_samples"]) for r in table.rows]
    assert pairs == [
        ("NTRK1", "EWSR1", 1), ("NTRK1", "LMNA", 1), ("NTRK1", "TPM3", 1), ("NTRK3", "ETV6", 3),
    ]
    # NTRK3 as 5' partner (kinase_domain not_applicable for the 3' ETV6) is not a kinase partner row
    assert all(r["kinase_gene"] != "ETV6" for r in table.rows)


def test_frame_kinase_counts_list_every_vocabulary_cell_and_keep_unknown_values():
    rows = COHORT + [row("S6", "ETV6::NTRK3", frame="weird_value", kinase="retained")]
    table = cohort.frame_kinase_counts(rows)
    cells = {(r["frame"], r["kinase_domain"]): (r["n_calls"], r["n_samples"]) for r in table.rows}
    assert cells[("in_frame", "retained")] == (5, 5)
    assert cells[("out_of_frame", "retained")] == (1, 1)
    assert cells[("in_frame", "not_applicable")] == (1, 1)
    assert cells[("unknown", "lost")] == (0, 0)
    assert cells[("weird_value", "retained")] == (1, 1)
    assert cells[("in_frame", "unknown")] == (0, 0)  # no domain data: its own cell, never folded into not_applicable
    assert len(table.rows) == 6 * 5 + 1


def test_actionable_samples_status_per_sample_including_samples_without_fusions():
    samples = cohort.samples_of(COHORT, expected=["S9"])
    table = cohort.actionable_samples(COHORT, samples)
    status = {r["sample"]: r["status"] for r in table.rows}
    assert status == {
        "S1": "actionable", "S2": "actionable", "S3": "actionable", "S4": "actionable",
        "S5": "unknown", "S9": "no_fusions",
    }
    s3 = next(r for r in table.rows if r["sample"] == "S3")
    assert s3["actionable_fusions"] == "ETV6::NTRK3"  # the out-of-frame TPM3::NTRK1 is not listed
    assert [r["status"] for r in table.rows][-1] == "no_fusions"


def test_fusion_outside_the_knowledge_base_does_not_make_a_sample_not_actionable():
    rows = [
        row("S7", "EML4::ALK", "13", "20", status="no catalog kinase gene", action="not assessed"),
        row("S7", "TPM3::NTRK1", "7", "10", frame="out_of_frame", action="not actionable", line="3"),
        row("S8", "NTRK3::ETV6", "14", "6", kinase="not_applicable", action="not actionable"),
    ]
    table = cohort.actionable_samples(rows, ["S7", "S8"])
    assert [(r["sample"], r["status"]) for r in table.rows] == [("S7", "not_assessed"), ("S8", "not_actionable")]


@pytest.mark.parametrize("value,expected", [
    ("Level 1", "actionable"), ("Tier I-A", "actionable"), ("not_actionable", "not_actionable"),
    ("Not actionable: kinase lost", "not_actionable"), ("none", "not_actionable"), ("", "unknown"),
    ("non-actionable", "not_actionable"), ("not assessed", "not_assessed"),
    ("OncoKB Level 1; AMP/ASCO/CAP Tier I-A [unverified: R]", "actionable"),
])
def test_actionability_class(value, expected):
    assert cohort.actionability_class(value) == expected


def test_partners_not_in_catalog_come_from_catalog_status():
    table = cohort.not_in_catalog(COHORT)
    assert [(r["gene5"], r["gene3"], r["samples"]) for r in table.rows] == [("EWSR1", "NTRK1", "S4")]
    assert table.rows[0]["review_flag"] == "partner not in catalog"
    assert cohort.is_not_in_catalog("novel partner")  # outputs written before the rename


def test_sample_summary_counts_calls_and_rejects():
    samples = cohort.samples_of(COHORT, expected=["S9"])
    table = cohort.sample_summary(COHORT, samples, rejects={"S1": 2, "S9": 0})
    by = {r["sample"]: r for r in table.rows}
    assert by["S1"]["n_calls"] == 2 and by["S1"]["n_fusions"] == 2 and by["S1"]["n_rejects"] == 2
    assert by["S3"]["n_in_frame"] == 1 and by["S3"]["callers"] == "jaffa"
    assert by["S9"]["n_calls"] == 0 and by["S9"]["n_rejects"] == 0
    assert by["S2"]["n_rejects"] == ""


def _write_tsv(path, rows, comments=("# fusion-annot 0.1.0", "# reference: bundled")):
    lines = list(comments) + ["\t".join(COLUMNS)]
    lines += ["\t".join(str(r.get(c, "")) for c in COLUMNS) for r in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_read_fusion_table_skips_provenance_comments(tmp_path):
    path = _write_tsv(tmp_path / "S1.fusions.tsv", [r for r in COHORT if r["sample"] == "S1"])
    header, rows = read_fusion_table(str(path))
    assert header == list(COLUMNS) and len(rows) == 2 and rows[0]["fusion_name"] == "ETV6::NTRK3"


def test_read_fusion_table_missing_column_names_file_and_line(tmp_path):
    path = tmp_path / "bad.fusions.tsv"
    path.write_text("sample\tcaller\tfusion_name\nS1\tx\tA::B\n")
    with pytest.raises(InputError, match=r"bad.fusions.tsv:1: .*missing column\(s\) gene5"):
        read_fusion_table(str(path))


def test_read_fusion_table_ragged_row_is_an_error(tmp_path):
    path = _write_tsv(tmp_path / "S1.fusions.tsv", COHORT[:1])
    path.write_text(path.read_text() + "S1\tonly-two\n")
    with pytest.raises(InputError, match=r"S1.fusions.tsv:5: expected 15"):
        read_fusion_table(str(path))


def test_same_sample_in_two_files_is_an_error(tmp_path):
    a = _write_tsv(tmp_path / "a.fusions.tsv", COHORT[:1])
    b = _write_tsv(tmp_path / "b.fusions.tsv", COHORT[:1])
    with pytest.raises(InputError, match="sample 'S1' is also in"):
        load_cohort([str(a), str(b)])


def test_empty_sample_table_still_counts_the_sample(tmp_path):
    a = _write_tsv(tmp_path / "S1.fusions.tsv", COHORT[:1])
    empty = _write_tsv(tmp_path / "EMPTY.fusions.tsv", [])
    _, rows, samples = load_cohort([str(a), str(empty)])
    assert samples == ["EMPTY", "S1"] and len(rows) == 1


def test_cohort_command_writes_all_tables(tmp_path, capsys):
    paths = []
    for sample in ("S1", "S2", "S3", "S4", "S5"):
        paths.append(str(_write_tsv(tmp_path / f"{sample}.fusions.tsv", [r for r in COHORT if r["sample"] == sample])))
    (tmp_path / "S1.rejects.tsv").write_text("# c\nsample\tline\treason\nS1\t7\tno breakpoint\n")
    out = tmp_path / "cohort"
    assert main(["cohort", "--out-dir", str(out), *paths]) == 0
    for name in ("cohort.fusions", "samples", "recurrent_fusions", "kinase_partners", "frame_kinase_counts",
                 "actionable_samples", "not_in_catalog"):
        assert (out / f"{name}.tsv").is_file(), name
    summary = json.loads((out / "cohort.summary.json").read_text())
    assert summary["samples"] == 5 and summary["calls"] == 7
    assert summary["actionable_samples"] == ["S1", "S2", "S3", "S4"]
    assert summary["not_in_catalog_fusions"] == ["EWSR1::NTRK1"]
    samples = (out / "samples.tsv").read_text().splitlines()
    assert samples[1].split("\t")[:3] == ["S1", "star-fusion", "2"] and samples[1].split("\t")[7] == "1"
    assert len((out / "cohort.fusions.tsv").read_text().splitlines()) == 1 + len(COHORT)


def test_cohort_command_bad_input_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "x.fusions.tsv"
    bad.write_text("hello\tworld\n")
    assert main(["cohort", "--out-dir", str(tmp_path / "o"), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "x.fusions.tsv:1" in err and "Traceback" not in err


def test_aggregate_rejects_are_counted_per_sample_and_all_rejected_samples_kept(tmp_path):
    """A multi-sample aggregate's rejects table counts per row sample; a sample with only rejects still shows."""
    import subprocess
    import sys

    from fusion_annot.writers.tsv import read_tsv

    repo = Path(__file__).resolve().parents[1]
    agg = tmp_path / "agg.tsv"
    header = "#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\tLeftBreakpoint\tRightGene\tRightBreakpoint\tsample\n"
    agg.write_text(header
                   + "ETV6--NTRK3\t5\t2\tONLY_REF_SPLICE\tETV6^X\tchr12:11869969:+\tNTRK3^Y\tchr15:87940753:-\tS1\n"
                   + "NOPE1--NOPE2\t5\t2\tONLY_REF_SPLICE\tNOPE1^X\tchr3:100:+\tNOPE2^Y\tchr4:100:+\tS1\n"
                   + "NOPE1--NOPE2\t5\t2\tONLY_REF_SPLICE\tNOPE1^X\tchr3:100:+\tNOPE2^Y\tchr4:100:+\tS2\n")
    out = tmp_path / "out"
    cli = [sys.executable, "-m", "fusion_annot.cli"]
    res = subprocess.run(cli + ["annotate", str(agg), "--format", "star-fusion", "--no-build-check", "--out-dir", str(out)],
                         capture_output=True, text=True, cwd=repo)
    assert res.returncode == 0, res.stderr
    res = subprocess.run(cli + ["cohort", "--out-dir", str(tmp_path / "cohort"), str(out / "agg.fusions.tsv")],
                         capture_output=True, text=True, cwd=repo)
    assert res.returncode == 0, res.stderr
    samples = {r["sample"]: r for r in read_tsv(tmp_path / "cohort" / "samples.tsv")}
    assert set(samples) == {"S1", "S2"}
    assert (samples["S1"]["n_rejects"], samples["S2"]["n_rejects"]) == ("1", "1")


def test_cohort_on_real_annotations_matches_the_full_rows(tmp_path, callers_dir, capsys):
    """The cohort command keeps only the columns the summaries read and copies rows through to
    cohort.fusions.tsv: on real annotate outputs (one with its columns reordered, as another version
    might write them) the files equal those made from every row with every column."""
    inputs = ["star-fusion/fusion-report.starfusion.tsv", "arriba/annoFuseData.arriba_example.tsv",
              "ericscript/benchmark.NCI-H889.MyEric.results.filtered.tsv"]
    paths = []
    for i, name in enumerate(inputs):
        out = tmp_path / f"S{i}"
        assert main(["annotate", str(callers_dir / name), "--sample", f"S{i}", "--out-dir", str(out)]) == 0
        paths.append(str(out / f"S{i}.fusions.tsv"))
    header, rows = read_fusion_table(paths[0])
    moved = header[-3:] + header[:-3]
    reordered = tmp_path / "S9.fusions.tsv"
    reordered.write_text("# another column order\n" + "\t".join(moved) + "\n" + "".join(
        "\t".join(r[c] for c in moved) + "\n" for r in ({**r, "sample": "S9"} for r in rows)))
    paths.append(str(reordered))
    assert main(["cohort", "--out-dir", str(tmp_path / "cohort"), *paths, "--rejects"]) == 0  # no reject counts
    capsys.readouterr()

    columns, every_row = [], []
    for path in paths:
        header, rows = read_fusion_table(path)
        columns += [c for c in header if c not in columns]
        every_row += rows
    assert len(every_row) > 100 and len({r["sample"] for r in every_row}) == 4
    combined = (tmp_path / "cohort" / "cohort.fusions.tsv").read_text()
    assert combined == "".join("\t".join(r.get(c, "") for c in line) + "\n"
                               for line, r in [(columns, dict(zip(columns, columns)))] + [(columns, r) for r in every_row])
    samples = cohort.samples_of(every_row)
    for table in cohort.cohort_tables(every_row, samples, 2, None):
        written = (tmp_path / "cohort" / f"{table.name}.tsv").read_text().splitlines()
        assert written[0].split("\t") == list(table.columns)
        assert written[1:] == ["\t".join(str(r[c]) for c in table.columns) for r in table.rows], table.name
    _, slim, _ = load_cohort(paths, kept_columns=cohort.SUMMARY_COLUMNS)
    assert all(set(r) <= set(cohort.SUMMARY_COLUMNS) for r in slim) and len(slim) == len(every_row)

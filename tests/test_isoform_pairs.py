"""Every coding isoform pair, and the exon numbering labs use (issue 10 parts 1 and 3).

On the default (genome-wide, Ensembl 110) reference. Phases are re-counted here from the exon and CDS
coordinates of the reference (a plain overlap sum, not the mapping code), so the frame calls are checked
against an independent count.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from fusion_annot.cli import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MANE_SUMMARY = SHARED / "reference" / "tests-only" / "MANE.GRCh38.v1.0.summary.txt.gz"


def describe(capsys, notation, *options) -> dict:
    assert main(["describe", notation, "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)["fusion"]


def coding_nt_through_exon(tx, exon: int) -> int:
    """CDS bases in exons 1..exon (transcript order): overlap of each exon with the CDS intervals."""
    total = 0
    for s, e in tx.exons[:exon]:
        for cs, ce in tx.cds:
            total += max(0, min(e, ce) - max(s, cs) + 1)
    return total


def test_hand_counted_phases_of_cd74_and_both_ros1_models(bundled):
    reference, _ = bundled
    cd74 = reference.canonical_transcript("CD74")
    ros1 = reference.canonical_transcript("ROS1")
    ros1_202 = reference.transcript("ROS1-202")
    assert (cd74.strand, ros1.strand, ros1.exon_count, ros1_202.exon_count) == ("-", "-", 44, 43)
    assert coding_nt_through_exon(cd74, 6) % 3 == 1  # 5' end phase of CD74 exon 6
    # 3' start phase of exon k = CDS bases in exons 1..k-1, mod 3
    assert coding_nt_through_exon(ros1, 33) % 3 == 2  # canonical exon 34: out of frame after CD74 exon 6
    assert coding_nt_through_exon(ros1, 34) % 3 == 1  # canonical exon 35: in frame
    assert coding_nt_through_exon(ros1_202, 33) % 3 == 1  # ROS1-202 exon 34 (= canonical exon 35): in frame
    # the legacy exon 34 and canonical exon 35 start at the same base
    assert ros1_202.exon_5prime_end(33) == ros1.exon_5prime_end(34)


def test_cd74_ros1_by_coordinates_is_in_frame_on_canonical_exon_35(capsys):
    row = describe(capsys, "CD74::ROS1 5:150404680:- 6:117324415:-")
    assert (row["frame"], row["exon5"], row["exon3"], row["transcript3"]) == ("in_frame", 6, 35, "ENST00000368507")
    assert (row["phase5"], row["phase3"]) == (1, 1)
    assert (row["mane_exon3"], row["best_frame"], row["best_transcript3"]) == (35, "in_frame", "ENST00000368507")
    assert "isoform pair" not in row["review_flag"]


def test_cd74_ros1_with_the_legacy_transcript_named_is_in_frame_with_both_numberings(capsys):
    row = describe(capsys, "CD74 ex6::ROS1(ROS1-202) ex34")
    assert (row["frame"], row["transcript3"], row["exon3"], row["pos3"]) == ("in_frame", "ROS1-202", 34, 117324415)
    # the row carries the MANE Select / canonical exon number too
    assert (row["mane_transcript3"], row["mane_exon3"]) == ("ENST00000368507", 35)
    assert row["review_flag"] == ""


def test_plain_cd74_ros1_exon_34_is_flagged_naming_the_isoform(capsys):
    row = describe(capsys, "CD74 ex6::ROS1 ex34")
    assert (row["frame"], row["transcript3"], row["exon3"]) == ("out_of_frame", "ENST00000368507", 34)
    assert (row["best_frame"], row["best_transcript3"], row["best_exon3"]) == ("in_frame", "ROS1-202", 34)
    assert "exon numbering may follow ROS1-202" in row["review_flag"]
    assert "ROS1-202" in row["interpretation"] and "out of frame" in row["interpretation"]
    assert "ROS1-202" in row["actionability_pair"]


def test_plus_strand_numbering_flag_and_no_flag_when_canonical_is_in_frame(capsys):
    # NTRK1 (+): exon 10 of the canonical model is out of frame after TPM3 exon 7, exon 10 of NTRK1-201 is not
    flagged = describe(capsys, "TPM3 ex7::NTRK1 ex10")
    assert (flagged["strand3"], flagged["frame"], flagged["best_frame"]) == ("+", "out_of_frame", "in_frame")
    assert f"exon numbering may follow {flagged['best_transcript3']}" in flagged["review_flag"]
    assert "in frame on isoform pair" in flagged["actionability"]  # the verdict says which pair it rests on
    assert flagged["actionability"].startswith("not actionable")  # the listed (canonical) pair stays the call
    # negative cases, both strands: the canonical pair is in frame, nothing to flag
    for notation, strand in (("LMNA ex2::NTRK1 ex11", "+"), ("ETV6 ex5::NTRK3 ex15", "-")):
        row = describe(capsys, notation)
        assert (row["strand3"], row["frame"], row["best_frame"]) == (strand, "in_frame", "in_frame")
        assert "isoform pair" not in row["review_flag"] and "numbering" not in row["review_flag"]
        assert row["actionability_pair"] == f"{row['transcript5']}/{row['transcript3']}"


def test_preferred_transcripts_file_sets_the_numbering(capsys, tmp_path):
    table = tmp_path / "lab_transcripts.tsv"
    table.write_text("gene\ttranscript\nROS1\tROS1-202\n")
    row = describe(capsys, "CD74 ex6::ROS1 ex34", "--preferred-transcripts", str(table))
    assert (row["frame"], row["transcript3"], row["mane_exon3"]) == ("in_frame", "ROS1-202", 35)
    bad = tmp_path / "bad.tsv"
    bad.write_text("ROS1\tROS1-202\textra\n")
    assert main(["describe", "CD74 ex6::ROS1 ex34", "--preferred-transcripts", str(bad)]) == 2
    assert f"{bad}:1: expected 2 columns" in capsys.readouterr().err


@pytest.mark.skipif(not MANE_SUMMARY.is_file(), reason="needs ../shared/reference/tests-only")
def test_refseq_transcript_through_the_mane_summary(capsys):
    row = describe(capsys, "CD74 ex6::ROS1(NM_001378902.1) ex35", "--mane-summary", str(MANE_SUMMARY))
    assert (row["frame"], row["transcript3"], row["exon3"]) == ("in_frame", "ENST00000368507", 35)
    # a RefSeq ID without a MANE summary, or one the summary does not hold, is refused with the reason
    assert main(["describe", "CD74 ex6::ROS1(NM_002944.3) ex34", "--json"]) == 2
    assert "--mane-summary" in capsys.readouterr().err
    assert main(["describe", "CD74 ex6::ROS1(ROS1-299) ex34", "--json"]) == 2
    assert "ROS1-299 is not a coding transcript of ROS1" in capsys.readouterr().err


def _rows(path: Path) -> list[dict]:
    with open(path) as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("##")), delimiter="\t"))


@pytest.fixture(scope="module")
def c4_rows(tmp_path_factory, callers_dir):
    """Selected real rows of the FusionInspector C4 aggregate (TCGA), annotated through the CLI."""
    source = callers_dir / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz"
    import gzip

    with gzip.open(source, "rt") as fh:
        lines = fh.readlines()
    wanted = [line for line in lines[1:] if line.split("\t")[1] in ("TPM3::NTRK1", "ETV6::NTRK3", "SS18::SSX2")]
    d = tmp_path_factory.mktemp("c4")
    (d / "c4.tsv").write_text(lines[0] + "".join(wanted))
    assert main(["annotate", str(d / "c4.tsv"), "--out-dir", str(d / "out"), "--sample", "c4"]) == 0
    return _rows(d / "out" / "c4.fusions.tsv")


def test_real_row_canonical_out_of_frame_with_an_in_frame_isoform_pair(c4_rows):
    # OV-57-1585-TP TPM3::NTRK1, chr1:154169305 (-) :: chr1:156837726 (+): the canonical TPM3 pair is out of
    # frame; TPM3-201 (same junction base, its exon 8) with NTRK1-211 is in frame and keeps the kinase
    row = next(r for r in c4_rows if r["pos5"] == "154169305" and r["pos3"] == "156837726")
    assert (row["strand5"], row["strand3"], row["frame"]) == ("-", "+", "out_of_frame")
    assert (row["best_frame"], row["best_transcript5"], row["best_exon5"]) == ("in_frame", "TPM3-201", "8")
    assert row["best_kinase_domain"] == "retained"
    assert "another isoform pair is in frame" in row["review_flag"] and "TPM3-201" in row["review_flag"]
    assert "in frame on isoform pair" in row["actionability"]


def test_real_rows_in_frame_on_canonical_keep_their_pair(c4_rows):
    etv6 = [r for r in c4_rows if r["fusion_name"] == "ETV6::NTRK3" and r["frame"] == "in_frame"]
    assert etv6  # ETV6 (+) :: NTRK3 (-)
    for row in etv6:
        assert (row["best_transcript5"], row["best_transcript3"]) == (row["transcript5"], row["transcript3"])
        assert "isoform pair" not in row["review_flag"]


def test_real_minus_strand_3prime_alternative_pair(c4_rows):
    # SS18 (-) :: SSX2 (-), chrX:52698088: canonical SSX2 exon 7 out of frame, SSX2-201 (its exon 8) in frame
    row = next(r for r in c4_rows if r["fusion_name"] == "SS18::SSX2" and r["pos3"] == "52698088")
    assert (row["strand3"], row["frame"], row["best_frame"], row["best_transcript3"]) == ("-", "out_of_frame", "in_frame", "SSX2-201")
    assert row["isoform_pairs"].endswith("in frame")


def test_annotate_takes_the_preferred_list_and_records_it(tmp_path):
    calls = tmp_path / "report_lines.txt"
    calls.write_text("CD74 ex6::ROS1 ex34\nETV6 ex5::NTRK3 ex15\n")
    table = tmp_path / "lab.tsv"
    table.write_text("# lab numbering\nROS1,ROS1-202\n")
    out = tmp_path / "out"
    assert main(["annotate", str(calls), "--out-dir", str(out), "--sample", "lab",
                 "--preferred-transcripts", str(table)]) == 0
    text = (out / "lab.fusions.tsv").read_text()
    assert f"## preferred_transcripts: {table} (1 genes)" in text
    rows = _rows(out / "lab.fusions.tsv")
    ros1, ntrk3 = rows
    assert (ros1["transcript3"], ros1["exon3"], ros1["mane_exon3"], ros1["frame"]) == ("ROS1-202", "34", "35", "in_frame")
    assert (ntrk3["transcript3"], ntrk3["frame"]) == ("ENST00000629765", "in_frame")  # genes not listed: MANE/canonical

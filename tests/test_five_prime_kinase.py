"""The 5' partner's own kinase domain (FGFR3::TACC3, FGFR2::BICC1): kinase_domain5, and an interpretation that
names which partner carries the kinase. Both strands, kept and lost; default genome-wide reference."""
from __future__ import annotations

import json

import pytest

from fusion_annot.cli import main


def describe(notation, capsys) -> dict:
    assert main(["describe", notation, "--json"]) == 0
    return json.loads(capsys.readouterr().out)["fusion"]


@pytest.mark.parametrize("notation,strand,frame,call,pct", [
    # FGFR3 (+, 806 aa, kinase aa 472-748): exon 17 keeps residues 1-758, phase 0 = TACC3 exon 11 phase 0
    ("FGFR3 ex17::TACC3 ex11", "+", "in_frame", "retained", 100.0),
    ("FGFR3 ex14::TACC3 ex11", "+", "in_frame", "partial", 65.7),  # cut inside the kinase domain
    ("FGFR3 ex5::TACC3 ex11", "+", "in_frame", "lost", 0.0),  # before it
    # FGFR2 (-, kinase aa 481-757): exon 17 keeps it whole; exon 8 ends before it (and at phase 1: out of frame)
    ("FGFR2 ex17::BICC1 ex3", "-", "in_frame", "retained", 100.0),
    ("FGFR2 ex8::BICC1 ex3", "-", "out_of_frame", "lost", 0.0),
])
def test_five_prime_kinase_domain_is_assessed_on_both_strands(capsys, notation, strand, frame, call, pct):
    row = describe(notation, capsys)
    assert (row["strand5"], row["frame"], row["kinase_domain5"], row["kinase_domain5_kept_pct"]) == (strand, frame, call, pct)
    assert row["kinase_domain"] == "not_applicable"  # TACC3 / BICC1: domain data, no kinase
    assert "IPR001245" in row["kinase_domain5_detail"]


def test_interpretation_names_the_partner_that_carries_the_kinase(capsys):
    fgfr3 = describe("FGFR3 ex17::TACC3 ex11", capsys)
    assert "the 5' partner FGFR3 carries the kinase domain: the fusion keeps it, in frame" in fgfr3["interpretation"]
    bcr_abl = describe("BCR ex13::ABL1 ex2", capsys)
    assert bcr_abl["kinase_domain"] == "retained" and bcr_abl["kinase_domain5"] == "not_applicable"
    assert "the 3' partner ABL1 carries the kinase domain" in bcr_abl["interpretation"]
    assert "5' partner" not in bcr_abl["interpretation"]


def test_a_3prime_kinase_fusion_reports_no_5prime_kinase(capsys):
    row = describe("ETV6 ex5::NTRK3 ex15", capsys)
    assert (row["kinase_domain"], row["kinase_domain5"]) == ("retained", "not_applicable")


def test_five_prime_kinase_columns_are_in_the_tsv():
    from fusion_annot.writers.records import DETAIL_COLUMNS

    assert {"kinase_domain5", "kinase_domain5_kept_pct", "kinase_domain5_detail"} <= set(DETAIL_COLUMNS)

"""User domain tables: an Ensembl BioMart export taken as it comes, and malformed tables refused with the
file and line (a wrong table must never turn a kinase call into "lost" or "not applicable")."""
from __future__ import annotations

import gzip
import json

import pytest

from fusion_annot.cli import main

BIOMART_DISPLAY = ["Gene stable ID", "Transcript stable ID", "Transcript stable ID version", "Interpro ID",
                   "Interpro start", "Interpro end", "Interpro Short Description", "Pfam ID", "Pfam start", "Pfam end"]
BIOMART_ATTRIBUTES = ["ensembl_gene_id", "ensembl_transcript_id", "ensembl_transcript_id_version", "interpro",
                      "interpro_start", "interpro_end", "interpro_short_description", "pfam", "pfam_start", "pfam_end"]
CANONICAL = {"ETV6": ("ENSG00000139083", "ENST00000396373"), "NTRK3": ("ENSG00000140538", "ENST00000629765")}


def biomart_export(shared_dir, path, header):
    """What BioMart gives for ETV6/NTRK3 (InterPro + Pfam attributes), built from the shared Ensembl 110 domain
    table: versioned IDs beside unversioned ones, one row per feature, Pfam cells empty on InterPro rows."""
    lines = ["\t".join(header)]
    with gzip.open(shared_dir / "reference" / "protein_domains.ensembl110.tsv.gz", "rt") as fh:
        columns = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            row = dict(zip(columns, line.rstrip("\n").split("\t")))
            gene = row["gene_name"]
            if gene not in CANONICAL or row["transcript_id"] != CANONICAL[gene][1] or row["decode"] == "aligned":
                continue
            gene_id, tid = CANONICAL[gene]
            ids = [gene_id, tid, f"{tid}.3"]
            if row["source"] == "InterPro":
                lines.append("\t".join(ids + [row["accession"], row["aa_start"], row["aa_end"], row["description"], "", "", ""]))
            elif row["source"] == "Pfam":
                lines.append("\t".join(ids + ["", "", "", "", row["accession"], row["aa_start"], row["aa_end"]]))
    path.write_text("\n".join(lines) + "\n")
    return path


def describe(notation, *options, capsys):
    assert main(["describe", notation, "--json", *options]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("header", [BIOMART_DISPLAY, BIOMART_ATTRIBUTES], ids=["display-names", "attribute-names"])
def test_a_biomart_export_is_read_as_it_comes(shared_dir, catalog_gtf, tmp_path, capsys, header):
    export = biomart_export(shared_dir, tmp_path / "mart_export.txt", header)
    out = describe("ETV6 ex5::NTRK3 ex15", "--reference", str(catalog_gtf), "--domains", str(export),
                   "--cache-dir", str(tmp_path / "cache"), capsys=capsys)
    assert "mart_export.txt" in out["metadata"]["domain_table"]
    row = out["fusion"]
    assert row["kinase_domain"] == "retained"
    assert "IPR001245" in row["kinase_domain_detail"] and "539-823" in row["kinase_domain_detail"]
    assert "Pointed domain" in row["domains5"]


def test_a_transcript_listed_in_a_biomart_export_without_features_has_no_kinase(catalog_gtf, tmp_path, capsys):
    """A BioMart row with empty feature cells: the transcript was looked at and has none (not 'no data')."""
    export = tmp_path / "mart.tsv"
    export.write_text("\t".join(BIOMART_DISPLAY[:7]) + "\n"
                      "ENSG00000140538\tENST00000629765\tENST00000629765.3\t\t\t\t\n"
                      "ENSG00000139083\tENST00000396373\tENST00000396373.8\tIPR003118\t40\t123\tPointed domain\n")
    out = describe("ETV6 ex5::NTRK3 ex15", "--reference", str(catalog_gtf), "--domains", str(export),
                   "--cache-dir", str(tmp_path / "cache"), capsys=capsys)
    assert out["fusion"]["kinase_domain"] == "not_applicable"


@pytest.mark.parametrize("body,line,reason", [
    ("ENST00000629765\tNTRK3-217\tNTRK3\tInterPro\tIPR001245\tkinase\t823\t539\tx\tnamed\n", 2, "aa_start 823 > aa_end 539"),
    ("ENST00000629765\tNTRK3-217\tNTRK3\tInterPro\tIPR001245\tkinase\t5x9\t823\tx\tnamed\n", 2, "aa_start must be an integer"),
    ("ENST00000629765\tNTRK3-217\tNTRK3\tInterPro\tIPR001245\tkinase\t0\t823\tx\tnamed\n", 2, "aa_start must be >= 1"),
    ("", 1, "header but no rows"),
], ids=["start-after-end", "non-integer", "zero", "header-only"])
def test_a_malformed_domain_table_is_a_one_line_error(tmp_path, capsys, body, line, reason):
    table = tmp_path / "domains.tsv"
    table.write_text("transcript_id\ttranscript_name\tgene_name\tsource\taccession\tdescription\taa_start\taa_end"
                     "\tfeature_type\tdecode\n" + body)
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--domains", str(table)]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{table}:{line}" in err and reason in err
    assert captured.out == ""  # nothing half-written


def test_a_table_with_swapped_or_missing_columns_is_refused(tmp_path, capsys):
    table = tmp_path / "domains.tsv"
    table.write_text("transcript\tstart\tend\nENST00000629765\t539\t823\n")
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--domains", str(table)]) == 2
    err = capsys.readouterr().err
    assert "domain table lacks column(s)" in err and "BioMart" in err


def test_features_sharing_source_and_range_keep_one_order(tmp_path):
    """UniProt topology rows share source, accession ('') and range: their order must not follow the hash seed,
    or the shipped reference would not rebuild byte for byte."""
    from fusion_annot.domains import load_domain_table

    table = tmp_path / "d.tsv"
    table.write_text("transcript_id\ttranscript_name\tgene_name\tsource\taccession\tdescription\taa_start\taa_end\n"
                     "T1\tX-201\tX\tUniProt\t\tZeta\t141\t162\nT1\tX-201\tX\tUniProt\t\tAlpha\t141\t162\n"
                     "T2\tY-201\tY\tPfam\tPF00069\tPkinase\t10\t250\n")  # a table needs one InterPro/Pfam feature
    rows = load_domain_table(table).for_transcript("T1", "X-201")
    assert [r.description for r in rows] == ["Alpha", "Zeta"]

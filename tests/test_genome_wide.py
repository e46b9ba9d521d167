"""The default reference is genome-wide: real kinase fusions outside the NTRK catalog are assessed as NTRK
fusions are, a whole TCGA/GTEx aggregate annotates as with the full coding GTF, and a reference without
domain data says "unknown", never "not_applicable"."""
from __future__ import annotations

import csv
import gzip
import re
from collections import Counter
from pathlib import Path

import pytest

from fusion_annot.cli import main

STAR_FUSION_HEADER = ("#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\tLeftBreakpoint"
                      "\tRightGene\tRightBreakpoint\tLargeAnchorSupport\tFFPM\n")

# The SeraCare-style reference mix: (5' gene, exon, 3' gene as a caller names it, exon, 3' gene if a kinase).
# Exons in MANE Select numbering (ROS1 exon 35 = legacy exon 34).
REFERENCE_MIX = [
    ("EML4", 13, "ALK", 20, "ALK"),
    ("KIF5B", 15, "RET", 12, "RET"),
    ("CCDC6", 1, "RET", 12, "RET"),
    ("NCOA4", 8, "RET", 12, "RET"),
    ("CD74", 6, "ROS1", 35, "ROS1"),
    ("SLC34A2", 4, "ROS1", 33, "ROS1"),
    ("FGFR3", 17, "TACC3", 11, None),
    ("FGFR3", 17, "BAIAP2L1", 2, None),
    ("EGFR", 24, "SEPT14", 10, None),  # STAR-Fusion's older symbol for SEPTIN14
    ("ETV6", 5, "NTRK3", 15, "NTRK3"),
    ("LMNA", 2, "NTRK1", 11, "NTRK1"),
    ("TPM3", 8, "NTRK1", 10, "NTRK1"),
    ("TFG", 5, "NTRK1", 10, "NTRK1"),
    ("PAX8", 7, "PPARG", 1, None),
    ("TMPRSS2", 1, "ERG", 2, None),
    ("SLC45A3", 1, "BRAF", 8, "BRAF"),
]
GTF_NAMES = {"SEPT14": "SEPTIN14"}


def canonical_exons(gtf: Path, genes: set[str]) -> dict[str, tuple[str, str, dict[int, tuple[int, int]]]]:
    """{gene: (chrom, strand, {exon_number: (start, end)})} of each gene's Ensembl canonical (= MANE Select here)
    transcript, read straight from the GTF text (1-based, inclusive), independently of fusion_annot's reader."""
    out: dict[str, tuple[str, str, dict[int, tuple[int, int]]]] = {}
    with gzip.open(gtf, "rt") as fh:
        for line in fh:
            if '\texon\t' not in line or 'Ensembl_canonical' not in line:
                continue
            fields = line.split("\t")
            name = re.search(r'gene_name "([^"]+)"', fields[8]).group(1)
            if name not in genes:
                continue
            number = int(re.search(r'exon_number "(\d+)"', fields[8]).group(1))
            chrom, strand, exons = out.setdefault(name, (fields[0], fields[6], {}))
            exons[number] = (int(fields[3]), int(fields[4]))
    return out


@pytest.fixture(scope="module")
def reference_mix_file(shared_dir, tmp_path_factory) -> Path:
    genes = {g for row in REFERENCE_MIX for g in (row[0], GTF_NAMES.get(row[2], row[2]))}
    models = canonical_exons(shared_dir / "reference" / "ensembl110_coding.gtf.gz", genes)
    assert set(models) == genes
    lines = [STAR_FUSION_HEADER]
    for gene5, exon5, gene3, exon3, _ in REFERENCE_MIX:
        chrom5, strand5, exons5 = models[gene5]
        chrom3, strand3, exons3 = models[GTF_NAMES.get(gene3, gene3)]
        pos5 = exons5[exon5][1] if strand5 == "+" else exons5[exon5][0]  # last base of the 5' exon kept
        pos3 = exons3[exon3][0] if strand3 == "+" else exons3[exon3][1]  # first base of the 3' exon kept
        lines.append(f"{gene5}--{gene3}\t20\t10\tONLY_REF_SPLICE\t{gene5}^ENSG0\tchr{chrom5}:{pos5}:{strand5}"
                     f"\t{gene3}^ENSG0\tchr{chrom3}:{pos3}:{strand3}\tYES_LDAS\t1.0\n")
    path = tmp_path_factory.mktemp("mix") / "reference_mix.star-fusion.tsv"
    path.write_text("".join(lines))
    return path


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("##")), delimiter="\t"))


def test_reference_mix_is_annotated_whole_with_the_default_reference(reference_mix_file, tmp_path):
    assert main(["annotate", str(reference_mix_file), "--sample", "MIX", "--out-dir", str(tmp_path)]) == 0
    rows = read_rows(tmp_path / "MIX.fusions.tsv")
    assert read_rows(tmp_path / "MIX.rejects.tsv") == []
    by_pair = {(r["gene5"], r["exon5"], r["gene3_original"].split(" (")[0] or r["gene3"], r["exon3"]): r for r in rows}
    assert len(by_pair) == len(REFERENCE_MIX) == 16
    for gene5, exon5, gene3, exon3, kinase in REFERENCE_MIX:
        row = by_pair[(gene5, str(exon5), gene3, str(exon3))]
        assert row["site5"] == row["site3"] == "exon_boundary", row["fusion_name"]
        if kinase:
            assert row["kinase_domain"] == "retained", (row["fusion_name"], row["kinase_domain_detail"])
        else:  # domain data present, no kinase domain in the 3' partner
            assert row["kinase_domain"] == "not_applicable", row["fusion_name"]
    septin = by_pair[("EGFR", "24", "SEPT14", "10")]
    assert (septin["gene3"], septin["fusion_name"]) == ("SEPTIN14", "EGFR::SEPTIN14")
    assert septin["gene3_original"] == "SEPT14 (synonym)"
    frames = {r["fusion_name"]: r["frame"] for r in rows}
    # the classic in-frame junctions of the mix
    for name in ("EML4::ALK", "KIF5B::RET", "CCDC6::RET", "ETV6::NTRK3", "LMNA::NTRK1", "TPM3::NTRK1",
                 "FGFR3::TACC3", "FGFR3::BAIAP2L1", "CD74::ROS1", "SLC34A2::ROS1", "NCOA4::RET", "TFG::NTRK1",
                 "EGFR::SEPTIN14", "PAX8::PPARG"):
        assert frames[name] == "in_frame", name
    # TMPRSS2 exon 1 and SLC45A3 exon 1 are 5'UTR: the 3' partner is expressed from its own start codon
    assert frames["TMPRSS2::ERG"] == frames["SLC45A3::BRAF"] == "utr5_fusion"


@pytest.mark.slow
def test_c4_aggregate_annotates_as_many_rows_as_the_full_coding_gtf(callers_dir, shared_dir, tmp_path):
    c4 = callers_dir / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz"
    gtf = shared_dir / "reference" / "ensembl110_coding.gtf.gz"
    common = ["annotate", str(c4), "--no-build-check"]  # each row keeps its own sample (TCGA/GTEx)
    assert main([*common, "--out-dir", str(tmp_path / "default")]) == 0
    assert main([*common, "--out-dir", str(tmp_path / "gtf"), "--reference", str(gtf),
                 "--cache-dir", str(tmp_path / "cache")]) == 0
    def outputs(run):
        return (read_rows(next((tmp_path / run).glob("*.fusions.tsv"))),
                read_rows(next((tmp_path / run).glob("*.rejects.tsv"))))

    default, rejects = outputs("default")
    from_gtf, gtf_rejects = outputs("gtf")
    assert len(default) == len(from_gtf) > 20000
    assert len(rejects) == len(gtf_rejects)
    with gzip.open(c4, "rt") as fh:
        rows_read = sum(1 for _ in fh) - 1
    assert len({(r["source_line"]) for r in default}) + len(rejects) == rows_read  # every row accounted for
    # a coding-only reference lacks lncRNAs, pseudogenes and non-coding exons: those, and nothing else
    absent = [r for r in rejects if re.match(r"[35]' gene \S+ not in reference bundled", r["reason"])]
    outside = [r for r in rejects if "or an exon of a transcript this reference does not hold" in r["reason"]]
    assert len(absent) + len(outside) == len(rejects)
    assert len(outside) < 0.01 * len(rejects)
    unknown = [r for r in default if r["kinase_domain"] == "unknown"]
    # no domain row for the transcript (1,044 of them PCP4, a 62-aa peptide): said so, never "not_applicable"
    assert all(r["kinase_domain_detail"].startswith("no protein-domain data for") for r in unknown)
    assert len(unknown) < 0.06 * len(default)


def _strip_transcript_ids(source: Path, out: Path) -> Path:
    """The catalog GTF with transcript IDs and names no shipped domain row knows: a lab's own annotation."""
    with gzip.open(source, "rt") as fh, gzip.open(out, "wt") as dst:
        for line in fh:
            line = re.sub(r'transcript_id "ENST(\d+)"', r'transcript_id "LAB\1"', line)
            dst.write(re.sub(r'transcript_name "([^"]+)"', r'transcript_name "lab-\1"', line))
    return out


@pytest.mark.parametrize("notation,gene3", [("ETV6 ex5::NTRK3 ex15", "NTRK3"), ("EML4 ex13::ALK ex20", "ALK")])
def test_a_reference_without_domain_data_says_unknown_never_not_applicable(catalog_gtf, tmp_path, capsys,
                                                                          notation, gene3):
    gtf = _strip_transcript_ids(catalog_gtf, tmp_path / "lab.gtf.gz")
    assert main(["describe", notation, "--reference", str(gtf), "--cache-dir", str(tmp_path / "c"), "--json"]) == 0
    import json

    row = json.loads(capsys.readouterr().out)["fusion"]
    assert row["frame"] == "in_frame"
    assert row["kinase_domain"] == "unknown"
    assert "no protein-domain data for LAB" in row["kinase_domain_detail"], row["kinase_domain_detail"]
    # --domains none: no domain data for the original IDs either
    assert main(["describe", notation, "--reference", str(catalog_gtf), "--domains", "none",
                 "--cache-dir", str(tmp_path / "c"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["fusion"]["kinase_domain"] == "unknown"


@pytest.mark.slow
def test_the_shipped_pack_is_what_the_rebuild_script_makes(shared_dir):
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, str(repo / "scripts" / "build_bundled_reference.py"),
                             "--gtf", str(shared_dir / "reference" / "ensembl110_coding.gtf.gz"),
                             "--domains", str(shared_dir / "reference" / "protein_domains.ensembl110.tsv.gz"),
                             "--out", str(repo / "resources" / "reference" / "ensembl110_genome.fapack"), "--check"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr

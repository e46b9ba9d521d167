"""The clinical verdict uses everything known: resistance variants that pass filters, the patient's age against
each label, evidence strong enough to sign out (else "actionable, confirm" naming the assay), and the edge
rules for intragenic in-frame rearrangements and 5'UTR kinase junctions. Real notation through the bundled
reference and the bundled knowledge base; real caller rows; VCFs written here."""
from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest
import yaml

from fusion_annot.cli import main
from fusion_annot.errors import InputError
from fusion_annot.knowledge import load_knowledge_base
from fusion_annot.knowledge.eligibility import parse_age, parse_age_limit
from fusion_annot.knowledge.variants import read_variants
from fusion_annot.knowledge.verdict import (
    DEFAULT_MIN_SPLIT_READS, DEFAULT_MIN_SUPPORTING_READS, DEFAULT_RESISTANCE_MIN_DEPTH, DEFAULT_RESISTANCE_MIN_VAF,
    VerdictPolicy,
)
from fusion_annot.pipeline import Resources, make_interpreter
from fusion_annot.readers.notation import parse_notation
from fusion_annot.writers.records import to_record

REPO = Path(__file__).resolve().parents[1]
LMNA_NTRK1 = "LMNA ex2::NTRK1 ex11"  # facts A2/B4: LMNA e1-2 :: NTRK1 e11-17, in frame
G595R = ("1", 156876550, "G", "C")  # NTRK1 G595 codon, first base; G>C at codon position 1 is always Arg


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def resources(bundled, kb):
    reference, domains = bundled
    return Resources(reference, "bundled", domains, kb)


def judge(resources, text, variants=(), tumor_type=None, age=None, policy=None) -> dict:
    annotator = resources.annotator("canonical", make_interpreter(resources, variants, tumor_type, age, policy))
    (annotation,) = list(annotator.annotate_all([parse_notation(text, source="<test>", line=0, sample="t")]))
    return to_record(annotation)


def write_vcf(path: Path, records) -> Path:
    """A plain single-sample VCF: (chrom, pos, ref, alt, filter, depth, alt_reads) per record."""
    lines = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
             '##FILTER=<ID=LowQual,Description="Low quality">', "##contig=<ID=1,length=248956422>",
             "##contig=<ID=7,length=159345973>", "##contig=<ID=15,length=101991189>",
             '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTUMOR"]
    for chrom, pos, ref, alt, filt, depth, alt_reads in records:
        lines.append(f"{chrom}\t{pos}\t.\t{ref}\t{alt}\t50\t{filt}\t.\tGT:DP:AD\t0/1:{depth}:{depth - alt_reads},{alt_reads}")
    path.write_text("\n".join(lines) + "\n")
    return path


def variants_of(tmp_path, resources, kb, *records):
    vcf = write_vcf(tmp_path / "tumour.vcf", records)
    return read_variants(vcf, resources.reference, genes=kb.resistance_genes)


# --------------------------------------------------------------------------- resistance


def test_pass_g595r_moves_first_generation_drugs_out_of_eligible(resources, kb, tmp_path):
    variants = variants_of(tmp_path, resources, kb, (*G595R, "PASS", 80, 30))
    assert [(v.codon, v.depth, round(v.vaf, 3)) for v in variants] == [(595, 80, 0.375)]
    rec = judge(resources, LMNA_NTRK1, variants)
    eligible = rec["eligible_drugs"]
    assert "larotrectinib" not in eligible and "entrectinib" not in eligible
    assert eligible.startswith("repotrectinib")  # the label drug that keeps activity (resistance.tsv retains_activity)
    # the R levels of resistance.tsv, in the actionability column itself
    assert "resistance NTRK1 G595R: larotrectinib OncoKB R1, entrectinib OncoKB R2" in rec["actionability"]
    assert "depth 80, VAF 0.375" in rec["resistance"]
    assert rec["actionability"].startswith("OncoKB Level 1")
    assert "RESISTANCE: NTRK1 G595R, OncoKB R1: not eligible" in rec["drugs"]
    text = rec["interpretation"]
    assert "tumour-agnostic label: repotrectinib)" in text
    assert "not eligible: larotrectinib (resistance: NTRK1 G595R, OncoKB R1); entrectinib (resistance: NTRK1 G595R, OncoKB R2)" in text
    assert ("retains activity: selitrectinib (second-generation, investigational, OncoKB 3A), repotrectinib "
            "(second-generation, label), zurletrectinib (second-generation, regional: NMPA, OncoKB 4)") in text
    assert "resistance mutation detected" in rec["review_flag"]
    assert {"P12", "C1"} <= set(rec["actionability_refs"].split(";"))  # the resistance row's citations


def test_possible_off_target_braf_v600e_leaves_no_label_drug_eligible(resources, kb, tmp_path):
    # BRAF (-): V600 codon c.1798-1800 ends at 7:140753336; transcript T>A at codon position 2 is Glu or Asp
    # without a genome, so the hit is "possible"; resistance.tsv: off-target, every TRK inhibitor affected [D]
    rec = judge(resources, LMNA_NTRK1, variants_of(tmp_path, resources, kb, ("7", 140753336, "A", "T", "PASS", 80, 30)))
    assert rec["eligible_drugs"] == "none"
    assert "no tumour-agnostic label drug is eligible" in rec["interpretation"]
    assert "larotrectinib (possible resistance, not eligible unless ruled out: BRAF V600E?)" in rec["interpretation"]
    assert rec["resistance"].startswith("POSSIBLE BRAF p.V600E") and "--genome" in rec["resistance"]
    assert "resistance mutation detected (codon unresolved)" in rec["review_flag"]


def test_lowqual_g595r_leaves_the_verdict_unchanged_and_says_why(resources, kb, tmp_path):
    plain = judge(resources, LMNA_NTRK1)
    variants = variants_of(tmp_path, resources, kb, (*G595R, "LowQual", 80, 30))
    rec = judge(resources, LMNA_NTRK1, variants)
    for column in ("actionability", "eligible_drugs", "drugs", "interpretation"):
        assert rec[column] == plain[column], column
    assert "larotrectinib" in rec["eligible_drugs"] and "entrectinib" in rec["eligible_drugs"]
    assert "resistance variant not used: NTRK1 G595R (VCF FILTER LowQual)" in rec["review_flag"]
    assert rec["resistance"].startswith("NOT USED (VCF FILTER LowQual): NTRK1 p.G595R")
    assert "resistance mutation detected" not in rec["review_flag"]


def test_low_depth_or_vaf_g595r_is_not_used(resources, kb, tmp_path):
    shallow = judge(resources, LMNA_NTRK1, variants_of(tmp_path, resources, kb, (*G595R, "PASS", 12, 6)))
    assert "NTRK1 G595R (depth 12 < 20 (resistance_min_depth))" in shallow["review_flag"]
    assert "larotrectinib" in shallow["eligible_drugs"]
    faint = judge(resources, LMNA_NTRK1, variants_of(tmp_path, resources, kb, (*G595R, ".", 400, 8)))
    assert "VAF 0.02 < 0.05 (resistance_min_vaf)" in faint["review_flag"]
    # the thresholds come from the policy (config annotate.resistance_min_depth / resistance_min_vaf)
    lenient = judge(resources, LMNA_NTRK1, variants_of(tmp_path, resources, kb, (*G595R, "PASS", 12, 6)),
                    policy=VerdictPolicy(resistance_min_depth=10))
    assert "larotrectinib" not in lenient["eligible_drugs"]


def test_annotate_variants_and_thresholds_from_the_command_line(tmp_path, capsys):
    calls = tmp_path / "P1.txt"
    calls.write_text(LMNA_NTRK1 + "\n")
    vcf = write_vcf(tmp_path / "P1.vcf", [(*G595R, "PASS", 15, 7)])
    out = tmp_path / "out"
    assert main(["annotate", str(calls), "--format", "notation", "--variants", str(vcf), "--out-dir", str(out)]) == 0
    assert "depth 15 < 20" in read_rows(out / "P1.fusions.tsv")[0]["review_flag"]
    assert main(["annotate", str(calls), "--format", "notation", "--variants", str(vcf), "--out-dir", str(out),
                 "--resistance-min-depth", "10"]) == 0
    row = read_rows(out / "P1.fusions.tsv")[0]
    assert "larotrectinib" not in row["eligible_drugs"] and "repotrectinib" in row["eligible_drugs"]
    assert "depth >= 10" in (out / "P1.fusions.tsv").read_text().split("\n#", 1)[0] + "\n".join(
        line for line in (out / "P1.fusions.tsv").read_text().splitlines() if line.startswith("## "))
    assert main(["annotate", str(calls), "--format", "notation", "--out-dir", str(out),
                 "--resistance-min-vaf", "1.5"]) == 2
    assert "fraction between 0 and 1" in capsys.readouterr().err


# --------------------------------------------------------------------------- age


def test_age_limit_forms_of_the_therapy_table():
    assert parse_age_limit("no lower age limit").min_years == 0
    assert parse_age_limit("12 years and older").covers(12) and not parse_age_limit("12 years and older").covers(11.9)
    month = parse_age_limit("older than 1 month")
    assert month.strict and month.min_years == pytest.approx(1 / 12) and not month.covers(1 / 12) and month.covers(0.1)
    assert parse_age_limit("older than 6 months").min_years == pytest.approx(0.5)
    assert parse_age_limit("older than 1 month(s)").min_years == pytest.approx(1 / 12)
    assert parse_age_limit("3 months and older").covers(0.25)
    assert parse_age_limit("") is None
    assert parse_age_limit("adults and children").covers(5) is None  # not one of the forms: not applied


def test_every_age_limit_in_the_bundled_table_is_read(kb):
    unread = {row.age_limit for row in kb.therapies
              if parse_age_limit(row.age_limit) is not None and parse_age_limit(row.age_limit).min_years is None}
    # the one wording outside the agreed forms (the EMA larotrectinib row, until the table is updated): it is
    # never needed, since the FDA rows of the same drug have no lower age limit
    assert unread <= {"adults and children"}


def test_infant_ifs_only_drugs_whose_label_covers_the_age_are_eligible(resources, kb):
    rec = judge(resources, "ETV6 ex5::NTRK3 ex15", tumor_type="infantile fibrosarcoma", age=0.2)
    eligible = [d.split(" (")[0] for d in rec["eligible_drugs"].split("; ")]
    # what therapies.tsv says: a drug is eligible when one of its label/regional rows covers 0.2 years
    expected = []
    for drug in dict.fromkeys(t.drug for t in kb.therapies if t.role in ("label", "regional")):
        limits = [parse_age_limit(t.age_limit) for t in kb.therapies if t.drug == drug and t.role in ("label", "regional")]
        if any(l is not None and l.covers(0.2) for l in limits):
            expected.append(drug)
    assert eligible == expected
    assert {"larotrectinib", "entrectinib"} <= set(eligible)  # no lower limit; FDA: older than 1 month
    assert "repotrectinib" not in eligible and "zurletrectinib" not in eligible  # 12 years and older
    assert "repotrectinib [" in rec["drugs"] and "NOT ELIGIBLE: age 0.2 years (~2.4 months): label FDA 12 years and older" in rec["drugs"]
    assert "not eligible: repotrectinib (age 0.2 years" in rec["interpretation"]
    assert "label age excludes repotrectinib, zurletrectinib" in rec["review_flag"]
    newborn = judge(resources, "ETV6 ex5::NTRK3 ex15", age=0.05)  # ~18 days: not older than 1 month
    assert newborn["eligible_drugs"].split(" (")[0] == "larotrectinib"
    adult = judge(resources, "ETV6 ex5::NTRK3 ex15", age=45)
    assert adult["eligible_drugs"].startswith("larotrectinib; entrectinib; repotrectinib")


def test_age_from_the_command_line_and_the_sample_sheet(tmp_path, capsys):
    calls = tmp_path / "IFS.txt"
    calls.write_text("ETV6 ex5::NTRK3 ex15\n")
    out = tmp_path / "out"
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--age", "0.2"]) == 0
    assert "eligible: larotrectinib; entrectinib" in capsys.readouterr().out
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tformat\tpath\ttumor_type\tage\nIFS1\tnotation\t%s\tIFS\t0.2\nADULT\tnotation\t%s\t\t\n"
                     % (calls, calls))
    assert main(["annotate", "--samples", str(sheet), "--out-dir", str(out / "{sample}")]) == 0
    assert "repotrectinib" not in read_rows(out / "IFS1" / "IFS1.fusions.tsv")[0]["eligible_drugs"]
    assert "repotrectinib" in read_rows(out / "ADULT" / "ADULT.fusions.tsv")[0]["eligible_drugs"]
    capsys.readouterr()
    assert main(["describe", "ETV6::NTRK3", "--age", "two"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--age" in err and "'two' is not a number of years" in err
    sheet.write_text("sample\tformat\tpath\tage\nIFS1\tnotation\t%s\t-3\n" % calls)
    with pytest.raises(InputError) as bad:
        from fusion_annot.samplesheet import read_sample_sheet

        read_sample_sheet(sheet)
    assert bad.value.line == 2 and "outside 0-130 years" in bad.value.reason
    assert parse_age("0.2") == 0.2 and parse_age("") is None


# --------------------------------------------------------------------------- weak evidence


def read_rows(path: Path) -> list[dict]:
    lines = [l for l in path.read_text().splitlines() if not l.startswith("## ")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_one_split_read_is_actionable_confirm_naming_the_assay(callers_dir, tmp_path):
    # a real STAR-Fusion ETV6--NTRK3 row (10 split reads, 4 spanning) with its support cut to 1 and 0
    source = (callers_dir / "star-fusion" / "fusion-report.starfusion.tsv").read_text().splitlines()
    header, row = source[0], next(l for l in source if l.startswith("ETV6--NTRK3\t"))
    cells = row.split("\t")
    strong = tmp_path / "strong.tsv"
    strong.write_text(header + "\n" + row + "\n")
    cells[1], cells[2] = "1", "0"
    weak = tmp_path / "weak.tsv"
    weak.write_text(header + "\n" + "\t".join(cells) + "\n")
    out = tmp_path / "out"
    assert main(["annotate", str(strong), str(weak), "--out-dir", str(out)]) == 0
    good, low = read_rows(out / "strong.fusions.tsv")[0], read_rows(out / "weak.fusions.tsv")[0]
    assert good["actionability"].startswith("OncoKB Level 1") and good["confirm_by"] == ""
    assert low["actionability"].startswith("actionable, confirm (FISH): OncoKB Level 1")
    assert low["confirm_by"].startswith("FISH: low read support: 1 split read, 0 spanning fragments")
    assert "pan-TRK IHC is weak for NTRK3 fusions" in low["confirm_by"]  # S1 (Solomon et al.): 79.4%
    assert "S1" in low["actionability_refs"].split(";")
    assert "weak evidence: low read support" in low["review_flag"]
    assert "Confirm before sign-out: low read support" in low["interpretation"]
    # the thresholds are options (config annotate.min_split_reads / min_supporting_reads)
    assert main(["annotate", str(weak), "--out-dir", str(out), "--min-split-reads", "1", "--min-supporting-reads", "1"]) == 0
    assert read_rows(out / "weak.fusions.tsv")[0]["actionability"].startswith("OncoKB Level 1")


def test_real_fusioninspector_row_with_one_junction_read(callers_dir, tmp_path):
    # TCGA BRCA-AO-A03U-TP ETV6::NTRK3: 1 junction read, 3 spanning fragments (FusionInspector paper)
    with gzip.open(callers_dir / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz", "rt") as fh:
        header = fh.readline()
        row = next(l for l in fh if l.startswith("BRCA-AO-A03U-TP\tETV6::NTRK3\t1\t3\t"))
    path = tmp_path / "brca.tsv"
    path.write_text(header + row)
    out = tmp_path / "out"
    assert main(["annotate", str(path), "--out-dir", str(out), "--tumor-type", "secretory breast carcinoma"]) == 0
    rec = read_rows(out / "brca.fusions.tsv")[0]
    assert rec["actionability"].startswith("actionable, confirm (RNA-based assay)")
    assert "junction read support low: 1 split read, 3 spanning fragments" in rec["confirm_by"]


def test_sarcoma_low_support_ntrk1_advises_fish_not_ihc(resources):
    from dataclasses import replace

    call = replace(parse_notation("TPM3 ex8::NTRK1 ex10", source="<test>", line=0, sample="t"), split_reads=1,
                   spanning_reads=0)
    annotator = resources.annotator("canonical", make_interpreter(resources, (), "soft tissue sarcoma"))
    rec = to_record(next(iter(annotator.annotate_all([call]))))
    assert rec["actionability"].startswith("actionable, confirm (FISH)")
    assert "pan-TRK IHC is weak in sarcoma (sensitivity 80%, specificity 74.4%) [S1]" in rec["confirm_by"]
    annotator = resources.annotator("canonical", make_interpreter(resources, (), "colorectal cancer"))
    rec = to_record(next(iter(annotator.annotate_all([call]))))
    assert rec["actionability"].startswith("actionable, confirm (FISH or pan-TRK IHC)")


def test_a_call_of_one_caller_among_several_is_actionable_confirm(callers_dir, tmp_path):
    # the same real sample (fusion-report test data): STAR-Fusion's ETV6--NTRK3 is also called by EricScript;
    # against an Arriba file without it, only one of two callers found it
    star = callers_dir / "star-fusion" / "fusion-report.starfusion.tsv"
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tformat\tpath\textra_calls\n"
                     f"ONE\tstar-fusion\t{star}\t{callers_dir / 'arriba' / 'arriba-repo.test.fusions.tsv'}:arriba\n"
                     f"TWO\tstar-fusion\t{star}\t{callers_dir / 'ericscript' / 'fusion-report.ericscript.tsv'}:ericscript\n"
                     f"SOLO\tstar-fusion\t{star}\t\n")
    out = tmp_path / "out"
    assert main(["annotate", "--samples", str(sheet), "--out-dir", str(out / "{sample}")]) == 0

    def etv6(sample):
        return next(r for r in read_rows(out / sample / f"{sample}.fusions.tsv") if r["fusion_name"] == "ETV6::NTRK3")

    one = etv6("ONE")
    assert one["actionability"].startswith("actionable, confirm (FISH): OncoKB Level 1")
    assert one["confirm_by"].startswith("FISH: found by 1 caller only")
    assert etv6("TWO")["actionability"].startswith("OncoKB Level 1")  # two callers agree
    assert etv6("SOLO")["actionability"].startswith("OncoKB Level 1")  # number of callers not known: not lowered


def test_gene_level_call_is_provisional_in_the_actionability_column(resources):
    rec = judge(resources, "ETV6::NTRK3")
    assert rec["actionability"].startswith("provisionally actionable, confirm (RNA-based assay): OncoKB Level 1")
    assert rec["confirm_by"].startswith("RNA-based assay: gene-level call")
    assert "provisional" in rec["interpretation"]


def test_assumed_splice_site_of_a_dna_breakpoint_is_lowered(resources):
    from dataclasses import replace

    # a genomic (DNA, SV-caller) breakpoint 131 bp into the ETV6 intron after exon 5: splicing at exon 5 assumed
    call = replace(parse_notation("ETV6::NTRK3 12:11870100:+ 15:87940753:-", source="<test>", line=0, sample="t"),
                   junction_model="dna")
    annotator = resources.annotator("canonical", make_interpreter(resources))
    rec = to_record(next(iter(annotator.annotate_all([call]))))
    assert (rec["site5"], rec["frame"], rec["kinase_domain"]) == ("intronic", "in_frame", "retained")
    assert rec["actionability"].startswith("actionable, confirm (RNA-based assay): OncoKB Level 1")
    assert "5' breakpoint intronic: splicing at exon 5 assumed, not read" in rec["confirm_by"]
    # the same junction read at the exon edge needs nothing
    assert judge(resources, "ETV6::NTRK3 12:11869969:+ 15:87940753:-")["confirm_by"] == ""


def test_frame_unknown_is_lowered(kb):
    from fusion_annot.knowledge import interpret
    from fusion_annot.model import Breakpoint, DomainResult, FrameResult, FusionAnnotation, FusionCall, SideAnnotation

    def side(gene):
        return SideAnnotation(gene=gene, gene_id=gene, chrom="1", strand="+", transcript_id=f"T_{gene}",
                              transcript_name=gene, is_canonical=True, exon=8, exon_count=20, site="exon_boundary",
                              retained_exons=None, pos=1)

    ann = FusionAnnotation(call=FusionCall("s", "t", "u", 1, Breakpoint("TPM3"), Breakpoint("NTRK1")),
                           side5=side("TPM3"), side3=side("NTRK1"), frame=FrameResult("unknown", "no CDS phase"),
                           domains=DomainResult("retained", 100.0))
    result = interpret(ann, kb)
    assert result.actionability.startswith("actionable, confirm (RNA-based assay)")
    assert result.confirm_by.startswith("RNA-based assay: frame not known")


# --------------------------------------------------------------------------- edge rules


def test_intragenic_in_frame_ntrk1_deletion_is_uncertain_significance(resources):
    rec = judge(resources, "NTRK1 ex8::NTRK1 ex10")  # exon 9 deleted, in frame, kinase domain kept
    assert (rec["frame"], rec["kinase_domain"]) == ("in_frame", "retained")
    assert rec["actionability"] == "uncertain significance, review"
    assert rec["actionability_rule"].startswith("U1") and "deletion of exon 9" in rec["actionability_rule"]
    assert "rule U1" in rec["review_flag"] and rec["drugs"] == "" and rec["eligible_drugs"] == ""
    assert rec["catalog_status"] == "intragenic (not a partner fusion)"
    # adjacent exons are the normal transcript; out of frame stays not actionable
    assert judge(resources, "NTRK1 ex9::NTRK1 ex10")["actionability"] == "not actionable"
    assert judge(resources, "NTRK1 ex6::NTRK1 ex8")["actionability"].startswith("not actionable")


def test_five_prime_utr_ntrk3_junction_kinase_may_be_expressed(resources):
    rec = judge(resources, "TMPRSS2 ex1::NTRK3 ex15")  # TMPRSS2 exon 1 is 5'UTR
    assert rec["frame"] == "utr5_fusion" and rec["kinase_domain"] == "retained"
    assert rec["actionability"] == "kinase may be expressed, confirm"
    assert rec["actionability_rule"].startswith("U2")
    assert "no chimeric kinase protein expected" not in rec["interpretation"]
    assert "kinase may be expressed" in rec["interpretation"]
    assert rec["confirm_by"].startswith("RNA-based assay") and "NTRK3" in rec["confirm_by"]


def test_cohort_counts_review_verdicts_apart():
    from fusion_annot.cohort import actionability_class

    assert actionability_class("actionable, confirm (FISH): OncoKB Level 1") == "actionable"
    assert actionability_class("provisionally actionable, confirm (RNA-based assay): OncoKB Level 1") == "actionable"
    assert actionability_class("uncertain significance, review") == "review"
    assert actionability_class("kinase may be expressed, confirm") == "review"


# --------------------------------------------------------------------------- configuration


def test_config_defaults_match_the_command_line_defaults():
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["annotate"]
    schema = yaml.safe_load((REPO / "config" / "schema" / "config.schema.yaml").read_text())
    props = schema["properties"]["annotate"]["properties"]
    for key, default in (("min_split_reads", DEFAULT_MIN_SPLIT_READS), ("min_supporting_reads", DEFAULT_MIN_SUPPORTING_READS),
                         ("resistance_min_depth", DEFAULT_RESISTANCE_MIN_DEPTH),
                         ("resistance_min_vaf", DEFAULT_RESISTANCE_MIN_VAF)):
        assert config[key] == default == props[key]["default"], key
    samples = yaml.safe_load((REPO / "config" / "schema" / "samples.schema.yaml").read_text())
    assert "age" in samples["properties"]

"""Knowledge base: tables validate, every statement is cited, the actionability rule uses our own
biology, and resistance mutations are found in VCFs on both strands."""
from __future__ import annotations

import shutil
from pathlib import Path

import pysam
import pytest

from fusion_annot.errors import InputError
from fusion_annot.knowledge import NOVEL_SENTENCE, interpret, load_knowledge_base
from fusion_annot.knowledge.catalog import split_list
from fusion_annot.knowledge.resistance import CERTAIN, POSSIBLE, find_hits
from fusion_annot.knowledge.variants import map_snv, possible_alt_aas, read_variants
from fusion_annot.model import (
    Breakpoint, DomainResult, FrameResult, FusionAnnotation, FusionCall, SideAnnotation,
)
from fusion_annot.reference import make_transcript


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


@pytest.fixture(scope="module")
def reference():
    from fusion_annot.reference import load_reference

    return load_reference("bundled")


# --------------------------------------------------------------------------- builders


def side(gene, *, strand="+", exon=None, aa_boundary=None, transcript_id=None, site="exon_boundary"):
    return SideAnnotation(gene=gene, gene_id=f"ENSG_{gene}", chrom="1", strand=strand,
                          transcript_id=transcript_id or f"ENST_{gene}", transcript_name=f"{gene}-201",
                          is_canonical=True, exon=exon, exon_count=20, site=site, retained_exons=None, pos=1,
                          aa_boundary=aa_boundary)


def fusion(gene5, gene3, *, frame="in_frame", kinase="retained", pct=100.0, exon5=None, exon3=None,
           aa3=None, tx3=None, site3="exon_boundary"):
    call = FusionCall(sample="S1", caller="test", source="unit", line=1,
                      five_prime=Breakpoint(gene5), three_prime=Breakpoint(gene3))
    return FusionAnnotation(
        call=call, side5=side(gene5, exon=exon5), side3=side(gene3, exon=exon3, aa_boundary=aa3, transcript_id=tx3, site=site3),
        frame=FrameResult(frame, f"frame {frame} (unit test)"),
        domains=DomainResult(kinase, pct if kinase != "not_applicable" else None,
                             kinase_domain_name="Protein kinase domain", note=f"kinase {kinase}"),
    )


# --------------------------------------------------------------------------- tables and citations


def test_bundled_knowledge_base_loads_with_version_and_date(kb):
    assert kb.version == "2026.12.03" and kb.date == "2026-12-03"
    counts = kb.counts()
    assert counts["partner_rows"] >= 66 and counts["resistance_rows"] >= 19 and counts["references"] >= 80
    assert kb.kinase_genes == {"NTRK1", "NTRK2", "NTRK3"}


def test_every_row_and_drug_statement_has_a_resolvable_citation(kb, shared_dir):
    seeds = {p.name for p in (shared_dir / "seeds").glob("*.txt")}
    tables = [kb.partners, kb.therapies, kb.efficacy, kb.resistance, kb.actionability]
    for rows in tables:
        for row in rows:
            assert row.ref_keys, f"{row.source}:{row.line} has no citation"
            for key in row.ref_keys:
                ref = kb.resolve(key)
                assert ref is not None, f"{row.source}:{row.line}: {key} unresolved"
                assert ref.locator, f"{key} has no seed file, PMID, DOI, journal, URL or repository"
                if ref.seed_file:
                    assert ref.seed_file in seeds, f"{key} names a seed file that does not exist"


def test_every_drug_shown_for_an_actionable_fusion_is_cited(kb):
    result = interpret(fusion("ETV6", "NTRK3"), kb)
    refs = set(split_list(result.actionability_refs))
    for drug_row in kb.therapies:
        # superseded rows are kept for the record but not shown, so their citations are not carried
        if drug_row.role in ("label", "regional", "investigational") and drug_row.is_current and drug_row.drug in result.drugs:
            assert set(drug_row.ref_keys) <= refs


def test_partner_table3_is_complete_and_symbols_resolved(kb, shared_dir):
    facts = (shared_dir / "facts" / "partners.tsv").read_text().splitlines()[1:]
    table3 = {(f.split("\t")[0], f.split("\t")[1]) for f in facts if f}
    ours = {(p.kinase_gene, p.published_symbol) for p in kb.partners}
    assert table3 <= ours
    fam = next(p for p in kb.partners if p.published_symbol == "FAM19A2")
    assert (fam.partner_symbol, fam.symbol_status) == ("TAFA2", "renamed")
    iq = next(p for p in kb.partners if p.published_symbol == "IQGAP")
    assert iq.symbol_status == "ambiguous" and iq.partner_symbol == "" and "IQGAP1" in iq.candidate_symbols
    igr = next(p for p in kb.partners if p.published_symbol == "IGR")
    assert igr.symbol_status == "intergenic"


def test_ambiguous_iqgap_is_possible_not_documented(kb):
    assert kb.lookup_partner("IQGAP1", "NTRK3").status.startswith("possibly documented")
    assert kb.lookup_partner("TAFA2", "NTRK3").status == "documented partner"


def test_ntrk2_resistance_stored_in_both_numberings(kb):
    ntrk2 = {(r.mutation, r.protein_length) for r in kb.resistance if r.gene == "NTRK2"}
    assert {("G623R", "822"), ("G639R", "838"), ("F617L", "822"), ("F633L", "838"),
            ("G693X", "822"), ("G709X", "838")} <= ntrk2
    assert all(r.evidence == "R" for r in kb.resistance if r.gene == "NTRK2")


def test_bad_row_names_file_line_and_reason(tmp_path):
    src = Path(load_knowledge_base().directory)
    copy = tmp_path / "kb"
    shutil.copytree(src, copy)
    path = copy / "therapies.tsv"
    lines = path.read_text().splitlines()
    header_at = next(i for i, l in enumerate(lines) if not l.startswith("#"))
    cells = lines[header_at + 1].split("\t")
    cells[lines[header_at].split("\t").index("status")] = "approved-ish"
    lines[header_at + 1] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as err:
        load_knowledge_base(copy)
    assert err.value.path.endswith("therapies.tsv") and err.value.line == header_at + 2
    assert "status" in err.value.reason and "approved-ish" in err.value.reason


def test_unknown_citation_key_is_rejected(tmp_path):
    copy = tmp_path / "kb"
    shutil.copytree(load_knowledge_base().directory, copy)
    path = copy / "efficacy.tsv"
    path.write_text(path.read_text().replace("S1[98]", "S1[999]"))
    with pytest.raises(InputError, match=r"S1\[999\].*not in references"):
        load_knowledge_base(copy)


# --------------------------------------------------------------------------- actionability rule


def test_etv6_exon5_ntrk3_exon15_in_frame_is_documented_in_ifs_and_actionable(kb):
    result = interpret(fusion("ETV6", "NTRK3", exon5=5, exon3=15), kb, tumor_type="infantile fibrosarcoma")
    assert result.catalog_status == "documented in this tumor context"
    assert "infantile fibrosarcoma" in result.catalog_context
    assert "OncoKB Level 1" in result.actionability and "Tier I-A" in result.actionability
    assert result.actionability_rule.startswith("A1")
    # the current regulatory rows; superseded ones (2018 accelerated approval, 2019 age 12+) stay in the table only
    for drug, date in (("larotrectinib", "2025-04"), ("entrectinib", "2023-10-20"), ("repotrectinib", "2024-06-13")):
        assert drug in result.drugs and date in result.drugs
    assert "2018-11-26" not in result.drugs and "2019-08-15" not in result.drugs
    assert "accelerated approval" in result.drugs and "full approval" in result.drugs
    # CHMP opinion and EC decision are separate statements; the recalled EC date is marked
    assert "EMA CHMP positive opinion 2019-07-25" in result.drugs
    assert "EC conditional authorisation 2019-09-19, no lower age limit, [unverified]" in result.drugs
    assert "crizotinib" not in result.drugs
    assert all(kb.resolve(k) for k in split_list(result.catalog_refs) + split_list(result.actionability_refs))
    assert result.review_flag == ""


def test_etv6_ntrk3_without_tumor_type_is_documented_partner(kb):
    result = interpret(fusion("ETV6", "NTRK3"), kb)
    assert result.catalog_status == "documented partner"
    assert "infantile fibrosarcoma" in result.interpretation


def test_khdrbs1_ntrk1_is_documented_with_crizotinib_off_label_case_evidence(kb):
    result = interpret(fusion("KHDRBS1", "NTRK1", exon5=8, exon3=12), kb)
    assert result.catalog_status == "documented partner"
    assert "S4" in split_list(result.catalog_refs)
    assert result.actionability_rule.startswith("A1")
    assert "crizotinib [FDA off-label" in result.drugs and "case evidence" in result.drugs
    assert "Off-label case evidence: crizotinib" in result.interpretation


def test_ntrk3_as_5prime_partner_is_not_actionable_with_reason(kb):
    result = interpret(fusion("NTRK3", "ETV6", kinase="lost", pct=0.0), kb)
    assert result.actionability == "not actionable"
    assert result.actionability_rule.startswith("N2") and "5' partner" in result.actionability_rule
    assert result.drugs == ""
    assert "not actionable" in result.interpretation


def test_kinase_lost_out_of_frame_partial_and_intragenic_are_not_actionable(kb):
    cases = {
        "N3": fusion("ETV6", "NTRK3", kinase="lost", pct=0.0),
        "N4": fusion("ETV6", "NTRK3", kinase="partial", pct=60.0),
        "N5": fusion("ETV6", "NTRK3", frame="out_of_frame"),
        "N1": fusion("NTRK1", "NTRK1"),
    }
    for rule_id, ann in cases.items():
        result = interpret(ann, kb)
        assert result.actionability == "not actionable", rule_id
        assert result.actionability_rule.startswith(rule_id)
    assert "rule N4" in interpret(cases["N4"], kb).review_flag


def test_partner_not_in_catalog_kinase_retained_in_frame_is_flagged(kb):
    result = interpret(fusion("ZNF9999", "NTRK2"), kb)
    assert result.catalog_status == "not in catalog"
    assert NOVEL_SENTENCE in result.interpretation
    assert "OncoKB Level 1" in result.actionability
    assert "partner not in catalog" in result.review_flag
    assert "novel" not in result.interpretation + result.review_flag + result.catalog_status


def test_frame_unknown_is_actionable_but_flagged(kb):
    result = interpret(fusion("TPM3", "NTRK1", frame="unknown"), kb)
    assert result.actionability_rule.startswith("A2") and "OncoKB Level 1" in result.actionability
    assert "rule A2" in result.review_flag


def test_non_ntrk_fusion_is_not_assessed(kb):
    result = interpret(fusion("EML4", "ALK"), kb)
    assert result.actionability == "not assessed" and result.drugs == ""


def test_unverified_amp_tier_is_tagged_not_promoted(kb):
    result = interpret(fusion("ETV6", "NTRK3"), kb)
    assert "Tier I-A [unverified: R]" in result.actionability


# --------------------------------------------------------------------------- codons and variants


def test_possible_alt_aas_distinguishes_certain_from_ambiguous_codons():
    assert possible_alt_aas("G", 0, "G", "C") == {"R"}  # GGN -> CGN: always Arg
    assert possible_alt_aas("G", 0, "G", "A") == {"R", "S"}  # GGA/GGG -> Arg, GGC/GGT -> Ser
    assert possible_alt_aas("G", 0, "T", "A") is None  # no Gly codon starts with T


def tiny_tx(strand):
    """A two-exon transcript: CDS 101-130 and 201-260 (+), codon 5 = c.13-15."""
    return make_transcript(transcript_id="ENST_T", transcript_name="T-201", gene_name="NTRK1", gene_id="G",
                           chrom="1", strand=strand, exons=[(90, 130), (201, 270)], cds=[(101, 130), (201, 260)],
                           is_canonical=True)


def test_map_snv_uses_transcript_orientation_on_both_strands():
    plus = map_snv(tiny_tx("+"), "1", 113, "G", "C")
    assert (plus.c_pos, plus.codon, plus.codon_offset, plus.ref_base, plus.alt_base) == (13, 5, 0, "G", "C")
    minus = map_snv(tiny_tx("-"), "1", 248, "C", "G")  # minus strand: c.1 = 260, c.13 = 248
    assert (minus.c_pos, minus.codon, minus.codon_offset, minus.ref_base, minus.alt_base) == (13, 5, 0, "G", "C")
    assert map_snv(tiny_tx("+"), "1", 95, "A", "T") is None  # 5' UTR


class FakeGenome:
    """pysam.FastaFile stand-in: a few known bases, everything else N."""

    references = ("1",)

    def __init__(self, bases):
        self.bases = bases

    def fetch(self, contig, start0, end0):
        return "".join(self.bases.get(p, "N") for p in range(start0 + 1, end0 + 1))


def test_genome_codon_resolves_ambiguous_change_and_checks_ref():
    tx = tiny_tx("+")
    genome = FakeGenome({113: "G", 114: "G", 115: "C"})
    v = map_snv(tx, "1", 113, "G", "A", genome=genome)
    assert (v.ref_codon, v.alt_codon, v.ref_aa, v.alt_aa) == ("GGC", "AGC", "G", "S")
    with pytest.raises(InputError, match="does not match the genome"):
        map_snv(tx, "1", 113, "T", "A", genome=genome)


def test_fact_sheet_resistance_codons_match_bundled_reference(kb, reference):
    for row in kb.resistance:
        if not row.grch38_codon:
            continue
        tx = reference.canonical_transcript(row.gene)
        if tx is None:
            continue  # a gene the reference does not hold
        assert tx.protein_length == row.length, row.mutation
        chrom, pos = row.grch38_codon.split(":")
        assert (tx.chrom, tx.cds_position(int(pos))) == (chrom, int(row.codon_c_start)), row.mutation
        assert int(row.codon_c_start) == (row.pos - 1) * 3 + 1


def write_vcf(path: Path, records) -> Path:
    header = pysam.VariantHeader()
    for contig, length in (("1", 248956422), ("9", 138394717), ("15", 101991189)):
        header.contigs.add(contig, length=length)
    header.filters.add("LowQual", None, None, "low quality")
    plain = path.with_suffix("")
    with pysam.VariantFile(str(plain), "w", header=header) as out:
        for chrom, pos, ref, alt in sorted(records, key=lambda r: (int(r[0]), r[1])):
            rec = out.new_record(contig=chrom, start=pos - 1, stop=pos - 1 + len(ref), alleles=(ref, alt))
            out.write(rec)
    return Path(pysam.tabix_index(str(plain), preset="vcf", force=True))


def test_g595r_vcf_with_lmna_ntrk1_flags_first_generation_resistance(kb, reference, tmp_path):
    # NTRK1 (+): G595 codon starts at 1:156876550; G>C at codon position 1 is Arg whatever the codon.
    vcf = write_vcf(tmp_path / "s.vcf.gz", [("1", 156876550, "G", "C"), ("1", 1000, "A", "T")])
    variants = read_variants(vcf, reference, genes=kb.resistance_genes)
    assert [(v.gene, v.codon, v.hgvs_c) for v in variants] == [("NTRK1", 595, "c.1783G>C")]
    result = interpret(fusion("LMNA", "NTRK1", exon5=2, exon3=11), kb, variants)
    assert "NTRK1 p.G595R" in result.resistance
    assert "resistant to larotrectinib (OncoKB R1), entrectinib (OncoKB R2)" in result.resistance
    assert "retains activity: selitrectinib (OncoKB 3A), repotrectinib, zurletrectinib (OncoKB 4)" in result.resistance
    assert "larotrectinib [" in result.drugs and "RESISTANCE: NTRK1 G595R" in result.drugs
    assert "resistance mutation detected" in result.review_flag
    assert interpret(fusion("ETV6", "NTRK3"), kb, variants).resistance == ""  # other kinase: not relevant


def test_g623r_on_minus_strand_ntrk3_from_unindexed_vcf(kb, reference, tmp_path):
    # NTRK3 (-): codon 623 first base at 15:87933034; transcript G>A is genomic C>T -> Arg or Ser.
    vcf = write_vcf(tmp_path / "m.vcf.gz", [("15", 87933034, "C", "T")])
    plain = tmp_path / "m.vcf"
    plain.write_bytes(pysam.BGZFile(str(vcf), "rb").read())
    variants = read_variants(plain, reference, genes=kb.resistance_genes)
    assert [(v.gene, v.codon, v.ref_base, v.alt_base) for v in variants] == [("NTRK3", 623, "G", "A")]
    hits = find_hits(variants, kb.resistance)
    assert [(h.row.mutation, h.certainty) for h in hits] == [("G623R", POSSIBLE)]
    result = interpret(fusion("ETV6", "NTRK3"), kb, variants)
    assert result.resistance.startswith("POSSIBLE NTRK3 p.G623R") and "--genome" in result.resistance
    # transcript G>C (genomic C>G) is certainly Arg
    certain = read_variants(write_vcf(tmp_path / "c.vcf.gz", [("15", 87933034, "C", "G")]), reference, genes=["NTRK3"])
    assert [(h.row.mutation, h.certainty) for h in find_hits(certain, kb.resistance)] == [("G623R", CERTAIN)]


def test_ntrk2_variant_matches_only_the_numbering_of_the_reference_transcript(kb, reference, tmp_path):
    # The canonical NTRK2 model is 838 aa, so the solvent-front glycine is G639 (literature numbering).
    vcf = write_vcf(tmp_path / "n2.vcf.gz", [("9", 84948612, "G", "C")])
    hits = find_hits(read_variants(vcf, reference, genes=["NTRK2"]), kb.resistance)
    assert [(h.row.mutation, h.row.protein_length) for h in hits] == [("G639R", "838")]


def test_missing_vcf_is_an_input_error(reference, tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_variants(tmp_path / "nope.vcf", reference, genes=["NTRK1"])


def test_knowledge_command_check_exit_codes(tmp_path, capsys):
    from fusion_annot.cli import main

    assert main(["knowledge", "--check"]) == 0
    assert main(["knowledge"]) == 0
    assert "2026-12-03" in capsys.readouterr().out
    bad = tmp_path / "kb"
    shutil.copytree(load_knowledge_base().directory, bad)
    (bad / "references.tsv").write_text((bad / "references.tsv").read_text().replace("\nP12\t", "\nP12x\t"))
    assert main(["knowledge", "--check", "--dir", str(bad)]) == 2
    assert "P12" in capsys.readouterr().err

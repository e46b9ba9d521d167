"""Breakpoint -> exon -> frame -> kinase domain, on the bundled Ensembl 110 models and real caller rows.

Expected values were checked by hand against the transcript models (exon coordinates and
CDS phases in resources/reference/fusion_annot_bundled.ensembl110.gtf.gz) and against the
fact sheet (../shared/facts/facts.md, B2-B4).
"""
from __future__ import annotations

import pytest

from fusion_annot.annotate import Annotator
from fusion_annot.model import Breakpoint, FusionCall, Reject
from fusion_annot.readers import read_calls
from fusion_annot.writers.records import to_record


def call(five: Breakpoint, three: Breakpoint, orientation="5to3") -> FusionCall:
    return FusionCall("s1", "test", "<test>", 1, five, three, orientation=orientation)


def annotate_one(bundled, c: FusionCall, **kw) -> dict:
    ref, domains = bundled
    results = list(Annotator(ref, domains, **kw).annotate_all([c]))
    assert len(results) >= 1
    if isinstance(results[0], Reject):
        return {"rejected": results[0].reason}
    return to_record(results[0])


ETV6_EXON5_END = Breakpoint("ETV6", "12", 11869969, "+")
NTRK3_EXON15_START = Breakpoint("NTRK3", "15", 87940753, "-")


def test_etv6_exon5_ntrk3_exon15_in_frame_kinase_retained(bundled):
    rec = annotate_one(bundled, call(ETV6_EXON5_END, NTRK3_EXON15_START))
    assert rec["fusion_name"] == "ETV6::NTRK3"
    assert (rec["transcript5"], rec["exon5"], rec["exons5"], rec["site5"]) == ("ENST00000396373", 5, "1-5", "exon_boundary")
    assert (rec["transcript3"], rec["exon3"], rec["exons3"], rec["site3"]) == ("ENST00000629765", 15, "15-20", "exon_boundary")
    assert rec["canonical3"] is True
    assert rec["frame"] == "in_frame"
    assert (rec["phase5"], rec["phase3"]) == (1, 1)  # ETV6 exon 5 ends at phase 1, NTRK3 exon 15 starts at phase 1
    # ETV6 aa 1-336 whole + one junction codon + NTRK3 aa 530-839 (NTRK3 canonical is 839 aa)
    assert rec["fusion_protein_length"] == 336 + 1 + (839 - 529)
    assert (rec["aa_end5"], rec["aa_start3"]) == (337, 529)
    assert rec["kinase_domain"] == "retained" and rec["kinase_domain_kept_pct"] == 100.0
    assert "Pointed domain" in rec["domains5"]  # ETV6 PNT/SAM oligomerisation domain kept


def test_partners_given_3_to_5_are_reordered(bundled):
    rec = annotate_one(bundled, call(NTRK3_EXON15_START, ETV6_EXON5_END, orientation="unknown"))
    assert rec["fusion_name"] == "ETV6::NTRK3"
    assert rec["oriented_by"] == "reference"
    assert rec["frame"] == "in_frame"
    assert "reversed" in rec["notes"]


def test_intronic_dna_breakpoints_keep_the_nearest_exons(bundled):
    # 500 bp into ETV6 intron 5 (+ strand) and 1 kb into NTRK3 intron 14 (- strand: upstream = higher coordinate)
    rec = annotate_one(bundled, call(Breakpoint("ETV6", "12", 11869969 + 500, "+"), Breakpoint("NTRK3", "15", 87940753 + 1000, "-")))
    assert (rec["exon5"], rec["exons5"], rec["site5"]) == (5, "1-5", "intronic")
    assert (rec["exon3"], rec["exons3"], rec["site3"]) == (15, "15-20", "intronic")
    assert rec["frame"] == "in_frame"
    assert "assumes splicing" in rec["frame_reason"]


def test_splice_region_and_exonic_sites(bundled):
    near = annotate_one(bundled, call(Breakpoint("ETV6", "12", 11869969 + 3, "+"), NTRK3_EXON15_START))
    assert near["site5"] == "splice_site"
    inside = annotate_one(bundled, call(Breakpoint("ETV6", "12", 11869969 - 30, "+"), NTRK3_EXON15_START))
    assert inside["site5"] == "exonic" and inside["exon5"] == 5
    # 30 nt fewer kept: phase unchanged (30 % 3 == 0), so still in frame, 10 aa shorter
    assert inside["frame"] == "in_frame" and inside["fusion_protein_length"] == 647 - 10


def test_out_of_frame_when_phases_differ(bundled):
    # NTRK3 exon 16 starts at phase 0 (G623 lies in it); ETV6 exon 5 ends at phase 1
    rec = annotate_one(bundled, call(Breakpoint("ETV6", exon=5), Breakpoint("NTRK3", exon=16)))
    assert rec["frame"] == "out_of_frame"
    assert rec["fusion_protein_length"] == ""  # unknown without sequence: the frameshift stop needs sequence
    assert "1 ≠ 3' start phase 0" in rec["frame_reason"]


def test_five_prime_utr_fusion(bundled):
    # NTRK3 exons 1-2 are 5'UTR only in the Ensembl 110 canonical model (20 exons)
    rec = annotate_one(bundled, call(Breakpoint("NTRK3", exon=1), Breakpoint("ETV6", exon=2)))
    assert rec["frame"] == "utr5_fusion"
    assert rec["cds_kept5"] == 0


def test_ntrk3_as_5prime_partner_loses_the_kinase(bundled):
    # the NCI-H889 EricScript call NTRK3--ADAM32 pattern: NTRK3 gives its N-terminus only
    rec = annotate_one(bundled, call(Breakpoint("NTRK3", exon=14), Breakpoint("ETV6", exon=6)))
    assert rec["gene5"] == "NTRK3"
    assert rec["kinase_domain"] == "not_applicable"  # ETV6 has no kinase domain
    assert "catalytic domain" not in rec["domains5"]  # NTRK3 exons 1-14 stop before the kinase (aa 539)


def test_three_prime_junction_after_the_kinase_start_is_partial(bundled):
    # NTRK1 exon 14 starts at aa 545: the first 35 residues of the kinase domain (aa 510/512...) are gone
    rec = annotate_one(bundled, call(Breakpoint("TPM3", exon=8), Breakpoint("NTRK1", exon=14)))
    assert rec["kinase_domain"] == "partial"
    assert 80 < rec["kinase_domain_kept_pct"] < 100


def test_minus_strand_five_prime_partner(bundled):
    # TPM3 (- strand) exon 8 :: NTRK1 (+ strand) exon 10, the canonical TPM3::NTRK1 (facts B4: aa 1-259 :: 399-796)
    rec = annotate_one(bundled, call(Breakpoint("TPM3", exon=8), Breakpoint("NTRK1", exon=10)))
    assert rec["strand5"] == "-" and rec["strand3"] == "+"
    assert (rec["aa_end5"], rec["aa_start3"]) == (259, 399)
    assert rec["frame"] == "in_frame" and rec["kinase_domain"] == "retained"


def test_khdrbs1_exons_1_8_ntrk1_exons_12_17(bundled):
    rec = annotate_one(bundled, call(Breakpoint("KHDRBS1", exon=8, exon_range=(1, 8)), Breakpoint("NTRK1", exon=12, exon_range=(12, 17))))
    assert rec["exons5"] == "1-8" and rec["exons3"] == "12-17"
    # NTRK1 exon 12 starts at aa 452: after the transmembrane helix (UniProt 424-439),
    # before the kinase domain (aa 510): the intracellular juxtamembrane region
    assert rec["aa_start3"] == 452
    assert (rec["phase5"], rec["phase3"]) == (1, 1)
    assert rec["frame"] == "in_frame"
    assert rec["kinase_domain"] == "retained"


def test_gene_missing_from_reference_is_rejected_with_reason(bundled):
    rec = annotate_one(bundled, call(Breakpoint("NOTAGENE1", "1", 1000, "+"), NTRK3_EXON15_START))
    assert "rejected" in rec and "NOTAGENE1 not in reference" in rec["rejected"]


def test_exon_number_beyond_the_transcript_is_rejected(bundled):
    rec = annotate_one(bundled, call(Breakpoint("ETV6", exon=12), Breakpoint("NTRK3", exon=15)))
    assert "exon 12 not in" in rec["rejected"]


def test_breakpoint_on_another_chromosome_is_rejected(bundled):
    rec = annotate_one(bundled, call(Breakpoint("ETV6", "3", 11869969, "+"), NTRK3_EXON15_START))
    assert "not on ETV6's chromosome 12" in rec["rejected"]


def test_all_transcripts_policy_gives_one_row_per_pair(bundled):
    ref, domains = bundled
    results = list(Annotator(ref, domains, transcripts="all").annotate_all([call(ETV6_EXON5_END, NTRK3_EXON15_START)]))
    pairs = {(r.side5.transcript_id, r.side3.transcript_id) for r in results}
    assert len(results) > 1 and len(pairs) == len(results)
    assert (results[0].side5.transcript_id, results[0].side3.transcript_id) == ("ENST00000396373", "ENST00000629765")


def test_star_fusion_etv6_ntrk3_real_row(bundled, callers_dir):
    ref, domains = bundled
    items = list(read_calls(str(callers_dir / "star-fusion" / "fusion-report.starfusion.tsv")))
    rows = [to_record(a) for a in Annotator(ref, domains).annotate_all(items) if not isinstance(a, Reject)]
    etv6 = [r for r in rows if r["fusion_name"] == "ETV6::NTRK3"]
    assert len(etv6) == 1
    r = etv6[0]
    assert (r["exon5"], r["exon3"], r["frame"], r["kinase_domain"]) == (5, 15, "in_frame", "retained")


# FusionInspector C4 aggregate (TCGA/GTEx): every distinct NTRK breakpoint pair, checked by hand.
C4_EXPECTED = {
    # (pos5, pos3): (fusion, transcript3, exon5, exon3, frame, kinase)
    (11869969, 87940753): ("ETV6::NTRK3", "ENST00000629765", 5, 15, "in_frame", "retained"),
    (11853561, 87940753): ("ETV6::NTRK3", "ENST00000629765", 4, 15, "in_frame", "retained"),
    (11853561, 88033045): ("ETV6::NTRK3", "ENST00000629765", 4, 14, "in_frame", "retained"),
    (154170400, 156874571): ("TPM3::NTRK1", "ENST00000524377", 8, 10, "in_frame", "retained"),
    (154170400, 156874383): ("TPM3::NTRK1", "ENST00000524377", 8, 9, "in_frame", "retained"),
    (154170400, 156875520): ("TPM3::NTRK1", "ENST00000524377", 8, 12, "in_frame", "retained"),
    (154170400, 156876080): ("TPM3::NTRK1", "ENST00000524377", 8, 13, "in_frame", "retained"),
    # 9 nt upstream of canonical exon 13: an exon edge of the alternative NTRK1-201 only
    (154170400, 156876071): ("TPM3::NTRK1", "NTRK1-201", 8, 12, "in_frame", "retained"),
    # an upstream alternative NTRK1 first exon: exon 2 of NTRK1-211, out of frame with TPM3 exon 9
    (154169305, 156837726): ("TPM3::NTRK1", "NTRK1-211", 9, 2, "out_of_frame", "retained"),
}


def test_fusioninspector_c4_ntrk_rows(bundled, callers_dir):
    ref, domains = bundled
    path = callers_dir / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz"
    ntrk = [c for c in read_calls(str(path)) if isinstance(c, FusionCall) and (c.three_prime.gene or "").startswith("NTRK")]
    assert len(ntrk) == 18  # MANIFEST: 18 rows with NTRK as 3' partner
    seen = {}
    for a in Annotator(ref, domains).annotate_all(ntrk):
        assert not isinstance(a, Reject), a
        r = to_record(a)
        seen[(r["pos5"], r["pos3"])] = (r["fusion_name"], r["transcript3"], r["exon5"], r["exon3"], r["frame"], r["kinase_domain"])
    for key, expected in C4_EXPECTED.items():
        assert seen[key] == expected, key
    # the NTRK3-201 short isoform (non-catalytic TrkC) lacks the kinase domain
    assert seen[(11869969, 87981360)][1] == "NTRK3-201" and seen[(11869969, 87981360)][5] in ("lost", "not_applicable")


def test_unordered_exon_ranges_follow_the_partner_roles(bundled):
    # seed wording writes the kinase first: "NTRK1 exons 12-17 - KHDRBS1 exons 1-8", order unknown
    c = call(Breakpoint("NTRK1", exon=12, exon_range=(12, 17)), Breakpoint("KHDRBS1", exon=8, exon_range=(1, 8)), orientation="unknown")
    rec = annotate_one(bundled, c)
    assert rec["fusion_name"] == "KHDRBS1::NTRK1"
    assert (rec["exons5"], rec["exons3"], rec["frame"]) == ("1-8", "12-17", "in_frame")


def test_unordered_gene_only_pair_puts_the_kinase_3prime(bundled):
    rec = annotate_one(bundled, call(Breakpoint("NTRK1"), Breakpoint("KHDRBS1"), orientation="unknown"))
    assert rec["fusion_name"] == "KHDRBS1::NTRK1"
    assert rec["frame"] == "unknown" and "gene-level" in rec["frame_reason"]


def test_calls_in_one_batch_do_not_share_exon_ranges(bundled):
    # kinase-first notation, same last NTRK1 exon, different ranges: each call keeps its own exons
    ref, domains = bundled
    first = call(Breakpoint("NTRK1", exon=17, exon_range=(12, 17)), Breakpoint("KHDRBS1", exon=8, exon_range=(1, 8)), orientation="unknown")
    second = call(Breakpoint("NTRK1", exon=17, exon_range=(11, 17)), Breakpoint("TPM3", exon=7, exon_range=(1, 7)), orientation="unknown")
    rows = [to_record(a) for a in Annotator(ref, domains).annotate_all([first, second])]
    alone = annotate_one(bundled, second)
    assert (rows[1]["exons3"], rows[1]["frame"]) == (alone["exons3"], alone["frame"]) == ("11-17", "in_frame")


def test_caller_strand_note_is_not_lost_to_the_cache(bundled):
    ref, domains = bundled
    plus = call(ETV6_EXON5_END, NTRK3_EXON15_START)
    minus = call(Breakpoint("ETV6", "12", 11869969, "-"), NTRK3_EXON15_START)
    rows = [to_record(a) for a in Annotator(ref, domains).annotate_all([plus, minus])]
    assert "caller strand - differs from ETV6 strand +" in rows[1]["notes"]


def test_all_transcripts_only_those_spanning_the_breakpoint(bundled):
    ref, domains = bundled
    c = call(Breakpoint("TPM3", "1", 154170400, "-"), Breakpoint("NTRK1", "1", 156874571, "+"))
    results = list(Annotator(ref, domains, transcripts="all").annotate_all([c]))
    assert results and all(r.side3.site != "intergenic" and r.side5.site != "intergenic" for r in results)


def test_unknown_caller_gene_is_not_swapped_for_the_gene_at_its_position(bundled):
    # MIR4435-2HG is a lncRNA, absent from the coding-only reference; the coordinate is LMNA exon 2's end:
    # reject and say what lies there
    rec = annotate_one(bundled, call(Breakpoint("MIR4435-2HG", "1", 156130773, "+"), Breakpoint("NTRK1", "1", 156874906, "+")))
    assert rec["rejected"].startswith("5' gene MIR4435-2HG not in reference bundled")
    assert rec["rejected"].endswith("(the breakpoint lies in LMNA)")


def test_breakpoint_far_from_its_named_gene_is_rejected(bundled):
    # the hg19 position of BCR's breakpoint against GRCh38 BCR: 315 kb away
    rec = annotate_one(bundled, call(Breakpoint("BCR", "22", 23632600, "+"), Breakpoint("ABL1", "9", 130714455, "+")))
    assert "315 kb outside BCR" in rec["rejected"] and "another genome build, or an exon of a" in rec["rejected"]


def test_junction_shifted_equally_off_both_exon_edges_is_the_exon_boundary_junction(bundled):
    # EricScript reports ETV6::NTRK3 one base downstream on both sides (microhomology) in fusion-report.ericscript.tsv
    rec = annotate_one(bundled, call(Breakpoint("ETV6", "12", 11869970, "+"), Breakpoint("NTRK3", "15", 87940752, "-")))
    assert (rec["pos5"], rec["pos3"], rec["site5"], rec["site3"]) == (11869969, 87940753, "exon_boundary", "exon_boundary")
    assert rec["frame"] == "in_frame" and "microhomology" in rec["notes"] and "11869970 / 87940752" in rec["notes"]


def test_unequal_shift_near_exon_edges_is_flagged_for_review(bundled):
    # long-read style: LMNA 2 bp past exon 2, NTRK1 1 bp into exon 11: not one consistent shift
    rec = annotate_one(bundled, call(Breakpoint("LMNA", "1", 156130775, "+"), Breakpoint("NTRK1", "1", 156874907, "+")))
    assert "within 2 bp of an exon edge" in rec["review_flag"]


def test_gene_level_call_does_not_claim_the_kinase_is_lost(bundled):
    rec = annotate_one(bundled, call(Breakpoint("ETV6"), Breakpoint("NTRK3")))
    # NTRK3 has a kinase domain but a gene-level call does not say which exons are kept: unknown, not lost
    assert rec["kinase_domain"] == "unknown" and rec["kinase_domain_kept_pct"] == ""

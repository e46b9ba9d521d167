"""Wave-2 readers on every real file of their format in ../shared/callers."""
import csv
import gzip
from pathlib import Path

import pytest

from fusion_annot.errors import InputError
from fusion_annot.model import FusionCall, Reject
from fusion_annot.readers import detect_format, read_calls
from fusion_annot.readers.vcf_sv import parse_bracket_alt

# format -> files (relative to callers/); expected explained rejects per file
WAVE2_FILES = {
    "cicero": ["cicero/cicero-repo.test.annotated.fusion.txt", "cicero/cicero-repo.test.unfiltered.fusion.txt"],
    "defuse": ["defuse/mavis.defuse_output.tsv", "defuse/benchmark.K562.defuse.results.filtered.tsv",
               "defuse/benchmark.VCaP_85.defuse.results.filtered.tsv", "defuse/benchmark.MHH-ES-1.defuse.results.filtered.tsv"],
    "ericscript": ["ericscript/fusion-report.ericscript.tsv", "ericscript/benchmark.K562.MyEric.results.filtered.tsv",
                   "ericscript/benchmark.VCaP_85.MyEric.results.filtered.tsv", "ericscript/benchmark.MHH-ES-1.MyEric.results.filtered.tsv",
                   "ericscript/benchmark.NCI-H889.MyEric.results.filtered.tsv", "ericscript/benchmark.KYSE-270.MyEric.results.filtered.tsv"],
    "pizzly": ["pizzly/fusion-report.pizzly.tsv"],
    "squid": ["squid/fusion-report.squid.txt"],
    "dragen": ["dragen/fusion-report.dragen.tsv"],
    "ctat-lr-fusion": ["ctat-lr-fusion/fusion-report.ctat_lr_fusion.tsv",
                       "ctat-lr-fusion/LRbench.SeraCare_IsoSeq.ctat-LR-fusion.fusion_predictions.tsv.gz"],
    "pbfusion": ["bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz"],
    "vcf": ["manta/mavis.manta_events.vcf", "manta/manta-repo.demo.expectedResults.somaticSV.vcf.gz"],
}
EXPLAINED_REJECTS = {"squid/fusion-report.squid.txt": {"SQUID type non-fusion-gene: rearrangement not between two genes": 1}}
CASES = [(fmt, rel) for fmt, files in WAVE2_FILES.items() for rel in files]


def manifest_rows(callers_dir: Path) -> dict:
    with open(callers_dir / "MANIFEST.tsv") as fh:
        return {r["staged_path"]: int(r["data_rows"]) for r in csv.DictReader(fh, delimiter="\t") if r["data_rows"].isdigit()}


def lines_covered(item) -> int:
    return len(item.extra.get("source_lines", (item.line,))) if isinstance(item, FusionCall) else 1


@pytest.mark.parametrize("fmt,rel", CASES, ids=[r for _, r in CASES])
def test_every_real_row_becomes_a_call_or_an_explained_reject(callers_dir, fmt, rel):
    path = callers_dir / rel
    items = list(read_calls(str(path), fmt, "S1"))
    rejects = [i for i in items if isinstance(i, Reject)]
    reasons = {}
    for r in rejects:
        reasons[r.reason] = reasons.get(r.reason, 0) + 1
    assert reasons == EXPLAINED_REJECTS.get(rel, {})
    assert sum(lines_covered(i) for i in items) == manifest_rows(callers_dir)[rel]


@pytest.mark.parametrize("fmt,rel", CASES, ids=[r for _, r in CASES])
def test_auto_detection_picks_the_wave2_format(callers_dir, fmt, rel):
    assert detect_format(str(callers_dir / rel)) == fmt


def calls_of(callers_dir, rel, fmt):
    return [c for c in read_calls(str(callers_dir / rel), fmt, "S1") if isinstance(c, FusionCall)]


def test_cicero_annotated_tcf3_pbx1_is_oriented_with_transcript_strands(callers_dir):
    (call,) = calls_of(callers_dir, "cicero/cicero-repo.test.annotated.fusion.txt", "cicero")
    assert (call.five_prime.gene, call.five_prime.chrom, call.five_prime.pos, call.five_prime.strand) == ("TCF3", "19", 1619111, "-")
    assert (call.three_prime.gene, call.three_prime.chrom, call.three_prime.pos, call.three_prime.strand) == ("PBX1", "1", 164792493, "+")
    assert call.orientation == "5to3" and call.split_reads == 62 + 78


def test_cicero_unfiltered_headerless_rows_leave_orientation_to_the_reference(callers_dir):
    calls = calls_of(callers_dir, "cicero/cicero-repo.test.unfiltered.fusion.txt", "cicero")
    assert [(c.five_prime.gene, c.three_prime.gene) for c in calls] == [("PBX1", "TCF3"), ("TCF3", "PBX1")]
    assert {c.orientation for c in calls} == {"unknown"}
    assert calls[1].five_prime.pos == 1619111 and calls[1].three_prime.chrom == "1"


def test_defuse_bcr_abl1_oriented_and_reversed_pairs_swapped(callers_dir):
    calls = calls_of(callers_dir, "defuse/benchmark.K562.defuse.results.filtered.tsv", "defuse")
    bcr = [c for c in calls if {c.five_prime.gene, c.three_prime.gene} == {"BCR", "ABL1"}]
    assert [(c.five_prime.gene, c.five_prime.pos, c.three_prime.gene, c.three_prime.pos) for c in bcr] == [("BCR", 23632600, "ABL1", 133729451)]
    assert bcr[0].orientation == "5to3" and bcr[0].caller_frame == "in_frame"
    swapped = [c for c in calls if c.extra["gene_order_swapped"]]
    assert swapped and all(c.orientation == "5to3" for c in swapped)
    # swapped rows now have the 5' partner keeping its own 5' part on its gene strand
    assert all(c.five_prime.strand in "+-" for c in swapped)


def test_defuse_antisense_pairs_stay_unoriented_with_a_reason(callers_dir):
    calls = calls_of(callers_dir, "defuse/mavis.defuse_output.tsv", "defuse")
    unknown = [c for c in calls if c.orientation == "unknown"]
    assert len(unknown) == 8  # 6 pairs keep both 3' parts, 2 both 5' parts
    assert all("deFuse order kept" in c.extra["orientation_note"] for c in unknown)


def test_ericscript_reads_breakpoint_columns_of_real_files_and_documented_names(callers_dir, tmp_path):
    calls = calls_of(callers_dir, "ericscript/fusion-report.ericscript.tsv", "ericscript")
    etv6 = next(c for c in calls if c.five_prime.gene == "ETV6")
    assert (etv6.three_prime.gene, etv6.five_prime.pos, etv6.three_prime.pos) == ("NTRK3", 11869970, 87940752)
    assert (etv6.split_reads, etv6.spanning_reads) == (24, 7)
    documented = tmp_path / "documented.tsv"
    text = (callers_dir / "ericscript/fusion-report.ericscript.tsv").read_text()
    documented.write_text(text.replace("Breakpoint1", "GenomicBreakpoint1", 1).replace("\tBreakpoint2", "\tGenomicBreakpoint2", 1))
    assert detect_format(str(documented)) == "ericscript"
    assert [(c.five_prime.pos, c.three_prime.pos) for c in calls_of(tmp_path, "documented.tsv", "ericscript")] == [
        (c.five_prime.pos, c.three_prime.pos) for c in calls]


def test_ericscript_unpredicted_breakpoint_becomes_gene_level_call(callers_dir):
    calls = calls_of(callers_dir, "ericscript/benchmark.K562.MyEric.results.filtered.tsv", "ericscript")
    gene_level = [c for c in calls if c.level == "gene"]
    assert len(gene_level) == 17
    assert all(c.five_prime.pos is None and c.three_prime.pos is None and c.five_prime.gene for c in gene_level)


def test_pizzly_calls_are_gene_level_without_coordinates(callers_dir):
    calls = calls_of(callers_dir, "pizzly/fusion-report.pizzly.tsv", "pizzly")
    assert {c.level for c in calls} == {"gene"}
    assert all(c.five_prime.chrom is None and c.five_prime.pos is None for c in calls)
    etv6 = next(c for c in calls if c.five_prime.gene == "ETV6")
    assert etv6.three_prime.gene == "NTRK3"


def test_squid_junctions_from_segment_strands_are_one_based(callers_dir):
    calls = calls_of(callers_dir, "squid/fusion-report.squid.txt", "squid")
    etv6 = next(c for c in calls if c.caller_fusion_name == "ETV6::NTRK3")
    # ETV6 exon 5 ends at 12:11869969 (+), NTRK3 exon 15 starts at 15:87940753 (-)
    assert (etv6.five_prime.chrom, etv6.five_prime.pos, etv6.three_prime.chrom, etv6.three_prime.pos) == ("12", 11869969, "15", 87940753)
    assert etv6.extra["retained"] == ("left", "left") and etv6.orientation == "unknown"
    tmprss2 = next(c for c in calls if c.caller_fusion_name == "TMPRSS2::ETV1")
    assert (tmprss2.five_prime.pos, tmprss2.extra["retained"][0]) == (41494375, "right")


def test_dragen_and_ctat_lr_fusion_left_partner_is_five_prime(callers_dir):
    ews = next(c for c in calls_of(callers_dir, "dragen/fusion-report.dragen.tsv", "dragen") if c.five_prime.gene == "EWSR1")
    assert (ews.three_prime.gene, ews.five_prime.chrom, ews.five_prime.pos, ews.five_prime.strand) == ("FLI1", "22", 29287134, "+")
    etv6 = next(c for c in calls_of(callers_dir, "ctat-lr-fusion/fusion-report.ctat_lr_fusion.tsv", "ctat-lr-fusion") if c.five_prime.gene == "ETV6")
    assert (etv6.five_prime.pos, etv6.three_prime.pos, etv6.three_prime.strand, etv6.split_reads) == (11869969, 87940753, "-", 10)
    assert etv6.five_prime.gene_id == "ENSG00000139083"


def test_pbfusion_zero_based_bedpe_becomes_one_based_junction(callers_dir):
    calls = calls_of(callers_dir, "bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz", "pbfusion")
    etv6 = next(c for c in calls if c.five_prime.gene == "ETV6" and c.three_prime.gene == "NTRK3")
    assert (etv6.five_prime.pos, etv6.three_prime.pos) == (11869966, 87940756)  # BED 11869965-11869966, 87940755-87940756
    assert (etv6.five_prime.strand, etv6.three_prime.strand, etv6.split_reads) == ("+", "-", 20)
    open_genes = [c for c in calls if c.five_prime.gene is None and c.extra["candidate_genes"]]
    assert open_genes  # gene chains with intra-gene junctions: genes left to the reference, candidates kept


@pytest.mark.parametrize("alt,expected", [
    ("G]17:198982]", ("17", 198982, "left", "left")),
    ("G[17:198982[", ("17", 198982, "left", "right")),
    ("]17:198982]G", ("17", 198982, "right", "left")),
    ("[chr17:198982[G", ("17", 198982, "right", "right")),
    ("TACG[5:100[", ("5", 100, "left", "right")),
])
def test_vcf_bracket_notation_per_vcf43_section_5_4(alt, expected):
    end = parse_bracket_alt(alt)
    assert (end.mate_chrom, end.mate_pos, end.this_keeps, end.mate_keeps) == expected


def test_manta_bnd_pair_is_one_call_and_symbolic_records_are_junctions(callers_dir):
    calls = calls_of(callers_dir, "manta/mavis.manta_events.vcf", "vcf")
    pairs = [c for c in calls if len(c.extra["source_lines"]) == 2]
    assert len(pairs) == 3 and len(calls) == 12
    t = next(c for c in pairs if c.five_prime.chrom == "10")
    assert (t.five_prime.pos, t.three_prime.chrom, t.three_prime.pos, t.extra["retained"]) == (7059511, "19", 17396810, ("right", "left"))
    deletion = next(c for c in calls if c.extra["svtype"] == "DEL")
    assert (deletion.five_prime.pos, deletion.three_prime.pos, deletion.extra["retained"]) == (207981229, 208014818, ("left", "right"))
    assert t.split_reads == 19 and t.spanning_reads == 20  # tumour (last) sample SR/PR alt counts


def test_vcf_breakend_without_mate_is_rejected_with_reason(tmp_path):
    vcf = tmp_path / "single.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##INFO=<ID=SVTYPE,Number=1,Type=String,Description=\"t\">\n"
        "##INFO=<ID=MATEID,Number=.,Type=String,Description=\"m\">\n##contig=<ID=1,length=248956422>\n"
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        "1\t100\tbnd1\tA\tA[1:5000[\t.\tPASS\tSVTYPE=BND;MATEID=bnd2\n"
        "1\t900\tins\tA\t<INS>\t.\tPASS\tSVTYPE=INS;END=900\n"
    )
    items = list(read_calls(str(vcf), "auto", "S"))
    assert [type(i).__name__ for i in items] == ["Reject", "Reject"]
    assert "insertion" in items[0].reason and "mate bnd2 not found" in items[1].reason


def test_wave2_sniffers_do_not_claim_wave1_files(callers_dir):
    wave2 = set(WAVE2_FILES)
    for rel in ("star-fusion/fusion-report.starfusion.tsv", "arriba/arriba-repo.test.fusions.tsv",
                "fusioncatcher/benchmark.K562.final-list_candidate-fusion-genes.txt", "jaffa/benchmark.K562.JAFFA_DIRECT.jaffa_results.csv",
                "fusioninspector/FusionInspectorPaper.eml4--alk.fusions.tsv"):
        assert detect_format(str(callers_dir / rel)) not in wave2

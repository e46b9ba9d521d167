"""Wave-1 readers on the real caller files in ../shared/callers: detection, complete parsing, values."""
from __future__ import annotations

import csv
import gzip
from pathlib import Path

import pytest

from fusion_annot.errors import InputError
from fusion_annot.model import FusionCall, Reject
from fusion_annot.readers import REGISTRY, detect_format, get_reader, read_calls
from fusion_annot.readers.bedpe import junction_base
from fusion_annot.readers.notation import parse_notation
from fusion_annot.textio import head_lines

WAVE1 = ("star-fusion", "fusioninspector", "arriba", "fusioncatcher", "jaffa", "bedpe", "notation")
FOLDER_FORMAT = {
    "star-fusion": "star-fusion",
    "fusioninspector": "fusioninspector",
    "arriba": "arriba",
    "fusioncatcher": "fusioncatcher",
    "jaffa": "jaffa",
    "bedpe": "bedpe",
}


def _is_pbfusion(path: Path) -> bool:
    return "pbfusion" in path.name


def _wave1_files(callers_dir: Path) -> list[Path]:
    return sorted(p for folder in FOLDER_FORMAT for p in (callers_dir / folder).iterdir() if p.is_file())


def _manifest_rows(callers_dir: Path) -> dict[str, int]:
    with open(callers_dir / "MANIFEST.tsv", newline="") as fh:
        return {row["staged_path"]: int(row["data_rows"]) for row in csv.DictReader(fh, delimiter="\t")
                if row["data_rows"].isdigit()}


def _read(path, fmt="auto", sample="S1"):
    rows = list(read_calls(str(path), fmt, sample))
    return [r for r in rows if isinstance(r, FusionCall)], [r for r in rows if isinstance(r, Reject)]


def _one(calls, **where):
    found = [c for c in calls if all(getattr(c, k) == v for k, v in where.items())]
    assert len(found) == 1, (where, len(found))
    return found[0]


def _side(bp):
    return (bp.gene, bp.chrom, bp.pos, bp.strand)


# ---------------------------------------------------------------- detection


def test_every_wave1_file_is_detected_as_its_format(callers_dir):
    for path in _wave1_files(callers_dir):
        if _is_pbfusion(path):
            continue
        assert detect_format(str(path)) == FOLDER_FORMAT[path.parent.name], path.name


def test_no_wave1_sniffer_claims_pbfusion_bedpe(callers_dir):
    path = next(p for p in (callers_dir / "bedpe").iterdir() if _is_pbfusion(p))
    head = head_lines(path, 60)
    assert [n for n in WAVE1 if REGISTRY[n].sniff(head)] == []
    try:
        assert detect_format(str(path)) not in WAVE1  # the pbfusion reader (issue 5) when it is installed
    except InputError:
        pass


def test_no_wave1_sniffer_claims_another_callers_file(callers_dir):
    others = [p for p in sorted(callers_dir.glob("*/*")) if p.parent.name not in FOLDER_FORMAT and p.parent.name != "_reference"]
    assert others
    for path in others:
        head = head_lines(path, 60)
        assert [n for n in WAVE1 if REGISTRY[n].sniff(head)] == [], path.name


def test_each_wave1_file_is_claimed_by_exactly_one_wave1_sniffer(callers_dir):
    for path in _wave1_files(callers_dir):
        if _is_pbfusion(path):
            continue
        head = head_lines(path, 60)
        assert [n for n in WAVE1 if REGISTRY[n].sniff(head)] == [FOLDER_FORMAT[path.parent.name]], path.name


# ---------------------------------------------------------------- every row accounted for


def test_every_real_file_parses_with_zero_rejects_and_manifest_row_counts(callers_dir):
    expected = _manifest_rows(callers_dir)
    checked = 0
    for path in _wave1_files(callers_dir):
        if _is_pbfusion(path):
            continue
        calls, rejects = _read(path)
        assert rejects == [], (path.name, rejects[:3])
        assert len(calls) == expected[f"{path.parent.name}/{path.name}"], path.name
        assert all(c.caller == FOLDER_FORMAT[path.parent.name] and c.source == str(path) for c in calls)
        assert all(c.line >= 2 for c in calls)
        checked += 1
    assert checked == 31  # 9 STAR-Fusion, 6 FusionInspector, 2 Arriba, 4 FusionCatcher, 6 JAFFA, 4 BEDPE


def test_positions_are_1_based_ints_and_chromosomes_normalized(callers_dir):
    for path in _wave1_files(callers_dir):
        if _is_pbfusion(path) or "summary_candidate" in path.name:
            continue
        calls, _ = _read(path)
        for c in calls:
            for bp in (c.five_prime, c.three_prime):
                assert isinstance(bp.pos, int) and bp.pos >= 1
                assert not bp.chrom.lower().startswith("chr")
                assert bp.strand in ("+", "-", None)


# ---------------------------------------------------------------- STAR-Fusion / FusionInspector


def test_star_fusion_etv6_ntrk3_breakpoints(callers_dir):
    calls, _ = _read(callers_dir / "star-fusion" / "fusion-report.starfusion.tsv", sample="LAB1")
    call = _one(calls, caller_fusion_name="ETV6--NTRK3")
    assert _side(call.five_prime) == ("ETV6", "12", 11869969, "+")
    assert _side(call.three_prime) == ("NTRK3", "15", 87940753, "-")
    assert call.five_prime.gene_id == "ENSG00000139083"
    assert (call.split_reads, call.spanning_reads) == (10, 4)
    assert call.orientation == "5to3" and call.level == "breakpoint" and call.sample == "LAB1"
    assert call.line == 4
    assert call.extra["FFPM"] == "1115.8935" and call.extra["LargeAnchorSupport"] == "YES_LDAS"


def test_star_fusion_read_name_columns_are_not_carried(callers_dir):
    calls, _ = _read(callers_dir / "star-fusion" / "star-fusion-repo.kickstart.star-fusion.fusion_candidates.final")
    assert all("JunctionReads" not in c.extra and "SpanningFrags" not in c.extra for c in calls)


def test_star_fusion_coding_effect_frame_is_kept_as_caller_frame(callers_dir, tmp_path):
    src = callers_dir / "star-fusion" / "agfusion.star-fusion.fusion_predictions.abridged.coding_effect.tsv"
    lines = src.read_text().splitlines()
    column = lines[0].split("\t").index("PROT_FUSION_TYPE")
    for i, word in ((1, "INFRAME"), (2, "FRAMESHIFT")):
        fields = lines[i].split("\t")
        fields[column] = word
        lines[i] = "\t".join(fields)
    path = tmp_path / "coding_effect.tsv"
    path.write_text("\n".join(lines) + "\n")
    calls, _ = _read(path, "auto")
    assert [c.caller_frame for c in calls] == ["in_frame", "out_of_frame", None, None]


def test_fusioninspector_aggregate_takes_sample_from_its_column(callers_dir):
    calls, rejects = _read(callers_dir / "fusioninspector" / "FusionInspectorPaper.C4_targeted_fusions.tsv.gz", sample="IGNORED")
    assert not rejects and len(calls) == 57129
    assert "IGNORED" not in {c.sample for c in calls}
    ntrk = [c for c in calls if c.three_prime.gene and c.three_prime.gene.startswith("NTRK")]
    assert len(ntrk) == 18
    assert {c.caller_fusion_name for c in ntrk} == {"ETV6::NTRK3", "TPM3::NTRK1"}
    etv6 = [c for c in ntrk if c.sample == "COAD-CK-5916-TP"]
    assert [(_side(c.five_prime), _side(c.three_prime)) for c in etv6] == [
        (("ETV6", "12", 11869969, "+"), ("NTRK3", "15", 87940753, "-"))
    ]
    tpm3 = _one(ntrk, sample="OV-57-1585-TP")
    assert _side(tpm3.five_prime) == ("TPM3", "1", 154169305, "-")
    assert _side(tpm3.three_prime) == ("NTRK1", "1", 156837726, "+")


def test_fusioninspector_hash_sample_column(callers_dir):
    calls, _ = _read(callers_dir / "fusioninspector" / "FusionInspectorPaper.eml4--alk.fusions.tsv", sample="IGNORED")
    assert calls[0].sample == "KIRP-2Z-A9JJ-TP.FusionInspector.fusions.abridged.tsv.gz"
    assert _side(calls[0].five_prime) == ("EML4", "2", 42245687, "+")
    assert _side(calls[0].three_prime) == ("ALK", "2", 29223528, "-")


def test_fusioninspector_without_sample_column_uses_argument(callers_dir):
    calls, _ = _read(callers_dir / "fusioninspector" / "fusioninspector-repo.ex2.finspector.fusion_predictions.final.abridged.FFPM", sample="S9")
    assert {c.sample for c in calls} == {"S9"}
    first = calls[0]
    assert (first.five_prime.gene, first.five_prime.gene_id) == ("MICAL1", None)
    assert first.extra["LeftLocalBreakpoint"] == "11555"


# ---------------------------------------------------------------- Arriba


def test_arriba_v2_bcr_abl1(callers_dir):
    calls, _ = _read(callers_dir / "arriba" / "arriba-repo.test.fusions.tsv")
    call = calls[0]
    assert _side(call.five_prime) == ("BCR", "22", 23632600, "+")
    assert _side(call.three_prime) == ("ABL1", "9", 133729451, "+")
    assert call.five_prime.gene_id == "ENSG00000186716.15"
    assert (call.caller_frame, call.split_reads, call.spanning_reads, call.orientation) == ("in_frame", 11, 0, "5to3")
    assert "read_identifiers" not in call.extra and call.extra["transcript_id1"] == "ENST00000305877.8"


def test_arriba_24_column_layout_minus_strand_and_intergenic_rule(callers_dir):
    calls, _ = _read(callers_dir / "arriba" / "annoFuseData.arriba_example.tsv")
    first = calls[0]
    assert _side(first.five_prime) == ("KIAA1549", "7", 138894342, "-")
    assert _side(first.three_prime) == ("BRAF", "7", 140781693, "-")
    assert first.extra["tumor_id"] == "BS_W97QQYKQ" and first.sample == "S1"
    # antisense: gene on '+', transcribed from '-' -> the transcribed strand is what we keep
    antisense = _one(calls, caller_fusion_name="RRN3P2--ANK2")
    assert antisense.five_prime.strand == "-"
    # intergenic: the closest listed gene, raw kept
    intergenic = _one(calls, line=24)
    assert intergenic.five_prime.gene == "RPSAP53"
    assert intergenic.extra["gene1_raw"] == "RPSAP53(30527),LINC00364(74154)"


def test_arriba_unknown_transcribed_strand_gives_unknown_orientation(callers_dir, tmp_path):
    lines = (callers_dir / "arriba" / "arriba-repo.test.fusions.tsv").read_text().splitlines()
    fields = lines[1].split("\t")
    fields[2], fields[3] = "+/.", "+/."
    path = tmp_path / "fusions.tsv"
    path.write_text("\n".join([lines[0], "\t".join(fields)]) + "\n")
    call = _read(path)[0][0]
    assert call.orientation == "unknown"
    assert (call.five_prime.strand, call.three_prime.strand) == (None, None)


# ---------------------------------------------------------------- FusionCatcher


def test_fusioncatcher_final_list_values(callers_dir):
    calls, _ = _read(callers_dir / "fusioncatcher" / "benchmark.K562.final-list_candidate-fusion-genes.txt")
    bcr = calls[0]
    assert _side(bcr.five_prime) == ("BCR", "22", 23290413, "+")
    assert _side(bcr.three_prime) == ("ABL1", "9", 130854064, "+")
    assert (bcr.caller_frame, bcr.split_reads, bcr.spanning_reads) == ("in_frame", 8, 30)
    assert calls[1].caller_frame == "CDS(truncated)/intronic"  # no vocabulary of ours: kept as written
    assert "Fusion_sequence" not in bcr.extra


def test_fusioncatcher_summary_gives_gene_level_calls(callers_dir):
    calls, rejects = _read(callers_dir / "fusioncatcher" / "fusioncatcher-repo.test.summary_candidate_fusions.txt")
    assert len(calls) == 17 and not rejects
    assert {c.level for c in calls} == {"gene"}
    etv6 = _one(calls, caller_fusion_name="ETV6--NTRK3")
    assert (etv6.five_prime.gene, etv6.three_prime.gene, etv6.five_prime.pos) == ("ETV6", "NTRK3", None)
    assert etv6.extra["Fusion_description"] == "already known fusion; exon-exon fusion junction"
    assert _one(calls, caller_fusion_name="IGH@--CRLF2").five_prime.gene == "IGH@"


# ---------------------------------------------------------------- JAFFA


def test_jaffa_without_strand_columns(callers_dir):
    calls, _ = _read(callers_dir / "jaffa" / "benchmark.VCaP_85.JAFFA_DIRECT.jaffa_results.csv", sample="VCaP")
    call = calls[0]
    assert _side(call.five_prime) == ("HJURP", "2", 234749255, None)
    assert _side(call.three_prime) == ("EIF4E2", "2", 233421126, None)
    assert (call.caller_frame, call.split_reads, call.spanning_reads) == ("in_frame", 9, 3)
    assert call.sample == "jaffa-direct"  # JAFFA's own sample column
    assert call.orientation == "5to3" and call.extra["aligns"] == "TRUE"


def test_jaffa_row_in_3_to_5_order_is_left_unoriented(callers_dir):
    """HBE1:AC104389.28 is listed 3' first (STAR-Fusion on the same sample: AC104389.28--HBE1);
    aligns=FALSE, so JAFFA did not infer the direction."""
    calls, _ = _read(callers_dir / "jaffa" / "benchmark.K562.JAFFA_DIRECT.jaffa_results.csv")
    call = _one(calls, caller_fusion_name="HBE1:AC104389.28")
    assert call.orientation == "unknown"
    assert (call.five_prime.gene, call.three_prime.gene) == ("HBE1", "AC104389.28")
    assert call.caller_frame is None and call.spanning_reads == 52


def test_jaffa2_layout_with_strand_columns(tmp_path):
    path = tmp_path / "jaffa_results.csv"
    path.write_text(
        "sample,fusion genes,chrom1,base1,strand1,chrom2,base2,strand2,gap (kb),spanning pairs,spanning reads,"
        "inframe,aligns,rearrangement,contig,contig break,classification,known\n"
        "patient7,ETV6::NTRK3,chr12,11869969,+,chr15,87940753,-,Inf,-,12,TRUE,TRUE,TRUE,read1,41,HighConfidence,Yes\n"
        "patient7,HBE1::HBG1,chr11,5526799,-,chr11,5270820,-,255.98,0,2,NA,FALSE,FALSE,read2,45,LowConfidence,-\n"
    )
    calls, rejects = _read(path, sample="S1")
    assert not rejects
    etv6, hbe1 = calls
    assert _side(etv6.five_prime) == ("ETV6", "12", 11869969, "+")
    assert _side(etv6.three_prime) == ("NTRK3", "15", 87940753, "-")
    assert (etv6.sample, etv6.caller_frame, etv6.split_reads, etv6.spanning_reads) == ("patient7", "in_frame", 12, None)
    assert hbe1.orientation == "5to3"  # JAFFA 2 orders every row 5' first


# ---------------------------------------------------------------- BEDPE


def test_chimerascan_junctions_match_star_fusion_on_both_strands(callers_dir):
    calls, _ = _read(callers_dir / "bedpe" / "benchmark.K562.chimerascan.chimeras.bedpe")
    bcr = _one(calls, caller_fusion_name="BCR--ABL1")  # + / +, STAR-Fusion K562: chr22:23632600:+ / chr9:133729451:+
    assert _side(bcr.five_prime) == ("BCR", "22", 23632600, "+")
    assert _side(bcr.three_prime) == ("ABL1", "9", 133729451, "+")
    assert (bcr.split_reads, bcr.spanning_reads) == (34, 19)
    bag6 = _one(calls, caller_fusion_name="BAG6--SLC44A4")  # - / -, STAR-Fusion: chr6:31619433:- / chr6:31833561:-
    assert _side(bag6.five_prime) == ("BAG6", "6", 31619433, "-")
    assert _side(bag6.three_prime) == ("SLC44A4", "6", 31833561, "-")


def test_chimerascan_several_genes_are_not_guessed(callers_dir):
    calls, _ = _read(callers_dir / "bedpe" / "benchmark.MHH-ES-1.chimerascan.chimeras.bedpe")
    multi = [c for c in calls if "genes5p_candidates" in c.extra]
    assert multi and all(c.five_prime.gene is None for c in multi)


def test_generic_bedpe_half_open_conversion_on_both_strands(tmp_path):
    path = tmp_path / "fusions.bedpe"
    path.write_text(
        "#chrom1\tstart1\tend1\tchrom2\tstart2\tend2\tname\tscore\tstrand1\tstrand2\n"
        # 5' '+' segment [11869000, 11869969) ends at 1-based 11869969; 3' '-' segment [87940000, 87940753) -> 87940753
        "chr12\t11869000\t11869969\tchr15\t87940000\t87940753\tETV6::NTRK3\t.\t+\t-\n"
        # 5' '-' segment [154169304, 154170000) -> first base 154169305; 3' '+' [156837725, 156840000) -> 156837726
        "chr1\t154169304\t154170000\tchr1\t156837725\t156840000\tTPM3>>NTRK1\t7\t-\t+\n"
        # 1-bp intervals, strands unknown
        "chr12\t11869968\t11869969\tchr15\t87940752\t87940753\t.\t.\t.\t.\n"
    )
    assert detect_format(str(path)) == "bedpe"
    calls, rejects = _read(path)
    assert not rejects
    assert [(_side(c.five_prime), _side(c.three_prime), c.orientation) for c in calls] == [
        (("ETV6", "12", 11869969, "+"), ("NTRK3", "15", 87940753, "-"), "5to3"),
        (("TPM3", "1", 154169305, "-"), ("NTRK1", "1", 156837726, "+"), "5to3"),
        ((None, "12", 11869969, None), (None, "15", 87940753, None), "unknown"),
    ]


def test_junction_base_rules():
    assert junction_base(100, 200, "+", True, end_inclusive=False) == 200
    assert junction_base(100, 200, "-", True, end_inclusive=False) == 101
    assert junction_base(100, 200, "+", False, end_inclusive=False) == 101
    assert junction_base(100, 200, "-", False, end_inclusive=False) == 200
    assert junction_base(100, 199, "+", True, end_inclusive=True) == 200
    assert junction_base(100, 199, "-", False, end_inclusive=True) == 200
    with pytest.raises(ValueError):
        junction_base(100, 200, None, True, end_inclusive=False)


def test_generic_bedpe_long_interval_without_strand_is_rejected(tmp_path):
    path = tmp_path / "x.bedpe"
    path.write_text("chr12\t11869000\t11869969\tchr15\t87940000\t87940753\tETV6::NTRK3\t0\t.\t.\n")
    calls, rejects = _read(path, "bedpe")
    assert not calls and "strand unknown" in rejects[0].reason and rejects[0].line == 1


# ---------------------------------------------------------------- notation


@pytest.mark.parametrize(
    "text, five, three, orientation, level",
    [
        ("KHDRBS1 exons 1-8 :: NTRK1 exons 12-17", ("KHDRBS1", 8, (1, 8)), ("NTRK1", 12, (12, 17)), "5to3", "exon"),
        ("ETV6 ex5::NTRK3 ex15", ("ETV6", 5, None), ("NTRK3", 15, None), "5to3", "exon"),
        ("ETV6 exon 5 :: NTRK3 exon 15", ("ETV6", 5, None), ("NTRK3", 15, None), "5to3", "exon"),
        ("ETV6-NTRK3", ("ETV6", None, None), ("NTRK3", None, None), "unknown", "gene"),
        ("ETV6\u2013NTRK3", ("ETV6", None, None), ("NTRK3", None, None), "unknown", "gene"),
        ("NTRK1-KHDRBS1", ("NTRK1", None, None), ("KHDRBS1", None, None), "unknown", "gene"),
        ("ETV6::NTRK3", ("ETV6", None, None), ("NTRK3", None, None), "5to3", "gene"),
        ("NKX2-1-ALK", ("NKX2-1", None, None), ("ALK", None, None), "unknown", "gene"),
        ("KHDRBS1 exons 1\u20138 \u2013 NTRK1 exons 12\u201317", ("KHDRBS1", 8, (1, 8)), ("NTRK1", 12, (12, 17)), "unknown", "exon"),
    ],
)
def test_notation_forms(text, five, three, orientation, level):
    call = parse_notation(text)
    assert (call.five_prime.gene, call.five_prime.exon, call.five_prime.exon_range) == five
    assert (call.three_prime.gene, call.three_prime.exon, call.three_prime.exon_range) == three
    assert (call.orientation, call.level, call.caller, call.line, call.source) == (orientation, level, "notation", 0, "<command line>")
    assert call.caller_fusion_name == text


@pytest.mark.parametrize("prefix", ["", "chr"])
def test_notation_with_coordinates(prefix):
    call = parse_notation(f"ETV6::NTRK3 {prefix}12:11869969:+ {prefix}15:87940753:-", sample="desk")
    assert _side(call.five_prime) == ("ETV6", "12", 11869969, "+")
    assert _side(call.three_prime) == ("NTRK3", "15", 87940753, "-")
    assert (call.level, call.orientation, call.sample) == ("breakpoint", "5to3", "desk")


@pytest.mark.parametrize(
    "text, reason",
    [
        ("ETV6", "no partner separator"),
        ("HLA-A-ROS1", "ambiguous"),
        ("ETV6::NTRK3 12:11869969:+", "coordinate"),
        ("ETV6 exons 5-1::NTRK3", "backwards"),
        ("ETV6 ex five::NTRK3", "cannot read"),
    ],
)
def test_notation_unreadable_raises_input_error(text, reason):
    with pytest.raises(InputError) as info:
        parse_notation(text, source="report.txt", line=7)
    assert (info.value.path, info.value.line) == ("report.txt", 7)
    assert reason in info.value.reason


def test_notation_file_rejects_unreadable_lines(tmp_path):
    path = tmp_path / "fusions.txt"
    path.write_text("# sign-out list\nETV6 ex5::NTRK3 ex15\n\nnot a fusion at all\nNTRK1-KHDRBS1\n")
    calls, rejects = _read(path, "notation", sample="S2")
    assert [(c.line, c.five_prime.gene) for c in calls] == [(2, "ETV6"), (5, "NTRK1")]
    assert [(r.line, r.sample) for r in rejects] == [(4, "S2")] and "separator" in rejects[0].reason


def test_notation_file_is_detected(tmp_path):
    path = tmp_path / "fusions.txt"
    path.write_text("ETV6 ex5::NTRK3 ex15\nKHDRBS1 exons 1-8 :: NTRK1 exons 12-17\n")
    assert detect_format(str(path)) == "notation"


# ---------------------------------------------------------------- bad input


def _copy_with_truncated_row(src: Path, dst: Path, keep_fields: int, delimiter: str) -> int:
    opener = gzip.open if src.suffix == ".gz" else open
    with opener(src, "rt") as fh:
        lines = fh.read().splitlines()
    header_index = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("##"))
    data_index = header_index + 1
    lines[data_index] = delimiter.join(lines[data_index].split(delimiter)[:keep_fields])
    dst.write_text("\n".join(lines[: data_index + 2]) + "\n")
    return data_index + 1  # 1-based line number of the truncated row


TRUNCATION_CASES = [
    ("star-fusion", "star-fusion/fusion-report.starfusion.tsv", "\t"),
    ("fusioninspector", "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz", "\t"),
    ("arriba", "arriba/annoFuseData.arriba_example.tsv", "\t"),
    ("fusioncatcher", "fusioncatcher/benchmark.K562.final-list_candidate-fusion-genes.txt", "\t"),
    ("jaffa", "jaffa/benchmark.K562.JAFFA_DIRECT.jaffa_results.csv", ","),
    ("bedpe", "bedpe/benchmark.K562.chimerascan.chimeras.bedpe", "\t"),
]


@pytest.mark.parametrize("fmt, relative, delimiter", TRUNCATION_CASES)
def test_truncated_row_is_rejected_with_reason_and_next_row_still_read(callers_dir, tmp_path, fmt, relative, delimiter):
    path = tmp_path / Path(relative).name.replace(".gz", "")
    line = _copy_with_truncated_row(callers_dir / relative, path, 5, delimiter)
    calls, rejects = _read(path, fmt)
    assert [r.line for r in rejects] == [line]
    assert "truncated" in rejects[0].reason and rejects[0].raw
    assert len(calls) == 1 and calls[0].line == line + 1


MISSING_COLUMN_CASES = [
    ("star-fusion", "star-fusion/fusion-report.starfusion.tsv", "RightBreakpoint", "\t"),
    ("fusioninspector", "fusioninspector/agfusion.test.FusionInspector.fusions.abridged.txt", "LeftGene", "\t"),
    ("arriba", "arriba/arriba-repo.test.fusions.tsv", "breakpoint2", "\t"),
    ("fusioncatcher", "fusioncatcher/benchmark.K562.final-list_candidate-fusion-genes.txt",
     "Fusion_point_for_gene_1(5end_fusion_partner)", "\t"),
    ("jaffa", "jaffa/benchmark.K562.JAFFA_ASSEMBLY.jaffa_results.csv", '"base2"', ","),
]


@pytest.mark.parametrize("fmt, relative, column, delimiter", MISSING_COLUMN_CASES)
def test_missing_required_column_is_input_error_naming_file_and_line(callers_dir, tmp_path, fmt, relative, column, delimiter):
    lines = (callers_dir / relative).read_text().splitlines()
    lines[0] = lines[0].replace(column, "renamed_column")
    path = tmp_path / Path(relative).name
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        list(get_reader(fmt).read(str(path), "S1"))
    assert (info.value.path, info.value.line) == (str(path), 1)
    assert column.strip('"') in info.value.reason

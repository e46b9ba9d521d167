"""RNA junctions off the exon edge keep intron bases; DNA breakpoints splice to the nearest exon (issue 10 part 2).

A tiny genome written by the test (test_translation: GENEA on +, GENEB on -, introns 'GT' + A*56 + 'AG')
gives hand-checkable phases and stop codons; real STAR-Fusion INCL_NON_REF_SPLICE rows from the shared
files check the same on the default reference.
"""
from __future__ import annotations

import csv
from dataclasses import replace

import pytest
from Bio.Seq import Seq, reverse_complement

from fusion_annot.annotate import Annotator
from fusion_annot.cli import main
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.readers import REGISTRY
from fusion_annot.writers.records import to_record
from test_translation import INTRON, PROT_A, PROT_B, UTR5, cds_of, tiny  # noqa: F401 (fixture)


def _call(gene5, chrom5, pos5, strand5, gene3, chrom3, pos3, strand3, model="rna"):
    return FusionCall("t", "test", "<t>", 1, Breakpoint(gene5, chrom5, pos5, strand5),
                      Breakpoint(gene3, chrom3, pos3, strand3), junction_model=model)


def _annotate(tiny, call, genome=True) -> dict:
    ann = list(Annotator(tiny["ref"], None, genome=tiny["fasta"] if genome else None).annotate_all([call]))[0]
    return to_record(ann) | {"protein": ann.frame.fusion_protein}


def test_plus_strand_5prime_intron_bases_are_counted_and_translated(tiny):
    # GENEA (+) exon 2 ends at CDS nt 61 (phase 1); keep 3 intron nt; GENEB (-) exon 2 starts after 34 CDS nt
    # (phase 1): (1 + 3) % 3 = 1 -> in frame
    pos5 = tiny["a"][1][1] + 3
    pos3 = tiny["b"][1][1]
    row = _annotate(tiny, _call("GENEA", "chrA", pos5, "+", "GENEB", "chrB", pos3, "-"))
    assert (row["site5"], row["intron_nt5"], row["junction_model"], row["frame"]) == ("splice_site", 3, "rna", "in_frame")
    assert "3 intron nt" in row["frame_reason"] and "no stop codon in the kept intron nt" in row["frame_reason"]
    expected = str(Seq(cds_of(PROT_A)[:61] + INTRON[:3] + cds_of(PROT_B)[34:]).translate(to_stop=True))
    assert row["protein"] == expected and row["fusion_protein_length"] == len(expected)


def test_plus_strand_stop_codon_made_by_the_kept_intron_bases(tiny):
    # GENEA exon 2 ends 1 nt into codon 21 (TAT, Y); keeping 1 intron nt (G) and 2 nt before GENEB exon 2
    # ('AC' in GENEB's orientation) is in frame by phase, (1 + 1 + 2) % 3 = 1, but reads T|G|A: a stop codon
    pos5 = tiny["a"][1][1] + 1
    pos3 = tiny["b"][1][1] + 2
    checked = _annotate(tiny, _call("GENEA", "chrA", pos5, "+", "GENEB", "chrB", pos3, "-"))
    assert (checked["intron_nt5"], checked["intron_nt3"]) == (1, 2)
    assert checked["frame"] == "out_of_frame" and "stop codon in the kept intron bases" in checked["frame_reason"]
    assert checked["protein"] == PROT_A[:20]
    unchecked = _annotate(tiny, _call("GENEA", "chrA", pos5, "+", "GENEB", "chrB", pos3, "-"), genome=False)
    assert unchecked["frame"] == "in_frame"
    assert "stop codons in the kept intron sequence not checked (pass --genome FASTA" in unchecked["frame_reason"]


def test_minus_strand_5prime_intron_bases_with_and_without_a_stop_codon(tiny):
    # GENEB (-) as 5' partner: exon 1 ends at CDS nt 34 (phase 1); its intron reads CTT...TAC in transcript
    # orientation. GENEA (+) exon 2 starts after 30 nt (phase 0); GENEA's intron ends ...AAG.
    end5 = tiny["b"][0][0]  # - strand: the exon's last transcribed base is its lowest coordinate
    start3 = tiny["a"][1][0]
    intron_b = reverse_complement(INTRON)
    # 2 intron nt (CT): (1 + 2) % 3 = 0 -> in frame, no stop
    ok = _annotate(tiny, _call("GENEB", "chrB", end5 - 2, "-", "GENEA", "chrA", start3, "+"))
    assert (ok["strand5"], ok["intron_nt5"], ok["frame"]) == ("-", 2, "in_frame")
    expected = str(Seq(cds_of(PROT_B)[:34] + intron_b[:2] + cds_of(PROT_A)[30:]).translate(to_stop=True))
    assert ok["protein"] == expected and ok["fusion_protein_length"] == len(expected)
    # 3 intron nt (CTT) + 2 before GENEA exon 2 (AG): (1 + 3 + 2) % 3 = 0 by phase, but the sequence reads TAG
    stop = _annotate(tiny, _call("GENEB", "chrB", end5 - 3, "-", "GENEA", "chrA", start3 - 2, "+"))
    assert (stop["intron_nt5"], stop["intron_nt3"], stop["frame"]) == (3, 2, "out_of_frame")
    assert stop["protein"] == str(Seq(cds_of(PROT_B)[:34] + intron_b[:2]).translate())  # then T|AG: stop


def test_minus_strand_3prime_intron_bases(tiny):
    # GENEA exon 1 ends at CDS nt 30 (phase 0); GENEB (-) exon 2 starts at phase 1. Keeping 1 intron nt before
    # GENEB exon 2 ('C' in GENEB's orientation): (0 + 1) % 3 = 1 -> in frame; keeping 3 ('TAC'): out of frame.
    end5 = tiny["a"][0][1]
    first3 = tiny["b"][1][1]  # - strand: the exon's first base is its highest coordinate; intron lies above it
    inframe = _annotate(tiny, _call("GENEA", "chrA", end5, "+", "GENEB", "chrB", first3 + 1, "-"))
    assert (inframe["site3"], inframe["intron_nt3"], inframe["frame"]) == ("splice_site", 1, "in_frame")
    tail = reverse_complement(INTRON)[-1:]
    assert inframe["protein"] == str(Seq(cds_of(PROT_A)[:30] + tail + cds_of(PROT_B)[34:]).translate(to_stop=True))
    out = _annotate(tiny, _call("GENEA", "chrA", end5, "+", "GENEB", "chrB", first3 + 3, "-"))
    assert (out["intron_nt3"], out["frame"]) == (3, "out_of_frame")


def test_dna_breakpoints_splice_to_the_nearest_exon(tiny):
    pos5 = tiny["a"][1][1] + 3  # the RNA case above, given as an SV breakpoint
    row = _annotate(tiny, _call("GENEA", "chrA", pos5, "+", "GENEB", "chrB", tiny["b"][1][1], "-", model="dna"))
    assert (row["junction_model"], row["intron_nt5"], row["frame"]) == ("dna", "", "in_frame")
    assert "assumes splicing at exon 2 (DNA junction model)" in row["frame_reason"]
    assert row["protein"] == str(Seq(cds_of(PROT_A)[:61] + cds_of(PROT_B)[34:]).translate(to_stop=True))


def test_readers_declare_their_junction_model():
    assert REGISTRY["star-fusion"].junction_model == "rna" and REGISTRY["arriba"].junction_model == "rna"
    assert REGISTRY["vcf"].junction_model == "dna" and REGISTRY["bedpe"].junction_model == "dna"


def _rows(path):
    with open(path) as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("##")), delimiter="\t"))


@pytest.fixture(scope="module")
def star_fusion_rows(tmp_path_factory, callers_dir):
    out = tmp_path_factory.mktemp("sf")
    assert main(["annotate", str(callers_dir / "star-fusion" / "fusion-report.starfusion.tsv"), "--out-dir", str(out),
                 "--sample", "fr"]) == 0
    return _rows(out / "fr.fusions.tsv")


def test_star_fusion_incl_non_ref_splice_eml4_alk_keeps_alk_intron_bases(star_fusion_rows):
    # EML4--ALK INCL_NON_REF_SPLICE, 2:42301394:+ / 2:29223584:-: 2 nt past EML4 exon 14 (+), 56 nt of ALK
    # intron 19 before exon 20 (-). EML4 exon 14 ends at phase 0, ALK exon 20 starts at phase 1: 0 + 58 = 1 mod 3.
    row = next(r for r in star_fusion_rows if r["fusion_name"] == "EML4::ALK")
    assert (row["strand5"], row["strand3"], row["exon5"], row["exon3"]) == ("+", "-", "14", "20")
    assert (row["intron_nt5"], row["intron_nt3"], row["phase5"], row["phase3"]) == ("2", "56", "0", "1")
    assert row["junction_model"] == "rna" and row["frame"] == "in_frame"
    assert "58 intron nt" in row["frame_reason"] and "not checked" in row["frame_reason"]


def test_same_junction_as_dna_breakpoints_is_spliced_at_the_exon_edges(bundled):
    reference, domains = bundled
    call = _call("EML4", "2", 42301394, "+", "ALK", "2", 29223584, "-", model="dna")
    ann = list(Annotator(reference, domains).annotate_all([call]))[0]
    assert (ann.side5.intron_bases, ann.side3.intron_bases) == (0, 0)
    assert ann.frame.frame == "out_of_frame"  # phase 0 vs 1 without the 58 kept intron nt
    rna = list(Annotator(reference, domains).annotate_all([replace(call, junction_model="rna")]))[0]
    assert rna.frame.frame == "in_frame"


def test_exon_edge_rna_junctions_are_unchanged(star_fusion_rows):
    row = next(r for r in star_fusion_rows if r["fusion_name"] == "ETV6::NTRK3")
    assert (row["site5"], row["site3"], row["intron_nt5"], row["intron_nt3"], row["frame"]) == (
        "exon_boundary", "exon_boundary", "", "", "in_frame")

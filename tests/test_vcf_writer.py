"""VCF output: BND pairs in VCF 4.3 bracket notation, valid for bcftools, readable by our own VCF reader."""
from __future__ import annotations

import importlib.util
import random
import shutil
import subprocess

import pysam
import pytest

from fusion_annot.evidence.bam_support import Support
from fusion_annot.model import (
    Breakpoint,
    DomainResult,
    FrameResult,
    FusionAnnotation,
    FusionCall,
    KnowledgeResult,
    SideAnnotation,
)
from fusion_annot.writers.vcf import INFO_FIELDS, breakend_alt, percent_encode, write_vcf

BCFTOOLS = shutil.which("bcftools")
needs_bcftools = pytest.mark.skipif(BCFTOOLS is None, reason="bcftools not installed (apt-get install bcftools)")

# ETV6 exon 5 ends at 12:11869969 (+); NTRK3 exon 15 starts at 15:87940753 (-) (Ensembl 110, GRCh38).
ETV6_POS, NTRK3_POS = 11_869_969, 87_940_753


def side(gene, chrom, pos, strand, transcript, exon, retained, site="exon_boundary", count=20) -> SideAnnotation:
    return SideAnnotation(
        gene=gene, gene_id=f"ENSG_{gene}", chrom=chrom, strand=strand, transcript_id=transcript,
        transcript_name=f"{gene}-201", is_canonical=True, exon=exon, exon_count=count, site=site,
        retained_exons=retained, pos=pos,
    )


def annotation(
    gene5="ETV6", chrom5="12", pos5=ETV6_POS, strand5="+", gene3="NTRK3", chrom3="15", pos3=NTRK3_POS, strand3="-",
    sample="S1", mapped=True, actionability="actionable_approved", drugs="larotrectinib, entrectinib",
) -> FusionAnnotation:
    call = FusionCall(
        sample, "star-fusion", "in.tsv", 2,
        Breakpoint(gene5, chrom5, pos5, strand5), Breakpoint(gene3, chrom3, pos3, strand3),
        split_reads=12, spanning_reads=7,
    )
    s5 = side(gene5, chrom5, pos5, strand5, "ENST00000396373", 5, (1, 5), count=8) if mapped else None
    s3 = side(gene3, chrom3, pos3, strand3, "ENST00000629765", 15, (15, 20)) if mapped else None
    return FusionAnnotation(
        call, s5, s3,
        FrameResult("in_frame", "phase 0 meets phase 0", 643),
        DomainResult("retained", 100.0, "Protein kinase domain"),
        KnowledgeResult(actionability=actionability, drugs=drugs),
    )


def records(path):
    with pysam.VariantFile(str(path)) as vcf:
        return list(vcf), vcf.header


def test_etv6_ntrk3_is_a_bnd_pair_in_t_bracket_p_bracket_form(tmp_path):
    result = write_vcf([annotation()], tmp_path / "S1.fusions.vcf.gz")
    assert result.records == 2 and result.skipped == ()
    (r5, r3), _ = records(result.path)
    assert (r5.chrom, r5.pos, r5.id, r5.ref, r5.alts) == ("12", ETV6_POS, "fusion1_5p", "N", (f"N]15:{NTRK3_POS}]",))
    assert (r3.chrom, r3.pos, r3.id, r3.alts) == ("15", NTRK3_POS, "fusion1_3p", (f"N]12:{ETV6_POS}]",))
    assert r5.info["MATEID"] == r3.id and r3.info["MATEID"] == r5.id
    assert r5.info["EVENT"] == r3.info["EVENT"] == "fusion1"
    assert r5.info["SVTYPE"] == "BND"
    assert (r5.info["GENE"], r5.info["EXON"], r5.info["FUSION_SIDE"], r5.info["GENE_STRAND"]) == ("ETV6", 5, "5prime", "+")
    assert (r3.info["GENE"], r3.info["EXON"], r3.info["FUSION_SIDE"], r3.info["GENE_STRAND"]) == ("NTRK3", 15, "3prime", "-")
    assert r3.info["RETAINED_EXONS"] == "15-20" and r3.info["TRANSCRIPT"] == "ENST00000629765"
    assert r5.info["FUSION"] == "ETV6::NTRK3" and r5.info["SITE"] == "exon_boundary"
    assert (r5.info["FRAME"], r5.info["KINASE"], r5.info["ACTIONABILITY"]) == ("in_frame", "retained", "actionable_approved")
    assert r5.info["DRUGS"] == ("larotrectinib", "entrectinib")
    assert r5.info["KINASE_KEPT_PCT"] == pytest.approx(100.0)
    assert (r5.samples["S1"]["JR"], r5.samples["S1"]["SF"]) == (12, 7)


@pytest.mark.parametrize(
    "strand5, strand3, alt5, alt3",
    [
        ("+", "-", "N]15:2000]", "N]12:1000]"),  # t]p] / t]p]
        ("+", "+", "N[15:2000[", "]12:1000]N"),  # t[p[ / ]p]t (VCF 4.3 §5.4 example bnd_W/bnd_Y)
        ("-", "+", "[15:2000[N", "[12:1000[N"),  # [p[t / [p[t
        ("-", "-", "]15:2000]N", "N[12:1000["),  # ]p]t / t[p[
    ],
)
def test_bracket_form_follows_each_partners_strand_and_role(tmp_path, strand5, strand3, alt5, alt3):
    ann = annotation(pos5=1000, strand5=strand5, pos3=2000, strand3=strand3)
    (r5, r3), _ = records(write_vcf([ann], tmp_path / "x.vcf.gz").path)
    assert (r5.alts[0], r3.alts[0]) == (alt5, alt3)


def test_breakend_alt_mate_pairs_are_symmetric():
    # For every junction, each record's bracket names the kept side of its mate: the two ALTs must agree.
    for kept_a in (True, False):
        for kept_b in (True, False):
            alt_a = breakend_alt("A", kept_a, "2", 20, kept_b)
            alt_b = breakend_alt("C", kept_b, "1", 10, kept_a)
            assert alt_a.startswith("A") == kept_a and alt_b.startswith("C") == kept_b
            assert ("]" in alt_a) == kept_b and ("]" in alt_b) == kept_a


def test_header_declares_every_info_key_contigs_with_grch38_lengths_reference_and_source(tmp_path):
    path = write_vcf([annotation()], tmp_path / "S1.vcf.gz").path
    _, header = records(path)
    assert header.version == "VCFv4.3"
    assert set(header.info) == {key for key, *_ in INFO_FIELDS}
    assert {k: header.contigs[k].length for k in header.contigs} == {"12": 133_275_309, "15": 101_991_189}
    text = str(header)
    assert text.startswith("##fileformat=VCFv4.3\n")
    assert "##reference=GRCh38" in text and "##source=fusion-annot" in text
    assert list(header.samples) == ["S1"]


def test_records_are_sorted_and_tabix_indexed(tmp_path):
    anns = [
        annotation("LMNA", "1", 156_130_773, "+", "NTRK1", "1", 156_874_570, "+"),
        annotation(),
        annotation("TPM3", "1", 154_170_400, "-", "NTRK1", "1", 156_874_570, "+"),
    ]
    result = write_vcf(anns, tmp_path / "S1.vcf.gz")
    got, _ = records(result.path)
    assert [(r.chrom, r.pos) for r in got] == sorted(((r.chrom, r.pos) for r in got), key=lambda c: (int(c[0]), c[1]))
    assert result.index_path.exists()
    with pysam.VariantFile(str(result.path)) as vcf:
        assert [r.id for r in vcf.fetch("1", 156_874_569, 156_874_570)] == ["fusion1_3p", "fusion3_3p"]


def test_ref_bases_and_contig_lengths_come_from_the_genome_fasta(tmp_path):
    rng = random.Random(3)
    seqs = {"12": "".join(rng.choice("ACGT") for _ in range(3000)), "15": "".join(rng.choice("ACGT") for _ in range(4000))}
    fasta = tmp_path / "genome.fa"
    fasta.write_text("".join(f">{k}\n{v}\n" for k, v in seqs.items()))
    pysam.faidx(str(fasta))
    ann = annotation(pos5=1000, pos3=2500)
    (r5, r3), header = records(write_vcf([ann], tmp_path / "x.vcf.gz", genome=fasta).path)
    assert r5.ref == seqs["12"][999] and r5.alts[0] == f"{seqs['12'][999]}]15:2500]"
    assert r3.ref == seqs["15"][2499]
    assert header.contigs["15"].length == 4000
    assert "##reference=file://" in str(header)


def test_reserved_characters_in_input_strings_are_percent_encoded(tmp_path):
    ann = annotation(gene5="ETV6;X=1,2", actionability="a;b=c")
    (r5, _), _ = records(write_vcf([ann], tmp_path / "x.vcf.gz").path)
    assert r5.info["GENE"] == "ETV6%3BX%3D1%2C2"
    assert r5.info["ACTIONABILITY"] == "a%3Bb%3Dc"
    assert percent_encode("100%") == "100%25"


def test_fusions_without_a_genomic_junction_are_reported_not_dropped(tmp_path):
    gene_only = FusionAnnotation(
        FusionCall("S1", "pizzly", "p.json", 3, Breakpoint("ETV6"), Breakpoint("NTRK3")), None, None,
        FrameResult("unknown", "no coordinates"), DomainResult("not_applicable", None),
    )
    result = write_vcf([gene_only, annotation()], tmp_path / "x.vcf.gz")
    assert result.records == 2
    assert result.skipped == (("ETV6::NTRK3", "no genomic junction position and strand on both partners"),)


def test_several_samples_in_one_file_is_refused(tmp_path):
    with pytest.raises(ValueError, match="one VCF per sample"):
        write_vcf([annotation(sample="A"), annotation(sample="B")], tmp_path / "x.vcf.gz")


def test_bam_support_counts_go_to_format_fields(tmp_path):
    support = Support(9, 4, 20, 1000, 3)
    (r5, _), _ = records(write_vcf([annotation()], tmp_path / "x.vcf.gz", support=[support]).path)
    assert (r5.samples["S1"]["BSR"], r5.samples["S1"]["BSP"]) == (9, 4)


def test_empty_sample_gives_a_valid_header_only_file(tmp_path):
    result = write_vcf([], tmp_path / "empty.vcf.gz", sample="S0")
    got, header = records(result.path)
    assert got == [] and list(header.samples) == ["S0"] and result.index_path.exists()


@needs_bcftools
def test_bcftools_view_accepts_the_file_and_queries_by_region(tmp_path):
    anns = [annotation(), annotation("LMNA", "1", 156_130_773, "+", "NTRK1", "1", 156_874_570, "+"),
            annotation(gene5="odd;name=1")]
    path = write_vcf(anns, tmp_path / "S1.vcf.gz").path
    full = subprocess.run([BCFTOOLS, "view", str(path)], capture_output=True, text=True)
    assert full.returncode == 0 and full.stderr == ""
    body = [line for line in full.stdout.splitlines() if not line.startswith("#")]
    assert len(body) == 6
    region = subprocess.run([BCFTOOLS, "view", "-H", "-r", f"15:{NTRK3_POS}", str(path)], capture_output=True, text=True)
    assert region.returncode == 0 and region.stderr == ""
    assert [line.split("\t")[4] for line in region.stdout.splitlines()] == [f"N]12:{ETV6_POS}]"] * 2
    query = subprocess.run(
        [BCFTOOLS, "query", "-f", "%ID\t%INFO/MATEID\t%INFO/GENE\n", str(path)], capture_output=True, text=True
    )
    assert query.returncode == 0 and "fusion1_5p\tfusion1_3p\tETV6" in query.stdout


def _vcf_reader_available() -> bool:
    return importlib.util.find_spec("fusion_annot.readers.vcf_sv") is not None


needs_vcf_reader = pytest.mark.skipif(
    not _vcf_reader_available(), reason="fusion_annot.readers.vcf_sv (format 'vcf') not written yet"
)


@needs_vcf_reader
def test_our_vcf_reader_reads_back_the_positions_and_kept_sides(tmp_path):
    from fusion_annot.orientation import keeps_five_prime_part
    from fusion_annot.readers import read_calls

    anns = [
        annotation(),
        annotation("LMNA", "1", 156_130_773, "+", "NTRK1", "1", 156_874_570, "+"),
        annotation("TPM3", "1", 154_170_400, "-", "NTRK1", "1", 156_874_570, "+"),
        annotation("GENE_A", "3", 5_000_000, "-", "GENE_B", "7", 9_000_000, "-"),
    ]
    path = write_vcf(anns, tmp_path / "S1.vcf.gz").path
    rows = list(read_calls(str(path), "vcf", "S1"))
    calls = [r for r in rows if isinstance(r, FusionCall)]
    assert len(calls) == len(anns), [r for r in rows if not isinstance(r, FusionCall)]
    strand_at = {(a.call.five_prime.chrom, a.call.five_prime.pos): a.call.five_prime.strand for a in anns}
    strand_at.update({(a.call.three_prime.chrom, a.call.three_prime.pos): a.call.three_prime.strand for a in anns})
    got = set()
    for call in calls:
        ends = [call.five_prime, call.three_prime]
        roles = [keeps_five_prime_part(kept, strand_at[(bp.chrom, bp.pos)]) for bp, kept in zip(ends, call.extra["retained"])]
        # Exactly one end keeps a 5' part once the gene strands are known: the writer's brackets say which.
        assert sorted(roles) == [False, True]
        five, three = ends if roles[0] else ends[::-1]
        got.add(((five.chrom, five.pos), (three.chrom, three.pos)))
    expected = {((a.call.five_prime.chrom, a.call.five_prime.pos), (a.call.three_prime.chrom, a.call.three_prime.pos)) for a in anns}
    assert got == expected


@needs_vcf_reader
def test_demo_calls_round_trip_through_vcf_to_the_same_annotation(tmp_path):
    """Demo input -> annotate -> our VCF -> `fusion-annot annotate --format vcf` -> the same fusions."""
    import json
    from pathlib import Path

    from fusion_annot import cli
    from fusion_annot.annotate import annotate_calls
    from fusion_annot.domains import domain_table_for
    from fusion_annot.readers import read_calls
    from fusion_annot.reference import load_reference
    from fusion_annot.writers.records import to_record

    demo = Path(__file__).resolve().parents[1] / "resources" / "demo"
    reference = load_reference("bundled")
    table = domain_table_for(reference)
    keys = ("fusion_name", "chrom5", "pos5", "strand5", "chrom3", "pos3", "strand3", "transcript5", "transcript3",
            "exon5", "exon3", "frame", "kinase_domain")
    strands = set()
    for source, sample in (("IFS01.star-fusion.tsv", "IFS01"), ("STS05.star-fusion.tsv", "STS05"),
                           ("IFS02.arriba.tsv", "IFS02")):
        anns = [a for a in annotate_calls(read_calls(str(demo / source), "auto", sample), reference, table)
                if isinstance(a, FusionAnnotation) and a.side5 is not None and a.side3 is not None]
        assert anns, source
        vcf = write_vcf(anns, tmp_path / f"{sample}.vcf.gz").path
        out = tmp_path / sample
        assert cli.main(["annotate", str(vcf), "--format", "vcf", "--sample", sample, "--out-dir", str(out)]) == 0
        back = json.loads((out / f"{sample}.fusions.json").read_text())["fusions"]
        expected = sorted(tuple(str(to_record(a)[k]) for k in keys) for a in anns)
        assert sorted(tuple(str(r[k]) for k in keys) for r in back) == expected
        strands |= {(a.side5.strand, a.side3.strand) for a in anns}
    assert {("+", "-"), ("-", "+"), ("+", "+")} <= strands

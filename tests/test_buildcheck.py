"""Genome-build check: hg19 inputs against the GRCh38 reference stop with a clear error."""
import pytest

from fusion_annot.buildcheck import GeneSpans, build_from_contig_lengths, check_build
from fusion_annot.errors import BuildMismatchError
from fusion_annot.model import FusionCall
from fusion_annot.readers import detect_format, read_calls

HG19_STAR_FUSION = [
    "star-fusion/benchmark.K562.star-fusion.fusion_candidates.final.abridged",
    "star-fusion/benchmark.VCaP_85.star-fusion.fusion_candidates.final.abridged",
    "star-fusion/benchmark.MHH-ES-1.star-fusion.fusion_candidates.final.abridged",
    "star-fusion/star-fusion-repo.BT474.star-fusion.fusion_candidates.final.abridged.FFPM",
    "star-fusion/star-fusion-repo.kickstart.star-fusion.fusion_candidates.final",
    "star-fusion/agfusion.star-fusion.fusion_candidates.final.abridged",
]
HG38_FILES = [
    "star-fusion/fusion-report.starfusion.tsv",
    "star-fusion/agfusion.star-fusion.fusion_predictions.abridged.coding_effect.tsv",
    "ericscript/benchmark.K562.MyEric.results.filtered.tsv",
    "ctat-lr-fusion/LRbench.SeraCare_IsoSeq.ctat-LR-fusion.fusion_predictions.tsv.gz",
    "bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz",
    "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz",
    "cicero/cicero-repo.test.annotated.fusion.txt",
    "dragen/fusion-report.dragen.tsv",
]
HG19_OTHER = [
    "defuse/benchmark.K562.defuse.results.filtered.tsv",
    "jaffa/benchmark.MHH-ES-1.JAFFA_DIRECT.jaffa_results.csv",
    "bedpe/benchmark.VCaP_85.chimerascan.chimeras.bedpe",
    "fusioninspector/fusioninspector-repo.ex2.finspector.fusion_predictions.final.abridged.FFPM",
]


@pytest.fixture(scope="module")
def grch38_spans(shared_dir):
    """GRCh38 gene spans of the genome-wide Ensembl 110 GTF (gene lines only: ~2 s instead of a full index)."""
    return GeneSpans.from_gtf(str(shared_dir / "reference/ensembl110_coding.gtf.gz"), build="GRCh38")


def calls(callers_dir, rel):
    path = str(callers_dir / rel)
    return [c for c in read_calls(path, detect_format(path), "S") if isinstance(c, FusionCall)], path


@pytest.mark.parametrize("rel", HG19_STAR_FUSION + HG19_OTHER)
def test_hg19_files_against_grch38_stop_with_build_error(callers_dir, grch38_spans, rel):
    found, path = calls(callers_dir, rel)
    with pytest.raises(BuildMismatchError) as err:
        check_build(found, grch38_spans, path)
    message = str(err.value)
    assert "not GRCh38" in message and "GRCh37 (hg19)" in message and path in message


@pytest.mark.parametrize("rel", HG38_FILES)
def test_hg38_files_pass(callers_dir, grch38_spans, rel):
    found, path = calls(callers_dir, rel)
    result = check_build(found, grch38_spans, path)
    assert result.passed and result.outside_fraction < 0.05


def test_k562_bcr_abl1_is_named_in_the_message(callers_dir, grch38_spans):
    found, path = calls(callers_dir, HG19_STAR_FUSION[0])
    result = check_build(found, grch38_spans, path, raise_on_mismatch=False)
    assert not result.passed and result.examples[0].gene == "BCR" and result.examples[0].pos == 23632600
    assert result.tested >= 30  # mitochondrial breakpoints (same in both builds) are not counted


def test_vcf_contig_lengths_name_the_build_exactly(callers_dir, grch38_spans):
    path = str(callers_dir / "manta/mavis.manta_events.vcf")
    found = [c for c in read_calls(path, "vcf", "S") if isinstance(c, FusionCall)]
    with pytest.raises(BuildMismatchError, match="##contig lengths are those of GRCh37"):
        check_build(found, grch38_spans, path)
    assert build_from_contig_lengths({"chr1": 248956422, "chr2": 242193529, "chr3": 198295559}) == "GRCh38"
    assert build_from_contig_lengths({"1": 249250621, "2": 243199373, "3": 198022430}) == "GRCh37"
    assert build_from_contig_lengths({"1": 1000}) is None


def test_chr_prefix_is_reconciled_silently(callers_dir, grch38_spans):
    found, path = calls(callers_dir, "star-fusion/fusion-report.starfusion.tsv")
    from dataclasses import replace

    prefixed = [replace(c, five_prime=replace(c.five_prime, chrom="chr" + c.five_prime.chrom),
                        three_prime=replace(c.three_prime, chrom="chr" + c.three_prime.chrom)) for c in found]
    assert check_build(prefixed, grch38_spans, path).passed


def test_works_with_the_real_reference_module(bundled, callers_dir):
    reference, _ = bundled
    found, path = calls(callers_dir, "star-fusion/fusion-report.starfusion.tsv")
    result = check_build(found, reference, path)
    assert result.passed and result.tested >= 5

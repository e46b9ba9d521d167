"""Reference loading: bundled subset, an official GENCODE GTF (versioned IDs, chr contigs), cache placement."""
from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from fusion_annot.annotate import Annotator
from fusion_annot.errors import ReferenceError_
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.reference import load_reference
from fusion_annot.writers.records import to_record

CATALOG_GTF = Path(__file__).resolve().parents[2] / "shared" / "reference" / "catalog_genes.ensembl110.gtf.gz"


def test_bundled_canonical_models_match_the_published_landmarks(bundled):
    ref, _ = bundled
    ntrk1, ntrk3, etv6 = (ref.canonical_transcript(g) for g in ("NTRK1", "NTRK3", "ETV6"))
    assert (ntrk1.transcript_id, ntrk1.exon_count, ntrk1.protein_length) == ("ENST00000524377", 17, 796)
    assert (ntrk3.transcript_id, ntrk3.exon_count, ntrk3.protein_length) == ("ENST00000629765", 20, 839)
    assert etv6.protein_length == 452 and etv6.is_canonical
    assert ntrk1.cds_position(156876550) == (595 - 1) * 3 + 1  # G595 codon, first base (facts B8)
    assert ntrk3.cds_position(87933034) == (623 - 1) * 3 + 1  # G623 codon on the minus strand
    assert ref.genes_at("chr15", 87940753) == ["NTRK3"]


def test_gtf_is_converted_into_the_cache_dir_not_beside_the_gtf(tmp_path, catalog_gtf):
    import shutil

    src = tmp_path / "gtf"
    src.mkdir()
    gtf = src / catalog_gtf.name
    shutil.copy(catalog_gtf, gtf)
    load_reference(str(gtf), cache_dir=str(tmp_path / "cache"))
    assert os.listdir(src) == [gtf.name]
    assert len(list((tmp_path / "cache").rglob("*.fapack"))) == 1


def test_missing_gtf_is_a_clear_error(tmp_path):
    with pytest.raises(ReferenceError_, match="not found"):
        load_reference(str(tmp_path / "none.gtf.gz"))


@pytest.fixture(scope="module")
def gencode(shared_dir, tmp_path_factory):
    d = tmp_path_factory.mktemp("gencode")
    out = d / "gencode.v28.chr12_chr15.gtf.gz"
    with gzip.open(out, "wt") as dst:
        for name in ("gencode.v28.annotation.chr12.gtf.gz", "gencode.v28.annotation.chr15.gtf.gz"):
            with gzip.open(shared_dir / "reference" / "tests-only" / name, "rt") as src:
                dst.writelines(line for line in src if not line.startswith("#"))
    return load_reference(str(out), cache_dir=str(d / "cache"))


def test_official_gencode_gtf_with_versions_and_chr_contigs(gencode):
    c = FusionCall("s", "t", "<t>", 1, Breakpoint("ETV6", "chr12", 11869969, "+"), Breakpoint("NTRK3", "15", 87940753, "-"))
    rec = to_record(list(Annotator(gencode, None).annotate_all([c]))[0])
    assert rec["transcript5"] == "ENST00000396373.8" and rec["exon5"] == 5
    # GENCODE v28 has no MANE/canonical tags: the longest complete CDS of NTRK3 (ENST00000626019, 19 exons) is used, and said
    assert rec["transcript3"].startswith("ENST00000626019.") and rec["exon3"] == 13
    assert rec["canonical3"] is False and "no MANE/canonical tags" in rec["notes"]
    assert rec["frame"] == "in_frame"


def _install_fake_release(root, release: int) -> None:
    """Lay out what `pyensembl install` leaves on disk, from the bundled GTF and one-record FASTAs (offline)."""
    import shutil

    d = root / "pyensembl" / "GRCh38" / f"ensembl{release}"
    d.mkdir(parents=True)
    shutil.copy(CATALOG_GTF, d / f"Homo_sapiens.GRCh38.{release}.gtf.gz")
    for name, record in (("cdna.all", ">ENST00000396373 cdna\nATG\n"), ("ncrna", ">ENST00000000001 ncrna\nACG\n"),
                         ("pep.all", ">ENSP00000379658 pep\nM\n")):
        with gzip.open(d / f"Homo_sapiens.GRCh38.{name}.fa.gz", "wt") as fh:
            fh.write(record)


def test_installed_pyensembl_release(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path))
    _install_fake_release(tmp_path, 110)
    ref = load_reference("ensembl:110", cache_dir=str(tmp_path / "fa"))
    assert ref.name == "ensembl:110" and ref.build == "GRCh38"
    c = FusionCall("s", "t", "<t>", 1, Breakpoint("ETV6", "12", 11869969, "+"), Breakpoint("NTRK3", "15", 87940753, "-"))
    rec = to_record(list(Annotator(ref, None).annotate_all([c]))[0])
    assert (rec["transcript3"], rec["exon3"], rec["frame"], rec["canonical3"]) == ("ENST00000629765", 15, "in_frame", True)


def test_release_that_is_not_installed_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path))
    with pytest.raises(ReferenceError_, match="pyensembl install --release 109"):
        load_reference("ensembl:109")


def test_versioned_gene_id_finds_an_unversioned_index(bundled):
    ref, _ = bundled
    # ETV6's Ensembl gene ID as GENCODE-based callers write it (with a version); the bundled GTF has none
    assert [t.gene_name for t in ref.transcripts_of("ENSG00000139083.12")][:1] == ["ETV6"]
    assert ref.transcripts_of("ENSG00000000000.1") == []


def test_pack_of_a_gtf_matches_pyensembl_on_every_transcript(tmp_path, catalog_gtf):
    """pyensembl as the oracle for the pack's own GTF reader: exons, CDS (stop codon merged in), strand and
    coordinates of every coding transcript of the catalog GTF, both strands (1-based, inclusive)."""
    import pyensembl

    genome = pyensembl.Genome(reference_name="GRCh38", annotation_name="oracle", gtf_path_or_url=str(catalog_gtf),
                              cache_directory_path=str(tmp_path / "pyensembl"))
    genome.index()
    ours = load_reference(str(catalog_gtf), cache_dir=str(tmp_path / "pack"))
    checked = {"+": 0, "-": 0}
    for tx in genome.transcripts():
        model = ours.transcript(tx.transcript_id)
        assert model is not None, tx.transcript_id
        assert (model.gene_name, model.chrom, model.strand) == (tx.gene_name, tx.contig, tx.strand)
        rows = genome.db.query(["exon_number", "start", "end"], filter_column="transcript_id",
                               filter_value=tx.transcript_id, feature="exon")  # (no exon IDs in this GTF)
        exons = [(start, end) for _, start, end in sorted(rows, key=lambda r: int(r[0]))]  # transcript order
        assert list(model.exons) == exons, tx.transcript_id
        # pyensembl 2.3 gives CDS ranges without the stop codon (its stop_codon_positions apart), in an order
        # that has changed across releases; ours hold the stop codon, in transcript order: compare bases
        def bases(ranges):
            return {p for start, end in ranges for p in range(start, end + 1)}

        theirs = bases(tx.coding_sequence_position_ranges) | (set(tx.stop_codon_positions) if tx.contains_stop_codon else set())
        assert bases(model.cds) == theirs, tx.transcript_id
        assert model.has_stop_codon == tx.contains_stop_codon, tx.transcript_id
        step = 1 if tx.strand == "+" else -1  # transcript order: ascending on +, descending on -
        assert all(step * (b[0] - a[0]) > 0 for a, b in zip(model.cds, model.cds[1:])), tx.transcript_id
        checked[tx.strand] += 1
    assert checked["+"] > 100 and checked["-"] > 100, checked

"""Fusion CDS and protein from sequence, on a tiny genome + GTF written by the test.

Gene GENEA (+ strand) and GENEB (- strand) are built from known proteins, so the
expected fusion protein is known independently of the code under test. The same
fusion is also checked from coordinates alone (phase arithmetic), and the two must agree.
"""
from __future__ import annotations

import pysam
import pytest
from Bio.Seq import Seq, reverse_complement

from fusion_annot.annotate import Annotator
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.reference import load_reference, make_transcript
from fusion_annot.writers.records import to_record

CODON = {"M": "ATG", "A": "GCT", "C": "TGT", "D": "GAT", "E": "GAA", "F": "TTT", "G": "GGT", "H": "CAT", "I": "ATT",
         "K": "AAA", "L": "CTG", "N": "AAT", "P": "CCT", "Q": "CAA", "R": "CGT", "S": "TCT", "T": "ACT", "V": "GTT",
         "W": "TGG", "Y": "TAT"}
PROT_A = "M" + "ACDEFGHIKLMNPQRSTVWY" * 2
PROT_B = "M" + "WYVTSRQPNMLKIHGFEDCA" * 2
UTR5, UTR3 = "GGCGGCGGCA", "CCCCCCCCCC"
INTRON = "GT" + "A" * 56 + "AG"
FLANK = "C" * 100


def cds_of(protein: str) -> str:
    return "".join(CODON[a] for a in protein) + "TAA"


def layout(mrna_exons: list[str], strand: str):
    """Genome sequence (+ strand) and the exons' 1-based coordinates in transcript order."""
    pieces = mrna_exons if strand == "+" else [reverse_complement(e) for e in reversed(mrna_exons)]
    seq, coords, pos = FLANK, [], len(FLANK) + 1
    for i, piece in enumerate(pieces):
        coords.append((pos, pos + len(piece) - 1))
        seq += piece
        pos += len(piece)
        if i < len(pieces) - 1:
            seq += INTRON
            pos += len(INTRON)
    seq += FLANK
    return seq, (coords if strand == "+" else list(reversed(coords)))


def genomic(index: int, exons, mrna_exons, strand) -> int:
    """Genomic coordinate of mRNA index (0-based)."""
    for (s, e), piece in zip(exons, mrna_exons):
        if index < len(piece):
            return s + index if strand == "+" else e - index
        index -= len(piece)
    raise IndexError


def gtf_lines(gene, contig, strand, mrna_exons, exons) -> list[str]:
    cds_start = len(UTR5)
    cds_len = len(cds_of(PROT_A if gene == "GENEA" else PROT_B))
    attrs = f'gene_id "{gene}_ID"; transcript_id "{gene}_T1"; gene_name "{gene}"; gene_biotype "protein_coding"; transcript_biotype "protein_coding"; transcript_name "{gene}-201"; protein_id "{gene}_P1"'
    span = (min(s for s, _ in exons), max(e for _, e in exons))
    out = [f"{contig}\ttest\tgene\t{span[0]}\t{span[1]}\t.\t{strand}\t.\t{attrs};",
           f'{contig}\ttest\ttranscript\t{span[0]}\t{span[1]}\t.\t{strand}\t.\t{attrs}; tag "Ensembl_canonical";']
    for n, (s, e) in enumerate(exons, start=1):
        out.append(f'{contig}\ttest\texon\t{s}\t{e}\t.\t{strand}\t.\t{attrs}; exon_number "{n}";')
    # CDS lines exclude the stop codon (Ensembl convention); start/stop codons get their own lines
    coding = [genomic(i, exons, mrna_exons, strand) for i in range(cds_start, cds_start + cds_len - 3)]
    stop = [genomic(i, exons, mrna_exons, strand) for i in range(cds_start + cds_len - 3, cds_start + cds_len)]
    for feature, positions in (("CDS", coding), ("start_codon", coding[:3]), ("stop_codon", stop)):
        runs, run = [], [positions[0]]
        for p in positions[1:]:
            if abs(p - run[-1]) == 1:
                run.append(p)
            else:
                runs.append(run)
                run = [p]
        runs.append(run)
        for r in runs:
            out.append(f"{contig}\ttest\t{feature}\t{min(r)}\t{max(r)}\t.\t{strand}\t0\t{attrs};")
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny_genome")
    mrna_a = UTR5 + cds_of(PROT_A) + UTR3
    mrna_b = UTR5 + cds_of(PROT_B) + UTR3
    exons_a = [mrna_a[:40], mrna_a[40:71], mrna_a[71:]]  # exon 1 ends at CDS nt 30 (phase 0), exon 2 at nt 61 (phase 1)
    exons_b = [mrna_b[:44], mrna_b[44:90], mrna_b[90:]]  # exon 2 starts after 34 CDS nt (phase 1)
    seq_a, coords_a = layout(exons_a, "+")
    seq_b, coords_b = layout(exons_b, "-")
    (d / "genome.fa").write_text(f">chrA\n{seq_a}\n>chrB\n{seq_b}\n")
    pysam.faidx(str(d / "genome.fa"))
    lines = gtf_lines("GENEA", "chrA", "+", exons_a, coords_a) + gtf_lines("GENEB", "chrB", "-", exons_b, coords_b)
    (d / "tiny.gtf").write_text("\n".join(lines) + "\n")
    ref = load_reference(str(d / "tiny.gtf"), cache_dir=str(d / "cache"))
    return {"ref": ref, "fasta": pysam.FastaFile(str(d / "genome.fa")), "a": coords_a, "b": coords_b, "gtf": str(d / "tiny.gtf"),
            "cdna": {"GENEA_T1": "".join(exons_a), "GENEB_T1": "".join(exons_b)}}


def fusion(tiny, exon_a: int, exon_b: int, genome=True) -> dict:
    a_end = tiny["a"][exon_a - 1][1]  # + strand: exon end is the last base
    b_start = tiny["b"][exon_b - 1][1]  # - strand: the exon's first transcribed base is its highest coordinate
    c = FusionCall("t", "test", "<t>", 1, Breakpoint("GENEA", "chrA", a_end, "+"), Breakpoint("GENEB", "chrB", b_start, "-"))
    ann = list(Annotator(tiny["ref"], None, genome=tiny["fasta"] if genome else None).annotate_all([c]))[0]
    return to_record(ann) | {"protein": ann.frame.fusion_protein, "cds": ann.frame.fusion_cds}


def test_minus_strand_models_are_in_transcript_order(tiny):
    tx = tiny["ref"].canonical_transcript("GENEB")
    assert tx.strand == "-" and tx.exons[0][0] > tx.exons[-1][0]
    assert tx.cds[0][1] > tx.cds[-1][1]  # first CDS piece is the most downstream in genome coordinates
    assert tx.cds_length == len(cds_of(PROT_B)) and tx.protein_length == len(PROT_B)


def test_ascending_cds_input_is_reordered_for_minus_strand():
    # the pyensembl trap: CDS ranges handed over in ascending genomic order
    tx = make_transcript(transcript_id="T", transcript_name="T", gene_name="G", gene_id="G", chrom="1", strand="-",
                         exons=[(100, 200), (300, 400)], cds=[(150, 200), (300, 350)])
    assert tx.cds == ((300, 350), (150, 200))
    assert tx.cds_position(350) == 1 and tx.cds_position(300) == 51 and tx.cds_position(200) == 52
    assert tx.genomic_position(52) == 200


def test_in_frame_fusion_translates_to_the_expected_protein(tiny):
    rec = fusion(tiny, 2, 2)
    expected = str(Seq(cds_of(PROT_A)[:61] + cds_of(PROT_B)[34:]).translate(to_stop=True))
    assert rec["frame"] == "in_frame"
    assert rec["protein"] == expected
    assert rec["fusion_protein_length"] == len(expected)
    assert "matches coordinates" in rec["peptide_note"]
    j = 61 // 3  # the codon holding the first GENEB base
    assert rec["junction_peptide"] == expected[j - 10 : j] + "|" + expected[j : j + 10]


def test_coordinates_alone_give_the_same_length(tiny):
    with_seq, without = fusion(tiny, 2, 2), fusion(tiny, 2, 2, genome=False)
    assert without["fusion_protein_length"] == with_seq["fusion_protein_length"]
    assert without["junction_peptide"] == "" and "pass --genome" in without["peptide_note"]


def test_out_of_frame_fusion_translates_to_the_first_stop(tiny):
    rec = fusion(tiny, 1, 2)  # GENEA exon 1 ends at phase 0, GENEB exon 2 starts at phase 1
    assert rec["frame"] == "out_of_frame"
    expected = str(Seq((cds_of(PROT_A)[:30] + cds_of(PROT_B)[34:])[: (30 + len(cds_of(PROT_B)) - 34) // 3 * 3]).translate(to_stop=True))
    assert rec["protein"] == expected
    assert rec["fusion_protein_length"] == len(expected)


def test_cli_genome_bam_and_vcf_end_to_end(tiny, tmp_path):
    """annotate with --genome --bam --vcf: sequence outputs, BAM counts of planted reads, a valid VCF."""
    import subprocess
    import sys

    from test_bam_support import BamBuilder, Fusion

    a_end, b_start = tiny["a"][1][1], tiny["b"][1][1]
    calls = tmp_path / "tiny.star-fusion.tsv"
    calls.write_text(
        "#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\tLeftBreakpoint\tRightGene\tRightBreakpoint\n"
        f"GENEA--GENEB\t3\t1\tONLY_REF_SPLICE\tGENEA^GENEA_ID\tchrA:{a_end}:+\tGENEB^GENEB_ID\tchrB:{b_start}:-\n"
    )
    fasta = tiny["fasta"]
    header = pysam.AlignmentHeader.from_dict({"HD": {"VN": "1.6", "SO": "unsorted"},
                                              "SQ": [{"SN": n, "LN": fasta.get_reference_length(n)} for n in fasta.references]})
    builder = BamBuilder(tmp_path, header=header)
    junction = Fusion("chrA", a_end, "+", "chrB", b_start, "-")
    for _ in range(3):
        builder.split_read(junction, bases5=30)
    builder.split_read(junction, bases5=30, mapq5=5)  # below the MAPQ threshold: not counted
    bam = builder.write()
    genome = tiny["fasta"].filename.decode()
    gtf = tiny["gtf"]
    res = subprocess.run([sys.executable, "-m", "fusion_annot.cli", "annotate", str(calls), "--sample", "T1",
                          "--reference", str(gtf), "--genome", genome, "--bam", bam, "--bam-kind", "dna", "--vcf",
                          "--no-build-check", "--out-dir", str(tmp_path / "out")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    from fusion_annot.writers.tsv import read_tsv

    row = read_tsv(tmp_path / "out" / "T1.fusions.tsv")[0]
    expected = str(Seq(cds_of(PROT_A)[:61] + cds_of(PROT_B)[34:]).translate(to_stop=True))
    assert row["frame"] == "in_frame" and row["fusion_protein_length"] == str(len(expected))
    assert row["junction_sequence"] == cds_of(PROT_A)[31:61] + "|" + cds_of(PROT_B)[34:64]
    assert (row["bam_split_reads"], row["split_reads"]) == ("3", "3")
    fa = (tmp_path / "out" / "T1.fusion_proteins.fa").read_text()
    assert expected in fa.replace("\n", "")
    vcf = pysam.VariantFile(str(tmp_path / "out" / "T1.fusions.vcf.gz"))
    records = list(vcf)
    assert len(records) == 2 and {r.info["SVTYPE"] for r in records} == {"BND"}
    assert (tmp_path / "out" / "T1.fusions.vcf.gz.tbi").exists()


def test_release_cdna_translates_like_the_genome(tiny, tmp_path, monkeypatch):
    """A pyensembl release brings transcript cDNA: the fusion is translated without any genome FASTA."""
    import gzip
    import shutil

    d = tmp_path / "pyensembl" / "GRCh38" / "ensembl110"
    d.mkdir(parents=True)
    with open(tiny["gtf"], "rb") as src, gzip.open(d / "Homo_sapiens.GRCh38.110.gtf.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    with gzip.open(d / "Homo_sapiens.GRCh38.cdna.all.fa.gz", "wt") as fh:
        fh.writelines(f">{tid} cdna\n{seq}\n" for tid, seq in tiny["cdna"].items())
    for name, record in (("ncrna", ">NC1 ncrna\nACGT\n"), ("pep.all", ">P1 pep\nM\n")):
        with gzip.open(d / f"Homo_sapiens.GRCh38.{name}.fa.gz", "wt") as fh:
            fh.write(record)
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path))
    release = load_reference("ensembl:110", cache_dir=str(tmp_path / "fa"))
    assert release.has_transcript_sequences
    a_end, b_start = tiny["a"][1][1], tiny["b"][1][1]
    c = FusionCall("t", "test", "<t>", 1, Breakpoint("GENEA", "chrA", a_end, "+"), Breakpoint("GENEB", "chrB", b_start, "-"))
    from_cdna = list(Annotator(release, None).annotate_all([c]))[0].frame
    from_genome = fusion(tiny, 2, 2)
    assert from_cdna.fusion_protein == from_genome["protein"] and from_cdna.fusion_protein
    assert from_cdna.junction_peptide == from_genome["junction_peptide"]
    assert "matches coordinates" in from_cdna.peptide_note


# A second tiny genome for sequence edge cases: 5' partner GENEC on the minus strand; 3' partner GENED on the
# plus strand with a two-exon 5'UTR holding an in-frame stop (TAG) and a 3'UTR with stops in every frame.
CDS_C = "ATG" + "GAA" * 20 + "AAA" * 20 + "TAA"
MRNA_C = "GGCGGCGGCA" + CDS_C + "CCCCCCCCCC"
EXONS_C = [MRNA_C[:41], MRNA_C[41:72], MRNA_C[72:]]  # exon 1 keeps 31 CDS nt (phase 1), exon 2 ends at 62 (phase 2)
CDS_D = "ATG" + "GCT" * 30 + "TAA"
MRNA_D = "GTAGGAGGAGGAGGAGGAGG" + "CCACC" + CDS_D + "GGGGTAGTAAGTGAGGGGGGGG"
EXONS_D = [MRNA_D[:20], MRNA_D[20:65], MRNA_D[65:]]  # exon 1 all UTR; exon 2: 5 UTR + 40 CDS nt; exon 3 at phase 1


def _gtf_for(gene, contig, strand, mrna_exons, exons, cds_start, cds_len):
    attrs = (f'gene_id "{gene}_ID"; transcript_id "{gene}_T1"; gene_name "{gene}"; gene_biotype "protein_coding"; '
             f'transcript_biotype "protein_coding"; transcript_name "{gene}-201"')
    span = (min(s for s, _ in exons), max(e for _, e in exons))
    out = [f"{contig}\tt\tgene\t{span[0]}\t{span[1]}\t.\t{strand}\t.\t{attrs};",
           f'{contig}\tt\ttranscript\t{span[0]}\t{span[1]}\t.\t{strand}\t.\t{attrs}; tag "Ensembl_canonical";']
    out += [f'{contig}\tt\texon\t{s}\t{e}\t.\t{strand}\t.\t{attrs}; exon_number "{n}";' for n, (s, e) in enumerate(exons, 1)]
    coding = [genomic(i, exons, mrna_exons, strand) for i in range(cds_start, cds_start + cds_len - 3)]
    stop = [genomic(i, exons, mrna_exons, strand) for i in range(cds_start + cds_len - 3, cds_start + cds_len)]
    for feature, positions in (("CDS", coding), ("start_codon", coding[:3]), ("stop_codon", stop)):
        runs = [[positions[0]]]
        for p in positions[1:]:
            runs[-1].append(p) if abs(p - runs[-1][-1]) == 1 else runs.append([p])
        out += [f"{contig}\tt\t{feature}\t{min(r)}\t{max(r)}\t.\t{strand}\t0\t{attrs};" for r in runs]
    return out


@pytest.fixture(scope="module")
def utr_genome(tmp_path_factory):
    d = tmp_path_factory.mktemp("utr_genome")
    seq_c, coords_c = layout(EXONS_C, "-")
    seq_d, coords_d = layout(EXONS_D, "+")
    (d / "g.fa").write_text(f">chrC\n{seq_c}\n>chrD\n{seq_d}\n")
    pysam.faidx(str(d / "g.fa"))
    lines = _gtf_for("GENEC", "chrC", "-", EXONS_C, coords_c, 10, len(CDS_C)) + _gtf_for("GENED", "chrD", "+", EXONS_D, coords_d, 25, len(CDS_D))
    (d / "t.gtf").write_text("\n".join(lines) + "\n")
    return load_reference(str(d / "t.gtf"), cache_dir=str(d / "cache")), pysam.FastaFile(str(d / "g.fa")), coords_c, coords_d


@pytest.mark.parametrize("exon_c, exon_d, frame", [
    (1, 3, "in_frame"),
    (2, 3, "out_of_frame"),  # frameshifted read-through: its stop lies in GENED's 3'UTR
    (1, 2, "in_frame"),  # 3' junction in the 5'UTR, in frame with GENED's start codon
    (2, 2, "out_of_frame"),
    (2, 1, "out_of_frame"),  # in frame by phase, but the translated 5'UTR holds a stop: no GENED protein
    (1, 1, "out_of_frame"),
])
def test_translation_matches_the_fused_mrna(utr_genome, exon_c, exon_d, frame):
    ref, fasta, coords_c, coords_d = utr_genome
    c = FusionCall("t", "t", "<t>", 1, Breakpoint("GENEC", "chrC", coords_c[exon_c - 1][0], "-"),
                   Breakpoint("GENED", "chrD", coords_d[exon_d - 1][0], "+"))
    ann = list(Annotator(ref, None, genome=fasta).annotate_all([c]))[0]
    fused = "".join(EXONS_C[:exon_c]) + "".join(EXONS_D[exon_d - 1:])  # independent: spliced fusion mRNA
    expected = str(Seq(fused[10:][: (len(fused) - 10) // 3 * 3]).translate(to_stop=True))
    assert ann.frame.fusion_protein == expected
    assert ann.frame.fusion_protein_length == len(expected)
    assert ann.frame.frame == frame, ann.frame.reason

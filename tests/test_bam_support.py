"""Split-read and spanning-pair counts on small BAM/CRAM files the tests build around a synthetic reference.

Each test plants a known number of supporting reads for a fusion plus decoys that
must not count (low MAPQ, duplicates, QC-failed, secondary, reads that do not cross
the junction, wrong orientation, mates outside the window) and asserts exact counts.
Positions in this file are 1-based junction bases, as fusion_annot.model uses.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import pysam
import pytest

from fusion_annot.errors import InputError
from fusion_annot.evidence.bam_support import count_support, count_support_for, junction_of
from fusion_annot.model import Breakpoint, DomainResult, FrameResult, FusionAnnotation, FusionCall

CONTIGS = {"12": 30_000, "15": 30_000, "X": 5_000}
READ_LEN = 100


@dataclass(frozen=True)
class Fusion:
    chrom5: str
    pos5: int
    strand5: str
    chrom3: str
    pos3: int
    strand3: str

    def args(self):
        return (self.chrom5, self.pos5, self.strand5, self.chrom3, self.pos3, self.strand3)


def _interval_before_junction(pos: int, strand: str, five_prime: bool, distance: int, length: int) -> tuple[int, int]:
    """0-based half-open genomic interval of `length` kept bases starting `distance` bases from the junction.

    The kept side: 5' '+' and 3' '-' keep bases at/left of the junction base, the others at/right of it.
    """
    kept_left = (strand == "+") if five_prime else (strand == "-")
    junction = pos - 1
    if kept_left:
        return junction + 1 - distance - length, junction + 1 - distance
    return junction + distance, junction + distance + length


@dataclass
class BamBuilder:
    """Collects synthetic alignments and writes a sorted, indexed BAM (or CRAM)."""

    tmp_path: object
    records: list = field(default_factory=list)
    serial: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    header: pysam.AlignmentHeader = field(
        default_factory=lambda: pysam.AlignmentHeader.from_dict(
            {"HD": {"VN": "1.6", "SO": "unsorted"}, "SQ": [{"SN": n, "LN": ln} for n, ln in CONTIGS.items()]}
        )
    )

    def _name(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial:04d}"

    def _segment(self, name, contig, start, cigar, reverse, mapq, flag=0):
        seg = pysam.AlignedSegment(self.header)
        seg.query_name = name
        seg.reference_name = contig
        seg.reference_start = start
        seg.cigarstring = cigar
        query_len = sum(int(n) for n, op in _ops(cigar) if op in "MIS=X")
        seg.query_sequence = "".join(self.rng.choice("ACGT") for _ in range(query_len))
        seg.query_qualities = pysam.qualitystring_to_array("I" * query_len)
        seg.flag = flag | (0x10 if reverse else 0)
        seg.mapping_quality = mapq
        return seg

    # --- split reads -------------------------------------------------------------------
    def split_read(
        self,
        f: Fusion,
        *,
        bases5: int = 40,
        sense: bool = True,
        mapq5: int = 60,
        mapq3: int = 60,
        flag5: int = 0,
        flag3: int = 0,
        shift3: int = 0,
        intron5: int = 0,
        wrong_strand3: bool = False,
        primary_on_3prime: bool = False,
        paired_mate_on_3prime: bool = False,
        name: str | None = None,
    ) -> str:
        """One read crossing the junction: bases5 from the 5' partner, the rest from the 3' partner.

        intron5 > 0 splits the 5' part into two exon blocks around an intron (spliced RNA read).
        shift3 moves the 3' part away from the junction (a decoy that does not end at the breakpoint).
        """
        name = name or self._name("split")
        bases3 = READ_LEN - bases5
        # Query ranges in the read as sequenced (sense: the 5' part first).
        q5 = (0, bases5) if sense else (bases3, READ_LEN)
        q3 = (bases5, READ_LEN) if sense else (0, bases3)
        rev5 = (f.strand5 == "-") != (not sense)
        rev3 = ((f.strand3 == "-") != (not sense)) != wrong_strand3

        if intron5:
            first_block = bases5 // 2
            s1, e1 = _interval_before_junction(f.pos5, f.strand5, True, 0, bases5 - first_block)
            kept_left = f.strand5 == "+"
            if kept_left:
                start5, blocks5 = s1 - intron5 - first_block, f"{first_block}M{intron5}N{bases5 - first_block}M"
            else:
                start5, blocks5 = s1, f"{bases5 - first_block}M{intron5}N{first_block}M"
        else:
            start5, _ = _interval_before_junction(f.pos5, f.strand5, True, 0, bases5)
            blocks5 = f"{bases5}M"
        start3, _ = _interval_before_junction(f.pos3, f.strand3, False, 0, bases3)
        kept_left3 = f.strand3 == "-"
        start3 += -shift3 if kept_left3 else shift3

        def cigar(q, reverse, blocks, clip):
            lo, hi = (READ_LEN - q[1], READ_LEN - q[0]) if reverse else q
            left = f"{lo}{clip}" if lo else ""
            right = f"{READ_LEN - hi}{clip}" if READ_LEN - hi else ""
            return left + blocks + right

        clip5, clip3 = ("H", "S") if primary_on_3prime else ("S", "H")
        cig5 = cigar(q5, rev5, blocks5, clip5)
        cig3 = cigar(q3, rev3, f"{bases3}M", clip3)
        pair_flags = 0
        if paired_mate_on_3prime:
            pair_flags = 0x1 | 0x40
        rec5 = self._segment(name, f.chrom5, start5, cig5, rev5, mapq5, flag5 | pair_flags | (0x800 if primary_on_3prime else 0))
        rec3 = self._segment(name, f.chrom3, start3, cig3, rev3, mapq3, flag3 | pair_flags | (0 if primary_on_3prime else 0x800))
        rec5.set_tag("SA", f"{f.chrom3},{start3 + 1},{'-' if rev3 else '+'},{cig3.replace('H', 'S')},{mapq3},0;")
        rec3.set_tag("SA", f"{f.chrom5},{start5 + 1},{'-' if rev5 else '+'},{cig5.replace('H', 'S')},{mapq5},0;")
        self.records += [rec5, rec3]
        if paired_mate_on_3prime:
            # Read 2 lies on the 3' side pointing to the junction, so the fragment also looks spanning.
            s, _ = _interval_before_junction(f.pos3, f.strand3, False, 150, READ_LEN)
            mate = self._segment(name, f.chrom3, s, f"{READ_LEN}M", f.strand3 == "+", 60, 0x1 | 0x80)
            primary = rec3 if primary_on_3prime else rec5
            _link(primary, mate)
            self.records.append(mate)
        return name

    def gapped_read(self, f: Fusion, *, bases5: int = 50, gap_op: str = "N", shift: int = 0) -> str:
        """One alignment whose D/N gap joins the junction bases (same chromosome, same strand)."""
        assert f.chrom5 == f.chrom3 and f.strand5 == f.strand3
        name = self._name("gapped")
        left, right = (f.pos5, f.pos3) if f.strand5 == "+" else (f.pos3, f.pos5)
        left_len = bases5 if f.strand5 == "+" else READ_LEN - bases5
        gap = (right - 1 + shift) - left
        start = left - left_len
        cig = f"{left_len}M{gap}{gap_op}{READ_LEN - left_len}M"
        self.records.append(self._segment(name, f.chrom5, start, cig, self.rng.random() < 0.5, 60))
        return name

    # --- pairs -------------------------------------------------------------------------
    def spanning_pair(
        self,
        f: Fusion,
        *,
        distance5: int = 60,
        distance3: int = 80,
        read1_on_5prime: bool = True,
        mapq: int = 60,
        flag: int = 0,
        flip5: bool = False,
        kept_side5: bool = True,
    ) -> str:
        """A pair with one mate in the 5' partner and the other in the 3' partner, both pointing at the junction."""
        name = self._name("span")
        s5, _ = _interval_before_junction(f.pos5, f.strand5, True, distance5, READ_LEN)
        if not kept_side5:  # decoy: the 5' mate sits past the junction, in the part the fusion loses
            kept_left = f.strand5 == "+"
            s5 = f.pos5 + distance5 if kept_left else f.pos5 - 1 - distance5 - READ_LEN
        s3, _ = _interval_before_junction(f.pos3, f.strand3, False, distance3, READ_LEN)
        rev5 = (f.strand5 == "-") != flip5
        rev3 = f.strand3 == "+"
        r5 = 0x40 if read1_on_5prime else 0x80
        r3 = 0x80 if read1_on_5prime else 0x40
        m5 = self._segment(name, f.chrom5, s5, f"{READ_LEN}M", rev5, mapq, 0x1 | r5 | flag)
        m3 = self._segment(name, f.chrom3, s3, f"{READ_LEN}M", rev3, mapq, 0x1 | r3 | flag)
        _link(m5, m3)
        self.records += [m5, m3]
        return name

    def plain_read(self, contig: str, start: int, *, cigar: str = f"{READ_LEN}M", reverse=False, mapq=60, flag=0):
        rec = self._segment(self._name("plain"), contig, start, cigar, reverse, mapq, flag)
        self.records.append(rec)
        return rec

    def write(self, kind: str = "bam") -> str:
        raw = self.tmp_path / "raw.bam"
        with pysam.AlignmentFile(str(raw), "wb", header=self.header) as out:
            for rec in self.records:
                out.write(rec)
        target = self.tmp_path / "sorted.bam"
        pysam.sort("-o", str(target), str(raw))
        if kind == "cram":
            fasta = write_reference(self.tmp_path)
            cram = self.tmp_path / "sorted.cram"
            pysam.view("-C", "-T", str(fasta), "-o", str(cram), str(target), catch_stdout=False)
            target = cram
        pysam.index(str(target))
        return str(target)


def _ops(cigar: str):
    number = ""
    for ch in cigar:
        if ch.isdigit():
            number += ch
        else:
            yield int(number), ch
            number = ""


def _link(a: pysam.AlignedSegment, b: pysam.AlignedSegment) -> None:
    for x, y in ((a, b), (b, a)):
        x.next_reference_name = y.reference_name
        x.next_reference_start = y.reference_start
        x.mate_is_reverse = y.is_reverse


def write_reference(tmp_path):
    rng = random.Random(11)
    path = tmp_path / "ref.fa"
    with open(path, "w") as fh:
        for name, length in CONTIGS.items():
            seq = "".join(rng.choice("ACGT") for _ in range(length))
            fh.write(f">{name}\n")
            fh.writelines(seq[i : i + 60] + "\n" for i in range(0, length, 60))
    pysam.faidx(str(path))
    return path


ETV6_NTRK3_LIKE = Fusion("12", 11_000, "+", "15", 18_000, "-")
STRAND_COMBINATIONS = [
    pytest.param(ETV6_NTRK3_LIKE, id="plus-minus"),
    pytest.param(Fusion("12", 11_000, "+", "15", 18_000, "+"), id="plus-plus"),
    pytest.param(Fusion("12", 11_000, "-", "15", 18_000, "+"), id="minus-plus"),
    pytest.param(Fusion("12", 11_000, "-", "15", 18_000, "-"), id="minus-minus"),
]


def _plant_decoys(b: BamBuilder, f: Fusion) -> None:
    """Reads near the junction that must not count."""
    b.split_read(f, mapq5=5)  # primary below the MAPQ threshold
    b.split_read(f, mapq3=10)  # supplementary part below the threshold
    b.split_read(f, flag5=0x400, flag3=0x400)  # duplicate
    b.split_read(f, flag5=0x400)  # duplicate primary whose supplementary is not flagged
    b.split_read(f, flag5=0x200, flag3=0x200)  # QC fail
    b.split_read(f, shift3=25)  # 3' part does not start at the junction
    b.split_read(f, wrong_strand3=True)  # parts on inconsistent strands
    s, _ = _interval_before_junction(f.pos5, f.strand5, True, -30, READ_LEN)
    b.plain_read(f.chrom5, s)  # aligned straight through the 5' junction: no fusion
    s, _ = _interval_before_junction(f.pos5, f.strand5, True, 0, 60)
    b.plain_read(f.chrom5, s, cigar="60M40S" if f.strand5 == "+" else "40S60M")  # clipped at the junction, no SA
    b.spanning_pair(f, mapq=3)  # low MAPQ pair
    b.spanning_pair(f, flag=0x400)  # duplicate pair
    b.spanning_pair(f, flag=0x100)  # secondary alignments only
    b.spanning_pair(f, flip5=True)  # 5' mate points away from the junction
    b.spanning_pair(f, kept_side5=False)  # 5' mate in the part of the gene the fusion loses
    b.spanning_pair(f, distance5=5_000)  # beyond the default 1 kb window


@pytest.mark.parametrize("fusion", STRAND_COMBINATIONS)
def test_counts_match_planted_reads_on_both_strands(tmp_path, fusion):
    b = BamBuilder(tmp_path)
    planted_split = [b.split_read(fusion, bases5=k, sense=k % 2 == 0) for k in (25, 30, 40, 52, 61, 75)]
    planted_split.append(b.split_read(fusion, primary_on_3prime=True))
    planted_pairs = [b.spanning_pair(fusion, distance5=d, read1_on_5prime=d % 20 == 0) for d in (10, 40, 130, 300)]
    _plant_decoys(b, fusion)
    support = count_support(b.write(), *fusion.args())
    assert (support.split_reads, support.spanning_pairs) == (7, 4)
    assert support.split_read_names == tuple(sorted(planted_split))
    assert support.spanning_pair_names == tuple(sorted(planted_pairs))
    assert support.min_mapq == 20 and support.note == ""


def test_reads_of_another_fusion_do_not_count(tmp_path):
    b = BamBuilder(tmp_path)
    b.split_read(ETV6_NTRK3_LIKE)
    b.spanning_pair(ETV6_NTRK3_LIKE)
    other = Fusion("12", 11_000, "+", "15", 18_000, "+")  # same bases, other 3' strand (a different junction)
    support = count_support(b.write(), *other.args())
    assert (support.split_reads, support.spanning_pairs) == (0, 0)


def test_spliced_rna_reads_with_introns_count(tmp_path):
    b = BamBuilder(tmp_path)
    f = ETV6_NTRK3_LIKE
    names = [b.split_read(f, bases5=60, intron5=2_000, sense=s) for s in (True, False)]
    support = count_support(b.write(), *f.args())
    assert support.split_reads == 2 and support.split_read_names == tuple(sorted(names))
    rec = next(r for r in pysam.AlignmentFile(b.tmp_path / "sorted.bam") if r.query_name == names[0] and not r.is_supplementary)
    assert "N" in rec.cigarstring


def test_spliced_read_on_minus_strand_partner(tmp_path):
    b = BamBuilder(tmp_path)
    f = Fusion("12", 11_000, "-", "15", 18_000, "+")
    b.split_read(f, bases5=60, intron5=1_500)
    assert count_support(b.write(), *f.args()).split_reads == 1


def test_mapq_threshold_is_a_parameter(tmp_path):
    b = BamBuilder(tmp_path)
    f = ETV6_NTRK3_LIKE
    b.split_read(f, mapq5=15)
    b.spanning_pair(f, mapq=15)
    path = b.write()
    assert (count_support(path, *f.args()).split_reads, count_support(path, *f.args()).spanning_pairs) == (0, 0)
    loose = count_support(path, *f.args(), min_mapq=10)
    assert (loose.split_reads, loose.spanning_pairs) == (1, 1)


def test_window_limits_how_far_mates_may_lie(tmp_path):
    b = BamBuilder(tmp_path)
    f = ETV6_NTRK3_LIKE
    b.spanning_pair(f, distance5=3_000)  # an RNA mate in an upstream exon
    path = b.write()
    assert count_support(path, *f.args()).spanning_pairs == 0
    assert count_support(path, *f.args(), window=10_000).spanning_pairs == 1


def test_split_read_fragment_is_not_also_counted_as_spanning(tmp_path):
    b = BamBuilder(tmp_path)
    f = ETV6_NTRK3_LIKE
    name = b.split_read(f, paired_mate_on_3prime=True)
    support = count_support(b.write(), *f.args())
    assert support.split_read_names == (f"{name}/1",)
    assert support.spanning_pairs == 0


@pytest.mark.parametrize("strand", ["+", "-"])
@pytest.mark.parametrize("gap_op", ["N", "D"])
def test_one_alignment_with_a_gap_joining_the_junction_counts(tmp_path, strand, gap_op):
    # Read-through / deletion fusions on one chromosome: STAR writes them as one gapped alignment.
    f = Fusion("12", 8_000, "+", "12", 20_000, "+") if strand == "+" else Fusion("12", 20_000, "-", "12", 8_000, "-")
    b = BamBuilder(tmp_path)
    planted = [b.gapped_read(f, gap_op=gap_op, bases5=k) for k in (30, 50, 70)]
    b.gapped_read(f, gap_op=gap_op, shift=40)  # a gap to somewhere else
    support = count_support(b.write(), *f.args())
    assert support.split_reads == 3 and support.split_read_names == tuple(sorted(planted))


def test_cram_is_read_with_its_reference(tmp_path):
    b = BamBuilder(tmp_path)
    f = ETV6_NTRK3_LIKE
    b.split_read(f)
    b.split_read(f, sense=False)
    b.spanning_pair(f)
    path = b.write("cram")
    support = count_support(path, *f.args(), reference_fasta=str(tmp_path / "ref.fa"))
    assert (support.split_reads, support.spanning_pairs) == (2, 1)


def test_open_alignment_file_can_be_reused_and_chr_prefixes_resolve(tmp_path):
    b = BamBuilder(tmp_path)
    b.split_read(ETV6_NTRK3_LIKE)
    path = b.write()
    with pysam.AlignmentFile(path) as bam:
        support = count_support(bam, "chr12", 11_000, "+", "chr15", 18_000, "-")
        again = count_support(bam, *ETV6_NTRK3_LIKE.args())
    assert support.split_reads == again.split_reads == 1


def test_missing_contig_gives_unknown_counts_with_a_reason(tmp_path):
    b = BamBuilder(tmp_path)
    b.split_read(ETV6_NTRK3_LIKE)
    support = count_support(b.write(), "12", 11_000, "+", "22", 500, "-")
    assert support.split_reads is None and support.spanning_pairs is None
    assert "22" in support.note


def test_unindexed_file_is_a_clear_input_error(tmp_path):
    b = BamBuilder(tmp_path)
    b.split_read(ETV6_NTRK3_LIKE)
    path = b.write()
    (tmp_path / "sorted.bam.bai").unlink()
    with pytest.raises(InputError, match="no index"):
        count_support(path, *ETV6_NTRK3_LIKE.args())


def test_bad_strand_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="strand5"):
        count_support(tmp_path / "x.bam", "12", 1, ".", "15", 1, "-")


def _annotation(five: Breakpoint, three: Breakpoint) -> FusionAnnotation:
    call = FusionCall("S1", "test", "in.tsv", 2, five, three)
    return FusionAnnotation(call, None, None, FrameResult("unknown", ""), DomainResult("not_applicable", None))


def test_count_support_for_an_annotation_uses_its_breakpoints(tmp_path):
    b = BamBuilder(tmp_path)
    b.split_read(ETV6_NTRK3_LIKE)
    path = b.write()
    ann = _annotation(Breakpoint("ETV6", "12", 11_000, "+"), Breakpoint("NTRK3", "15", 18_000, "-"))
    assert junction_of(ann).pos3 == 18_000
    assert count_support_for(ann, path).split_reads == 1
    gene_only = _annotation(Breakpoint("ETV6"), Breakpoint("NTRK3"))
    assert count_support_for(gene_only, path).split_reads is None

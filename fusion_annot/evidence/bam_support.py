"""Read support for a fusion junction, counted from the alignments themselves.

Given an indexed BAM/CRAM (RNA or DNA) and the two junction bases of a fusion,
count

* **split reads**: reads with one aligned part ending at the 5' junction base
  and another part starting at the 3' junction base. The parts come from the
  primary alignment plus its supplementary alignments (SA tag), or from a
  single alignment whose deletion/intron gap (D/N) joins the two bases (how
  STAR writes read-through and deletion fusions on one chromosome);
* **spanning pairs**: pairs with one mate wholly on the kept side of the 5'
  junction and the other wholly on the kept side of the 3' junction, each mate
  pointing toward its junction (Illumina forward-reverse pairs). A fragment
  already counted among the split reads is not counted again as spanning.

Coordinates: positions are 1-based genomic positions of the junction base on
each side, as in fusion_annot.model.Breakpoint: pos5 is the last base the 5'
partner keeps, pos3 the first base the 3' partner keeps; strand5/strand3 are
the partners' transcription strands. pysam works 0-based half-open; the
conversion happens in this module only.

Reads that are secondary, duplicates, QC-failed or unmapped are ignored, and
every aligned part used as evidence must have mapping quality >= min_mapq.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

import pysam

from ..errors import InputError

DEFAULT_MIN_MAPQ = 20
# How far a mate may lie from the junction (bp, on the kept side). 1 kb covers
# DNA inserts; for RNA a mate may sit in an exon further upstream, so pass a
# larger window (e.g. RNA_WINDOW) when counting on RNA alignments.
DEFAULT_WINDOW = 1000
RNA_WINDOW = 100_000
# Aligners may shift a junction by a few bases where the two partners share
# sequence at the breakpoint (microhomology).
DEFAULT_TOLERANCE = 3

_CLIP_OPS = (4, 5)  # S, H
_REF_CONSUMING = frozenset("MDN=X")
_GAP_OPS = (2, 3)  # D, N
_SKIP_FLAGS = 0x4 | 0x100 | 0x200 | 0x400  # unmapped, secondary, QC fail, duplicate
_REJECT_FLAGS = 0x200 | 0x400  # QC fail, duplicate: the whole read/fragment is out

AlignmentSource = Union[str, Path, pysam.AlignmentFile]


@dataclass(frozen=True)
class Support:
    """Reads supporting one fusion junction in one alignment file.

    split_reads counts reads (read 1 and read 2 of a pair count separately);
    spanning_pairs counts fragments. Both are None when the file cannot say
    (a contig of the fusion is not in its header); ``note`` then says why.
    """

    split_reads: Optional[int]
    spanning_pairs: Optional[int]
    min_mapq: int
    window: int
    tolerance: int
    split_read_names: tuple[str, ...] = ()  # "name/1", "name/2" or "name" for unpaired reads
    spanning_pair_names: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class _Part:
    """One aligned part of a read, 0-based half-open on the reference."""

    contig: str
    start: int
    end: int
    reverse: bool
    clipped_left: bool
    clipped_right: bool
    mapq: int


@dataclass(frozen=True)
class _Side:
    """One partner of the fusion in 0-based terms.

    kept_left: the partner keeps the bases at and left of the junction base
    (5' partner on '+', 3' partner on '-'); otherwise at and right of it.
    junction: 0-based offset of the junction base.
    """

    contig: str
    junction: int
    kept_left: bool

    def touches(self, part: _Part, tolerance: int) -> bool:
        """The part ends at the junction base and is clipped beyond it (the rest of the read is elsewhere)."""
        if part.contig != self.contig:
            return False
        if self.kept_left:
            return part.clipped_right and abs((part.end - 1) - self.junction) <= tolerance
        return part.clipped_left and abs(part.start - self.junction) <= tolerance

    def holds(self, part: _Part, window: int, tolerance: int) -> bool:
        """The part lies wholly on the kept side, within the window, pointing toward the junction."""
        if part.contig != self.contig:
            return False
        if self.kept_left:
            return (not part.reverse) and part.end - 1 <= self.junction + tolerance and part.start >= self.junction - window
        return part.reverse and part.start >= self.junction - tolerance and part.end - 1 <= self.junction + window

    def sense(self, part: _Part, is_five_prime: bool) -> bool:
        """Whether the part reads in the fusion transcript's direction."""
        forward_is_sense = self.kept_left if is_five_prime else not self.kept_left
        return part.reverse != forward_is_sense


def count_support(
    bam: AlignmentSource,
    chrom5: str,
    pos5: int,
    strand5: str,
    chrom3: str,
    pos3: int,
    strand3: str,
    *,
    window: int = DEFAULT_WINDOW,
    min_mapq: int = DEFAULT_MIN_MAPQ,
    tolerance: int = DEFAULT_TOLERANCE,
    reference_fasta: Optional[str] = None,
) -> Support:
    """Count split reads and spanning pairs for the junction chrom5:pos5 (strand5) -> chrom3:pos3 (strand3).

    bam: path to an indexed BAM/CRAM, or an open pysam.AlignmentFile (reuse one
    for many fusions). reference_fasta: needed for CRAM files whose reference
    is not reachable from their header. Positions are 1-based.
    """
    for strand, label in ((strand5, "strand5"), (strand3, "strand3")):
        if strand not in ("+", "-"):
            raise ValueError(f"{label} must be '+' or '-', not {strand!r}")
    if pos5 < 1 or pos3 < 1:
        raise ValueError("pos5 and pos3 are 1-based positions (>= 1)")
    with _open(bam, reference_fasta) as alignments:
        contig5 = resolve_contig(alignments, chrom5)
        contig3 = resolve_contig(alignments, chrom3)
        missing = [c for c, r in ((chrom5, contig5), (chrom3, contig3)) if r is None]
        if missing:
            return Support(
                None, None, min_mapq, window, tolerance,
                note=f"contig {', '.join(sorted(set(missing)))} not in the alignment header",
            )
        side5 = _Side(contig5, pos5 - 1, kept_left=(strand5 == "+"))
        side3 = _Side(contig3, pos3 - 1, kept_left=(strand3 == "-"))
        split = _split_reads(alignments, side5, side3, min_mapq, tolerance)
        split_fragments = {name.rsplit("/", 1)[0] for name in split}
        spanning = _spanning_pairs(alignments, side5, side3, min_mapq, window, tolerance) - split_fragments
    return Support(
        split_reads=len(split),
        spanning_pairs=len(spanning),
        min_mapq=min_mapq,
        window=window,
        tolerance=tolerance,
        split_read_names=tuple(sorted(split)),
        spanning_pair_names=tuple(sorted(spanning)),
    )


def resolve_contig(alignments: pysam.AlignmentFile, chrom: str) -> Optional[str]:
    """The header's name for chrom, accepting '12' for 'chr12' and 'MT' for 'chrM' (and back)."""
    names = set(alignments.references)
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    candidates = [chrom, bare, "chr" + bare]
    if bare.upper() in ("M", "MT"):
        candidates += ["MT", "chrM", "M", "chrMT"]
    return next((c for c in candidates if c in names), None)


class _open:
    """Open a path (checking for an index) or pass an open AlignmentFile through untouched."""

    def __init__(self, source: AlignmentSource, reference_fasta: Optional[str]):
        self._source = source
        self._reference = reference_fasta
        self._owned: Optional[pysam.AlignmentFile] = None

    def __enter__(self) -> pysam.AlignmentFile:
        if isinstance(self._source, pysam.AlignmentFile):
            alignments = self._source
        else:
            path = str(self._source)
            try:
                alignments = pysam.AlignmentFile(path, reference_filename=self._reference)
            except (OSError, ValueError) as exc:
                raise InputError(path, 0, f"cannot open alignments: {exc}") from None
            self._owned = alignments
        if not alignments.has_index():
            name = alignments.filename.decode() if isinstance(alignments.filename, bytes) else str(alignments.filename)
            self.__exit__()
            raise InputError(name, 0, "alignment file has no index (.bai/.csi/.crai); run `samtools index` on it")
        return alignments

    def __exit__(self, *exc_info) -> None:
        if self._owned is not None:
            self._owned.close()
            self._owned = None


def _read_key(read: pysam.AlignedSegment) -> str:
    if read.is_paired:
        return f"{read.query_name}/{1 if read.is_read1 else 2}"
    return read.query_name


def _fetch(alignments: pysam.AlignmentFile, contig: str, start: int, end: int) -> Iterator[pysam.AlignedSegment]:
    yield from alignments.fetch(contig, max(0, start), max(start + 1, end))


def _split_reads(alignments, side5: _Side, side3: _Side, min_mapq: int, tolerance: int) -> set[str]:
    supporting: set[str] = set()
    excluded: set[str] = set()
    for side in (side5, side3):
        for read in _fetch(alignments, side.contig, side.junction - tolerance, side.junction + tolerance + 1):
            if read.flag & _REJECT_FLAGS:
                # A duplicate/QC-failed primary can leave unflagged supplementary records behind.
                excluded.add(_read_key(read))
            if read.flag & _SKIP_FLAGS:
                continue
            if _crosses(read, side5, side3, min_mapq, tolerance):
                supporting.add(_read_key(read))
    return supporting - excluded


def _crosses(read: pysam.AlignedSegment, side5: _Side, side3: _Side, min_mapq: int, tolerance: int) -> bool:
    if read.mapping_quality >= min_mapq and _gap_joins(read, side5, side3, tolerance):
        return True
    if not read.has_tag("SA"):
        return False
    parts = [p for p in [_part_of(read), *_sa_parts(read.get_tag("SA"))] if p.mapq >= min_mapq]
    for a in parts:
        if not side5.touches(a, tolerance):
            continue
        for b in parts:
            if b is not a and side3.touches(b, tolerance) and side5.sense(a, True) == side3.sense(b, False):
                return True
    return False


def _gap_joins(read: pysam.AlignedSegment, side5: _Side, side3: _Side, tolerance: int) -> bool:
    """A D/N gap within one alignment whose flanking bases are the two junction bases."""
    if side5.contig != side3.contig or read.reference_name != side5.contig:
        return False
    # Only a same-strand pair can be one collinear alignment: + :: + with the 5' side left of the
    # gap, - :: - with the 3' side left of it.
    if side5.kept_left == side3.kept_left:
        return False
    left, right = (side5, side3) if side5.kept_left else (side3, side5)
    ref = read.reference_start
    for op, length in read.cigartuples or ():
        if op in _GAP_OPS:
            last_before, first_after = ref - 1, ref + length
            if abs(last_before - left.junction) <= tolerance and abs(first_after - right.junction) <= tolerance:
                return True
        if op in (0, 2, 3, 7, 8):
            ref += length
    return False


def _part_of(read: pysam.AlignedSegment) -> _Part:
    cigar = read.cigartuples or []
    return _Part(
        contig=read.reference_name,
        start=read.reference_start,
        end=read.reference_end,
        reverse=read.is_reverse,
        clipped_left=bool(cigar) and cigar[0][0] in _CLIP_OPS,
        clipped_right=bool(cigar) and cigar[-1][0] in _CLIP_OPS,
        mapq=read.mapping_quality,
    )


def _sa_parts(sa_tag: str) -> Iterable[_Part]:
    """Parts from an SA tag: 'contig,pos(1-based),strand,CIGAR,mapq,NM;' repeated."""
    for entry in sa_tag.split(";"):
        fields = entry.split(",")
        if len(fields) < 6:
            continue
        contig, pos, strand, cigar, mapq = fields[0], int(fields[1]), fields[2], fields[3], int(fields[4])
        ops = _parse_cigar(cigar)
        if not ops:
            continue
        span = sum(n for n, op in ops if op in _REF_CONSUMING)
        yield _Part(
            contig=contig,
            start=pos - 1,
            end=pos - 1 + span,
            reverse=(strand == "-"),
            clipped_left=ops[0][1] in "SH",
            clipped_right=ops[-1][1] in "SH",
            mapq=mapq,
        )


def _parse_cigar(cigar: str) -> list[tuple[int, str]]:
    ops: list[tuple[int, str]] = []
    number = ""
    for char in cigar:
        if char.isdigit():
            number += char
        else:
            ops.append((int(number or 0), char))
            number = ""
    return ops


def _spanning_pairs(alignments, side5: _Side, side3: _Side, min_mapq: int, window: int, tolerance: int) -> set[str]:
    """Fragment names with one mate held by the 5' side and the other by the 3' side."""
    held: dict[str, dict[str, set[int]]] = {"5": {}, "3": {}}
    excluded: set[str] = set()
    for label, side in (("5", side5), ("3", side3)):
        if side.kept_left:
            start, end = side.junction - window, side.junction + tolerance + 1
        else:
            start, end = side.junction - tolerance, side.junction + window + 1
        for read in _fetch(alignments, side.contig, start, end):
            if not read.is_paired or read.is_supplementary:
                continue
            if read.flag & _REJECT_FLAGS:
                excluded.add(read.query_name)
            if read.flag & _SKIP_FLAGS:
                continue
            if read.mapping_quality < min_mapq or read.mate_is_unmapped:
                continue
            if side.holds(_part_of(read), window, tolerance):
                held[label].setdefault(read.query_name, set()).add(1 if read.is_read1 else 2)
    pairs = set()
    for name, mates5 in held["5"].items():
        mates3 = held["3"].get(name, set())
        # Different mates on the two sides (the same mate cannot be in both places).
        if any(m5 != m3 for m5 in mates5 for m3 in mates3):
            pairs.add(name)
    return pairs - excluded


@dataclass(frozen=True)
class FusionJunction:
    """The junction coordinates count_support needs, taken from an annotation (1-based)."""

    chrom5: str
    pos5: int
    strand5: str
    chrom3: str
    pos3: int
    strand3: str


def junction_of(annotation) -> Optional[FusionJunction]:
    """Junction coordinates of a model.FusionAnnotation (mapped side first, the caller's breakpoint otherwise).

    None when a side has no coordinate or strand (exon notation, gene-level calls).
    """
    values = []
    for side, bp in ((annotation.side5, annotation.call.five_prime), (annotation.side3, annotation.call.three_prime)):
        chrom = (side.chrom if side and side.pos else None) or bp.chrom
        pos = (side.pos if side else None) or bp.pos
        strand = (side.strand if side else None) or bp.strand
        if not chrom or not pos or strand not in ("+", "-"):
            return None
        values += [chrom, pos, strand]
    return FusionJunction(*values)


def count_support_for(annotation, bam: AlignmentSource, **options) -> Support:
    """count_support for a model.FusionAnnotation; a Support with None counts when it has no junction."""
    junction = junction_of(annotation)
    if junction is None:
        return Support(
            None, None,
            options.get("min_mapq", DEFAULT_MIN_MAPQ),
            options.get("window", DEFAULT_WINDOW),
            options.get("tolerance", DEFAULT_TOLERANCE),
            note="no genomic junction (exon notation or gene-level call)",
        )
    j = junction
    return count_support(bam, j.chrom5, j.pos5, j.strand5, j.chrom3, j.pos3, j.strand3, **options)

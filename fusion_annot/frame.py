"""Reading frame across the junction, fusion protein length and (with sequence) translation.

Frame from coordinates: the 5' side keeps `cds_offset` CDS bases, so it ends
`phase5 = kept % 3` bases into a codon; the 3' side skips `skipped` CDS bases,
so its first kept base sits `phase3 = skipped % 3` bases into a codon. The junction
is in frame when phase5 == phase3 (the 5' partner's end phase equals the 3'
partner's start phase). A 3' junction in the 5'UTR keeps `u` UTR bases before the
start codon: in frame when (phase5 + u) % 3 == 0 (stop codons in the UTR can only be
seen with sequence).

With a genome FASTA (pysam.FastaFile) the fusion CDS is built from exon sequence,
translated with Biopython, and the translated length is checked against the
coordinate-derived one.
"""
from __future__ import annotations

from typing import Optional

from .model import FrameResult, SideAnnotation
from .reference import TranscriptModel

NO_SEQUENCE_NOTE = "no sequence (pass --genome FASTA, or use an installed pyensembl release, to translate)"
PEPTIDE_FLANK = 10  # aa either side of the junction in junction_peptide
JUNCTION_FLANK_NT = 30  # nt either side of the junction in junction_sequence


def decide_frame(side5: Optional[SideAnnotation], side3: Optional[SideAnnotation]) -> FrameResult:
    """Frame class, reason and coordinate-derived fusion protein length (aa, no stop)."""
    if side5 is None or side3 is None:
        return FrameResult("unknown", "no transcript model for one partner")
    if side5.retained_exons is None:
        return FrameResult("unknown", "5' breakpoint outside the 5' transcript: no 5' exon kept")
    if side3.retained_exons is None:
        return FrameResult("unknown", "3' breakpoint outside the 3' transcript: no 3' exon kept")
    if not side5.coding:
        return FrameResult("non_coding", f"5' transcript {side5.transcript_id} has no CDS")
    if not side3.coding:
        return FrameResult("non_coding", f"3' transcript {side3.transcript_id} has no CDS")
    kept5 = side5.cds_offset or 0
    if kept5 == 0:
        length = side3.protein_length if (side3.cds_offset or 0) <= 0 else None
        return FrameResult(
            "utr5_fusion",
            "5' junction lies in the 5' partner's 5'UTR: the 5' partner adds no coding sequence"
            + ("; the 3' partner's own start codon is kept" if length else ""),
            fusion_protein_length=length,
        )
    if kept5 >= side5.cds_length:
        if side5.cds_end_incomplete:
            return FrameResult("unknown", "5' CDS end is incomplete in the reference (cds_end_NF)")
        return FrameResult("stop_before_junction", "the 5' partner's stop codon lies before the junction")
    if side5.cds_start_incomplete:
        return FrameResult("unknown", "5' CDS start is incomplete in the reference: phase cannot be counted")
    offset3 = side3.cds_offset if side3.cds_offset is not None else 0
    if side3.cds_start_incomplete:
        return FrameResult("unknown", "3' CDS start is incomplete in the reference: phase cannot be counted")
    if offset3 >= side3.cds_length:
        return FrameResult("non_coding", "3' junction lies in the 3' partner's 3'UTR: no 3' coding sequence kept")

    phase5 = kept5 % 3
    # RNA junctions inside an intron: the fusion transcript carries those intron bases between the two CDS parts
    intron = side5.intron_bases + side3.intron_bases
    shift = f" + {intron} intron nt" if intron else ""
    stop3 = 0 if side3.cds_end_incomplete else 3
    if offset3 < 0:
        utr = -offset3
        in_frame = (phase5 + intron + utr) % 3 == 0
        reason = (
            f"5' ends at phase {phase5}{shift}; 3' junction in the 5'UTR keeps {utr} UTR nt before the start codon "
            f"({'in' if in_frame else 'out of'} frame; UTR stop codons need sequence to check)"
        )
        nt = kept5 + intron + utr + side3.cds_length
    else:
        phase3 = offset3 % 3
        joined = (phase5 + intron) % 3
        in_frame = joined == phase3
        through = f" -> phase {joined}" if intron else ""
        reason = f"5' end phase {phase5}{shift}{through} {'=' if in_frame else '≠'} 3' start phase {phase3}"
        nt = kept5 + intron + side3.cds_length - offset3
    notes = [n for n in (_intronic_note(side5, "5'"), _intronic_note(side3, "3'")) if n]
    if notes:
        reason += "; " + "; ".join(notes)
    if not in_frame:
        return FrameResult("out_of_frame", reason)
    return FrameResult("in_frame", reason, fusion_protein_length=(nt - stop3) // 3)


def _intronic_note(side: SideAnnotation, label: str) -> str:
    if side.intron_bases:
        where = "after" if label == "5'" else "before"
        return (f"{label} RNA junction inside the intron {where} exon {side.exon}: the fusion transcript keeps "
                f"{side.intron_bases} intron nt (RNA junction model)")
    if side.site in ("intronic", "splice_site"):
        return (f"{label} breakpoint is {side.site.replace('_', ' ')}: assumes splicing at exon {side.exon} "
                f"({side.junction_model.upper()} junction model)")
    return ""


def included_intron_bases(side5: Optional[SideAnnotation], side3: Optional[SideAnnotation]) -> int:
    """Intron nt an RNA junction carries into the fusion transcript (0 at exon edges and for DNA breakpoints)."""
    return (side5.intron_bases if side5 else 0) + (side3.intron_bases if side3 else 0)


# --------------------------------------------------------------------------- sequence


def _fetch(fasta, chrom: str, start: int, end: int) -> str:
    """1-based inclusive [start, end] from a pysam.FastaFile, reconciling chr/no-chr names."""
    names = set(fasta.references)
    contig = chrom if chrom in names else ("chr" + chrom if "chr" + chrom in names else chrom[3:] if chrom.startswith("chr") else chrom)
    if contig not in names:
        raise KeyError(f"contig {chrom} not in the genome FASTA")
    return fasta.fetch(contig, start - 1, end).upper()  # pysam is 0-based half-open


def _revcomp(seq: str) -> str:
    from Bio.Seq import reverse_complement

    return reverse_complement(seq)


def _spliced(fasta, tx: TranscriptModel, intervals) -> str:
    parts = [_fetch(fasta, tx.chrom, s, e) for s, e in intervals]  # intervals are in transcript order
    if tx.strand == "-":
        parts = [_revcomp(p) for p in parts]
    return "".join(parts)


class GenomeSequence:
    """Transcript sequence spliced from an indexed genome FASTA (pysam.FastaFile)."""

    def __init__(self, fasta):
        self.fasta = fasta
        self.label = "genome FASTA"

    def mrna(self, tx: TranscriptModel) -> str:
        return _spliced(self.fasta, tx, tx.exons)

    def cds(self, tx: TranscriptModel) -> str:
        return _spliced(self.fasta, tx, tx.cds)

    def intron(self, tx: TranscriptModel, exon: int, bases: int, after: bool) -> str:
        """`bases` intron nt right after (after=True) or right before exon `exon` (1-based), transcript strand."""
        s, e = tx.exons[exon - 1]
        downstream_genomic = after == (tx.strand == "+")
        lo, hi = (e + 1, e + bases) if downstream_genomic else (s - bases, s - 1)
        return _spliced(self.fasta, tx, ((lo, hi),))


class TranscriptSequence:
    """cDNA from the transcript FASTA of a pyensembl release (no genome needed)."""

    def __init__(self, reference):
        self.reference = reference
        self.label = f"cDNA of {reference.name}"

    def mrna(self, tx: TranscriptModel) -> str:
        seq = self.reference.transcript_sequence(tx.transcript_id)
        if seq is None:
            raise KeyError(f"no cDNA for {tx.transcript_id} in the release's transcript FASTA")
        exonic = sum(e - s + 1 for s, e in tx.exons)
        if len(seq) != exonic:
            raise KeyError(f"cDNA of {tx.transcript_id} is {len(seq)} nt, its exon model {exonic} nt")
        return seq.upper()

    def cds(self, tx: TranscriptModel) -> str:
        before = _bases_before_cds(tx)
        return self.mrna(tx)[before : before + tx.cds_length]


def sequence_source(genome, reference):
    """Where fusion sequence comes from: --genome FASTA first, else a release's cDNA, else None."""
    if genome is not None:
        return genome if hasattr(genome, "mrna") else GenomeSequence(genome)
    if reference is not None and getattr(reference, "has_transcript_sequences", False):
        return TranscriptSequence(reference)
    return None


def fusion_sequences(source, tx5: TranscriptModel, side5: SideAnnotation, tx3: TranscriptModel, side3: SideAnnotation):
    """(fusion transcript from the 5' start codon to the 3' partner's transcript end, index of the first 3' base),
    or None if not buildable. The 3' part runs on into the 3'UTR so that a frameshifted read finds its real stop."""
    kept5 = side5.cds_offset or 0
    offset3 = side3.cds_offset or 0
    if kept5 <= 0 or kept5 >= tx5.cds_length or not tx3.is_coding or offset3 >= tx3.cds_length:
        return None
    part5 = source.cds(tx5)[:kept5]
    part3 = source.mrna(tx3)[_bases_before_cds(tx3) + offset3 :]  # offset3 < 0: the kept 5'UTR bases come first
    if side5.intron_bases or side3.intron_bases:
        if not hasattr(source, "intron"):
            raise KeyError(f"the RNA junction keeps intron bases, which the {source.label} does not hold: "
                           "pass --genome FASTA to translate and check them for stop codons")
        part5 += source.intron(tx5, side5.exon, side5.intron_bases, after=True) if side5.intron_bases else ""
        part3 = (source.intron(tx3, side3.exon, side3.intron_bases, after=False) if side3.intron_bases else "") + part3
    return part5 + part3, len(part5)


def _bases_before_cds(tx: TranscriptModel) -> int:
    """Exonic (transcribed) bases before c.1."""
    c1 = tx.cds[0][0] if tx.strand == "+" else tx.cds[0][1]
    count = 0
    for s, e in tx.exons:
        if tx.strand == "+":
            count += max(0, min(e, c1 - 1) - s + 1)
        else:
            count += max(0, e - max(s, c1 + 1) + 1)
    return count


def translate_fusion(result: FrameResult, source, tx5, side5, tx3, side3) -> FrameResult:
    """Add fusion CDS, protein, junction peptide and a length check when sequence is available.

    source: a GenomeSequence / TranscriptSequence (see sequence_source), or a pysam.FastaFile."""
    from dataclasses import replace

    from Bio.Seq import Seq

    if source is None:
        return replace(result, peptide_note=NO_SEQUENCE_NOTE)
    if not hasattr(source, "mrna"):
        source = GenomeSequence(source)
    try:
        built = fusion_sequences(source, tx5, side5, tx3, side3)
    except KeyError as exc:
        return replace(result, peptide_note=str(exc).strip("'\""))
    if built is None:
        return replace(result, peptide_note=f"no fusion CDS to translate ({result.frame})")
    transcript, junction_nt = built
    usable = len(transcript) - len(transcript) % 3
    protein = str(Seq(transcript[:usable]).translate(to_stop=True))
    has_stop = len(protein) * 3 + 3 <= usable
    cds = transcript[: len(protein) * 3 + (3 if has_stop else 0)]
    j = junction_nt // 3  # the codon holding the first 3' base starts the 3' part of the peptide
    peptide = protein[max(0, j - PEPTIDE_FLANK) : j] + "|" + protein[j : j + PEPTIDE_FLANK] if j <= len(protein) else ""
    frame, reason = result.frame, result.reason
    tail = "" if has_stop else " (no stop codon before the end of the 3' transcript)"
    intron = side5.intron_bases + side3.intron_bases
    where5 = " (in the kept intron bases)" if side5.intron_bases and len(protein) * 3 >= (side5.cds_offset or 0) else ""
    if j > len(protein):
        note = f"translation stops before the junction (stop codon in the 5' part at aa {len(protein) + 1}{where5})"
        frame, reason = "stop_before_junction", f"{reason}; sequence: stop codon in the 5' part at aa {len(protein) + 1}{where5}"
    elif result.frame == "in_frame" and len(protein) < _first_3prime_cds_residue(side3, junction_nt):
        # in frame by phase, but a stop codon in the kept 3' intron bases or 5'UTR ends the protein before the 3' CDS
        what = "the kept intron bases or 5'UTR" if side3.intron_bases else "the 3' partner's 5'UTR"
        note = f"translated {len(protein)} aa: a stop codon before the 3' partner's coding sequence ends the protein"
        frame, reason = "out_of_frame", f"{reason}; sequence: stop codon in {what}, the 3' protein is not made"
    elif result.fusion_protein_length is None:
        note = f"translated {len(protein)} aa to the first stop codon{tail}"
    elif intron and len(protein) == result.fusion_protein_length:
        note = f"translation check: {len(protein)} aa, matches coordinates; no stop codon in the {intron} kept intron nt"
        reason = f"{reason}; sequence: no stop codon in the kept intron nt"
    elif len(protein) == result.fusion_protein_length:
        note = f"translation check: {len(protein)} aa, matches coordinates"
    else:
        note = f"translation check: {len(protein)} aa translated vs {result.fusion_protein_length} aa from coordinates (premature stop codon?)"
    return replace(
        result,
        frame=frame,
        reason=reason,
        junction_sequence=transcript[max(0, junction_nt - JUNCTION_FLANK_NT) : junction_nt] + "|" + transcript[junction_nt : junction_nt + JUNCTION_FLANK_NT],
        fusion_cds=cds,
        fusion_protein=protein,
        junction_peptide=peptide,
        peptide_note=note,
        fusion_protein_length=result.fusion_protein_length if frame == "in_frame" else len(protein),
    )


def _first_3prime_cds_residue(side3: SideAnnotation, junction_nt: int) -> int:
    """Residues the fusion protein must reach to include the 3' partner's coding sequence."""
    utr = -side3.cds_offset if side3.cds_offset and side3.cds_offset < 0 else 0
    return (junction_nt + side3.intron_bases + utr) // 3 + 1

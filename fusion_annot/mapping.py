"""Breakpoint -> transcript, exon, site class, retained exons and CDS bookkeeping.

Pure functions over TranscriptModel (fusion_annot.reference). Positions are
1-based genomic coordinates. "Role" is the side's place in the fusion:
"5" keeps the transcript from its start up to the junction, "3" keeps it from
the junction to its end.

Site classes (SideAnnotation.site):
- exon_boundary: the junction base is the joining edge of an exon (5': last base
  of an exon; 3': first base of an exon), i.e. a splice junction.
- exonic: inside an exon, not at the joining edge.
- splice_site: intronic, within SPLICE_REGION bp of an exon edge (the VEP splice
  region: donor/acceptor 1-2 bp plus the 3-8 bp region).
- intronic: further inside an intron.

Junction models for intronic and splice-site positions (FusionCall.junction_model):
- "dna" (genomic SV breakpoints): the transcript splices at the nearest exon edge on
  the kept side (5': exons up to the one before the break; 3': from the one after).
- "rna" (fusion-transcript bases from an RNA caller): the fusion transcript keeps
  the intron bases between that exon edge and the junction; their number is
  SideAnnotation.intron_bases and the frame counts them.
Exonic positions keep exactly the exon bases up to (5') or from (3') the junction in
both models.
- utr5 / utr3: inside an exon, in the untranslated part.
- intergenic: outside the transcript.
"""
from __future__ import annotations

from typing import Optional

from .model import SideAnnotation
from .reference import TranscriptModel

SPLICE_REGION = 8


def _locate(tx: TranscriptModel, pos: int) -> tuple[str, int]:
    """('exon', i) when pos is in exon i (0-based, transcript order); ('intron', i) when between
    exon i and i+1; ('upstream', -1) before the transcript start; ('downstream', n) after its end."""
    for i, (s, e) in enumerate(tx.exons):
        if s <= pos <= e:
            return "exon", i
    first5 = tx.exon_5prime_end(0)
    last3 = tx.exon_3prime_end(len(tx.exons) - 1)
    if tx.is_upstream(pos, first5):
        return "upstream", -1
    if tx.is_upstream(last3, pos):
        return "downstream", len(tx.exons)
    for i in range(len(tx.exons) - 1):
        if tx.is_upstream(tx.exon_3prime_end(i), pos) and tx.is_upstream(pos, tx.exon_5prime_end(i + 1)):
            return "intron", i
    raise AssertionError(f"position {pos} not placed in {tx.transcript_id}")  # exons cover the span


def _distance_to_exon(tx: TranscriptModel, pos: int, intron_index: int) -> int:
    return min(abs(pos - tx.exon_3prime_end(intron_index)), abs(tx.exon_5prime_end(intron_index + 1) - pos))


def map_breakpoint(tx: TranscriptModel, pos: int, role: str, note: str = "", model: str = "dna") -> SideAnnotation:
    """Place a 1-based genomic junction position in a transcript for the given role ("5" or "3").
    model: "rna" or "dna" junction model (module docstring)."""
    kind, i = _locate(tx, pos)
    n = tx.exon_count
    intron_bases = 0
    if kind == "exon":
        edge = tx.exon_3prime_end(i) if role == "5" else tx.exon_5prime_end(i)
        site = "exon_boundary" if pos == edge else "exonic"
        exon_index = i
        effective = pos  # last (5') or first (3') transcribed base kept
    elif kind == "intron":
        site = "splice_site" if _distance_to_exon(tx, pos, i) <= SPLICE_REGION else "intronic"
        exon_index = i if role == "5" else i + 1
        effective = tx.exon_3prime_end(exon_index) if role == "5" else tx.exon_5prime_end(exon_index)
        if model == "rna":  # the frame reason says so (frame._intronic_note)
            intron_bases = abs(pos - effective)
    elif kind == "upstream":
        site = "intergenic"
        if role == "5":
            return _side(tx, pos, None, site, None, note=_join(note, "breakpoint upstream of the transcript: no 5' exon kept"), model=model)
        exon_index, effective = 0, tx.exon_5prime_end(0)
        note = _join(note, "breakpoint upstream of the transcript: whole transcript kept")
    else:  # downstream
        site = "intergenic"
        if role == "3":
            return _side(tx, pos, None, site, None, note=_join(note, "breakpoint downstream of the transcript: no 3' exon kept"), model=model)
        exon_index, effective = n - 1, tx.exon_3prime_end(n - 1)
        note = _join(note, "breakpoint downstream of the transcript: whole transcript kept")

    retained = (1, exon_index + 1) if role == "5" else (exon_index + 1, n)
    site, cds_offset, phase, aa_boundary = _cds_at(tx, effective, role, site)
    return _side(tx, pos, exon_index + 1, site, retained, note=note, intron_bases=intron_bases, model=model,
                 cds_offset=cds_offset, phase=phase, aa_boundary=aa_boundary)


def map_exon(tx: TranscriptModel, exon_number: int, role: str, note: str = "") -> Optional[SideAnnotation]:
    """Junction given as an exon number (lab notation): 5' keeps exons 1..k, 3' keeps k..n."""
    if not 1 <= exon_number <= tx.exon_count:
        return None
    index = exon_number - 1
    pos = tx.exon_3prime_end(index) if role == "5" else tx.exon_5prime_end(index)
    side = map_breakpoint(tx, pos, role, note=_join(note, f"position derived from exon {exon_number} of {tx.transcript_id}"))
    return side


def _side(tx, pos, exon, site, retained, note="", intron_bases=0, model="dna", cds_offset=None, phase=None,
          aa_boundary=None) -> SideAnnotation:
    return SideAnnotation(
        gene=tx.gene_name,
        gene_id=tx.gene_id,
        chrom=tx.chrom,
        strand=tx.strand,
        transcript_id=tx.transcript_id,
        transcript_name=tx.transcript_name,
        is_canonical=tx.is_canonical,
        exon=exon,
        exon_count=tx.exon_count,
        site=site,
        retained_exons=retained,
        pos=pos,
        coding=tx.is_coding,
        cds_length=tx.cds_length,
        protein_length=tx.protein_length,
        cds_start_incomplete=tx.cds_start_incomplete,
        cds_end_incomplete=tx.cds_end_incomplete,
        intron_bases=intron_bases,
        junction_model=model,
        note=note,
        cds_offset=cds_offset,
        phase=phase,
        aa_boundary=aa_boundary,
    )


def _cds_at(tx: TranscriptModel, effective: int, role: str, site: str) -> tuple:
    """(site, CDS offset, phase, aa boundary) at the junction: exonic sites refined to utr5/utr3; the CDS
    fields None on a non-coding transcript."""
    if not tx.is_coding:
        return site, None, None, None
    total = tx.cds_length
    if role == "5":
        kept = tx.cds_bases_through(effective)
        if site == "exonic" and kept == 0:
            site = "utr5"
        elif site == "exonic" and kept == total and tx.cds_position(effective) is None:
            site = "utr3"
        return site, kept, kept % 3, (kept + 2) // 3 if kept else 0
    # role 3: CDS bases transcribed strictly before the first kept base
    in_cds = tx.cds_position(effective) is not None
    skipped = tx.cds_bases_through(effective) - (1 if in_cds else 0)
    if site == "exonic" and skipped == 0 and not in_cds:
        site = "utr5"
    elif site == "exonic" and skipped == total:
        site = "utr3"
    utr5_kept = _utr5_bases_kept(tx, effective) if skipped == 0 and not in_cds else 0
    return (site, skipped if not utr5_kept else -utr5_kept, skipped % 3,
            skipped // 3 + 1 if skipped < total else None)


def _utr5_bases_kept(tx: TranscriptModel, first_kept: int) -> int:
    """Transcribed 5'UTR bases from first_kept up to (not including) the start codon."""
    cds_start = tx.cds[0][0] if tx.strand == "+" else tx.cds[0][1]
    count = 0
    for s, e in tx.exons:
        lo, hi = (first_kept, cds_start - 1) if tx.strand == "+" else (cds_start + 1, first_kept)
        a, b = max(s, lo), min(e, hi)
        if a <= b:
            count += b - a + 1
    return count


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else (a or b)


def edge_offset(tx: TranscriptModel, side: SideAnnotation, role: str) -> Optional[int]:
    """Signed distance, in transcript direction, of the breakpoint from the joining exon edge.

    5': positive = past the exon's last base (into the intron), negative = inside the exon.
    3': positive = past the exon's first base (inside the exon), negative = before it (intron).
    None when the side has no junction exon or position.
    """
    if side.exon is None or side.pos is None or side.retained_exons is None:
        return None
    index = side.exon - 1
    edge = tx.exon_3prime_end(index) if role == "5" else tx.exon_5prime_end(index)
    return side.pos - edge if tx.strand == "+" else edge - side.pos

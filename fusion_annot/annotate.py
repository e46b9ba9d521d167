"""FusionCall -> FusionAnnotation: gene and transcript choice, mapping, frame, domains, knowledge.

Transcript policy ("canonical", the default): each partner is described on its
MANE Select / Ensembl canonical transcript, unless the breakpoint misses that
transcript's exon edges but hits an exon edge of another coding transcript of the
gene (the RNA evidence then says which isoform is joined); that transcript is used
and a note says so. "all": one row per pair of coding transcripts spanning the
breakpoints (policy pair first).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Optional, Union

from .domains import DomainTable, assess_domains
from .frame import NO_SEQUENCE_NOTE, decide_frame, sequence_source, translate_fusion
from .mapping import edge_offset, map_breakpoint, map_exon
from .model import Breakpoint, FusionAnnotation, FusionCall, Reject, SideAnnotation
from .orientation import orient_with_reference
from .reference import Reference, TranscriptModel
from .symbols import ambiguity_reason, load_synonyms, resolve_call_symbols

MAX_TRANSCRIPT_PAIRS = 64
# A breakpoint further than this from every transcript of its named gene is not that gene's (another build?)
GENE_FLANK = 10_000
# Callers place a junction anywhere within its microhomology: both sides shifted by the same k bases from
# the exon edges (5' k bases into the intron, 3' k bases into the exon) is the exon-boundary junction.
MAX_EQUIVALENT_SHIFT = 5
NEAR_EDGE = 3


class CallRejected(Exception):
    """This call cannot be annotated; the message is the reason for rejects.tsv."""


@dataclass
class Annotator:
    reference: Reference
    domain_table: Optional[DomainTable] = None
    transcripts: str = "canonical"  # "canonical" | "all"
    genome: object = None  # pysam.FastaFile or None
    interpret: Optional[Callable[[FusionAnnotation], object]] = None  # knowledge step, returns KnowledgeResult
    _side_cache: dict = field(default_factory=dict, repr=False)
    _domain_cache: dict = field(default_factory=dict, repr=False)
    _sequence: dict = field(default_factory=dict, repr=False)
    _synonyms: object = field(default=None, repr=False)

    def synonyms(self):
        """The gene-synonym table, read on first need (a call whose names are all current never needs it)."""
        if self._synonyms is None:
            self._synonyms = load_synonyms()
        return self._synonyms

    # ------------------------------------------------------------------ public
    def annotate_all(self, items: Iterable[Union[FusionCall, Reject]]) -> Iterator[Union[FusionAnnotation, Reject]]:
        items = list(items)
        self.reference.prefetch(  # symbols and gene IDs in a few bulk queries, not one query per name
            g for it in items if isinstance(it, FusionCall)
            for g in (it.five_prime.gene, it.three_prime.gene, it.five_prime.gene_id, it.three_prime.gene_id) if g
        )
        for item in items:
            if isinstance(item, Reject):
                yield item
                continue
            try:
                yield from self.annotate(self._normalize(item))
            except CallRejected as exc:
                yield Reject(item.sample, item.caller, item.source, item.line, str(exc), item.caller_fusion_name)

    def _normalize(self, call: FusionCall) -> FusionCall:
        """Current gene symbols (originals kept in extra); genes and 5'/3' order for breakend-only calls."""
        call = resolve_call_symbols(call, self.reference, self.synonyms)
        if call.orientation != "5to3" and call.extra.get("retained"):
            call = orient_with_reference(call, self.reference)
        return call

    def annotate(self, call: FusionCall) -> list[FusionAnnotation]:
        if call.orientation == "5to3":
            pairs = self._pairs(call.five_prime, call.three_prime)
            oriented_by = "reference" if call.extra.get("oriented_by") else "caller"
            notes = (f"partners ordered from {call.extra['oriented_by']}",) if call.extra.get("oriented_by") else ()
        else:
            pairs, oriented_by, notes = self._orient(call)
        out = []
        for side5, side3 in pairs:
            out.append(self._annotate_pair(call, side5, side3, oriented_by, notes))
        return out

    # ------------------------------------------------------------------ orientation
    def _orient(self, call: FusionCall):
        a, b = call.five_prime, call.three_prime
        forward = self._pairs(a, b)
        try:
            backward = self._pairs(b, a)
        except CallRejected:
            backward = []
        score_forward = _orientation_score(a, b, forward[0]) + self._kinase_score(forward[0])
        score_backward = (_orientation_score(b, a, backward[0]) + self._kinase_score(backward[0])) if backward else None
        if not backward or score_forward >= score_backward:
            chosen, swapped = forward, False
        else:
            chosen, swapped = backward, True
        why = "partners ordered from the reference (caller gives no 5'/3' order)" + (": input order reversed" if swapped else "")
        return chosen, "reference", (why,)

    def _sequence_source(self):
        if "source" not in self._sequence:
            self._sequence["source"] = sequence_source(self.genome, self.reference)
        return self._sequence["source"]

    def _kinase_score(self, pair) -> int:
        """Tie-break for unordered pairs: a partner whose protein has a kinase domain is the likelier 3' side
        (kinase fusions keep the 3' kinase); data-driven through the domain table's kinase accessions."""
        if self.domain_table is None:
            return 0
        side5, side3 = pair
        return int(self._has_kinase(side3)) - int(self._has_kinase(side5))

    def _has_kinase(self, side: SideAnnotation) -> bool:
        from .domains import kinase_domain_of

        rows = self.domain_table.for_transcript(side.transcript_id, side.transcript_name)
        return kinase_domain_of(rows, self.domain_table.kinase_preference) is not None

    # ------------------------------------------------------------------ sides
    def _pairs(self, bp5: Breakpoint, bp3: Breakpoint) -> list[tuple[SideAnnotation, SideAnnotation]]:
        sides5 = self._sides(bp5, "5")
        sides3 = self._sides(bp3, "3")
        if self.transcripts != "all":
            return [self._snap_shifted_junction(sides5[0], sides3[0])]
        return [self._snap_shifted_junction(s5, s3) for s5 in sides5 for s3 in sides3][:MAX_TRANSCRIPT_PAIRS]

    def _snap_shifted_junction(self, side5: SideAnnotation, side3: SideAnnotation) -> tuple[SideAnnotation, SideAnnotation]:
        """Move a junction shifted equally off both exon edges (microhomology) back onto the edges."""
        if side5.pos is None or side3.pos is None or (side5.site == side3.site == "exon_boundary"):
            return side5, side3
        tx5 = self.reference.transcript(side5.transcript_id)
        tx3 = self.reference.transcript(side3.transcript_id)
        d5, d3 = edge_offset(tx5, side5, "5"), edge_offset(tx3, side3, "3")
        if d5 is None or d3 is None or d5 == d3 == 0:
            return side5, side3
        if d5 == d3 and abs(d5) <= MAX_EQUIVALENT_SHIFT:
            note = (f"junction {'+' if d5 > 0 else ''}{d5} bp from both exon edges (microhomology): "
                    f"annotated at the exon boundary, caller positions {side5.pos} / {side3.pos}")
            snapped5 = map_breakpoint(tx5, tx5.exon_3prime_end(side5.exon - 1), "5", note=_join(side5.note, note))
            snapped3 = map_breakpoint(tx3, tx3.exon_5prime_end(side3.exon - 1), "3", note=side3.note)
            return snapped5, snapped3
        return side5, side3

    def _review_flags(self, side5: SideAnnotation, side3: SideAnnotation) -> tuple[str, ...]:
        """Reasons found by the annotation for a person to look again."""
        flags = []
        if side5.pos is not None and side3.pos is not None and self.reference.transcript(side5.transcript_id):
            d5 = edge_offset(self.reference.transcript(side5.transcript_id), side5, "5")
            d3 = edge_offset(self.reference.transcript(side3.transcript_id), side3, "3")
            near = [d for d in (d5, d3) if d is not None and 0 < abs(d) <= NEAR_EDGE]
            if near:
                flags.append(f"breakpoint within {max(abs(d) for d in near)} bp of an exon edge: the frame call depends on the exact base")
        for side, label in ((side5, "5'"), (side3, "3'")):
            if side.site == "intergenic":
                flags.append(f"{label} breakpoint outside the {side.gene} transcript")
        return tuple(flags)

    def _sides(self, bp: Breakpoint, role: str) -> list[SideAnnotation]:
        key = (bp, role)  # the whole breakpoint: exon ranges and the caller's strand change the answer too
        cached = self._side_cache.get(key)
        if cached is None:
            try:
                cached = self._compute_sides(bp, role)
            except CallRejected as exc:
                cached = exc
            self._side_cache[key] = cached
        if isinstance(cached, CallRejected):
            raise cached
        return cached

    def _compute_sides(self, bp: Breakpoint, role: str) -> list[SideAnnotation]:
        label = "5'" if role == "5" else "3'"
        txs = self._transcripts_for(bp, label)
        coding = [t for t in txs if t.is_coding] or txs
        if bp.pos is not None:
            chrom = _plain_chrom(bp.chrom) if bp.chrom else None
            if chrom and chrom != _plain_chrom(coding[0].chrom):
                raise CallRejected(
                    f"{label} breakpoint {bp.chrom}:{bp.pos} is not on {coding[0].gene_name}'s chromosome {coding[0].chrom}"
                )
            start, end = min(t.start for t in txs), max(t.end for t in txs)
            if not start - GENE_FLANK <= bp.pos <= end + GENE_FLANK:
                distance = (start - bp.pos) if bp.pos < start else (bp.pos - end)
                raise CallRejected(
                    f"{label} breakpoint {txs[0].chrom}:{bp.pos} is {distance / 1000:,.0f} kb outside {txs[0].gene_name} "
                    f"({txs[0].chrom}:{start}-{end} in {self.reference.name}): another genome build, or an exon of a "
                    f"transcript this reference does not hold (non-coding isoforms, if it has coding transcripts only)?"
                )
            note = ""
            if bp.strand in ("+", "-") and bp.strand != coding[0].strand:
                note = f"caller strand {bp.strand} differs from {coding[0].gene_name} strand {coding[0].strand}"
            mapped = [map_breakpoint(t, bp.pos, role, note=note) for t in coding]
            return self._apply_policy(mapped, bp)
        if bp.exon is not None or bp.exon_range:
            tx = self._pick_named(coding, bp)
            # a stated range fixes the junction exon for whichever role the partner ends up in
            exon = (bp.exon_range[1] if role == "5" else bp.exon_range[0]) if bp.exon_range else bp.exon
            side = map_exon(tx, exon, role, note=_range_note(tx, bp, role))
            if side is None:
                raise CallRejected(f"{label} exon {exon} not in {tx.transcript_id} ({tx.gene_name}, {tx.exon_count} exons)")
            return [side]
        tx = self._pick_named(coding, bp)
        return [_gene_only_side(tx)]

    def _transcripts_for(self, bp: Breakpoint, label: str) -> list[TranscriptModel]:
        if bp.gene:
            txs = self.reference.transcripts_of(bp.gene)
            if txs:
                return txs
        if bp.gene_id:
            txs = self.reference.transcripts_of(bp.gene_id)
            if txs:
                return txs
        if bp.gene or bp.gene_id:
            # never swap the caller's gene for whatever lies at the position (an antisense or unknown gene
            # would silently become its neighbour): reject, naming what is there
            here = self.reference.genes_at(bp.chrom, bp.pos) if bp.chrom and bp.pos is not None else []
            where = f" (the breakpoint lies in {', '.join(here)})" if here else ""
            ambiguous = ambiguity_reason(bp, self.reference, self.synonyms) if bp.gene else None  # an alias of several genes
            if ambiguous:
                raise CallRejected(f"{label} gene {bp.gene} {ambiguous}")
            raise CallRejected(f"{label} gene {bp.gene or bp.gene_id} not in reference {self.reference.name}{where}")
        if bp.chrom and bp.pos is not None:
            genes = self.reference.genes_at(bp.chrom, bp.pos)
            same_strand = [g for g in genes if bp.strand in (None, "") or self.reference.transcripts_of(g)[0].strand == bp.strand]
            if len(same_strand) == 1 or (len(genes) == 1 and not same_strand):
                return self.reference.transcripts_of((same_strand or genes)[0])
            if len(same_strand) > 1 and not bp.gene:
                raise CallRejected(f"{label} breakpoint {bp.chrom}:{bp.pos} lies in several genes ({', '.join(same_strand)}); no gene name given")
        where = f"{bp.chrom}:{bp.pos}" if bp.chrom and bp.pos is not None else "(no coordinate)"
        raise CallRejected(f"{label} breakpoint {where} has no gene name and lies in no gene of reference {self.reference.name}")

    def _pick_named(self, coding: list[TranscriptModel], bp: Breakpoint) -> TranscriptModel:
        if bp.transcript:
            base = bp.transcript.split(".")[0]
            for t in coding:
                if t.transcript_id.split(".")[0] == base or t.transcript_name == bp.transcript:
                    return t
        return coding[0]

    def _apply_policy(self, mapped: list[SideAnnotation], bp: Breakpoint) -> list[SideAnnotation]:
        """Policy transcript first; an exon-edge match on another transcript wins over a miss on the canonical."""
        if bp.transcript:
            base = bp.transcript.split(".")[0]
            named = [s for s in mapped if s.transcript_id.split(".")[0] == base or s.transcript_name == bp.transcript]
            if named:
                return named + [s for s in mapped if s not in named]
        first = mapped[0]
        if first.site != "exon_boundary":
            hits = [s for s in mapped[1:] if s.site == "exon_boundary"]
            if hits:
                chosen = replace(
                    hits[0],
                    note=_join(hits[0].note, f"breakpoint is an exon edge of {hits[0].transcript_id}, not of the canonical {first.transcript_id} ({first.site})"),
                )
                rest = [s for s in mapped if s is not hits[0]]
                mapped = [chosen] + rest
        if self.transcripts == "all":  # transcripts whose exons span the breakpoint (not up- or downstream of it)
            spanning = [s for s in mapped if s.retained_exons is not None and s.site != "intergenic"]
            return spanning or mapped[:1]
        return mapped[:1]

    # ------------------------------------------------------------------ assembly
    def _annotate_pair(self, call, side5, side3, oriented_by, notes) -> FusionAnnotation:
        if side5.site == "gene_only" or side3.site == "gene_only":
            frame = _gene_level_frame()
        else:
            frame = decide_frame(side5, side3)
            source = self._sequence_source()
            if source is not None:
                tx5 = self.reference.transcript(side5.transcript_id)
                tx3 = self.reference.transcript(side3.transcript_id)
                frame = translate_fusion(frame, source, tx5, side5, tx3, side3)
            else:
                frame = replace(frame, peptide_note=NO_SEQUENCE_NOTE)
        dkey = (side5.transcript_id, side5.cds_offset, side5.retained_exons, side3.transcript_id, side3.cds_offset, side3.retained_exons)
        domains = self._domain_cache.get(dkey)
        if domains is None:
            canonical3 = self.reference.canonical_transcript(side3.gene)
            domains = assess_domains(side5, side3, self.domain_table,
                                     (canonical3.transcript_id, canonical3.transcript_name) if canonical3 else None)
            self._domain_cache[dkey] = domains
        extra_notes = tuple(n for n in (side5.note and f"5': {side5.note}", side3.note and f"3': {side3.note}",
                                        getattr(self.reference, "policy_note", "")) if n)
        ann = FusionAnnotation(
            call=call, side5=side5, side3=side3, frame=frame, domains=domains,
            oriented_by=oriented_by, notes=tuple(notes) + extra_notes, flags=self._review_flags(side5, side3),
        )
        if self.interpret is not None:
            ann = replace(ann, knowledge=self.interpret(ann))
        return ann


def _gene_level_frame():
    from .model import FrameResult

    return FrameResult("unknown", "gene-level call: the caller gives no breakpoint, so exons and frame cannot be derived")


def _gene_only_side(tx: TranscriptModel) -> SideAnnotation:
    return SideAnnotation(
        gene=tx.gene_name, gene_id=tx.gene_id, chrom=tx.chrom, strand=tx.strand, transcript_id=tx.transcript_id,
        transcript_name=tx.transcript_name, is_canonical=tx.is_canonical, exon=None, exon_count=tx.exon_count,
        site="gene_only", retained_exons=None, pos=None, coding=tx.is_coding, cds_length=tx.cds_length,
        protein_length=tx.protein_length, note="gene-level call",
    )


def _orientation_score(bp5: Breakpoint, bp3: Breakpoint, pair) -> int:
    side5, side3 = pair
    score = 2 * (side5.site == "exon_boundary") + 2 * (side3.site == "exon_boundary")
    score += (side5.retained_exons is not None) + (side3.retained_exons is not None)
    if bp5.exon_range and bp5.exon_range[0] == 1:
        score += 3
    if bp3.exon_range and side3.exon_count and bp3.exon_range[1] == side3.exon_count:
        score += 3
    return score


def _range_note(tx: TranscriptModel, bp: Breakpoint, role: str) -> str:
    if not bp.exon_range:
        return ""
    lo, hi = bp.exon_range
    if role == "5" and lo != 1:
        return f"stated 5' range {lo}-{hi} does not start at exon 1"
    if role == "3" and hi != tx.exon_count:
        return f"stated 3' range {lo}-{hi} ends before/after the last exon of {tx.transcript_id} ({tx.exon_count}): numbering may follow another transcript model"
    return ""


def _plain_chrom(chrom: str) -> str:
    c = str(chrom)
    c = c[3:] if c.lower().startswith("chr") else c
    return "MT" if c == "M" else c


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else (a or b)


def annotate_calls(calls, reference, domain_table=None, knowledge=None, transcripts="canonical", genome=None, interpret=None):
    """Convenience door: annotate an iterable of FusionCall/Reject. `interpret` is the knowledge step
    (a callable FusionAnnotation -> KnowledgeResult); `knowledge` is accepted for symmetry and unused
    when `interpret` is given."""
    annotator = Annotator(reference, domain_table, transcripts=transcripts, genome=genome, interpret=interpret)
    return annotator.annotate_all(calls)

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

from .buildcheck import position_problem
from .domains import DomainTable, assess_domains, assess_three_prime, five_prime_kinase
from .frame import NO_SEQUENCE_NOTE, GenomeSequence, decide_frame, included_intron_bases, sequence_source, translate_fusion
from .mapping import edge_offset, map_breakpoint, map_exon
from .model import Breakpoint, FusionAnnotation, FusionCall, IsoformPair, KnowledgeResult, Reject, SideAnnotation
from .orientation import orient_with_reference
from .reference import Reference, TranscriptModel
from .transcript_choice import is_refseq
from .symbols import ambiguity_reason, load_synonyms, resolve_call_symbols

_new_annotation = object.__new__
# what readers of breakend formats (VCF, BEDPE, SQUID, pbfusion) note in extra for the annotator to orient a call
_ORIENTATION_HINTS = ("oriented_by", "retained", "candidate_genes")
_NO_HINTS = (id(None),) * len(_ORIENTATION_HINTS)


def _hint_ids(extra) -> tuple:
    """Identities of a call's orientation hints (part of the per-row junction key). A row of a tabular file
    whose columns include none of them (readers.fields.RowExtra.lacks) has none: one check, not a lookup each."""
    lacks = getattr(extra, "lacks", None)
    if lacks is not None and lacks(_ORIENTATION_HINTS):
        return _NO_HINTS
    return tuple(id(extra.get(name)) for name in _ORIENTATION_HINTS)


def _identity_key(call: FusionCall) -> tuple:
    """A call's junction among the calls of one chunk or file that are alive together (Annotator.annotate_all)."""
    return (id(call.five_prime), id(call.three_prime), call.caller, call.orientation, call.level,
            call.junction_model, _hint_ids(call.extra))


def _no_evidence(call) -> None:
    return None


MAX_TRANSCRIPT_PAIRS = 64
# Isoforms per side weighed for the best pair (a gene has at most a few dozen coding isoforms; TTN-sized lists
# are cut, policy transcript first)
MAX_ISOFORMS = 60
_KINASE_RANK = {"retained": 2, "partial": 1}
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
    # knowledge step, returns KnowledgeResult; an `evidence_of(call)` attribute, when present, names what the
    # step reads of the row itself, so rows of one junction with the same evidence share one verdict
    interpret: Optional[Callable[[FusionAnnotation], object]] = None
    preferred: Optional[dict] = None  # gene symbol -> transcript a lab numbers exons on (transcript_choice)
    refseq: Optional[dict] = None  # RefSeq ID -> Ensembl transcript ID, from a MANE summary
    _side_cache: dict = field(default_factory=dict, repr=False)
    _domain_cache: dict = field(default_factory=dict, repr=False)
    _sequence: dict = field(default_factory=dict, repr=False)
    _synonyms: object = field(default=None, repr=False)
    _best_cache: dict = field(default_factory=dict, repr=False)
    _models: dict = field(default_factory=dict, repr=False)
    _geometry_cache: dict = field(default_factory=dict, repr=False)
    # interpret's verdict per (junction annotation, what the verdict reads of the row): shared only by annotators
    # whose knowledge inputs (tumour type, age, thresholds, variants) are the same (pipeline.Resources.annotator)
    _knowledge_cache: dict = field(default_factory=dict, repr=False)

    def synonyms(self):
        """The gene-synonym table, read on first need (a call whose names are all current never needs it)."""
        if self._synonyms is None:
            self._synonyms = load_synonyms()
        return self._synonyms

    # ------------------------------------------------------------------ public
    def annotate_all(self, items: Iterable[Union[FusionCall, Reject]]) -> Iterator[Union[FusionAnnotation, Reject]]:
        # rows of one file that share their Breakpoint objects (readers parse each distinct locus once) find their
        # junction by identity first; the items list keeps those objects alive, so their ids stay unique
        items = list(items)
        by_identity: dict = {}
        for item in items:
            if isinstance(item, Reject):
                yield item
                continue
            local = _identity_key(item)
            outcome = by_identity.get(local)
            if outcome is None:
                outcome = self._geometry(item)
                if isinstance(outcome, CallRejected):
                    outcome = str(outcome)  # the reason, worded once for the junction's rows
                by_identity[local] = outcome
            if outcome.__class__ is str:
                yield Reject(item.sample, item.caller, item.source, item.line, outcome, item.caller_fusion_name)
                continue
            renamed, extra_added, templates = outcome
            call = item
            if renamed:  # current symbols (and how they were found) in place of the caller's
                five, three = templates[0].call.five_prime, templates[0].call.three_prime
                call = replace(item, five_prime=five, three_prime=three, extra={**item.extra, **extra_added})
            for template in templates:
                yield self._with_call(template, call)

    def row_key(self, call: FusionCall) -> Optional[tuple]:
        """What the annotations and verdicts of this row read of its call, beyond its sample, read counts and line:
        rows with equal keys get the same annotations and verdicts but for those. Keyed by the identity of the
        call's Breakpoint objects (readers share them between the rows of one locus), so it holds only while the
        call it was made from is alive. None when the verdict may read more of the row (a knowledge step without
        ``evidence_of``)."""
        evidence_of = getattr(self.interpret, "evidence_of", None) if self.interpret is not None else _no_evidence
        if evidence_of is None:
            return None
        return _identity_key(call), evidence_of(call)

    def _geometry(self, call: FusionCall):
        """(renamed?, extra keys added by normalisation, annotations without knowledge) for this call's junction, or the
        CallRejected. Worked out once per distinct junction: a cohort aggregate repeats the same breakpoints in
        many rows (57k rows, 1,154 junctions in the FusionInspector C4 file), and none of this depends on the
        row's sample, reads or line."""
        key = (call.caller, call.five_prime, call.three_prime, call.orientation, call.level, call.junction_model,
               self.transcripts, call.extra.get("oriented_by"), repr(call.extra.get("retained")),
               repr(call.extra.get("candidate_genes")))
        cached = self._geometry_cache.get(key)
        if cached is None:
            try:
                impossible = position_problem(call)  # past a chromosome end: never placed at the nearest gene
                if impossible:
                    raise CallRejected(impossible)
                normalized = self._normalize(call)
                added = {k: v for k, v in normalized.extra.items() if k not in call.extra or call.extra[k] != v}
                renamed = normalized is not call
                cached = (renamed, added, tuple(self.annotate(normalized, knowledge=False)))
            except CallRejected as exc:
                cached = exc
            self._geometry_cache[key] = cached
        return cached

    def _with_call(self, template: FusionAnnotation, call: FusionCall) -> FusionAnnotation:
        """The junction's annotation for this row: its own call (sample, reads, line), then the knowledge step."""
        # a shallow copy with this row's call (dataclasses.replace would rebuild every field; copy.copy goes
        # through __reduce_ex__): the shared field objects key the writers' per-junction cache (records.py)
        ann = _new_annotation(FusionAnnotation)
        fields_of = ann.__dict__
        fields_of.update(template.__dict__)
        fields_of["call"] = call
        if self.interpret is not None:
            evidence_of = getattr(self.interpret, "evidence_of", None)
            key = (id(template), evidence_of(call)) if evidence_of is not None else None
            cached = self._knowledge_cache.get(key) if key is not None else None
            if cached is None:
                # the listed (policy) pair stays the call; an in-frame alternative is stated where a reader looks
                knowledge = self.interpret(ann)
                if ann.best is not None and _rescued(ann.frame, ann.best):
                    knowledge = _with_isoform_pair(knowledge, ann, ann.best)
                if key is not None:
                    self._knowledge_cache[key] = (template, knowledge)  # the template keeps its id unique
            else:
                knowledge = cached[1]
            object.__setattr__(ann, "knowledge", knowledge)
        return ann

    def _normalize(self, call: FusionCall) -> FusionCall:
        """Current gene symbols (originals kept in extra); genes and 5'/3' order for breakend-only calls."""
        call = resolve_call_symbols(call, self.reference, self.synonyms)
        if call.orientation != "5to3" and call.extra.get("retained"):
            call = orient_with_reference(call, self.reference)
        return call

    def annotate(self, call: FusionCall, knowledge: bool = True) -> list[FusionAnnotation]:
        """Annotations of one normalised call (one per transcript pair); with the knowledge step unless
        ``knowledge`` is False."""
        model = self._junction_model(call)
        if call.orientation == "5to3":
            bp5, bp3 = call.five_prime, call.three_prime
            pairs = self._pairs(bp5, bp3, model)
            oriented_by = "reference" if call.extra.get("oriented_by") else "caller"
            notes = (f"partners ordered from {call.extra['oriented_by']}",) if call.extra.get("oriented_by") else ()
        else:
            pairs, (bp5, bp3), oriented_by, notes = self._orient(call, model)
        out = []
        for side5, side3 in pairs:
            ann = self._annotate_pair(call, side5, side3, oriented_by, notes, (bp5, bp3, model))
            out.append(self._with_call(ann, call) if knowledge else ann)
        return out

    def _junction_model(self, call: FusionCall) -> str:
        if call.junction_model:
            return call.junction_model
        model = self._models.get(call.caller)
        if model is None:
            from .readers import junction_model_of

            model = self._models[call.caller] = junction_model_of(call.caller)
        return model

    # ------------------------------------------------------------------ orientation
    def _orient(self, call: FusionCall, model: str):
        a, b = call.five_prime, call.three_prime
        forward = self._pairs(a, b, model)
        try:
            backward = self._pairs(b, a, model)
        except CallRejected:
            backward = []
        score_forward = _orientation_score(a, b, forward[0]) + self._kinase_score(forward[0])
        score_backward = (_orientation_score(b, a, backward[0]) + self._kinase_score(backward[0])) if backward else None
        if not backward or score_forward >= score_backward:
            chosen, swapped = forward, False
        else:
            chosen, swapped = backward, True
        why = "partners ordered from the reference (caller gives no 5'/3' order)" + (": input order reversed" if swapped else "")
        return chosen, ((b, a) if swapped else (a, b)), "reference", (why,)

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
    def _pairs(self, bp5: Breakpoint, bp3: Breakpoint, model: str = "dna") -> list[tuple[SideAnnotation, SideAnnotation]]:
        options5 = self._sides(bp5, "5", model)
        options3 = self._sides(bp3, "3", model)
        if self.transcripts != "all":
            return [self._snap_shifted_junction(options5[0], options3[0])]
        listed5, listed3 = _listed(options5), _listed(options3)
        return [self._snap_shifted_junction(s5, s3) for s5 in listed5 for s3 in listed3][:MAX_TRANSCRIPT_PAIRS]

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
            snapped5 = map_breakpoint(tx5, tx5.exon_3prime_end(side5.exon - 1), "5", note=_join(side5.note, note),
                                      model=side5.junction_model)
            snapped3 = map_breakpoint(tx3, tx3.exon_5prime_end(side3.exon - 1), "3", note=side3.note,
                                      model=side3.junction_model)
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

    def _sides(self, bp: Breakpoint, role: str, model: str = "dna") -> list[SideAnnotation]:
        """Every coding transcript's reading of one breakpoint, the policy transcript first."""
        key = (bp, role, model)  # the whole breakpoint: exon ranges and the caller's strand change the answer too
        cached = self._side_cache.get(key)
        if cached is None:
            try:
                cached = self._compute_sides(bp, role, model)
            except CallRejected as exc:
                cached = exc
            self._side_cache[key] = cached
        if isinstance(cached, CallRejected):
            raise cached
        return cached

    def _compute_sides(self, bp: Breakpoint, role: str, model: str) -> list[SideAnnotation]:
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
            mapped = [map_breakpoint(t, bp.pos, role, note=note, model=model) for t in coding]
            return self._apply_policy(mapped, self._pinned(coding, bp))
        if bp.exon is not None or bp.exon_range:
            tx = self._pick_named(coding, bp)
            # a stated range fixes the junction exon for whichever role the partner ends up in
            exon = (bp.exon_range[1] if role == "5" else bp.exon_range[0]) if bp.exon_range else bp.exon
            side = map_exon(tx, exon, role, note=_range_note(tx, bp, role))
            if side is None:
                raise CallRejected(f"{label} exon {exon} not in {tx.transcript_id} ({tx.gene_name}, {tx.exon_count} exons)")
            # the same exon number on the other coding isoforms: a lab's numbering may follow one of them
            same_number = [map_exon(t, exon, role, note=f"exon {exon} read on {t.transcript_name or t.transcript_id}")
                           for t in coding if t is not tx]
            return [side] + [s for s in same_number if s is not None]
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

    def _pinned(self, coding: list[TranscriptModel], bp: Breakpoint) -> Optional[TranscriptModel]:
        """The transcript the input names for this side, else the lab's preferred one for the gene; None if neither.
        A named transcript that is not one of the gene's coding transcripts rejects the call (never a silent swap)."""
        gene = coding[0].gene_name
        wanted, why = bp.transcript, "named"
        if not wanted and self.preferred:
            wanted = self.preferred.get(gene) or (self.preferred.get(bp.gene) if bp.gene else None)
            why = "preferred (--preferred-transcripts)"
        if not wanted:
            return None
        lookup = wanted
        if is_refseq(wanted):
            lookup = (self.refseq or {}).get(wanted.split(".")[0])
            if lookup is None:
                raise CallRejected(
                    f"{why} transcript {wanted} for {gene}: RefSeq IDs are read through a MANE summary "
                    + ("and this one does not list it" if self.refseq else "(pass --mane-summary MANE.GRCh38.vX.summary.txt.gz)"))
        base = lookup.split(".")[0]
        for t in coding:
            if t.transcript_id.split(".")[0] == base or t.transcript_name == lookup:
                return t
        raise CallRejected(f"{why} transcript {wanted} is not a coding transcript of {gene} in reference {self.reference.name}")

    def _pick_named(self, coding: list[TranscriptModel], bp: Breakpoint) -> TranscriptModel:
        return self._pinned(coding, bp) or coding[0]

    def _apply_policy(self, mapped: list[SideAnnotation], pinned: Optional[TranscriptModel]) -> list[SideAnnotation]:
        """Policy transcript first; an exon-edge match on another transcript wins over a miss on the canonical."""
        if pinned is not None:
            named = [s for s in mapped if s.transcript_id == pinned.transcript_id]
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
        return mapped

    # ------------------------------------------------------------------ assembly
    def _frame(self, side5: SideAnnotation, side3: SideAnnotation):
        if side5.site == "gene_only" or side3.site == "gene_only":
            return _gene_level_frame()
        frame = decide_frame(side5, side3)
        source = self._sequence_source()
        if source is not None:
            tx5 = self.reference.transcript(side5.transcript_id)
            tx3 = self.reference.transcript(side3.transcript_id)
            frame = translate_fusion(frame, source, tx5, side5, tx3, side3)
        else:
            frame = replace(frame, peptide_note=NO_SEQUENCE_NOTE)
        if included_intron_bases(side5, side3) and not isinstance(source, GenomeSequence):
            frame = replace(frame, reason=f"{frame.reason}; stop codons in the kept intron sequence not checked "
                                          "(pass --genome FASTA to check them)")
        return frame

    def _domains(self, side5: SideAnnotation, side3: SideAnnotation):
        dkey = (side5.transcript_id, side5.cds_offset, side5.retained_exons, side3.transcript_id, side3.cds_offset, side3.retained_exons)
        domains = self._domain_cache.get(dkey)
        if domains is None:
            canonical3 = self.reference.canonical_transcript(side3.gene)
            domains = assess_domains(side5, side3, self.domain_table,
                                     (canonical3.transcript_id, canonical3.transcript_name) if canonical3 else None)
            self._domain_cache[dkey] = domains
        return domains

    def _kinase3(self, side3: SideAnnotation) -> str:
        """The 3' kinase call of a pair (it depends on the 3' side alone): ranks isoform pairs without
        assessing every pair's domains."""
        key = ("kinase3", side3.transcript_id, side3.cds_offset, side3.retained_exons, side3.site)
        call = self._domain_cache.get(key)
        if call is None:
            canonical3 = self.reference.canonical_transcript(side3.gene)
            call = self._domain_cache[key] = assess_three_prime(
                None, side3, self.domain_table, (canonical3.transcript_id, canonical3.transcript_name) if canonical3 else None
            ).kinase_domain
        return call

    def _kinase5(self, side5: SideAnnotation) -> str:
        key = ("kinase5", side5.transcript_id, side5.cds_offset, side5.retained_exons, side5.site)
        call = self._domain_cache.get(key)
        if call is None:
            call = self._domain_cache[key] = five_prime_kinase(side5, self.domain_table)[0]
        return call

    def _annotate_pair(self, call, side5, side3, oriented_by, notes, breakpoints) -> FusionAnnotation:
        frame = self._frame(side5, side3)
        domains = self._domains(side5, side3)
        extra_notes = tuple(n for n in (side5.note and f"5': {side5.note}", side3.note and f"3': {side3.note}",
                                        getattr(self.reference, "policy_note", "")) if n)
        ann = FusionAnnotation(
            call=call, side5=side5, side3=side3, frame=frame, domains=domains,
            oriented_by=oriented_by, notes=tuple(notes) + extra_notes, flags=self._review_flags(side5, side3),
        )
        best = self._best_pair(ann, *breakpoints)
        rescue = best is not None and _rescued(frame, best)
        flags = ann.flags
        pair = f"{side5.transcript_id}/{side3.transcript_id}"
        if rescue:
            flags += (_rescue_flag(call, ann, best),)
        return replace(ann, best=best, flags=flags, mane_exons=self._mane_exon(side5, "5") + self._mane_exon(side3, "3"),
                       actionability_pair=pair + (f" (listed pair, {frame.frame.replace('_', ' ')}; in frame on isoform "
                                                  f"pair {best.transcripts})" if rescue else ""))

    def _mane_exon(self, side: SideAnnotation, role: str) -> tuple:
        """(MANE Select / canonical transcript, junction exon on it): the numbering most reports share."""
        mane = self.reference.canonical_transcript(side.gene)
        if mane is None:
            return ("", None)
        if mane.transcript_id == side.transcript_id:
            return (mane.transcript_id, side.exon)
        if side.pos is None or side.site == "gene_only":
            return (mane.transcript_id, None)
        placed = map_breakpoint(mane, side.pos, role)
        return (mane.transcript_id, placed.exon if placed.retained_exons is not None else None)

    # ------------------------------------------------------------------ every isoform pair
    def _best_pair(self, primary: FusionAnnotation, bp5: Breakpoint, bp3: Breakpoint, model: str) -> Optional[IsoformPair]:
        """Best of every coding isoform pair consistent with the breakpoints: in frame, then kinase kept, then
        MANE/canonical closeness, then CDS length. None for gene-level calls."""
        side5, side3 = primary.side5, primary.side3
        if side5.site == "gene_only" or side3.site == "gene_only":
            return None
        key = (bp5, bp3, model)
        cached = self._best_cache.get(key)
        if cached is not None and cached[0] == (side5, side3):
            return cached[1]
        options5 = _listed(self._sides(bp5, "5", model))
        options3 = _listed(self._sides(bp3, "3", model))
        in_frame, evaluated = [], 0
        for s5 in options5[:MAX_ISOFORMS]:
            for s3 in options3[:MAX_ISOFORMS]:
                evaluated += 1
                if s5 is side5 and s3 is side3:
                    if primary.frame.frame == "in_frame":
                        in_frame.append((s5, s3, primary.frame))
                    continue
                a, b = self._snap_shifted_junction(s5, s3)
                frame = decide_frame(a, b)
                if frame.frame == "in_frame":
                    in_frame.append((a, b, frame))
        if not in_frame:
            best = IsoformPair(side5, side3, primary.frame, primary.domains, evaluated, 0)
        else:
            def rank(candidate):
                a, b, frame = candidate
                kinase = max(_KINASE_RANK.get(self._kinase3(b), 0), _KINASE_RANK.get(self._kinase5(a), 0))
                closeness = (a.transcript_id == side5.transcript_id) + (b.transcript_id == side3.transcript_id)
                policy = a.is_canonical + b.is_canonical
                return (kinase, closeness, policy, a.cds_length + b.cds_length)

            a, b, frame = max(in_frame, key=rank)
            if (a, b) == (side5, side3):
                best = IsoformPair(side5, side3, primary.frame, primary.domains, evaluated, len(in_frame))
            else:
                best = IsoformPair(a, b, self._frame(a, b), self._domains(a, b), evaluated, len(in_frame))
        self._best_cache[key] = ((side5, side3), best)
        return best

def _rescued(frame, best: IsoformPair) -> bool:
    """Another isoform pair is in frame where the listed one is not (a 5'UTR fusion is its own finding, the
    3' partner's start codon, not a frame to rescue)."""
    return frame.frame not in ("in_frame", "utr5_fusion") and best.frame.frame == "in_frame"


def _listed(options: list[SideAnnotation]) -> list[SideAnnotation]:
    """Transcripts whose exons span the breakpoint (not up- or downstream of it); the policy one if none does."""
    spanning = [s for s in options if s.retained_exons is not None and s.site != "intergenic"]
    if options and spanning and spanning[0] is not options[0]:
        return options[:1] + spanning
    return spanning or options[:1]


def _exons(side: SideAnnotation) -> str:
    lo, hi = side.retained_exons or (None, None)
    name = f" ({side.transcript_name})" if side.transcript_name and side.transcript_name != side.transcript_id else ""
    return f"{side.transcript_id}{name} exon {side.exon} (exons {lo}-{hi})"


def _rescue_flag(call: FusionCall, ann: FusionAnnotation, best: IsoformPair) -> str:
    listed = f"{ann.side5.transcript_id}/{ann.side3.transcript_id}"
    frame = ann.frame.frame.replace("_", " ")
    changed = [s for s, o in ((best.side5, ann.side5), (best.side3, ann.side3)) if s.transcript_id != o.transcript_id]
    if call.level == "exon":
        names = " and ".join(s.transcript_name or s.transcript_id for s in changed)
        return (f"exon numbering may follow {names}: {frame} on {listed}, in frame on "
                f"{best.transcripts} with the same exon numbers")
    return (f"the listed pair {listed} is {frame}; another isoform pair is in frame: "
            f"{_exons(best.side5)} :: {_exons(best.side3)}")


def _with_isoform_pair(judged: KnowledgeResult, ann: FusionAnnotation, best: IsoformPair) -> KnowledgeResult:
    """The listed pair's verdict, saying that another coding isoform pair is in frame and what it keeps."""
    listed = f"{ann.side5.transcript_id}/{ann.side3.transcript_id}"
    frame = ann.frame.frame.replace("_", " ")
    kinase = best.domains.kinase_domain
    keeps = (f"; on it the {best.side3.gene} kinase domain is {kinase.replace('_', ' ')}"
             if kinase not in ("not_applicable", "") else "")
    sentence = (f" The listed pair {listed} is {frame}, but isoform pair {_exons(best.side5)} :: {_exons(best.side3)} "
                f"is in frame ({best.pairs_in_frame} of {best.pairs_evaluated} coding isoform pairs){keeps}: confirm "
                f"which isoforms the tumour expresses (RNA assay) before relying on the frame.")
    actionability = judged.actionability
    if actionability:
        actionability = f"{actionability} (on the listed pair {listed}; in frame on isoform pair {best.transcripts}: review)"
    return replace(judged, actionability=actionability, interpretation=judged.interpretation + sentence)


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

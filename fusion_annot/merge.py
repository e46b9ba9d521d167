"""Breakpoint-level consensus of several callers' calls for one sample.

Rules (pure function, no reference needed):

* Two breakpoint-level calls belong to one event when BOTH breakpoints agree:
  same contig (``chr1`` = ``1``) and positions within ``tolerance`` bp
  (default 5: callers place a junction with microhomology on either side, and
  CICERO/EricScript/pbfusion are seen 1-3 bp apart on the same junction).
  A gene pair alone never merges anything: two ETV6::ABL1 breakpoint pairs
  more than ``tolerance`` apart stay two events.
* Orientation-aware: calls that state 5'->3' (orientation "5to3") match 5' to
  5' and 3' to 3', so a reciprocal B::A call is a separate event. A call of
  unknown orientation matches either way round and takes the event's order.
* An event is anchored on its first call (calls are taken in input order);
  a later call joins the first event whose anchor it matches. No chaining: a
  call 4 bp from a member but 8 bp from the anchor starts its own event.
* Gene-level calls (pizzly, EricScript rows without a breakpoint, lab
  notation without coordinates) join a breakpoint-level event only by explicit
  rule: when exactly one event of the sample has the same 5' and 3' gene
  symbols. With none or several candidates they form their own gene-level
  event, so the ambiguity stays visible instead of being resolved by guess.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Optional

from .model import FusionCall

DEFAULT_TOLERANCE = 5


def _contig(chrom: Optional[str]) -> str:
    c = (chrom or "").strip()
    if c.lower().startswith("chr"):
        c = c[3:]
    return "MT" if c in ("M", "m") else c


def _near(a_chrom, a_pos, b_chrom, b_pos, tolerance: int) -> bool:
    return a_pos is not None and b_pos is not None and _contig(a_chrom) == _contig(b_chrom) and abs(a_pos - b_pos) <= tolerance


def has_breakpoints(call: FusionCall) -> bool:
    return all(bp.chrom and bp.pos is not None for bp in (call.five_prime, call.three_prime))


@dataclass
class ConsensusEvent:
    event_id: str
    sample: str
    level: str  # "breakpoint" | "gene"
    calls: list[FusionCall] = field(default_factory=list)
    flipped: list[bool] = field(default_factory=list)  # per call: its 5'/3' sides were swapped to fit the event
    notes: list[str] = field(default_factory=list)

    @property
    def anchor(self) -> FusionCall:
        return self.calls[0]

    def sides(self, index: int):
        call = self.calls[index]
        return (call.three_prime, call.five_prime) if self.flipped[index] else (call.five_prime, call.three_prime)

    @property
    def oriented(self) -> bool:
        return any(c.orientation == "5to3" for c in self.calls)

    @property
    def callers(self) -> list[str]:
        return sorted({c.caller for c in self.calls})

    def _mode(self, pick, prefer=None) -> Optional[object]:
        """Most frequent value; ties go to a value `prefer` accepts (e.g. a gene the reference knows), then the smallest."""
        values = [pick(i) for i in range(len(self.calls))]
        values = [v for v in values if v not in (None, "")]
        if not values:
            return None
        counts = Counter(values)
        best = max(counts.values())
        tied = [v for v, n in counts.items() if n == best]
        preferred = [v for v in tied if prefer is not None and prefer(v)]
        return min(preferred or tied)

    def position(self, side: int) -> tuple[Optional[str], Optional[int]]:
        chrom = self._mode(lambda i: _contig(self.sides(i)[side].chrom))
        pos = self._mode(lambda i: self.sides(i)[side].pos)
        return chrom, pos

    def gene(self, side: int, prefer=None) -> Optional[str]:
        return self._mode(lambda i: self.sides(i)[side].gene, prefer)

    def gene_pairs(self) -> set:
        """Every (5' gene, 3' gene) its callers name: a gene-level call may join on any of them."""
        return {(self.sides(i)[0].gene, self.sides(i)[1].gene) for i in range(len(self.calls))}

    def frame_agreement(self) -> str:
        frames = {c.caller: c.caller_frame for c in self.calls if c.caller_frame}
        if not frames:
            return "no_caller_frame"
        if len(frames) == 1:
            return "single_caller"
        return "agree" if len(set(frames.values())) == 1 else "disagree"


def _orientation_fit(event: ConsensusEvent, call: FusionCall, tolerance: int) -> Optional[bool]:
    """None if the call does not fit the event; else whether its sides must be swapped."""
    a5, a3 = event.sides(0)
    c5, c3 = call.five_prime, call.three_prime
    straight = _near(a5.chrom, a5.pos, c5.chrom, c5.pos, tolerance) and _near(a3.chrom, a3.pos, c3.chrom, c3.pos, tolerance)
    crossed = _near(a5.chrom, a5.pos, c3.chrom, c3.pos, tolerance) and _near(a3.chrom, a3.pos, c5.chrom, c5.pos, tolerance)
    both_oriented = event.anchor.orientation == "5to3" and call.orientation == "5to3"
    if straight:
        return False
    if crossed and not both_oriented:
        return True
    return None


def merge_calls(calls: Iterable[FusionCall], tolerance: int = DEFAULT_TOLERANCE) -> list[ConsensusEvent]:
    """Group calls into consensus events (see module docstring); events numbered per sample in input order."""
    if tolerance < 0:
        raise ValueError("tolerance must be >= 0")
    events: list[ConsensusEvent] = []
    gene_level: list[FusionCall] = []
    for call in calls:
        if not has_breakpoints(call):
            gene_level.append(call)
            continue
        for event in events:
            if event.level != "breakpoint" or event.sample != call.sample:
                continue
            flip = _orientation_fit(event, call, tolerance)
            if flip is not None:
                event.calls.append(call)
                event.flipped.append(flip)
                if event.anchor.orientation != "5to3" and call.orientation == "5to3":
                    _reanchor(event, len(event.calls) - 1)
                break
        else:
            events.append(ConsensusEvent(event_id="", sample=call.sample, level="breakpoint", calls=[call], flipped=[False]))
    for call in gene_level:
        pair = (call.five_prime.gene, call.three_prime.gene)
        matches = [e for e in events if e.level == "breakpoint" and e.sample == call.sample and pair in e.gene_pairs()]
        if len(matches) == 1 and all(pair):
            matches[0].calls.append(call)
            matches[0].flipped.append(False)
            matches[0].notes.append(f"{call.caller} line {call.line} joined by gene pair (gene-level call, only event with {pair[0]}::{pair[1]})")
            continue
        event = ConsensusEvent(event_id="", sample=call.sample, level="gene", calls=[call], flipped=[False])
        if len(matches) > 1:
            event.notes.append(f"gene-level call not merged: {len(matches)} breakpoint-level events share {pair[0]}::{pair[1]}")
        events.append(event)
    counters: Counter = Counter()
    for event in events:
        counters[event.sample] += 1
        event.event_id = f"{event.sample or 'sample'}-E{counters[event.sample]:03d}"
    return events


def _reanchor(event: ConsensusEvent, index: int) -> None:
    """Make an oriented member the anchor so the event reads 5'->3' as that caller states it."""
    flip = event.flipped[index]
    event.calls.insert(0, event.calls.pop(index))
    event.flipped.pop(index)
    event.flipped = [f != flip for f in event.flipped]
    event.flipped.insert(0, False)


MERGE_COLUMNS = (
    "event_id", "sample", "level", "fusion_name", "gene5", "gene3", "chrom5", "pos5", "chrom3", "pos3",
    "oriented", "n_callers", "callers", "calls", "split_reads", "spanning_reads", "caller_frame",
    "frame_agreement", "notes",
)


def _per_caller(event: ConsensusEvent, value) -> str:
    """'caller=value' per call ('.' when the caller gives none), in event order."""
    return ";".join(f"{c.caller}={'.' if value(c) is None else value(c)}" for c in event.calls)


def event_record(event: ConsensusEvent, known_gene=None) -> dict:
    """One output row (MERGE_COLUMNS); positions 1-based, Ensembl contig names. known_gene(name) -> bool breaks
    ties between the callers' gene names in favour of genes the reference knows."""
    chrom5, pos5 = event.position(0)
    chrom3, pos3 = event.position(1)
    gene5, gene3 = event.gene(0, known_gene) or "", event.gene(1, known_gene) or ""
    return {
        "event_id": event.event_id,
        "sample": event.sample,
        "level": event.level,
        "fusion_name": f"{gene5 or (f'{chrom5}:{pos5}' if chrom5 else '?')}::{gene3 or (f'{chrom3}:{pos3}' if chrom3 else '?')}",
        "gene5": gene5,
        "gene3": gene3,
        "chrom5": chrom5 or "",
        "pos5": "" if pos5 is None else pos5,
        "chrom3": chrom3 or "",
        "pos3": "" if pos3 is None else pos3,
        "oriented": "yes" if event.oriented else "no",
        "n_callers": len(event.callers),
        "callers": ",".join(event.callers),
        "calls": ";".join(f"{c.caller}:{c.source.rsplit('/', 1)[-1]}:{c.line}" for c in event.calls),
        "split_reads": _per_caller(event, lambda c: c.split_reads),
        "spanning_reads": _per_caller(event, lambda c: c.spanning_reads),
        "caller_frame": _per_caller(event, lambda c: c.caller_frame),
        "frame_agreement": event.frame_agreement(),
        "notes": " | ".join(event.notes),
    }

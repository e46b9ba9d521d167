"""Give a breakpoint pair its genes and its 5'->3' order from the reference.

Some callers describe a junction only by which side of each breakpoint is kept
(VCF breakends, SQUID segments, pbfusion gene chains): the reader then stores
``extra['retained'] = (side1, side2)`` with 'left' (the kept sequence lies at
coordinates <= pos) or 'right' (>= pos), leaves orientation "unknown" and, where
the caller named genes without tying them to a breakpoint,
``extra['candidate_genes']``.

With gene strands from the reference the order follows: a side that keeps
'left' of a '+' gene, or 'right' of a '-' gene, keeps the gene's 5' part and is
the 5' partner; the other side must keep its gene's 3' part. Pure function of
(call, reference); the reference needs ``genes_at(chrom, pos)`` and
``gene_span(name)``.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from .model import Breakpoint, FusionCall


def keeps_five_prime_part(retained: str, gene_strand: str) -> Optional[bool]:
    if retained not in ("left", "right") or gene_strand not in ("+", "-"):
        return None
    return (retained == "left") == (gene_strand == "+")


def _gene_here(reference, bp: Breakpoint, candidates: tuple[str, ...]) -> list[tuple[str, str]]:
    """(gene, strand) of the genes spanning the breakpoint, the caller's candidates first."""
    if bp.chrom is None or bp.pos is None:
        return []
    names = [bp.gene] if bp.gene else list(reference.genes_at(bp.chrom, bp.pos))
    preferred = [n for n in names if n in candidates] or names
    out = []
    for name in preferred:
        span = reference.gene_span(name)
        if span is not None:
            out.append((name, span[3]))
    return out


def orient_with_reference(call: FusionCall, reference) -> FusionCall:
    """The call with genes filled in and partners in 5'->3' order when the reference decides it.

    Unchanged when the call is already oriented, has no retained-side record, or
    the gene strands leave the order open (both or neither side keep a 5' part);
    ``extra['orientation_note']`` then says why.
    """
    retained = call.extra.get("retained")
    if call.orientation == "5to3" or not retained or len(retained) != 2:
        return call
    candidates = tuple(call.extra.get("candidate_genes") or ())
    options1 = _gene_here(reference, call.five_prime, candidates)
    options2 = _gene_here(reference, call.three_prime, candidates)
    for gene1, strand1 in options1:
        for gene2, strand2 in options2:
            five1 = keeps_five_prime_part(retained[0], strand1)
            five2 = keeps_five_prime_part(retained[1], strand2)
            if five1 is None or five2 is None or five1 == five2:
                continue
            side1 = replace(call.five_prime, gene=gene1, strand=strand1)
            side2 = replace(call.three_prime, gene=gene2, strand=strand2)
            five, three = (side1, side2) if five1 else (side2, side1)
            kept = tuple(retained) if five1 else (retained[1], retained[0])
            extra = {**call.extra, "retained": kept, "oriented_by": "reference gene strands"}
            return replace(call, five_prime=five, three_prime=three, orientation="5to3", extra=extra)
    note = "no gene at a breakpoint" if not options1 or not options2 else "gene strands do not give one 5' and one 3' partner"
    return replace(call, extra={**call.extra, "orientation_note": note})

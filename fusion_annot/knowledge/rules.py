"""The actionability rule: our own fusion biology -> one outcome, with the rule that produced it.

Rules are checked in the order of RULES; the first that applies decides. They read
only the FusionAnnotation (genes on each side, frame, 3' kinase-domain status);
which genes are kinases comes from the knowledge base (partners.tsv), and what an
outcome means in each scheme (OncoKB level, AMP tier) comes from actionability.tsv.

Kinase domain "partial" is treated as not actionable, with a review flag: a 3'
segment that starts inside the kinase domain lacks its N-terminal lobe (the
glycine-rich loop and the catalytic lysine when NTRK1 starts after exon 13 or
NTRK3 after exon 15), so an active TRK kinase cannot be assumed, while the
tumour-agnostic labels and the ClinGen NTRK criteria presume an intact kinase.
The flag asks a reviewer to check the breakpoint, because a domain edge that
differs by a few residues between annotations can also yield "partial".

Two findings are neither actionable nor safely "not actionable" (outcome UNCERTAIN, with the wording of
the actionability column in Rule.verdict): an intragenic deletion or duplication of a kinase gene that
keeps its kinase domain in frame (U1: "uncertain significance, review"), and a 5' partner that gives only
its 5'UTR while the 3' kinase domain is kept (U2: the partner's promoter may drive the kinase exons, so
"kinase may be expressed, confirm").
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import FusionAnnotation

ACTIONABLE = "actionable"
NOT_ACTIONABLE = "not_actionable"
NOT_ASSESSED = "not_assessed"
UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Rule:
    rule_id: str
    outcome: str
    review: bool
    summary: str
    verdict: str = ""  # actionability column text of an UNCERTAIN rule


RULES = (
    Rule("N0", NOT_ASSESSED, False, "no catalog kinase gene (NTRK1/2/3) in the fusion"),
    Rule("U1", UNCERTAIN, True, "intragenic in-frame rearrangement (deletion or duplication of exons) that keeps the "
         "kinase domain: not a partner fusion (the labels' indication is an NTRK gene fusion); its effect is not known", "uncertain significance, review"),
    Rule("N1", NOT_ACTIONABLE, False, "intragenic rearrangement (same gene on both sides), not a partner fusion"),
    Rule("N2", NOT_ACTIONABLE, False, "the kinase gene is the 5' partner, so its 3' kinase domain is not in the fusion"),
    Rule("N3", NOT_ACTIONABLE, False, "kinase domain lost from the 3' partner"),
    Rule("N4", NOT_ACTIONABLE, True, "kinase domain only partly retained: an intact TRK kinase cannot be assumed"),
    Rule("N5", NOT_ACTIONABLE, False, "junction out of frame: the kinase is not translated in the partner's reading frame"),
    Rule("N6", NOT_ACTIONABLE, False, "stop codon in the 5' partner before the junction: the kinase is not translated"),
    Rule("U2", UNCERTAIN, True, "5' partner contributes only its 5'UTR while the 3' kinase domain is kept: no chimeric "
         "protein, but the kinase exons may be expressed from the partner's promoter", "kinase may be expressed, confirm"),
    Rule("N7", NOT_ACTIONABLE, True, "5' partner contributes no coding sequence (non-coding partner or 3'UTR junction): no chimeric kinase protein expected"),
    Rule("A3", ACTIONABLE, True, "3' kinase fusion whose kinase-domain retention cannot be assessed from the input: provisionally actionable, confirm the breakpoint"),
    Rule("A2", ACTIONABLE, True, "3' kinase partner, kinase domain retained, reading frame unknown: actionable if confirmed in frame"),
    Rule("A1", ACTIONABLE, False, "3' kinase partner, kinase domain retained, in frame"),
)
RULE_BY_ID = {r.rule_id: r for r in RULES}


@dataclass(frozen=True)
class Decision:
    rule: Rule
    detail: str = ""

    @property
    def text(self) -> str:
        """'A1: 3' kinase partner, ... (detail)' for the actionability_rule column."""
        tail = f" ({self.detail})" if self.detail else ""
        return f"{self.rule.rule_id}: {self.rule.summary}{tail}"


def decide(annotation: FusionAnnotation, kinase_genes: frozenset[str]) -> Decision:
    gene5, gene3 = annotation.gene5, annotation.gene3
    frame = annotation.frame.frame
    kinase = annotation.domains.kinase_domain
    pct = annotation.domains.kinase_domain_kept_pct
    if gene5 not in kinase_genes and gene3 not in kinase_genes:
        return Decision(RULE_BY_ID["N0"])
    if gene5 and gene5 == gene3:
        rearranged = _intragenic(annotation)
        if (rearranged and gene3 in kinase_genes and frame == "in_frame" and kinase == "retained"):
            return Decision(RULE_BY_ID["U1"], rearranged)
        return Decision(RULE_BY_ID["N1"], f"{gene5} on both sides" + (f": {rearranged}" if rearranged else ""))
    if gene3 not in kinase_genes:
        return Decision(RULE_BY_ID["N2"], f"{gene5} is 5', {gene3 or 'no gene'} is 3'")
    gene_level = annotation.side3 is None or annotation.side3.site == "gene_only"
    if not gene_level:
        if kinase == "lost":
            return Decision(RULE_BY_ID["N3"], annotation.domains.note)
        if kinase == "partial":
            kept = f"{pct:g}% of the kinase domain kept" if pct is not None else ""
            return Decision(RULE_BY_ID["N4"], "; ".join(p for p in (kept, annotation.domains.note) if p))
    if frame == "out_of_frame":
        return Decision(RULE_BY_ID["N5"], annotation.frame.reason)
    if frame == "stop_before_junction":
        return Decision(RULE_BY_ID["N6"], annotation.frame.reason)
    if frame == "utr5_fusion" and not gene_level and kinase == "retained":
        return Decision(RULE_BY_ID["U2"], annotation.frame.reason)
    if frame in ("utr5_fusion", "non_coding"):
        return Decision(RULE_BY_ID["N7"], annotation.frame.reason)
    if gene_level or kinase not in ("retained",):
        why = "gene-level call" if gene_level else (annotation.domains.note or f"kinase domain {kinase}")
        return Decision(RULE_BY_ID["A3"], why)
    if frame != "in_frame":
        return Decision(RULE_BY_ID["A2"], annotation.frame.reason)
    return Decision(RULE_BY_ID["A1"])


def _intragenic(annotation: FusionAnnotation) -> str:
    """'deletion of exons 10-11' / 'duplication of exons 9-12' for a same-gene junction on one transcript;
    "" when not known (gene level, different transcripts) or when the exons are adjacent (normal splicing)."""
    side5, side3 = annotation.side5, annotation.side3
    if side5 is None or side3 is None or side5.exon is None or side3.exon is None:
        return ""
    if side5.transcript_id != side3.transcript_id:
        return ""
    e5, e3 = side5.exon, side3.exon
    if e3 > e5 + 1:
        return f"deletion of exon{'s' if e3 - e5 > 2 else ''} {e5 + 1}{f'-{e3 - 1}' if e3 - e5 > 2 else ''} of {side3.transcript_id}"
    if e3 <= e5:
        return f"duplication of exon{'s' if e5 > e3 else ''} {e3}{f'-{e5}' if e5 > e3 else ''} of {side3.transcript_id}"
    return ""

"""Clinical meaning of an annotated fusion: catalog status, actionability, drugs, resistance.

    kb = load_knowledge_base()                       # resources/knowledge, validated
    result = interpret(annotation, kb, variants=read_variants(vcf, reference), tumor_type="IFS")

Every statement in the result carries its citation keys (references.tsv); facts
the knowledge base tags R (unverified) are never plain clinical statements: catalog
and resistance rows with R evidence set the review flag; the AMP/ASCO/CAP tier label,
which every actionable call carries, is shown with "[unverified: R]" but sets no flag
(it would flag every call and so mean nothing).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Optional

from ..model import FusionAnnotation, KnowledgeResult
from ..paths import cache_dir, resource
from .catalog import load_tables
from .kb import DOCUMENTED, IN_CONTEXT, NOVEL, POSSIBLY, KnowledgeBase
from .resistance import POSSIBLE, describe_hit, find_hits
from .rules import ACTIONABLE, NOT_ACTIONABLE, NOT_ASSESSED, decide
from .therapies import format_drugs, refs_of, therapy_rows
from .variants import ProteinVariant

__all__ = ["KnowledgeBase", "load_knowledge_base", "interpret"]

NOVEL_SENTENCE = "novel partner, kinase retained: actionable per tumor-agnostic label"


def load_knowledge_base(directory: Optional[str | Path] = None, validate: Optional[bool] = None) -> KnowledgeBase:
    """Load and validate the knowledge base (default: the bundled resources/knowledge).

    validate=None skips the JSON-schema pass when these exact bytes were validated
    before (a digest stamp in the cache directory, see catalog.load_tables); True
    always runs it (`knowledge --check`).
    """
    directory = Path(directory) if directory else resource("knowledge")
    metadata, tables = load_tables(directory, validate=validate, cache=cache_dir())
    return KnowledgeBase(
        directory=directory, name=metadata["name"], version=metadata["version"], date=metadata["date"],
        partners=tables["partners"], therapies=tables["therapies"], efficacy=tables["efficacy"],
        resistance=tables["resistance"], actionability=tables["actionability"], tumor_types=tables["tumor_types"],
        references={r.key: r for r in tables["references"]},
    )


_KINASE_KEPT = {"retained": "keeps", "partial": "keeps part of", "lost": "loses"}


def kinase_partner_sentence(annotation: FusionAnnotation) -> str:
    """Which partner carries a kinase domain and what the fusion keeps of it, e.g. "the 5' partner FGFR3
    carries the kinase domain: the fusion keeps it (100%), in frame"; "" when neither partner has one."""
    frame = annotation.frame.frame.replace("_", " ")
    parts = []
    for side, gene, call, pct in (("5'", annotation.gene5, annotation.domains.kinase_domain5,
                                   annotation.domains.kinase_domain5_kept_pct),
                                  ("3'", annotation.gene3, annotation.domains.kinase_domain,
                                   annotation.domains.kinase_domain_kept_pct)):
        if call in _KINASE_KEPT:
            share = f" ({pct:g}%)" if pct is not None and call == "partial" else ""
            parts.append(f"the {side} partner {gene} carries the kinase domain: the fusion {_KINASE_KEPT[call]} it{share}")
    if not parts:
        return ""
    return "; ".join(parts) + f", {frame}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def interpret(annotation: FusionAnnotation, kb: KnowledgeBase, variants: Iterable[ProteinVariant] = (),
              tumor_type: Optional[str] = None) -> KnowledgeResult:
    """KnowledgeResult for one annotated fusion. tumor_type (free text, optional) only refines catalog_status."""
    gene5, gene3, fusion = annotation.gene5, annotation.gene3, annotation.fusion_name
    decision = decide(annotation, kb.kinase_genes)
    outcome = decision.rule.outcome
    review: list[str] = [f"rule {decision.rule.rule_id}"] if decision.rule.review else []

    tumor_key = kb.tumor_key(tumor_type)
    if tumor_type and tumor_key is None:
        review.append(f"tumour type {tumor_type!r} not in the knowledge-base vocabulary")
    if outcome == NOT_ASSESSED:
        kinase = kinase_partner_sentence(annotation)
        return KnowledgeResult(catalog_status="no catalog kinase gene", actionability="not assessed",
                               actionability_rule=decision.text,
                               interpretation=f"{fusion}: {kinase + '; ' if kinase else ''}"
                                              "no NTRK1/2/3 gene, outside this knowledge base.")

    match = kb.lookup_partner(gene5, gene3, tumor_key)
    status = match.status
    if decision.rule.rule_id == "N1":
        status = "intragenic (not a partner fusion)"
    contexts = _unique(r.tumor_context for r in match.rows)
    catalog_refs = _unique(k for r in match.rows for k in r.ref_keys)
    if match.note:
        review.append(match.note)
    if status == NOVEL and outcome == ACTIONABLE:
        review.append("novel partner")
    for r in match.rows:
        if r.symbol_status == "renamed":
            review.append(f"published symbol {r.published_symbol} read as {r.partner_symbol} [unverified: R]")
        if r.evidence == "R":
            review.append("catalog row with unverified [R] evidence")

    hits = _relevant_hits(annotation, kb, variants, gene3)
    other = [v for v in variants if v.kind == "other" and v.gene == gene3]
    resistance_parts = [describe_hit(h) for h in hits]
    if other:
        resistance_parts.append(f"{len(other)} non-SNV variant(s) in the {gene3} CDS not evaluated")
    if hits:
        review.append("resistance mutation detected" + (" (codon unresolved)" if any(h.certainty == POSSIBLE for h in hits) else ""))
    if any(h.row.evidence == "R" for h in hits):
        review.append("resistance row with unverified [R] evidence")

    levels_rows = [a for a in kb.actionability if a.outcome == (ACTIONABLE if outcome == ACTIONABLE else NOT_ACTIONABLE)
                   and gene3 in a.kinase_genes.split(";")] if outcome != NOT_ASSESSED else []
    drugs_text, drug_rows = "", []
    if outcome == ACTIONABLE:
        levels = "; ".join(f"{a.scheme} {a.level}" + (" [unverified: R]" if a.evidence == "R" else "") for a in levels_rows)
        actionability = levels
        drug_rows = therapy_rows(kb, gene3, fusion)
        resistant = {}
        for h in hits:
            for d in h.resistant_to:
                resistant.setdefault(d, []).append(f"{h.row.gene} {h.row.mutation}" + ("?" if h.certainty == POSSIBLE else ""))
        drugs_text = format_drugs(drug_rows, {d: ", ".join(m) for d, m in resistant.items()})
    else:
        actionability = "not actionable"
    actionability_refs = _unique([k for a in levels_rows for k in a.ref_keys] + refs_of(drug_rows))

    interpretation = _sentence(fusion, gene3, decision, status, match, kb, drug_rows, hits, tumor_key)
    return KnowledgeResult(
        catalog_status=status,
        catalog_context="; ".join(contexts),
        catalog_refs=";".join(catalog_refs),
        actionability=actionability,
        actionability_rule=decision.text,
        drugs=drugs_text,
        actionability_refs=";".join(actionability_refs),
        resistance=" | ".join(resistance_parts),
        interpretation=interpretation,
        review_flag="; ".join(_unique(review)),
    )


def _relevant_hits(annotation: FusionAnnotation, kb: KnowledgeBase, variants, gene3: str):
    """Resistance hits that concern this fusion: on-target in its 3' kinase gene, or off-target bypass."""
    if gene3 not in kb.kinase_genes:
        return []
    rows = [r for r in kb.resistance if r.gene == gene3 or r.mutation_class == "off_target"]
    hits = find_hits(variants, rows)
    side3 = annotation.side3
    kept = []
    for h in hits:
        upstream = (h.row.gene == gene3 and side3 is not None and side3.aa_boundary is not None
                    and side3.transcript_id == h.variant.transcript_id and h.variant.codon < side3.aa_boundary)
        if not upstream:  # a variant 5' of the junction is not in the fusion protein
            kept.append(h)
    return kept


def _sentence(fusion, gene3, decision, status, match, kb, drug_rows, hits, tumor_key=None) -> str:
    rule = decision.rule
    if rule.outcome == NOT_ACTIONABLE:
        text = f"{fusion}: not actionable: {rule.summary}."
    else:
        labels = {t.key: t.label for t in kb.tumor_types}
        rows = match.rows
        if status == IN_CONTEXT:
            rows = tuple(r for r in rows if kb.is_within(r.context_key, tumor_key))
        where = ", ".join(_unique(labels.get(r.context_key, r.context_key) for r in rows))
        if status == NOVEL:
            catalog = NOVEL_SENTENCE
        elif status == IN_CONTEXT:
            catalog = f"documented {gene3} partner in this tumour context ({where})"
        elif status in (DOCUMENTED, POSSIBLY):
            catalog = f"{'possibly ' if status == POSSIBLY else ''}documented {gene3} partner ({where})"
        else:
            catalog = status
        label_drugs = ", ".join(_unique(r.drug for r in drug_rows if r.role == "label"))
        lead = {"A1": f"{fusion} keeps the {gene3} kinase domain in frame",
                "A2": f"{fusion} keeps the {gene3} kinase domain; frame unknown, confirm in frame",
                "A3": f"{fusion} is a 3' {gene3} fusion whose kinase retention is not known; confirm"}[rule.rule_id]
        text = f"{lead}: {catalog}; TRK-inhibitor eligible (tumour-agnostic label: {label_drugs})."
        if any(r.role == "off_label_case" for r in drug_rows):
            text += " Off-label case evidence: " + ", ".join(_unique(r.drug for r in drug_rows if r.role == "off_label_case")) + "."
    for h in hits:
        text += (f" {'Possible r' if h.certainty == POSSIBLE else 'R'}esistance mutation {h.row.gene} {h.row.mutation}: "
                 f"resistant to {', '.join(h.resistant_to)}"
                 + (f"; still active: {', '.join(h.retains)}" if h.retains else "") + ".")
    return text

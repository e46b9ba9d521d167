"""Clinical meaning of an annotated fusion: catalog status, actionability, drugs, resistance.

    kb = load_knowledge_base()                       # resources/knowledge, validated
    result = interpret(annotation, kb, variants=read_variants(vcf, reference), tumor_type="IFS", age=0.2,
                       policy=VerdictPolicy())          # thresholds: config annotate.* (verdict.py)

What changes the verdict beyond the rule (resistance variants that pass filters, age against the labels,
weak evidence -> "actionable, confirm" with the assay) is in verdict.py and eligibility.py.

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
from .eligibility import describe_agent, drug_eligibility, eligible_summary, format_age, format_drugs_with_checks
from .rules import ACTIONABLE, NOT_ACTIONABLE, NOT_ASSESSED, UNCERTAIN, decide
from .therapies import refs_of, therapy_rows
from .variants import ProteinVariant
from .verdict import (
    CONFIRM, DETECTION_REFS, PROVISIONAL, VerdictPolicy, Weakness, confirmation, expression_confirmation,
    is_sarcoma, unchecked_quality, variant_failures, weak_evidence,
)

__all__ = ["KnowledgeBase", "VerdictPolicy", "load_knowledge_base", "interpret"]

NOVEL_SENTENCE = "partner not in catalog, kinase retained: actionable per tumour-agnostic label"


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
              tumor_type: Optional[str] = None, age: Optional[float] = None,
              policy: Optional[VerdictPolicy] = None) -> KnowledgeResult:
    """KnowledgeResult for one annotated fusion.

    tumor_type (free text, optional) refines catalog_status and the choice of confirmation assay; age (years,
    optional) removes drugs whose label excludes it; policy holds the evidence and variant thresholds."""
    policy = policy or VerdictPolicy()
    gene5, gene3, fusion = annotation.gene5, annotation.gene3, annotation.fusion_name
    decision = decide(annotation, kb.kinase_genes)
    rule = decision.rule
    outcome = rule.outcome
    review: list[str] = [f"rule {rule.rule_id}"] if rule.review else []

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
    if rule.rule_id in ("N1", "U1"):
        status = "intragenic (not a partner fusion)"
    contexts = _unique(r.tumor_context for r in match.rows)
    catalog_refs = _unique(k for r in match.rows for k in r.ref_keys)
    if match.note:
        review.append(match.note)
    if status == NOVEL and outcome == ACTIONABLE:
        review.append("partner not in catalog")
    for r in match.rows:
        if r.symbol_status == "renamed":
            review.append(f"published symbol {r.published_symbol} read as {r.partner_symbol} [unverified: R]")
        if r.evidence == "R":
            review.append("catalog row with unverified [R] evidence")

    # resistance: only variants that pass FILTER, depth and VAF count; the others are named, never used
    hits, unused = [], []
    for h in _relevant_hits(annotation, kb, variants, gene3):
        why = variant_failures(h.variant, policy)
        (unused if why else hits).append((h, why))
    hits = [h for h, _ in hits]
    other = [v for v in variants if v.kind == "other" and v.gene == gene3]
    resistance_parts = [describe_hit(h) + f"; {_quality(h.variant)}" for h in hits]
    resistance_parts += [f"NOT USED ({'; '.join(why)}): {describe_hit(h)}" for h, why in unused]
    if other:
        resistance_parts.append(f"{len(other)} non-SNV variant(s) in the {gene3} CDS not evaluated")
    if hits:
        review.append("resistance mutation detected" + (" (codon unresolved)" if any(h.certainty == POSSIBLE for h in hits) else ""))
    if unused:
        review.append("resistance variant not used: " + "; ".join(
            f"{h.row.gene} {h.row.mutation} ({', '.join(why)})" for h, why in unused))
    if any(h.row.evidence == "R" for h in hits):
        review.append("resistance row with unverified [R] evidence")

    levels_rows = [a for a in kb.actionability if a.outcome == (ACTIONABLE if outcome == ACTIONABLE else NOT_ACTIONABLE)
                   and gene3 in a.kinase_genes.split(";")] if outcome in (ACTIONABLE, NOT_ACTIONABLE) else []
    drugs_text, drug_rows, eligible_text, confirm_text, checks, weak = "", [], "", "", {}, []
    detection_refs: list[str] = []
    if outcome == ACTIONABLE:
        levels = "; ".join(f"{a.scheme} {a.level}" + (" [unverified: R]" if a.evidence == "R" else "") for a in levels_rows)
        resistance_levels = _resistance_levels(hits)
        if resistance_levels:
            levels += f"; resistance {resistance_levels}"
        drug_rows = therapy_rows(kb, gene3, fusion)
        checks = drug_eligibility(drug_rows, hits, age)
        drugs_text = format_drugs_with_checks(drug_rows, checks)
        eligible_text = eligible_summary(checks)
        weak = weak_evidence(annotation, policy)
        if rule.rule_id == "A3" and not any(w.kind == "structure" for w in weak):
            weak.append(Weakness("structure", f"kinase-domain retention not known ({decision.detail or 'no detail'})"))
        assay, why = confirmation(weak, gene3, is_sarcoma(kb, tumor_key) if tumor_key else None)
        if rule.rule_id == "A3":
            actionability = f"{PROVISIONAL} ({assay}): {levels}"
        elif weak:
            actionability = f"{CONFIRM} ({assay}): {levels}"
        else:
            actionability = levels
        if weak:
            confirm_text = f"{assay}: {why}"
            review.extend(f"weak evidence: {w.text}" for w in weak)
            detection_refs = list(DETECTION_REFS)
        if age is not None:
            dropped = [c for c in checks.values() if c.age_reason]
            if dropped:
                review.append("label age excludes " + ", ".join(c.drug for c in dropped) + f" at {format_age(age)}")
    elif outcome == UNCERTAIN:
        actionability = rule.verdict
        if rule.rule_id == "U2":
            sarcoma = is_sarcoma(kb, tumor_key) if tumor_key else None
            confirm_text = expression_confirmation(gene3, sarcoma)
            detection_refs = list(DETECTION_REFS)
    else:
        actionability = "not actionable"
    actionability_refs = _unique([k for a in levels_rows for k in a.ref_keys] + refs_of(drug_rows) + detection_refs
                                 + [k for h in hits for k in h.row.ref_keys if hits])

    interpretation = _sentence(fusion, gene3, decision, status, match, kb, drug_rows, hits, tumor_key, checks, weak)
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
        eligible_drugs=eligible_text,
        confirm_by=confirm_text,
    )


def _resistance_levels(hits) -> str:
    """'NTRK1 G595R: larotrectinib OncoKB R1, entrectinib OncoKB R2': the drugs each hit affects, with the OncoKB
    R levels of resistance.tsv where it gives one."""
    parts = []
    for h in hits:
        drugs = [f"{d} OncoKB {h.row.level_of(d)}" if h.row.level_of(d) else d for d in h.resistant_to]
        name = f"{h.row.gene} {h.row.mutation}" + ("?" if h.certainty == POSSIBLE else "")
        parts.append(f"{name}: {', '.join(drugs)}")
    return "; ".join(parts)


def _quality(variant) -> str:
    """'depth 80, VAF 0.375' of a used variant, or what the VCF did not give."""
    known = [f"{name} {value:.3g}" if isinstance(value, float) else f"{name} {value}"
             for name, value in (("depth", variant.depth), ("VAF", variant.vaf)) if value is not None]
    missing = unchecked_quality(variant)
    return "; ".join(p for p in (", ".join(known), missing) if p)


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


def _sentence(fusion, gene3, decision, status, match, kb, drug_rows, hits, tumor_key=None, checks=None,
              weak=()) -> str:
    rule = decision.rule
    checks = checks or {}
    if rule.outcome == NOT_ACTIONABLE:
        text = f"{fusion}: not actionable: {rule.summary}."
    elif rule.outcome == UNCERTAIN:
        detail = f" ({decision.detail})" if decision.detail else ""
        text = f"{fusion}: {rule.verdict}: {rule.summary}{detail}."
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
        label = _unique(r.drug for r in drug_rows if r.role == "label")
        eligible = [d for d in label if d not in checks or checks[d].eligible]
        excluded = [checks[d] for d in label if d in checks and not checks[d].eligible]
        lead = {"A1": f"{fusion} keeps the {gene3} kinase domain in frame",
                "A2": f"{fusion} keeps the {gene3} kinase domain; frame unknown, confirm in frame",
                "A3": f"{fusion} is a 3' {gene3} fusion whose kinase retention is not known; provisional, confirm"}[rule.rule_id]
        if eligible:
            text = f"{lead}: {catalog}; TRK-inhibitor eligible (tumour-agnostic label: {', '.join(eligible)})"
        else:
            text = f"{lead}: {catalog}; no tumour-agnostic label drug is eligible"
        if excluded:
            text += "; not eligible: " + "; ".join(f"{c.drug} ({c.reason})" for c in excluded)
        text += "."
        if weak:
            text += " Confirm before sign-out: " + "; ".join(w.text for w in weak) + "."
        if any(r.role == "off_label_case" for r in drug_rows):
            text += " Off-label case evidence: " + ", ".join(_unique(r.drug for r in drug_rows if r.role == "off_label_case")) + "."
    for h in hits:
        retained = [d for d in h.retains if not any(d in other.resistant_to for other in hits)]
        text += (f" {'Possible r' if h.certainty == POSSIBLE else 'R'}esistance mutation {h.row.gene} {h.row.mutation}: "
                 f"resistant to {', '.join(h.resistant_to)}"
                 + (f"; retains activity: {', '.join(describe_agent(kb, d, h.row) for d in retained)}" if retained else "")
                 + ".")
    return text

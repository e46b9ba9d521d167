"""Which drugs to list for an actionable kinase fusion, each with its status and date."""
from __future__ import annotations

from .catalog import TherapyRow, split_list
from .kb import KnowledgeBase

# Roles shown in the `drugs` column, in display order. Other roles (resistance_option, mentioned,
# not_indicated) stay in the table for reference but are never offered as a treatment.
SHOWN_ROLES = ("label", "regional", "investigational", "off_label_case")

_STATUS_TEXT = {
    "accelerated_approval": "accelerated approval",
    "full_approval": "full approval",
    "label_extension": "label extension",
    "conditional_authorisation": "conditional authorisation",
    "chmp_positive_opinion": "CHMP positive opinion",
    "regional_approval": "regional approval",
    "investigational": "investigational",
    "off_label": "off-label",
}


def therapy_rows(kb: KnowledgeBase, kinase_gene: str, fusion_name: str) -> list[TherapyRow]:
    """Rows to show for fusion `fusion_name` (5'::3') of `kinase_gene`, in display order."""
    rows = []
    for role in SHOWN_ROLES:
        for row in kb.therapies:
            if row.role != role or kinase_gene not in split_list(row.kinase_genes):
                continue
            if row.fusion_scope != "*" and fusion_name not in split_list(row.fusion_scope):
                continue
            rows.append(row)
    return rows


def describe_row(row: TherapyRow) -> str:
    """'FDA accelerated approval 2018-11-26, no lower age limit' (unverified rows say so)."""
    status = _STATUS_TEXT.get(row.status, row.status.replace("_", " "))
    parts = [" ".join(p for p in (row.agency, status, row.date) if p)]
    if row.age_limit:
        parts.append(row.age_limit)
    if row.role == "off_label_case" and row.key_data:
        parts.append(f"case evidence: {row.key_data}")
    if row.evidence == "R":
        parts.append("[unverified]")
    return ", ".join(parts)


def format_drugs(rows: list[TherapyRow], resistant: dict[str, str] | None = None) -> str:
    """'larotrectinib [FDA ...; EMA ...] | entrectinib [...]'; resistant maps drug -> mutation note."""
    by_drug: dict[str, list[str]] = {}
    for row in rows:
        by_drug.setdefault(row.drug, []).append(describe_row(row))
    out = []
    for drug, descriptions in by_drug.items():
        text = f"{drug} [{'; '.join(descriptions)}]"
        if resistant and drug in resistant:
            text += f" RESISTANCE: {resistant[drug]}"
        out.append(text)
    return " | ".join(out)


def refs_of(rows) -> list[str]:
    return [k for row in rows for k in row.ref_keys]

"""Which drugs to list for an actionable kinase fusion, each with its status and date."""
from __future__ import annotations

from .catalog import TherapyRow, split_list
from .kb import KnowledgeBase

# Roles shown in the `drugs` column, in display order. Other roles (resistance_option, mentioned,
# not_indicated) stay in the table for reference but are never offered as a treatment. "opinion" is a
# CHMP opinion (EMA): shown beside the EC decision, never counted as a label.
SHOWN_ROLES = ("label", "regional", "opinion", "investigational", "off_label_case")

_STATUS_TEXT = {
    "accelerated_approval": "accelerated approval",
    "full_approval": "full approval",
    "label_extension": "label extension",
    "conditional_authorisation": "conditional authorisation",
    "chmp_positive_opinion": "CHMP positive opinion",
    "marketing_authorisation": "marketing authorisation",
    "regional_approval": "regional approval",
    "investigational": "investigational",
    "off_label": "off-label",
}


_REGULATORY = ("label", "regional", "opinion")
_AGENCY_ORDER = ("FDA", "EMA", "EC", "PMDA", "NMPA")


def therapy_rows(kb: KnowledgeBase, kinase_gene: str, fusion_name: str) -> list[TherapyRow]:
    """Rows to show for fusion `fusion_name` (5'::3') of `kinase_gene`, in display order.

    Superseded rows (record_status superseded: e.g. an accelerated approval later converted, an age range
    later extended) stay in the table for the record and are never shown as the current status."""
    shown = [row for row in kb.therapies
             if row.role in SHOWN_ROLES and row.is_current and kinase_gene in split_list(row.kinase_genes)
             and (row.fusion_scope == "*" or fusion_name in split_list(row.fusion_scope))]
    drug_order = {d: i for i, d in enumerate(dict.fromkeys(r.drug for r in shown))}

    def rank(row: TherapyRow):
        regulatory = row.role in _REGULATORY
        return (0 if regulatory else SHOWN_ROLES.index(row.role), drug_order[row.drug],
                _AGENCY_ORDER.index(row.agency) if row.agency in _AGENCY_ORDER else len(_AGENCY_ORDER))

    return sorted(shown, key=rank)


def describe_row(row: TherapyRow) -> str:
    """'FDA accelerated approval 2018-11-26, no lower age limit' (unverified rows say so)."""
    status = _STATUS_TEXT.get(row.status, row.status.replace("_", " "))
    parts = [" ".join(p for p in (row.agency, status, row.date) if p)]
    if row.age_limit:
        parts.append(row.age_limit + (" [unverified]" if row.qualifier_tag("age") == "R" and row.evidence != "R" else ""))
    if row.record_status == "possibly_superseded":
        parts.append("may be superseded [unverified]")
    if row.role == "off_label_case" and row.key_data:
        parts.append(f"case evidence: {row.key_data}")
    if row.evidence == "R":
        parts.append("[unverified]")
    return ", ".join(parts)


def descriptions_by_drug(rows: list[TherapyRow]) -> dict[str, list[str]]:
    """Each drug's regulatory rows as text, drugs in row order."""
    by_drug: dict[str, list[str]] = {}
    for row in rows:
        by_drug.setdefault(row.drug, []).append(describe_row(row))
    return by_drug


def format_drugs(rows: list[TherapyRow], resistant: dict[str, str] | None = None) -> str:
    """'larotrectinib [FDA ...; EMA ...] | entrectinib [...]'; resistant maps drug -> mutation note."""
    by_drug = descriptions_by_drug(rows)
    out = []
    for drug, descriptions in by_drug.items():
        text = f"{drug} [{'; '.join(descriptions)}]"
        if resistant and drug in resistant:
            text += f" RESISTANCE: {resistant[drug]}"
        out.append(text)
    return " | ".join(out)


def refs_of(rows) -> list[str]:
    return [k for row in rows for k in row.ref_keys]

"""Match protein variants to catalogued TRK-inhibitor resistance mutations."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from .catalog import ResistanceRow, split_list
from .variants import ProteinVariant, possible_alt_aas

CERTAIN = "certain"
POSSIBLE = "possible"


@dataclass(frozen=True)
class ResistanceHit:
    variant: ProteinVariant
    row: ResistanceRow
    certainty: str  # CERTAIN | POSSIBLE
    note: str = ""

    @property
    def resistant_to(self) -> tuple[str, ...]:
        return split_list(self.row.resistant_to)

    @property
    def retains(self) -> tuple[str, ...]:
        return split_list(self.row.retains_activity)


def _alt_matches(expected: str, alt: str, ref: str) -> bool:
    return alt != ref if expected == "X" else alt == expected


def match_variant(variant: ProteinVariant, row: ResistanceRow) -> Optional[ResistanceHit]:
    """The hit of `variant` on `row`, or None. Numbering must agree (same gene, same protein length)."""
    if variant.kind != "snv" or variant.gene != row.gene or variant.codon != row.pos:
        return None
    if variant.protein_length != row.length:
        return None
    if variant.ref_aa:  # codon read from the genome: exact
        if variant.ref_aa != row.ref_aa or not _alt_matches(row.alt_aa, variant.alt_aa, variant.ref_aa):
            return None
        return ResistanceHit(variant, row, CERTAIN, f"codon {variant.ref_codon}>{variant.alt_codon}")
    alts = possible_alt_aas(row.ref_aa, variant.codon_offset, variant.ref_base, variant.alt_base)
    if not alts:
        return None
    matching = {a for a in alts if _alt_matches(row.alt_aa, a, row.ref_aa)}
    if not matching:
        return None
    if matching == alts:
        return ResistanceHit(variant, row, CERTAIN, "every codon of the reference amino acid gives this change")
    others = "/".join(sorted(alts - matching))
    return ResistanceHit(variant, row, POSSIBLE,
                         f"codon not known without a genome: could also be p.{row.ref_aa}{row.pos}{others}; pass --genome to resolve")


def find_hits(variants: Iterable[ProteinVariant], rows: Iterable[ResistanceRow]) -> list[ResistanceHit]:
    rows = tuple(rows)
    hits = []
    for v in variants:
        for row in rows:
            hit = match_variant(v, row)
            if hit is not None:
                hits.append(hit)
    return hits


def describe_hit(hit: ResistanceHit) -> str:
    """One clinician-readable statement per hit, evidence tag and citations included."""
    row, v = hit.row, hit.variant

    def with_level(drug: str) -> str:
        level = row.level_of(drug)
        return f"{drug} (OncoKB {level})" if level else drug

    name = f"{row.gene} p.{row.mutation}"
    if row.equivalent:
        name += f" (= {row.equivalent})"
    parts = [f"{name}, {row.mutation_class.replace('_', ' ')} [{v.hgvs_c}; {v.genomic}; {row.numbering}]"]
    if hit.certainty == POSSIBLE:
        parts[0] = "POSSIBLE " + parts[0]
    if v.filters != "PASS":
        parts.append(f"VCF FILTER {v.filters}")
    parts.append("resistant to " + ", ".join(with_level(d) for d in hit.resistant_to))
    if hit.retains:
        parts.append("retains activity: " + ", ".join(with_level(d) for d in hit.retains))
    if row.evidence == "R":
        parts.append("[unverified: R]")
    elif row.evidence == "D":
        parts.append("[derived: D]")
    if hit.certainty == POSSIBLE:
        parts.append(hit.note)
    parts.append("refs " + ";".join(row.ref_keys))
    return "; ".join(parts)

"""The loaded knowledge base and its partner-catalog lookups (plain, immutable data)."""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Optional

from .catalog import (
    ActionabilityRow, EfficacyRow, PartnerRow, ReferenceRow, ResistanceRow, TherapyRow, TumorTypeRow, split_list,
)

# Catalog status vocabulary (output column catalog_status).
IN_CONTEXT = "documented in this tumor context"
DOCUMENTED = "documented partner"
POSSIBLY = "possibly documented (ambiguous published symbol)"
NOVEL = "not in catalog"  # a kinase gene's 3' fusion whose 5' partner the catalog does not list
NO_KINASE_3P = "no catalog kinase as 3' partner"


HASH_LENGTH = 12


def knowledge_hash(directory: Path, metadata: Optional[dict] = None) -> str:
    """Content hash of a knowledge base: SHA-256 over metadata.json and every table file it names (in table-name
    order, each as name NUL bytes NUL), first 12 hex digits. The same bytes give the same hash on any machine;
    any edited byte of a table changes it. Written beside knowledge_base_version in every output."""
    directory = Path(directory)
    meta_bytes = (directory / "metadata.json").read_bytes()
    if metadata is None:
        metadata = json.loads(meta_bytes)
    digest = hashlib.sha256(b"metadata.json\0" + meta_bytes + b"\0")
    for name, file_name in sorted(metadata.get("tables", {}).items()):
        digest.update(file_name.encode() + b"\0" + (directory / file_name).read_bytes() + b"\0")
    return digest.hexdigest()[:HASH_LENGTH]


@dataclass(frozen=True)
class CatalogMatch:
    status: str
    rows: tuple[PartnerRow, ...] = ()
    note: str = ""


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


@dataclass(frozen=True)
class KnowledgeBase:
    directory: Path
    name: str
    version: str
    date: str
    partners: tuple[PartnerRow, ...]
    therapies: tuple[TherapyRow, ...]
    efficacy: tuple[EfficacyRow, ...]
    resistance: tuple[ResistanceRow, ...]
    actionability: tuple[ActionabilityRow, ...]
    tumor_types: tuple[TumorTypeRow, ...]
    references: dict[str, ReferenceRow]

    @cached_property
    def content_hash(self) -> str:
        """knowledge_hash of the directory this knowledge base was loaded from (12 hex digits)."""
        return knowledge_hash(self.directory)

    # ---------------------------------------------------------------- vocabulary
    @cached_property  # asked once per annotated call: computed once (writes __dict__, fine on a frozen dataclass)
    def kinase_genes(self) -> frozenset[str]:
        """Genes whose 3' fusion makes a catalogued kinase fusion (NTRK1/2/3 today; a row adds one)."""
        return frozenset(p.kinase_gene for p in self.partners)

    @property
    def resistance_genes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.gene for r in self.resistance))

    @property
    def drugs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t.drug for t in self.therapies))

    def counts(self) -> dict[str, int]:
        return {
            "partner_rows": len(self.partners),
            "partner_pairs": len({(p.kinase_gene, p.partner_symbol or p.partner_published) for p in self.partners}),
            "therapy_rows": len(self.therapies),
            "drugs": len(self.drugs),
            "efficacy_rows": len(self.efficacy),
            "resistance_rows": len(self.resistance),
            "actionability_rows": len(self.actionability),
            "tumor_types": len(self.tumor_types),
            "references": len(self.references),
        }

    # ---------------------------------------------------------------- tumour types
    def tumor_key(self, text: Optional[str]) -> Optional[str]:
        """Vocabulary key for a free-text tumour type (key, label or synonym, case/punctuation-insensitive)."""
        if not text:
            return None
        wanted = _norm(text)
        for t in self.tumor_types:
            names = (t.key, t.label, *split_list(t.synonyms))
            if wanted in {_norm(n) for n in names}:
                return t.key
        return None

    def is_within(self, key: str, ancestor: str) -> bool:
        """True when tumour type `key` is `ancestor` or lies below it in the vocabulary tree."""
        parents = {t.key: t.parent for t in self.tumor_types}
        while key:
            if key == ancestor:
                return True
            key = parents.get(key, "")
        return False

    # ---------------------------------------------------------------- partner catalog
    def lookup_partner(self, gene5: str, gene3: str, tumor_key: Optional[str] = None) -> CatalogMatch:
        """How the catalog knows the pair gene5::gene3 (5' partner first)."""
        gene5, gene3 = (gene5 or "").upper(), (gene3 or "").upper()
        exact, possible = [], []
        for row in self.partners:
            if row.orientation == "unstated":
                if {gene5, gene3} == {row.kinase_gene, row.partner_symbol}:
                    exact.append(row)
                continue
            if row.kinase_gene != gene3:
                continue
            if row.symbol_status == "intergenic":
                if not gene5 or gene5 in ("IGR", "INTERGENIC"):
                    exact.append(row)
            elif row.symbol_status == "ambiguous":
                if gene5 in split_list(row.candidate_symbols) or gene5 == row.published_symbol:
                    possible.append(row)
            elif gene5 and gene5 in (row.partner_symbol, row.published_symbol):
                exact.append(row)
        if exact:
            exact = self._drop_unverified_extras(exact, tumor_key)
            in_context = tumor_key is not None and any(self.is_within(r.context_key, tumor_key) for r in exact)
            note = "" if all(r.orientation != "unstated" for r in exact) else "documented with orientation not stated"
            return CatalogMatch(IN_CONTEXT if in_context else DOCUMENTED, tuple(exact), note)
        if possible:
            symbols = ", ".join(dict.fromkeys(r.published_symbol for r in possible))
            return CatalogMatch(POSSIBLY, tuple(possible), f"published as {symbols!s}: ambiguous symbol, not resolved")
        if gene3 in self.kinase_genes:
            return CatalogMatch(NOVEL)
        return CatalogMatch(NO_KINASE_3P)

    def _drop_unverified_extras(self, rows: list, tumor_key: Optional[str]) -> list:
        """An unverified (R) catalog row never adds to a sourced match outside its own tumour context.

        ETV6::NTRK3 is sourced (S) in infantile fibrosarcoma and recalled (R) in secretory carcinoma: asked
        without a tumour type, or for IFS, the match is the sourced rows only (no [unverified] flag on a
        well-documented fusion); asked for secretory carcinoma, the R row is the in-context evidence and
        is kept (and flagged). A pair known only from R rows (QKI::NTRK2) keeps them all."""
        if all(r.evidence == "R" for r in rows):
            return rows
        return [r for r in rows if r.evidence != "R" or (tumor_key is not None and self.is_within(r.context_key, tumor_key))]

    def resolve(self, key: str) -> Optional[ReferenceRow]:
        return self.references.get(key)

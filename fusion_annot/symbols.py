"""Current gene symbols for the names callers write.

Callers annotate with whatever GTF they were run with, so a name may be a
previous HGNC symbol (FAM19A2 for TAFA2) or an alias (TRKA for NTRK1). The
reference only knows current names; the order of resolution is:

1. the name as given, when the reference knows it ("current");
2. the caller's Ensembl gene id (ENSG, version ignored), when given and known
   to the reference ("gene_id"): ids are stable across renames;
3. the curated table ``resources/reference/symbol_aliases.tsv`` (previous
   symbols and unambiguous aliases of catalog genes, from the HGNC symbol
   reports), when the reference knows the target ("previous_symbol"/"alias");
4. otherwise the name is kept ("unresolved").

There is no full HGNC table offline, so names outside the curated table and
without a gene id stay unresolved; the annotator then reports them as unknown
genes. ``resolve_call_symbols`` keeps the caller's names in
``extra['gene5_original']`` / ``extra['gene3_original']`` (output columns
gene5_original / gene3_original) whenever a name changed.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Optional

from .model import Breakpoint, FusionCall
from .paths import resource



@dataclass(frozen=True)
class SymbolResolution:
    original: str
    current: str
    how: str  # "current" | "gene_id" | "previous_symbol" | "alias" | "unresolved"
    source: str = ""  # HGNC id for table entries, the gene id for id lookups


@lru_cache(maxsize=4)
def load_alias_table(path: Optional[str] = None) -> dict[str, tuple[str, str, str]]:
    """input symbol (upper case) -> (current symbol, kind, HGNC id)."""
    table: dict[str, tuple[str, str, str]] = {}
    with open(path or resource("reference", "symbol_aliases.tsv"), newline="") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            table[row["input_symbol"].strip().upper()] = (row["current_symbol"].strip(), row["kind"].strip(), row["hgnc_id"].strip())
    return table


def _known(reference, name: str) -> bool:
    try:
        return bool(reference.genes_named(name))
    except Exception:  # a reference that cannot look the name up does not know it
        return False


def _name_for_gene_id(reference, gene_id: str) -> Optional[str]:
    base = gene_id.split(".")[0]
    if not base.upper().startswith("ENSG"):
        return None
    try:
        transcripts = reference.transcripts_of(base)
    except Exception:
        return None
    names = {t.gene_name for t in transcripts if t.gene_name}
    return names.pop() if len(names) == 1 else None


def resolve_symbol(name: Optional[str], reference, gene_id: Optional[str] = None,
                   aliases: Optional[dict[str, tuple[str, str, str]]] = None) -> Optional[SymbolResolution]:
    if not name:
        return None
    if _known(reference, name):
        return SymbolResolution(name, name, "current")
    if gene_id:
        by_id = _name_for_gene_id(reference, gene_id)
        if by_id:
            return SymbolResolution(name, by_id, "gene_id", gene_id)
    table = load_alias_table() if aliases is None else aliases
    entry = table.get(name.upper())
    if entry and _known(reference, entry[0]):
        current, kind, hgnc = entry
        return SymbolResolution(name, current, "previous_symbol" if kind == "previous" else "alias", hgnc)
    return SymbolResolution(name, name, "unresolved")


def _resolved_side(bp: Breakpoint, reference, aliases) -> tuple[Breakpoint, Optional[SymbolResolution]]:
    res = resolve_symbol(bp.gene, reference, bp.gene_id, aliases)
    if res is None or res.current == bp.gene:
        return bp, res
    return replace(bp, gene=res.current), res


def resolve_call_symbols(call: FusionCall, reference, aliases=None) -> FusionCall:
    """The call with current symbols; originals kept in extra when a name changed."""
    five, res5 = _resolved_side(call.five_prime, reference, aliases)
    three, res3 = _resolved_side(call.three_prime, reference, aliases)
    if five is call.five_prime and three is call.three_prime:
        return call
    extra = dict(call.extra)
    for key, res in (("5", res5), ("3", res3)):
        if res is not None and res.current != res.original:
            extra[f"gene{key}_original"] = res.original
            extra[f"gene{key}_resolved_by"] = f"{res.how} ({res.source})" if res.source else res.how
    return replace(call, five_prime=five, three_prime=three, extra=extra)

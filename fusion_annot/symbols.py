"""Current gene symbols for the names callers write.

Callers annotate with whatever GTF they were run with, so a name may be a
previous HGNC symbol (SEPT14 for SEPTIN14, FAM19A2 for TAFA2) or an alias (TRKA
for NTRK1). The reference only knows its own names. Previous symbols and aliases
come from ``resources/reference/gene_synonyms.ideogram1.53.tsv.gz`` (24,368 human
genes, ``symbol<TAB>synonym...``, previous symbols and aliases mixed; provenance in
resources/reference/PROVENANCE.md). The order of resolution:

1. the name as given, when the reference knows it ("current");
2. the caller's Ensembl gene id (ENSG, version ignored), when given and known
   to the reference ("gene_id"): ids are stable across renames, so they are
   trusted before any symbol table;
3. a name that is a gene's current symbol in the table (a primary symbol; case
   ignored when the exact spelling is not one) is never remapped: it resolves
   to that spelling when the reference knows it ("case"), otherwise it stays as
   given, even when it is also another gene's alias (HGF, itself a gene, is
   listed as an alias of IL6 and SOS1);
4. a synonym (exact spelling first, case ignored only when the exact spelling
   is not in the table) naming exactly one gene the reference knows resolves
   to it ("synonym");
5. a synonym naming several genes the reference knows is decided by the gene at
   the breakpoint (``reference.genes_at``): exactly one candidate there
   resolves ("synonym", with the breakpoint named); otherwise the name stays
   and the resolution is "ambiguous", with the candidates, for the reject reason
   (``ambiguity_reason``);
6. otherwise the name is kept ("unresolved") and the annotator reports it as an
   unknown gene.

The table is read only when a name is not known to the reference and has no
known gene id (most runs never read it), once per process: ``load_synonyms`` is
an lru_cache of an immutable table keyed by path; the case-folded indexes are
built only when an exact lookup fails. ``resolve_call_symbols`` keeps the
caller's names in ``extra['gene5_original']`` / ``extra['gene3_original']``
(output columns gene5_original / gene3_original), with
``extra['gene*_resolved_by']``, whenever a name changed.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass, replace
import os
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping, Optional

from .model import Breakpoint, FusionCall
from .paths import resource

SYNONYMS = ("reference", "gene_synonyms.ideogram1.53.tsv.gz")


@dataclass(frozen=True)
class SymbolResolution:
    original: str
    current: str
    how: str  # "current" | "gene_id" | "case" | "synonym" | "ambiguous" | "unresolved"
    source: str = ""  # the gene id for id lookups; how a synonym was decided
    candidates: tuple[str, ...] = ()  # ambiguous: the genes the reference knows that the synonym names
    at_breakpoint: tuple[str, ...] = ()  # ambiguous: reference genes spanning the breakpoint
    has_position: bool = False


@dataclass(frozen=True, eq=False)
class SynonymTable:
    """Current (primary) symbols and, per synonym, the current symbols it names (file order)."""

    path: str
    primaries: frozenset
    by_synonym: Mapping[str, tuple[str, ...]]


@dataclass(frozen=True, eq=False)
class _Folded:
    primary: Mapping[str, str]  # upper-cased primary -> primary (no two primaries differ only by case)
    synonym: Mapping[str, tuple[str, tuple[str, ...]]]  # upper-cased synonym -> (a spelling, genes named by any)


def load_synonyms(path: Optional[str] = None) -> SynonymTable:
    return _load_synonyms(str(path or _shipped_path(os.environ.get("FUSION_ANNOT_RESOURCES"))))


@lru_cache(maxsize=4)
def _shipped_path(resources_override: Optional[str]) -> str:
    """The shipped table's path, found once per resources setting (not once per call: it stats the disk)."""
    return str(resource(*SYNONYMS))


@lru_cache(maxsize=4)
def _load_synonyms(path: str) -> SynonymTable:
    with open(path, "rb") as fh:
        data = fh.read()
    text = (gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data).decode("utf-8")
    primaries: dict[str, None] = {}
    by_synonym: dict[str, tuple[str, ...]] = {}
    for line in text.splitlines():
        if not line or line[0] == "#":
            continue
        symbol, *synonyms = line.split("\t")
        primaries[symbol] = None
        for syn in synonyms:
            if syn == symbol or not syn:  # a few rows list the symbol itself
                continue
            have = by_synonym.get(syn)
            if have is None:
                by_synonym[syn] = (symbol,)
            elif symbol not in have:
                by_synonym[syn] = have + (symbol,)
    return SynonymTable(path, frozenset(primaries), MappingProxyType(by_synonym))


@lru_cache(maxsize=4)
def _folded(table: SynonymTable) -> _Folded:
    primary = {p.upper(): p for p in table.primaries}
    synonym: dict[str, tuple[str, tuple[str, ...]]] = {}
    for syn in sorted(table.by_synonym):  # sorted: spelling and union order do not depend on file order
        key = syn.upper()
        spelling, have = synonym.get(key, (syn, ()))
        synonym[key] = (spelling, have + tuple(g for g in table.by_synonym[syn] if g not in have))
    return _Folded(MappingProxyType(primary), MappingProxyType(synonym))


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


def _genes_at(reference, chrom, pos) -> tuple[str, ...]:
    if not chrom or pos is None:
        return ()
    try:
        return tuple(reference.genes_at(chrom, pos))
    except Exception:
        return ()


def resolve_symbol(name: Optional[str], reference, gene_id: Optional[str] = None, chrom: Optional[str] = None,
                   pos: Optional[int] = None, synonyms=None) -> Optional[SymbolResolution]:
    """How the caller's ``name`` (with its gene id and breakpoint, when given) maps onto the reference.

    ``synonyms``: a SynonymTable, a zero-argument function returning one (called only when
    needed), or None for the shipped table.
    """
    if not name:
        return None
    if _known(reference, name):
        return SymbolResolution(name, name, "current")
    if gene_id:
        by_id = _name_for_gene_id(reference, gene_id)
        if by_id:
            return SymbolResolution(name, by_id, "gene_id", gene_id)
    # the table (~90 ms to read) is needed only for a name the reference does not know
    table = synonyms() if callable(synonyms) else synonyms if synonyms is not None else load_synonyms()
    if name in table.primaries:  # a current symbol: never another gene's alias
        return SymbolResolution(name, name, "unresolved", "current symbol")
    spelled = name
    genes = table.by_synonym.get(name)
    if genes is None:
        folded = _folded(table)
        primary = folded.primary.get(name.upper())
        if primary is not None:
            if _known(reference, primary):
                return SymbolResolution(name, primary, "case")
            return SymbolResolution(name, name, "unresolved", f"current symbol {primary}")
        entry = folded.synonym.get(name.upper())
        if entry is None:
            return SymbolResolution(name, name, "unresolved")
        spelled, genes = entry
    known = [g for g in genes if _known(reference, g)]
    as_spelled = [f"as {spelled}"] if spelled != name else []
    if not known:
        return SymbolResolution(name, name, "unresolved", f"synonym of {', '.join(genes)}, none in reference")
    if len(known) == 1:
        others = [g for g in genes if g != known[0]]
        note = [f"{known[0]} the only one of {', '.join(genes)} in reference"] if others else []
        return SymbolResolution(name, known[0], "synonym", "; ".join(as_spelled + note))
    here = _genes_at(reference, chrom, pos)
    hits = [g for g in known if g in here]
    if len(hits) == 1:
        note = f"breakpoint in {hits[0]}, not {', '.join(g for g in known if g != hits[0])}"
        return SymbolResolution(name, hits[0], "synonym", "; ".join(as_spelled + [note]))
    return SymbolResolution(name, name, "ambiguous", "; ".join(as_spelled), tuple(known), tuple(here),
                            has_position=bool(chrom) and pos is not None)


def ambiguity_reason(bp: Breakpoint, reference, synonyms=None) -> Optional[str]:
    """For a breakpoint whose name stayed unresolved: why, when the name is an alias of several genes.

    The text follows "5' gene NAME ", e.g. "is an alias of several genes (ABL1, MTTP); the breakpoint lies
    in none of them (it lies in BCR)"; None when the name is not such an alias.
    """
    res = resolve_symbol(bp.gene, reference, bp.gene_id, bp.chrom, bp.pos, synonyms)
    if res is None or res.how != "ambiguous":
        return None
    hits = [g for g in res.candidates if g in res.at_breakpoint]
    if not res.has_position:
        where = "no breakpoint position to decide between them"
    elif hits:
        where = f"the breakpoint lies in {'both' if len(hits) == len(res.candidates) == 2 else ', '.join(hits)}"
    else:
        elsewhere = f" (it lies in {', '.join(res.at_breakpoint)})" if res.at_breakpoint else ""
        where = f"the breakpoint lies in none of them{elsewhere}"
    return f"is an alias of several genes ({', '.join(res.candidates)}); {where}"


def _resolved_side(bp: Breakpoint, reference, synonyms) -> tuple[Breakpoint, Optional[SymbolResolution]]:
    res = resolve_symbol(bp.gene, reference, bp.gene_id, bp.chrom, bp.pos, synonyms)
    if res is None or res.current == bp.gene:
        return bp, res
    return replace(bp, gene=res.current), res


def resolve_call_symbols(call: FusionCall, reference, synonyms=None) -> FusionCall:
    """The call with current symbols; originals kept in extra when a name changed."""
    five, res5 = _resolved_side(call.five_prime, reference, synonyms)
    three, res3 = _resolved_side(call.three_prime, reference, synonyms)
    if five is call.five_prime and three is call.three_prime:
        return call
    extra = dict(call.extra)
    for key, res in (("5", res5), ("3", res3)):
        if res is not None and res.current != res.original:
            extra[f"gene{key}_original"] = res.original
            extra[f"gene{key}_resolved_by"] = f"{res.how} ({res.source})" if res.source else res.how
    return replace(call, five_prime=five, three_prime=three, extra=extra)

"""Protein domains kept by each partner, and the 3' kinase-domain call.

The domain table has one row per protein feature of a transcript, in amino-acid
coordinates (1-based, inclusive): columns transcript_id, transcript_name,
gene_name, source, accession, description, aa_start, aa_end (feature_type and
decode optional). Which accessions define a kinase catalytic domain is data
(resources/reference/kinase_domains.tsv), not code.

Residues counted as kept are whole codons only: the codon split by the junction
is a new residue in the fusion and belongs to neither partner.
5' retention is structural and does not depend on the frame.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from .errors import InputError
from .model import DomainHit, DomainResult, SideAnnotation
from .paths import resource
from .textio import open_text

DOMAIN_SOURCES = ("InterPro", "Pfam")
REQUIRED_COLUMNS = ("transcript_id", "source", "accession", "description", "aa_start", "aa_end")


@dataclass(frozen=True)
class DomainRow:
    source: str
    accession: str
    description: str
    aa_start: int
    aa_end: int


@dataclass(frozen=True)
class DomainTable:
    by_transcript: dict  # transcript id (unversioned) or name -> tuple[DomainRow, ...]
    kinase_preference: dict  # (source, accession) -> rank (lower preferred)
    label: str  # where the table came from, for output metadata

    def for_transcript(self, transcript_id: str, transcript_name: str = "") -> tuple[DomainRow, ...]:
        key = transcript_id.split(".")[0] if transcript_id.startswith("ENST") else transcript_id
        return self.by_transcript.get(key) or self.by_transcript.get(transcript_name, ())


def load_kinase_accessions(path: Optional[Path] = None) -> dict:
    path = path or resource("reference", "kinase_domains.tsv")
    prefs = {}
    with open(path) as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            prefs[(row["source"], row["accession"])] = int(row["preference"])
    return prefs


def load_domain_table(path: str | Path, include_aligned: bool = False) -> DomainTable:
    """Read a domain TSV (plain or gzip). Rows decoded by alignment are skipped unless asked for."""
    by_tx: dict[str, list[DomainRow]] = {}
    with open_text(path) as fh:
        header = fh.readline().rstrip("\n").split("\t")
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(str(path), 1, "domain table lacks column(s): " + ", ".join(missing))
        col = {name: i for i, name in enumerate(header)}
        for number, line in enumerate(fh, start=2):
            f = line.rstrip("\n").split("\t")
            if len(f) < len(header):
                raise InputError(str(path), number, f"expected {len(header)} fields, found {len(f)}")
            if not include_aligned and "decode" in col and f[col["decode"]] == "aligned":
                continue
            try:
                row = DomainRow(f[col["source"]], f[col["accession"]], f[col["description"]], int(f[col["aa_start"]]), int(f[col["aa_end"]]))
            except ValueError:
                raise InputError(str(path), number, "aa_start/aa_end must be integers") from None
            tid = f[col["transcript_id"]]
            keys = {tid.split(".")[0] if tid.startswith("ENST") else tid}
            if "transcript_name" in col and f[col["transcript_name"]]:
                keys.add(f[col["transcript_name"]])
            for key in keys:
                by_tx.setdefault(key, []).append(row)
    frozen = {k: tuple(sorted(v, key=lambda r: (r.aa_start, r.aa_end))) for k, v in by_tx.items()}
    return DomainTable(frozen, load_kinase_accessions(), label=Path(path).name)


def kept_range(side: SideAnnotation, role: str) -> Optional[tuple[int, int]]:
    """Whole residues (1-based, inclusive) of this partner's protein kept in the fusion; None if none."""
    if not side.coding or side.cds_offset is None or side.retained_exons is None:
        return None
    if role == "5":
        last = side.cds_offset // 3
        return (1, last) if last >= 1 else None
    if side.cds_offset < 0:  # junction in the 5'UTR: the whole protein
        return (1, side.protein_length)
    first = -(-side.cds_offset // 3) + 1  # ceil(skipped / 3) + 1
    return (first, side.protein_length) if first <= side.protein_length else None


def _overlap_pct(row: DomainRow, kept: Optional[tuple[int, int]]) -> float:
    if kept is None:
        return 0.0
    a, b = max(row.aa_start, kept[0]), min(row.aa_end, kept[1])
    return 100.0 * max(0, b - a + 1) / (row.aa_end - row.aa_start + 1)


def _hits(rows, kept) -> tuple[DomainHit, ...]:
    seen, out = set(), []
    for row in rows:
        if row.source not in DOMAIN_SOURCES:
            continue
        pct = _overlap_pct(row, kept)
        key = (row.description, row.aa_start, row.aa_end)
        if pct > 0 and key not in seen:
            seen.add(key)
            out.append(DomainHit(row.description, row.source, row.accession, row.aa_start, row.aa_end, round(pct, 1)))
    return tuple(out)


def kinase_domain_of(rows, preference: dict) -> Optional[DomainRow]:
    kinases = [r for r in rows if (r.source, r.accession) in preference]
    if not kinases:
        return None
    return min(kinases, key=lambda r: (preference[(r.source, r.accession)], -(r.aa_end - r.aa_start)))


def assess_domains(side5: Optional[SideAnnotation], side3: Optional[SideAnnotation], table: Optional[DomainTable],
                   gene3_canonical: Optional[tuple[str, str]] = None) -> DomainResult:
    """Domains kept by each side. gene3_canonical = (transcript_id, name) of the 3' gene's policy
    transcript: when the 3' isoform used has no kinase domain but the gene's protein has one, the
    kinase is called lost (a non-catalytic isoform), not not_applicable."""
    if table is None:
        return DomainResult("not_applicable", None, note="no domain table")
    hits5: tuple[DomainHit, ...] = ()
    if side5 is not None:
        hits5 = _hits(table.for_transcript(side5.transcript_id, side5.transcript_name), kept_range(side5, "5"))
    if side3 is None:
        return DomainResult("not_applicable", None, domains5=hits5, note="no 3' transcript")
    if side3.site == "gene_only":
        return DomainResult("not_applicable", None, domains5=hits5, note="gene-level call: the exons kept are unknown")
    rows3 = table.for_transcript(side3.transcript_id, side3.transcript_name)
    kept3 = kept_range(side3, "3")
    hits3 = _hits(rows3, kept3)
    kinase = kinase_domain_of(rows3, table.kinase_preference)
    if kinase is None:
        canonical_kinase = None
        if gene3_canonical and gene3_canonical[0] != side3.transcript_id:
            canonical_kinase = kinase_domain_of(table.for_transcript(*gene3_canonical), table.kinase_preference)
        if canonical_kinase is not None and rows3:
            note = f"{side3.transcript_id} is an isoform without the kinase domain of {gene3_canonical[0]} ({canonical_kinase.description})"
            return DomainResult("lost", 0.0, domains5=hits5, domains3=hits3, note=note)
        note = "" if rows3 else f"no domain annotation for {side3.transcript_id}"
        return DomainResult("not_applicable", None, domains5=hits5, domains3=hits3, note=note)
    pct = round(_overlap_pct(kinase, kept3), 1)
    status = "retained" if pct >= 100.0 else ("lost" if pct <= 0.0 else "partial")
    where = f"{kinase.description} aa {kinase.aa_start}-{kinase.aa_end} ({kinase.source} {kinase.accession})"
    split = side3.cds_offset is not None and side3.cds_offset > 0 and side3.cds_offset % 3
    kept_txt = (f"3' keeps whole residues {kept3[0]}-{kept3[1]}" + (f" (aa {kept3[0] - 1} is split by the junction)" if split else "")
                if kept3 else "3' keeps no residue")
    return DomainResult(status, pct, kinase_domain_name=where, domains5=hits5, domains3=hits3, note=kept_txt)


def format_hits(hits: tuple[DomainHit, ...]) -> str:
    """'Pointed domain 40-124; SAM 38-123 (62%)' (partial domains show the share kept)."""
    parts = []
    for h in hits:
        suffix = "" if h.kept_pct >= 100 else f" ({h.kept_pct:g}%)"
        parts.append(f"{h.name} {h.aa_start}-{h.aa_end}{suffix}")
    return "; ".join(parts)

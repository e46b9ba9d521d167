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
import re
import zlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from .errors import InputError
from .model import DomainHit, DomainResult, SideAnnotation
from .paths import resource
from .refpack import unversioned
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


class DomainTable:
    """Protein features per transcript: a table read from a file, layered over a reference pack's domains.

    `covers` says whether any domain data speaks for a transcript; a transcript it does not cover has
    unknown domains (the kinase call is `unknown`), which is not the same as a protein without domains.
    """

    def __init__(self, by_transcript: dict, kinase_preference: dict, label: str, fallback=None):
        self.by_transcript = by_transcript  # transcript id (unversioned) or name -> tuple[DomainRow, ...]
        self.kinase_preference = kinase_preference  # (source, accession) -> rank (lower preferred)
        self.label = label  # where the data came from, for output metadata
        self.fallback = fallback  # a Reference whose pack carries domains (domains_of), or None
        self._from_fallback: dict[tuple[str, str], Optional[tuple[DomainRow, ...]]] = {}

    def _table_rows(self, transcript_id: str, transcript_name: str) -> Optional[tuple[DomainRow, ...]]:
        key = unversioned(transcript_id)
        rows = self.by_transcript.get(key)
        if rows is None and transcript_name:
            rows = self.by_transcript.get(transcript_name)
        return rows

    def _pack_rows(self, transcript_id: str, transcript_name: str) -> Optional[tuple[DomainRow, ...]]:
        if self.fallback is None:
            return None
        key = (transcript_id, transcript_name)
        if key not in self._from_fallback:
            stored = self.fallback.domains_of(transcript_id, transcript_name)
            self._from_fallback[key] = None if stored is None else tuple(
                sorted((DomainRow(*r) for r in stored), key=lambda r: (r.aa_start, r.aa_end, r.source, r.accession, r.description)))
        return self._from_fallback[key]

    def covers(self, transcript_id: str, transcript_name: str = "") -> bool:
        return (self._table_rows(transcript_id, transcript_name) is not None
                or self._pack_rows(transcript_id, transcript_name) is not None)

    def for_transcript(self, transcript_id: str, transcript_name: str = "") -> tuple[DomainRow, ...]:
        rows = self._table_rows(transcript_id, transcript_name)
        if rows is None:
            rows = self._pack_rows(transcript_id, transcript_name)
        return rows or ()


def load_kinase_accessions(path: Optional[Path] = None) -> dict:
    path = path or resource("reference", "kinase_domains.tsv")
    prefs = {}
    with open(path) as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            prefs[(row["source"], row["accession"])] = int(row["preference"])
    return prefs


def domain_table_for(reference, path: Optional[str | Path] = None) -> Optional[DomainTable]:
    """The domains an annotator uses: a user table (if given) over the reference pack's own domains.

    path "none" turns domain data off (every kinase call is then `unknown`)."""
    if path is not None and str(path) == "none":
        return None
    table = load_domain_table(path) if path else None
    pack_label = getattr(reference, "domain_label", "none")
    labels = [table.label] if table else []
    if pack_label and pack_label != "none":
        labels.append(f"{pack_label} (in the reference pack)")
    if table is None and not labels:
        return None
    return DomainTable(table.by_transcript if table else {}, load_kinase_accessions(), "; ".join(labels) or "none",
                       fallback=reference)


# Ensembl BioMart exports, as they come: column display names (TSV with header) or attribute names
# (header off then on): transcript, then one (accession, start, end[, description]) group per database.
_BIOMART_TRANSCRIPT = ("transcript stable id", "ensembl_transcript_id", "transcript stable id version",
                       "ensembl_transcript_id_version")
_BIOMART_NAME = ("transcript name", "external_transcript_name")
_BIOMART_GROUPS = (
    ("InterPro", ("interpro id", "interpro"), ("interpro start", "interpro_start"), ("interpro end", "interpro_end"),
     ("interpro short description", "interpro_short_description", "interpro description", "interpro_description")),
    ("Pfam", ("pfam id", "pfam"), ("pfam start", "pfam_start"), ("pfam end", "pfam_end"), ()),
)


def _biomart_columns(header: list[str]) -> Optional[dict]:
    norm = {h.strip().lower(): i for i, h in enumerate(header)}

    def first(names):
        return next((norm[n] for n in names if n in norm), None)

    tx = first(_BIOMART_TRANSCRIPT)
    groups = []
    for source, acc, start, end, desc in _BIOMART_GROUPS:
        cols = (first(acc), first(start), first(end))
        if None not in cols:
            groups.append((source, *cols, first(desc) if desc else None))
    if tx is None or not groups:
        return None
    return {"transcript": tx, "name": first(_BIOMART_NAME), "groups": groups}


def _domain_int(value: str, path, number: int, what: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise InputError(str(path), number, f"{what} must be an integer, got {value[:40]!r}") from None
    if n < 1:
        raise InputError(str(path), number, f"{what} must be >= 1, got {n}")
    return n


def load_domain_table(path: str | Path, include_aligned: bool = False) -> DomainTable:
    """Read a domain TSV (plain or gzip): fusion-annot's own layout or an Ensembl BioMart export.

    Rows decoded by alignment are skipped unless asked for. A malformed table is an error naming the
    line: a wrong table must never turn a kinase call into 'lost' or 'not applicable'. A truncated or
    corrupt file is one too."""
    try:
        return _load_domain_table(path, include_aligned)
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise InputError(str(path), 0, f"cannot read domain table: {getattr(exc, 'strerror', None) or exc}") from None


# Accessions as InterPro and Pfam write them: a swapped accession/description column is refused, and a
# versioned Pfam accession (PF07714.18) matches the unversioned kinase list.
_ACCESSION = {"InterPro": re.compile(r"IPR\d{6}"), "Pfam": re.compile(r"PF\d{5}")}
_SOURCE_NAMES = {"interpro": "InterPro", "pfam": "Pfam"}


def _feature(source: str, accession: str, path, number: int) -> tuple[str, str]:
    """(source, accession) in the spelling the kinase list uses; InputError for an accession of the wrong form."""
    source = _SOURCE_NAMES.get(source.strip().lower(), source.strip())
    accession = accession.strip()
    pattern = _ACCESSION.get(source)
    if pattern is not None:
        if source == "Pfam":
            accession = accession.split(".", 1)[0]
        if not pattern.fullmatch(accession):
            raise InputError(str(path), number, f"{source} accession {accession[:40]!r} is not of the form "
                                                f"{'IPR000719' if source == 'InterPro' else 'PF07714'} (columns swapped?)")
    return source, accession


def _load_domain_table(path: str | Path, include_aligned: bool = False) -> DomainTable:
    by_tx: dict[str, list[DomainRow]] = {}
    domain_rows = 0
    rows_read = 0
    with open_text(path) as fh:
        header = fh.readline().rstrip("\r\n").split("\t")
        biomart = None if all(c in header for c in REQUIRED_COLUMNS) else _biomart_columns(header)
        if biomart is None:
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise InputError(str(path), 1, "domain table lacks column(s): " + ", ".join(missing) +
                                 " (expected fusion-annot's layout or an Ensembl BioMart export with 'Transcript stable ID'"
                                 " and Pfam/InterPro ID, start, end)")
        col = {name: i for i, name in enumerate(header)}
        for number, line in enumerate(fh, start=2):
            line = line.rstrip("\r\n")
            if not line:
                continue
            f = line.split("\t")
            if len(f) < len(header):
                raise InputError(str(path), number, f"expected {len(header)} fields, found {len(f)}")
            rows_read += 1
            if biomart is not None:
                tid = f[biomart["transcript"]].strip()
                if not tid:
                    raise InputError(str(path), number, "empty transcript ID")
                keys = {unversioned(tid)}
                if biomart["name"] is not None and f[biomart["name"]].strip():
                    keys.add(f[biomart["name"]].strip())
                found = []
                for source, acc_i, start_i, end_i, desc_i in biomart["groups"]:
                    accession = f[acc_i].strip()
                    if not accession:
                        continue  # this transcript has no feature of that database: covered, none
                    a = _domain_int(f[start_i], path, number, f"{source} start")
                    b = _domain_int(f[end_i], path, number, f"{source} end")
                    if a > b:
                        raise InputError(str(path), number, f"{source} start {a} > end {b}")
                    description = f[desc_i].strip() if desc_i is not None and f[desc_i].strip() else accession
                    source, accession = _feature(source, accession, path, number)
                    found.append(DomainRow(source, accession, description, a, b))
                    domain_rows += 1
                for key in keys:
                    by_tx.setdefault(key, []).extend(found)
                continue
            if not include_aligned and "decode" in col and f[col["decode"]] == "aligned":
                continue
            a = _domain_int(f[col["aa_start"]], path, number, "aa_start")
            b = _domain_int(f[col["aa_end"]], path, number, "aa_end")
            if a > b:
                raise InputError(str(path), number, f"aa_start {a} > aa_end {b}")
            source, accession = _feature(f[col["source"]], f[col["accession"]], path, number)
            domain_rows += source in DOMAIN_SOURCES
            row = DomainRow(source, accession, f[col["description"]], a, b)
            tid = f[col["transcript_id"]]
            if not tid:
                raise InputError(str(path), number, "empty transcript_id")
            keys = {unversioned(tid)}
            if "transcript_name" in col and f[col["transcript_name"]]:
                keys.add(f[col["transcript_name"]])
            for key in keys:
                by_tx.setdefault(key, []).append(row)
    if rows_read == 0:
        raise InputError(str(path), 1, "domain table has a header but no rows")
    if domain_rows == 0:  # every transcript would look covered and kinase-free: 'not applicable' everywhere
        raise InputError(str(path), 0, f"domain table has no {' or '.join(DOMAIN_SOURCES)} feature (source column): "
                                       "the kinase domain cannot be called from it")
    # a total order (two UniProt features can share source, accession and range): set order is hash-seeded
    frozen = {k: tuple(sorted(set(v), key=lambda r: (r.aa_start, r.aa_end, r.source, r.accession, r.description)))
              for k, v in by_tx.items()}
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


def _past_protein_end(kinase: DomainRow, side: SideAnnotation) -> str:
    """A note when the domain data places the kinase past the end of the reference protein ('' when it fits):
    a table of another release or isoform; calling it lost or partial from there would be wrong."""
    length = side.protein_length
    if side.coding and length and kinase.aa_end > length:
        return (f"domain data places {kinase.description} ({kinase.source} {kinase.accession}) at aa {kinase.aa_start}-"
                f"{kinase.aa_end}, past the end of the {length}-aa protein of {side.transcript_id}: domain table and "
                "reference disagree (another release?)")
    return ""


def _unknown(note: str, hits5=(), hits3=()) -> DomainResult:
    return DomainResult("unknown", None, domains5=hits5, domains3=hits3, note=note)


def five_prime_kinase(side5: Optional[SideAnnotation], table: Optional[DomainTable]) -> tuple[str, Optional[float], str]:
    """(call, % kept, detail) for the 5' partner's own kinase domain, with the values of the 3' call.

    The 5' partner keeps its residues 1..last whole codon before the junction (kept_range), so
    a kinase near its C-terminus (FGFR1-3 fused to TACC3, BICC1, ...) is usually retained."""
    if table is None:
        return "unknown", None, "no protein-domain data for this reference"
    if side5 is None:
        return "unknown", None, "no 5' transcript"
    if side5.site == "gene_only":
        return "unknown", None, "gene-level call: the exons kept are unknown"
    if not table.covers(side5.transcript_id, side5.transcript_name):
        return "unknown", None, f"no protein-domain data for {side5.transcript_id} in {table.label}"
    kinase = kinase_domain_of(table.for_transcript(side5.transcript_id, side5.transcript_name), table.kinase_preference)
    if kinase is None:
        return "not_applicable", None, ""
    mismatch = _past_protein_end(kinase, side5)
    if mismatch:
        return "unknown", None, mismatch
    kept = kept_range(side5, "5")
    pct = round(_overlap_pct(kinase, kept), 1)
    status = "retained" if pct >= 100.0 else ("lost" if pct <= 0.0 else "partial")
    where = f"{kinase.description} aa {kinase.aa_start}-{kinase.aa_end} ({kinase.source} {kinase.accession})"
    kept_txt = f"5' keeps whole residues {kept[0]}-{kept[1]}" if kept else "5' keeps no residue"
    return status, pct, f"{where}; {kept_txt}"


def assess_domains(side5: Optional[SideAnnotation], side3: Optional[SideAnnotation], table: Optional[DomainTable],
                   gene3_canonical: Optional[tuple[str, str]] = None) -> DomainResult:
    """Domains kept by each side, the 3' kinase call (kinase_domain) and the 5' one (kinase_domain5)."""
    result = assess_three_prime(side5, side3, table, gene3_canonical)
    call5, pct5, detail5 = five_prime_kinase(side5, table)
    return replace(result, kinase_domain5=call5, kinase_domain5_kept_pct=pct5, kinase_domain5_detail=detail5)


def assess_three_prime(side5: Optional[SideAnnotation], side3: Optional[SideAnnotation], table: Optional[DomainTable],
                        gene3_canonical: Optional[tuple[str, str]] = None) -> DomainResult:
    """Domains kept by each side, and the 3' kinase call.

    gene3_canonical = (transcript_id, name) of the 3' gene's policy transcript: when the 3' isoform
    used has no kinase domain but the gene's protein has one, the kinase is called lost (a
    non-catalytic isoform). `not_applicable` means domain data covers the 3' protein and it has no
    kinase domain; when no domain data covers it the call is `unknown`, with the reason."""
    if table is None:
        return _unknown("no protein-domain data for this reference (give --domains, see docs/reference.md)")
    hits5: tuple[DomainHit, ...] = ()
    if side5 is not None:
        hits5 = _hits(table.for_transcript(side5.transcript_id, side5.transcript_name), kept_range(side5, "5"))
    canonical_rows = table.for_transcript(*gene3_canonical) if gene3_canonical else ()
    canonical_covered = bool(gene3_canonical) and table.covers(*gene3_canonical)
    canonical_kinase = kinase_domain_of(canonical_rows, table.kinase_preference)
    if side3 is None:
        if canonical_covered and canonical_kinase is None:
            return DomainResult("not_applicable", None, domains5=hits5, note="no 3' transcript; the 3' gene's protein has no kinase domain")
        return _unknown("no 3' transcript", hits5)
    if side3.site == "gene_only":
        if canonical_covered and canonical_kinase is None:
            return DomainResult("not_applicable", None, domains5=hits5, note="gene-level call; the 3' gene's protein has no kinase domain")
        return _unknown("gene-level call: the exons kept are unknown", hits5)
    covered3 = table.covers(side3.transcript_id, side3.transcript_name)
    rows3 = table.for_transcript(side3.transcript_id, side3.transcript_name)
    kept3 = kept_range(side3, "3")
    hits3 = _hits(rows3, kept3)
    kinase = kinase_domain_of(rows3, table.kinase_preference)
    if kinase is None:
        other_isoform = gene3_canonical and gene3_canonical[0] != side3.transcript_id
        if not covered3:
            if other_isoform and canonical_covered and canonical_kinase is None:
                return DomainResult("not_applicable", None, domains5=hits5, domains3=hits3,
                                    note=f"no domain data for {side3.transcript_id}; {gene3_canonical[0]} of the same gene has no kinase domain")
            return _unknown(f"no protein-domain data for {side3.transcript_id} in {table.label}", hits5, hits3)
        if other_isoform and canonical_kinase is not None:
            note = f"{side3.transcript_id} is an isoform without the kinase domain of {gene3_canonical[0]} ({canonical_kinase.description})"
            return DomainResult("lost", 0.0, domains5=hits5, domains3=hits3, note=note)
        return DomainResult("not_applicable", None, domains5=hits5, domains3=hits3, note="")
    mismatch = _past_protein_end(kinase, side3)
    if mismatch:
        return _unknown(mismatch, hits5, hits3)
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

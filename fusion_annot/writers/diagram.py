"""What a fusion diagram needs to know, and where it comes from.

A FusionDiagram holds, per partner, the exon structure of the transcript used
(exon lengths in transcript order), the exons the fusion keeps, the protein
length, the residues kept and the protein's domains. The HTML report draws it
(writers/svg.py); it never needs the reference itself.

Three ways to get one:
* ``diagram_from_record(record, reference, domain_table)``: a JSON/TSV output
  record (writers/records.py columns) completed from the reference (exon
  structure) and the domain table (all domains of both proteins, kinase marked);
* ``diagram_from_record(record)`` alone: what the record's columns tell
  (retained exon ranges, protein lengths, kept residues, kept domains parsed from
  ``domains5``/``domains3``, the kinase domain from ``kinase_domain_detail``);
* ``diagram_from_dict(d)``: the JSON form written by ``diagram_to_dict``, for
  pipelines that store diagrams beside the records.

Coordinates: exon numbers and amino-acid positions are 1-based and inclusive,
each on its own partner's transcript/protein.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Optional

_DOMAIN_SOURCES = ("InterPro", "Pfam")
_HIT = re.compile(r"^(?P<name>.+?) (?P<start>\d+)-(?P<end>\d+)(?: \((?P<pct>[\d.]+)%\))?$")
_KINASE_DETAIL = re.compile(r"^(?P<name>.+?) aa (?P<start>\d+)-(?P<end>\d+)")


@dataclass(frozen=True)
class DomainBox:
    name: str
    start: int  # aa, 1-based inclusive, on the partner's own protein
    end: int
    is_kinase: bool = False


@dataclass(frozen=True)
class PartnerDrawing:
    """One partner of the fusion as drawn.

    exon_lengths: nt per exon in transcript order (exon 1 first); empty when the
    exon structure is unknown (then only the retained range is drawn).
    retained: (first, last) exon numbers kept in the fusion.
    kept_aa: (first, last) residues of this partner's protein kept in the fusion.
    """

    gene: str
    transcript: str = ""
    strand: str = ""
    exon_lengths: tuple[int, ...] = ()
    retained: Optional[tuple[int, int]] = None
    protein_length: int = 0
    kept_aa: Optional[tuple[int, int]] = None
    domains: tuple[DomainBox, ...] = ()


@dataclass(frozen=True)
class FusionDiagram:
    five_prime: PartnerDrawing
    three_prime: PartnerDrawing
    frame: str = "unknown"
    source: str = "record"  # "reference" when exon structure and domains came from the reference
    # The codon split by the junction makes one new residue belonging to neither partner.
    junction_residue: bool = False

    @property
    def fusion_protein_length(self) -> int:
        """Residues of the fusion protein: whole residues kept from both partners plus the junction residue."""
        def span(kept):
            return kept[1] - kept[0] + 1 if kept else 0

        return span(self.five_prime.kept_aa) + span(self.three_prime.kept_aa) + int(self.junction_residue)


def diagram_to_dict(diagram: FusionDiagram) -> dict:
    return asdict(diagram)


def diagram_from_dict(data: dict) -> FusionDiagram:
    def partner(d: dict) -> PartnerDrawing:
        return PartnerDrawing(
            gene=str(d.get("gene", "")),
            transcript=str(d.get("transcript", "")),
            strand=str(d.get("strand", "")),
            exon_lengths=tuple(int(x) for x in d.get("exon_lengths") or ()),
            retained=_pair(d.get("retained")),
            protein_length=int(d.get("protein_length") or 0),
            kept_aa=_pair(d.get("kept_aa")),
            domains=tuple(
                DomainBox(str(x["name"]), int(x["start"]), int(x["end"]), bool(x.get("is_kinase")))
                for x in d.get("domains") or ()
            ),
        )

    return FusionDiagram(
        partner(data["five_prime"]), partner(data["three_prime"]),
        frame=str(data.get("frame", "unknown")), source=str(data.get("source", "record")),
        junction_residue=bool(data.get("junction_residue", False)),
    )


def diagram_from_record(record: dict, reference=None, domain_table=None) -> FusionDiagram:
    """A diagram for one output record; reference/domain_table add exon structure and all domains."""
    kinase3 = _kinase_from_detail(record.get("kinase_domain_detail", ""))
    five = _partner_from_record(record, "5", None)
    three = _partner_from_record(record, "3", kinase3)
    source = "record"
    if reference is not None:
        five, used5 = _complete(five, reference, domain_table)
        three, used3 = _complete(three, reference, domain_table)
        if used5 or used3:
            source = "reference"
    phase5 = _int(record.get("phase5"))
    return FusionDiagram(
        five, three, frame=str(record.get("frame") or "unknown"), source=source,
        junction_residue=phase5 in (1, 2) and three.kept_aa is not None,
    )


def _partner_from_record(record: dict, role: str, kinase: Optional[DomainBox]) -> PartnerDrawing:
    length = _int(record.get(f"protein_length{role}")) or 0
    kept = _kept_residues(record, role, length)
    domains = [d for d in _parse_hits(record.get(f"domains{role}", ""))]
    if kinase is not None:
        domains = [DomainBox(d.name, d.start, d.end, True) if (d.start, d.end) == (kinase.start, kinase.end) else d for d in domains]
        if not any(d.is_kinase for d in domains):
            domains.append(kinase)  # lost or partly kept: still drawn on the full protein
    return PartnerDrawing(
        gene=str(record.get(f"gene{role}", "")),
        transcript=str(record.get(f"transcript{role}", "")),
        strand=str(record.get(f"strand{role}", "")),
        retained=_range(record.get(f"exons{role}")),
        protein_length=length,
        kept_aa=kept,
        domains=tuple(sorted(domains, key=lambda d: (d.start, d.end))),
    )


def _kept_residues(record: dict, role: str, length: int) -> Optional[tuple[int, int]]:
    """Whole residues kept (as domains.kept_range): from the CDS bookkeeping columns, else the aa columns."""
    if role == "5":
        kept_nt = _int(record.get("cds_kept5"))
        last = kept_nt // 3 if kept_nt is not None else _int(record.get("aa_end5"))
        return (1, last) if last and last >= 1 else None
    skipped_nt = _int(record.get("cds_skipped3"))
    if skipped_nt is not None:
        first = 1 if skipped_nt < 0 else -(-skipped_nt // 3) + 1
    else:
        first = _int(record.get("aa_start3"))
    return (first, length) if first and length and first <= length else None


def _complete(partner: PartnerDrawing, reference, domain_table) -> tuple[PartnerDrawing, bool]:
    if not partner.transcript:
        return partner, False
    tx = reference.transcript(partner.transcript)
    if tx is None:
        return partner, False
    lengths = tuple(end - start + 1 for start, end in tx.exons)
    domains = partner.domains
    if domain_table is not None:
        rows = domain_table.for_transcript(tx.transcript_id, tx.transcript_name)
        if rows:
            domains = _domains_from_rows(rows, domain_table.kinase_preference)
    return (
        PartnerDrawing(
            gene=partner.gene or tx.gene_name,
            transcript=partner.transcript,
            strand=partner.strand or tx.strand,
            exon_lengths=lengths,
            retained=partner.retained,
            protein_length=partner.protein_length or (tx.protein_length if tx.cds else 0),
            kept_aa=partner.kept_aa,
            domains=domains,
        ),
        True,
    )


def _domains_from_rows(rows, kinase_preference: dict) -> tuple[DomainBox, ...]:
    from ..domains import kinase_domain_of  # the core's choice of kinase domain, so report and TSV agree

    kinase = kinase_domain_of(rows, kinase_preference)
    boxes: dict[tuple, DomainBox] = {}
    for row in rows:
        if row.source not in _DOMAIN_SOURCES and row is not kinase:
            continue
        key = (row.description, row.aa_start, row.aa_end)
        is_kinase = row is kinase
        if key not in boxes or is_kinase:
            boxes[key] = DomainBox(row.description, row.aa_start, row.aa_end, is_kinase)
    return tuple(sorted(boxes.values(), key=lambda d: (d.start, d.end)))


def _parse_hits(text: str) -> list[DomainBox]:
    """Domains from the 'Name 40-123; Other 200-300 (50%)' form of the domains5/domains3 columns."""
    boxes = []
    for part in str(text or "").split("; "):
        m = _HIT.match(part.strip())
        if m:
            boxes.append(DomainBox(m["name"], int(m["start"]), int(m["end"])))
    return boxes


def _kinase_from_detail(text: str) -> Optional[DomainBox]:
    m = _KINASE_DETAIL.match(str(text or ""))
    return DomainBox(m["name"], int(m["start"]), int(m["end"]), True) if m else None


def _range(text: Any) -> Optional[tuple[int, int]]:
    if isinstance(text, (list, tuple)):
        return _pair(text)
    m = re.match(r"^\s*(\d+)\s*-\s*(\d+)\s*$", str(text or ""))
    return (int(m[1]), int(m[2])) if m else None


def _pair(value: Any) -> Optional[tuple[int, int]]:
    if not value:
        return None
    a, b = value
    return (int(a), int(b))


def _int(value: Any) -> Optional[int]:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

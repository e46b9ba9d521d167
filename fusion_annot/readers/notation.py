"""Lab-report notation: one fusion written as a person would, on the command line or one per line.

Forms understood (case-insensitive keywords, any spacing):
  KHDRBS1 exons 1-8 :: NTRK1 exons 12-17     retained exon ranges
  ETV6 ex5::NTRK3 ex15  /  ETV6 exon 5 :: NTRK3 exon 15    junction exons
  ETV6::NTRK3 12:11869969:+ 15:87940753:-    1-based junction bases, 5' first ('chr12:' too)
  ETV6::NTRK3  /  ETV6--NTRK3                gene level, ordered
  ETV6-NTRK3  /  ETV6–NTRK3 (en dash)        gene level, order NOT stated
  ETV6(ENST00000396373) ex5::NTRK3 ex15      a transcript pinned for a side: Ensembl ID,
  CD74 ex6::ROS1(ROS1-202) ex34              transcript name, or RefSeq ID (NM_002944.3, mapped
                                             to Ensembl through a MANE summary, --mane-summary)

Order: '::' is HGNC's 5'::3' (and '--' the STAR-Fusion/FusionCatcher equivalent),
so the first partner is 5' (orientation="5to3"). A single hyphen or en dash is how
papers write pairs in either order ('NTRK1-KHDRBS1', kinase first): the partners
are kept as written with orientation="unknown" and the annotator orients them from
the reference. A hyphen between two digits is a range or part of a gene symbol
(NKX2-1, RP11-353N4.1), never the separator; when more than one hyphen could be
the separator (HLA-A-ROS1) the text is rejected as ambiguous: write '::'.

Exons: a range goes to Breakpoint.exon_range and Breakpoint.exon is the junction
exon (5' side: the last retained exon, 3' side: the first retained one); a single
number is the junction exon itself. Ranges are interpreted for the order as
written. level is "breakpoint" with coordinates, "exon" with exon numbers, else
"gene". Anything else raises InputError(source, line, reason); in a file, such a
line becomes a Reject with that reason.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from ..errors import InputError
from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .tabular import normalize_chrom, reject

NAME = "notation"

# Typographic variants people paste from documents.
_CHARACTER_FIXES = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u2014": "\u2013", "\u00a0": " "})
_EN_DASH = "\u2013"
_COORDINATE = re.compile(
    r"(?<![\w:.])(?:chr)?(?P<chrom>\d{1,2}|X|Y|MT?)\s*:\s*(?P<pos>\d{1,3}(?:,\d{3})+|\d+)(?:\s*:\s*(?P<strand>[+\-\u2013]))?(?![\w])",
    re.IGNORECASE,
)
_SIDE = re.compile(
    r"^(?P<gene>[A-Za-z0-9][A-Za-z0-9._@/\-]*?)"
    r"(?:\s*\(\s*(?P<transcript>ENS[A-Z]*T\d+(?:\.\d+)?|[NX]M_\d+(?:\.\d+)?|[A-Za-z0-9][A-Za-z0-9._\-]*-\d{3})\s*\))?"
    r"(?:\s+(?:exons?|ex|e)\.?\s*(?P<first>\d+)(?:\s*[-\u2013]\s*(?P<last>\d+))?)?$",
    re.IGNORECASE,
)


def _separator_positions(text: str, dash: str) -> list[int]:
    """Positions of `dash` that can separate two partners (not between two digits: ranges, NKX2-1)."""
    positions = []
    for i, ch in enumerate(text):
        if ch != dash:
            continue
        before, after = text[:i].rstrip(), text[i + 1:].lstrip()
        if before and after and before[-1].isdigit() and after[0].isdigit():
            continue
        positions.append(i)
    return positions


def _split_partners(text: str) -> tuple[str, str, bool]:
    """(first side, second side, order stated?)"""
    for separator in ("::", "--"):
        if separator in text:
            parts = text.split(separator)
            if len(parts) != 2:
                raise ValueError(f"'{separator}' appears {len(parts) - 1} times; write one fusion as GENE5{separator}GENE3")
            return parts[0], parts[1], True
    for dash in (_EN_DASH, "-"):
        positions = _separator_positions(text, dash)
        if len(positions) == 1:
            i = positions[0]
            return text[:i], text[i + 1:], False
        if len(positions) > 1:
            raise ValueError("ambiguous: more than one hyphen could separate the partners; write 5'GENE::3'GENE")
    raise ValueError("no partner separator found; write 5'GENE::3'GENE (or GENE1-GENE2 when the order is not known)")


def _coordinates(text: str) -> tuple[str, list[tuple[str, int, Optional[str]]]]:
    coordinates = []
    for match in _COORDINATE.finditer(text):
        pos = int(match.group("pos").replace(",", ""))
        if pos < 1:
            raise ValueError(f"position {pos} in '{match.group(0)}': 1-based positions start at 1")
        strand = match.group("strand")
        strand = None if strand is None else ("-" if strand in ("-", _EN_DASH) else "+")
        coordinates.append((normalize_chrom(match.group("chrom")), pos, strand))
    return _COORDINATE.sub(" ", text), coordinates


def _side(text: str, five_prime: bool, label: str) -> Breakpoint:
    text = " ".join(text.split())
    match = _SIDE.match(text)
    if not match:
        raise ValueError(f"cannot read the {label} partner '{text}' (expected GENE, 'GENE ex5' or 'GENE exons 1-8')")
    exon: Optional[int] = None
    exon_range: Optional[tuple[int, int]] = None
    if match.group("first"):
        first = int(match.group("first"))
        last = int(match.group("last")) if match.group("last") else None
        if first < 1 or (last is not None and last < 1):
            raise ValueError(f"{label} partner '{text}': exon numbers start at 1")
        if last is None:
            exon = first
        else:
            if last < first:
                raise ValueError(f"{label} partner '{text}': exon range {first}-{last} runs backwards")
            exon_range = (first, last)
            exon = last if five_prime else first
    return Breakpoint(gene=match.group("gene"), transcript=match.group("transcript"), exon=exon, exon_range=exon_range)


def parse_notation(text: str, source: str = "<command line>", line: int = 0, sample: str = "") -> FusionCall:
    """One fusion in lab-report notation -> FusionCall (caller 'notation'); InputError if unreadable."""
    original = " ".join((text or "").split())
    if not original:
        raise InputError(source, line, "empty fusion text")
    normalized = original.translate(_CHARACTER_FIXES)
    try:
        rest, coordinates = _coordinates(normalized)
        if len(coordinates) not in (0, 2):
            raise ValueError(f"found {len(coordinates)} coordinate(s); give both junction bases (5' then 3') or none")
        first, second, ordered = _split_partners(" ".join(rest.split()))
        five = _side(first, True, "first" if not ordered else "5'")
        three = _side(second, False, "second" if not ordered else "3'")
    except ValueError as exc:
        raise InputError(source, line, f"'{_shorten(original)}': {_shorten(str(exc), 200)}") from None
    if coordinates:
        (c5, p5, s5), (c3, p3, s3) = coordinates
        five = Breakpoint(five.gene, c5, p5, s5, transcript=five.transcript, exon=five.exon, exon_range=five.exon_range)
        three = Breakpoint(three.gene, c3, p3, s3, transcript=three.transcript, exon=three.exon, exon_range=three.exon_range)
    level = "breakpoint" if coordinates else ("exon" if five.exon is not None or three.exon is not None else "gene")
    return FusionCall(
        sample=sample,
        caller=NAME,
        source=str(source),
        line=line,
        five_prime=five,
        three_prime=three,
        orientation="5to3" if ordered else "unknown",
        caller_fusion_name=original,
        level=level,
    )


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    """One fusion per line; blank lines and '#' comments are not data rows."""
    for number, text in numbered_lines(path):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        try:
            yield parse_notation(text, source=str(path), line=number, sample=sample)
        except InputError as exc:
            yield reject(sample, NAME, path, number, exc.reason, text)


def sniff(head: list[str]) -> bool:
    lines = [t for t in head if t.strip() and not t.lstrip().startswith("#")]
    if not lines or any("\t" in t for t in lines):
        return False
    try:
        for number, text in enumerate(lines, start=1):
            parse_notation(text, source="<sniff>", line=number)
    except InputError:
        return False
    return True


READER = ReaderSpec(
    name=NAME,
    description="lab-report notation, one fusion per line ('ETV6 ex5::NTRK3 ex15', 'KHDRBS1 exons 1-8 :: NTRK1 exons 12-17')",
    sniff=sniff,
    read=read,
    priority=1000,
)


def _shorten(text: str, limit: int = 60) -> str:
    """Echo user input in an error message without flooding it (a whole caller row is not a fusion)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

"""Small parsers for breakpoint notations shared by several caller formats.

Every function returns 1-based genomic positions (the caller formats parsed here
already use 1-based positions; 0-based formats convert in their own reader).
"""
from __future__ import annotations

import re
from typing import Optional

from .tabular import normalize_chrom

# "chr12:11869969:+" (STAR-Fusion family, DRAGEN, CTAT-LR-Fusion); strand optional
_CHROM_POS_STRAND = re.compile(r"^(?P<chrom>[^:\s]+):(?P<pos>\d+)(?::(?P<strand>[+-]))?$")


def parse_chrom_pos_strand(text: str) -> Optional[tuple[str, int, Optional[str]]]:
    """'chr12:11869969:+' -> ('12', 11869969, '+'); None when the text is not in that shape."""
    m = _CHROM_POS_STRAND.match((text or "").strip())
    if not m:
        return None
    pos = int(m.group("pos"))
    if pos < 1:
        return None
    return normalize_chrom(m.group("chrom")), pos, m.group("strand")


def strand_or_none(value: str) -> Optional[str]:
    v = (value or "").strip()
    return v if v in ("+", "-") else None


def clean_gene(value: str) -> Optional[str]:
    """A gene symbol as callers write it, or None for their 'no gene' placeholders.

    Strips the '^ENSG...' suffix used by the CTAT tools ('ETV6^ENSG00000139083').
    """
    v = (value or "").strip()
    if "^" in v:
        v = v.split("^", 1)[0]
    if v in ("", ".", "NA", "N/A", "-", "na", "None"):
        return None
    return v


def gene_id_from_ctat(value: str) -> Optional[str]:
    """'ETV6^ENSG00000139083.9' -> 'ENSG00000139083.9'."""
    v = (value or "").strip()
    if "^" in v:
        gid = v.split("^", 1)[1].strip()
        return gid or None
    return None

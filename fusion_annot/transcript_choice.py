"""Which transcript numbers a partner's exons: a lab's own list, and RefSeq IDs through a MANE summary.

A preferred-transcripts file (``--preferred-transcripts``) is a two-column table,
gene symbol then transcript (Ensembl ID, versioned or not, transcript name such as
ROS1-202, or a RefSeq NM_ ID), tab- or comma-separated; '#' lines and a header row
naming ``gene`` are skipped. A MANE summary (``--mane-summary``) is NCBI's
``MANE.GRCh38.vX.summary.txt[.gz]``: it maps each MANE RefSeq transcript to its
Ensembl transcript, so lab reports written against NM_ IDs can be read.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

from .errors import InputError
from .textio import numbered_lines

_REFSEQ = re.compile(r"^[NX]M_\d+(\.\d+)?$")
_TRANSCRIPT = re.compile(r"^(ENS[A-Z]*T\d+(\.\d+)?|[NX]M_\d+(\.\d+)?|[A-Za-z0-9][A-Za-z0-9._\-]*-\d{3})$")


def is_refseq(transcript: str) -> bool:
    return bool(_REFSEQ.match(transcript))


def load_preferred_transcripts(path: str | Path) -> dict[str, str]:
    """gene symbol -> transcript, in file order; one-line InputError naming file and line on a bad row."""
    preferred: dict[str, str] = {}
    for number, text in numbered_lines(path):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in re.split(r"[\t,]", text.lstrip("\ufeff")) if c.strip()]
        if cells and cells[0].lower() in ("gene", "gene_name", "symbol") and not preferred:
            continue
        if len(cells) != 2:
            raise InputError(path, number, f"expected 2 columns (gene, transcript), found {len(cells)}")
        gene, transcript = cells
        if not _TRANSCRIPT.match(transcript):
            raise InputError(path, number, f"'{transcript}' is not an Ensembl transcript ID, transcript name (GENE-201) "
                                           "or RefSeq NM_ ID")
        if gene in preferred and preferred[gene] != transcript:
            raise InputError(path, number, f"{gene} is listed twice ({preferred[gene]}, {transcript})")
        preferred[gene] = transcript
    if not preferred:
        raise InputError(path, 0, "no gene/transcript rows")
    return preferred


def load_mane_summary(path: str | Path) -> dict[str, str]:
    """Unversioned RefSeq nucleotide ID -> unversioned Ensembl transcript ID (MANE Select and Plus Clinical)."""
    mapping: dict[str, str] = {}
    columns: Optional[list[str]] = None
    for number, text in numbered_lines(path):
        if not text.strip():
            continue
        cells = text.split("\t")
        if columns is None:
            columns = [c.lstrip("#") for c in cells]
            missing = [c for c in ("RefSeq_nuc", "Ensembl_nuc") if c not in columns]
            if missing:
                raise InputError(path, number, f"not a MANE summary: no {', '.join(missing)} column")
            refseq, ensembl = columns.index("RefSeq_nuc"), columns.index("Ensembl_nuc")
            continue
        if len(cells) <= max(refseq, ensembl):
            raise InputError(path, number, f"row has {len(cells)} of {len(columns)} columns")
        mapping[cells[refseq].split(".")[0]] = cells[ensembl].split(".")[0]
    if columns is None:
        raise InputError(path, 0, "file is empty")
    return mapping

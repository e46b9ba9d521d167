"""FASTA of fusion sequences: the fusion CDS or protein per annotated call.

The sequences are the ones the core built from the genome (FrameResult.fusion_cds /
fusion_protein, filled when `--genome FASTA` is given), so this file and the
frame/junction-peptide columns come from one code path. Header, one line:

    >S1|ETV6::NTRK3|ENST00000396373:exon5|ENST00000629765:exon15 frame=in_frame junction_after=1009 length=1944

``junction_after``: CDS, the 5' nucleotides before the first 3' base (1-based
position of the last 5' base); protein, the whole 5' residues before the residue
holding the first 3' base (as the junction peptide's '|'). Calls without a
sequence are returned as skipped with the reason, never dropped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Union

MOLECULES = ("cds", "protein")
_LINE = 60
_UNSAFE = re.compile(r"[\s|>]+")


@dataclass(frozen=True)
class FastaResult:
    path: Path
    written: int
    skipped: tuple[tuple[str, str], ...]  # (sample|fusion, reason)


def _token(value) -> str:
    """Header fields never carry whitespace, '|' or '>' (they would split the record)."""
    return _UNSAFE.sub("_", str(value)) if value not in (None, "") else "NA"


def _side(side) -> str:
    if side is None:
        return "NA"
    exon = f"exon{side.exon}" if side.exon is not None else "noexon"
    return f"{_token(side.transcript_id)}:{exon}"


def fasta_header(annotation, molecule: str, junction_after: int | None, length: int) -> str:
    call = annotation.call
    fields = "|".join((_token(call.sample), _token(annotation.fusion_name), _side(annotation.side5), _side(annotation.side3)))
    extra = [f"frame={_token(annotation.frame.frame)}"]
    if junction_after is not None:
        extra.append(f"junction_after={junction_after}")
    extra.append(f"length={length}")
    extra.append(f"molecule={molecule}")
    return ">" + fields + " " + " ".join(extra)


def write_fusion_fasta(annotations: Iterable, path: Union[str, Path], molecule: str = "protein") -> FastaResult:
    """Write the fusion protein (or CDS) of each model.FusionAnnotation that has one."""
    if molecule not in MOLECULES:
        raise ValueError(f"molecule must be one of {MOLECULES}, not {molecule!r}")
    path = Path(path)
    written = 0
    skipped: list[tuple[str, str]] = []
    with open(path, "w", encoding="ascii", errors="replace") as out:
        for ann in annotations:
            if write_fasta_record(out, ann, molecule):
                written += 1
            else:
                reason = ann.frame.peptide_note or f"no fusion {molecule} sequence ({ann.frame.frame})"
                skipped.append((f"{ann.call.sample}|{ann.fusion_name}", reason))
    return FastaResult(path, written, tuple(skipped))


def write_fasta_record(out, ann, molecule: str) -> bool:
    """One annotation's fusion protein (or CDS) as a FASTA record; False when it has none."""
    sequence = ann.frame.fusion_protein if molecule == "protein" else ann.frame.fusion_cds
    if not sequence:
        return False
    out.write(fasta_header(ann, molecule, _junction_after(ann, molecule), len(sequence)) + "\n")
    for i in range(0, len(sequence), _LINE):
        out.write(sequence[i : i + _LINE] + "\n")
    return True


def _junction_after(ann, molecule: str) -> int | None:
    """5' nucleotides (CDS) or residues holding 5' bases (protein) before the 3' part."""
    side5 = ann.side5
    if side5 is None or side5.cds_offset is None or side5.cds_offset <= 0:
        return None
    if molecule == "cds":
        return side5.cds_offset
    return side5.cds_offset // 3

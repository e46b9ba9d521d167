"""PacBio pbfusion ``*.breakpoints.groups.bed`` (BEDPE, long reads).

Layout: ``##`` header lines (``##VERSION``, ``##COMMAND=pbfusion ...``, INFO
descriptions), then rows ``chr1 start1 end1 chr2 start2 end2 id score strand1
strand2 info [extra]`` with BEDPE coordinates (0-based start, end exclusive),
``info``/``extra`` as ``key=value;...``. The first breakpoint is the 5' (source)
side, the second the 3' (sink) side; the strands are those of the transcript on
each side (Iso-Seq reads are stranded).

Coordinates become 1-based junction bases using the strand: the 5' side keeps
the bases upstream of the junction, so its junction base is the interval's last
base (``end``) on '+' and first base (``start + 1``) on '-'; the 3' side keeps
the bases downstream, so ``start + 1`` on '+' and ``end`` on '-'. pbfusion writes
1-bp intervals, where both rules give ``start + 1``.

Genes: ``GN``/``GI`` list the genes of the whole read chain and ``AC`` its
junctions (``chr:start(strand)/chr:start(strand)``, 0-based); the row's junction
is found in ``AC`` and the genes on either side of it are the partners. ``N/A``
means no annotated gene. ``RC`` (reads supporting) is reported as split_reads:
every long read spans the junction.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .fields import gene_or_none, junction_base, parse_strand
from .tabular import normalize_chrom, reject, to_int

CALLER = "pbfusion"
_MIN_COLUMNS = 11
_AC_ITEM = re.compile(r"^(?P<c1>[^:/]+):(?P<p1>\d+)(?P<s1>[+-])/(?P<c2>[^:/]+):(?P<p2>\d+)(?P<s2>[+-])$")


def key_values(text: str) -> dict[str, str]:
    out = {}
    for item in (text or "").split(";"):
        if "=" in item:
            key, value = item.split("=", 1)
            out[key.strip()] = value.strip()
    return out


def sniff(head: list[str]) -> bool:
    if any(line.startswith("##COMMAND=pbfusion") for line in head):
        return True
    for line in head:
        if line.strip() and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) < _MIN_COLUMNS:
                return False
            info = key_values(fields[10])
            return all(k in info for k in ("RC", "GN", "AC")) and to_int(fields[1]) is not None
    return False


def _partners(info: dict[str, str], row_key: tuple) -> tuple[Optional[str], Optional[str], Optional[str], Optional[str]]:
    """(gene5, gene3, id5, id3) for the row's junction; Nones when the chain does not say.

    ``AC`` lists every junction of the read chain; when it has exactly one entry
    fewer than ``GN`` (one junction between consecutive genes) the row's entry
    gives the flanking genes. Otherwise (``AC`` also lists splice junctions
    inside a gene) the genes stay open and are assigned by position from the
    reference (fusion_annot.orientation), with ``GN`` as candidates.
    """
    genes = info.get("GN", "").split(",")
    ids = info.get("GI", "").split(",")
    ids += [""] * (len(genes) - len(ids))
    junctions = [j.strip() for j in info.get("AC", "").split(",") if j.strip()]
    if len(genes) == 2:
        return genes[0], genes[1], ids[0], ids[1]
    if len(junctions) == len(genes) - 1:
        for index, item in enumerate(junctions):
            m = _AC_ITEM.match(item)
            if m and (normalize_chrom(m["c1"]), int(m["p1"]), m["s1"], normalize_chrom(m["c2"]), int(m["p2"]), m["s2"]) == row_key:
                return genes[index], genes[index + 1], ids[index], ids[index + 1]
    return None, None, None, None


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    header_seen = False  # '##' meta lines, then one '#' column header line, then the rows
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        if line.startswith("#"):
            if header_seen:  # after the column header: a row commented out, or junk; never dropped silently
                yield reject(sample, CALLER, path, number, "a '#' line after the column header (comment or row commented out): not read", line)
            elif not line.startswith("##"):
                header_seen = True
            continue
        header_seen = True
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) < _MIN_COLUMNS:
            yield reject(sample, CALLER, path, number, f"expected at least {_MIN_COLUMNS} tab-separated columns (pbfusion BEDPE), found {len(fields)}", line)
            continue
        s1, e1, s2, e2 = (to_int(fields[i]) for i in (1, 2, 4, 5))
        strand1, strand2 = parse_strand(fields[8]), parse_strand(fields[9])
        chrom1, chrom2 = normalize_chrom(fields[0]), normalize_chrom(fields[3])
        if None in (s1, e1, s2, e2) or s1 < 0 or s2 < 0 or e1 <= s1 or e2 <= s2 or not strand1 or not strand2 or not chrom1 or not chrom2:
            yield reject(sample, CALLER, path, number, "invalid BEDPE interval or strand (need 0 <= start < end and +/- strands)", line)
            continue
        info = key_values(fields[10])
        g5, g3, i5, i3 = _partners(info, (chrom1, s1, strand1, chrom2, s2, strand2))
        gene5, gene3, id5, id3 = gene_or_none(g5 or ""), gene_or_none(g3 or ""), gene_or_none(i5 or ""), gene_or_none(i3 or "")
        chain = [g for g in (gene_or_none(x) for x in info.get("GN", "").split(",")) if g]
        yield FusionCall(
            sample=sample,
            caller=CALLER,
            source=str(path),
            line=number,
            five_prime=Breakpoint(gene=gene5, chrom=chrom1, pos=junction_base(s1, e1, strand1, True, end_inclusive=False), strand=strand1, gene_id=id5),
            three_prime=Breakpoint(gene=gene3, chrom=chrom2, pos=junction_base(s2, e2, strand2, False, end_inclusive=False), strand=strand2, gene_id=id3),
            orientation="5to3",
            caller_fusion_name=f"{gene5 or chrom1}::{gene3 or chrom2}" if g5 is not None else "::".join(chain),
            split_reads=to_int(info.get("RC", "")),
            spanning_reads=None,
            extra={
                "id": fields[6],
                "confidence": fields[7],
                "class": info.get("CL", ""),
                "gene_chain": chain,
                # genes still open (chain with intra-gene junctions): resolved by position from the reference
                "candidate_genes": tuple(chain) if g5 is None else (),
            },
        )


READER = ReaderSpec(
    name="pbfusion",
    description="PacBio pbfusion breakpoints.groups.bed (BEDPE, 0-based, ## header, key=value info)",
    sniff=sniff,
    read=read,
    priority=30,
)

"""Structural-variant VCF (Manta and other callers writing VCF 4.x breakends).

Breakend pairs (SVTYPE=BND, ALT in bracket notation) are linked by ``MATEID``
(or, failing that, by an ``EVENT`` with exactly two breakends) and become ONE
call; the call's ``extra['source_lines']`` lists both VCF lines. A breakend
whose mate is not in the file, or a single breakend (``G.``/``.G``), is a
Reject with that reason.

Orientation follows VCF 4.3 section 5.4. For a record at POS with ALT naming
mate position p:

=========  ==========================================  this side  mate side
``t[p[``   piece right of p joined after t             left       right
``t]p]``   reverse complement of piece left of p       left       left
           joined after t
``]p]t``   piece left of p joined before t             right      left
``[p[t``   reverse complement of piece right of p      right      right
           joined before t
=========  ==========================================  =========  =========

"left" means the sequence kept on that side lies at coordinates <= the
breakend (POS/p is the last kept base), "right" that it lies at >= (first kept
base); positions are VCF POS, 1-based. Which side is 5' depends on the gene
strands, which a VCF does not carry: the call keeps file order with
orientation "unknown", genes None, and ``extra['retained']``;
fusion_annot.orientation assigns genes and 5'->3' order from the reference (a
side keeping 'left' on a '+' gene, or 'right' on a '-' gene, is 5').

Symbolic records with END are also single junctions (POS is the padding base):
``<DEL>`` joins POS (left) to END+1 (right); ``<DUP>``/``<DUP:TANDEM>`` joins END
(left) to POS+1 (right); ``<INV>`` with Manta's ``INV3`` joins POS and END (both
left), with ``INV5`` POS+1 and END+1 (both right). An ``<INV>`` without those
flags describes two junctions at once and is rejected (ask the caller for
breakends); ``<INS>`` and other symbolic alleles are not two-locus junctions and
are rejected with that reason.

Reads: FORMAT ``SR`` (split reads) and ``PR`` (spanning pairs), alt-allele
value, from the sample named like the --sample argument, else the last sample
(Manta writes normal then tumour).
"""
from __future__ import annotations

import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional, Union

from ..errors import InputError
from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .tabular import normalize_chrom, reject

CALLER = "vcf"
_BRACKET = re.compile(r"^(?P<before>[A-Za-z.*]*)(?P<b1>[\[\]])(?P<chrom>[^:\[\]]+):(?P<pos>\d+)(?P<b2>[\[\]])(?P<after>[A-Za-z.*]*)$")


@dataclass(frozen=True)
class Breakend:
    """One bracket ALT read per VCF 4.3 5.4."""

    mate_chrom: str
    mate_pos: int
    this_keeps: str  # "left" | "right"
    mate_keeps: str
    inserted: str  # bases between t and the bracket, if any


def parse_bracket_alt(alt: str) -> Optional[Breakend]:
    m = _BRACKET.match(alt or "")
    if not m or m["b1"] != m["b2"]:
        return None
    before, after, bracket = m["before"], m["after"], m["b1"]
    if before and not after:  # t[p[ or t]p]
        this_keeps, mate_keeps, inserted = "left", ("right" if bracket == "[" else "left"), before[1:]
    elif after and not before:  # ]p]t or [p[t
        this_keeps, mate_keeps, inserted = "right", ("left" if bracket == "]" else "right"), after[:-1]
    else:
        return None
    return Breakend(normalize_chrom(m["chrom"]), int(m["pos"]), this_keeps, mate_keeps, inserted)


def sniff(head: list[str]) -> bool:
    # Any VCF: no other reader takes VCF, and records that are not SV junctions
    # are rejected one by one with a reason.
    return bool(head) and head[0].startswith("##fileformat=VCF")


@dataclass
class _Lines:
    """The records of a VCF by line number, the '#' lines found among them, and a file htslib can read."""

    records: list  # (line number, raw line) of each record line, in file order
    stray: list  # (line number, raw line) of '#' lines after the #CHROM line: not records, each rejected
    path: str  # a plain-text copy of the header and the record lines, for pysam


@contextmanager
def _readable(path: str):
    """Lines of the VCF, and a path pysam reads record for record in step with them.

    htslib cannot read a plain-gzip (non-BGZF) VCF (it needs to seek), reads a '##' or '#' line among
    the records as a record and splits lines at '\n' only (a lone '\r' is a line break here): any of
    these would misnumber every later record. So pysam reads a plain copy holding the header and the
    record lines exactly as numbered here (SV VCFs are small; the copy is removed afterwards)."""
    header: list[str] = []
    records: list[tuple[int, str]] = []
    stray: list[tuple[int, str]] = []
    seen_chrom = False
    for number, line in numbered_lines(path):
        if not line.strip():
            continue
        if line.startswith("#"):
            if seen_chrom or records:
                stray.append((number, line))
            else:
                header.append(line)
                seen_chrom = line.startswith("#CHROM")
            continue
        records.append((number, line))
    with tempfile.TemporaryDirectory(prefix="fusion-annot-vcf-") as tmp:
        plain = Path(tmp) / "records.vcf"
        with open(plain, "w", encoding="utf-8") as fh:
            for line in header:
                fh.write(line + "\n")
            for _, line in records:
                fh.write(line + "\n")
        yield _Lines(records, stray, str(plain))


def _open(path: str, shown: Optional[str] = None):
    import pysam

    pysam.set_verbosity(0)
    try:
        return pysam.VariantFile(str(path))
    except (OSError, ValueError, NotImplementedError) as exc:
        raise InputError(shown or path, 0, f"not a readable VCF: {exc}") from None


def contig_lengths(path: str) -> dict[str, int]:
    """##contig lengths keyed by Ensembl-style name ('1', 'X', 'MT'); empty when none are declared."""
    with _readable(path) as lines:
        vf = _open(lines.path, path)
        try:
            return {normalize_chrom(name): c.length for name, c in vf.header.contigs.items() if c.length}
        finally:
            vf.close()


def _alt_count(record, key: str, sample_name: Optional[str]) -> Optional[int]:
    try:
        samples = list(record.samples)
        if not samples or key not in record.format:
            return None
        name = sample_name if sample_name in samples else samples[-1]
        value = record.samples[name][key]
        if isinstance(value, tuple) and len(value) >= 2 and isinstance(value[1], int):
            return value[1]
    except (KeyError, ValueError, TypeError):
        return None
    return None


@dataclass
class _Rec:
    line: int
    raw: str
    chrom: str
    pos: int
    vid: str
    alt: str
    svtype: str
    end: Optional[int]
    mateids: tuple[str, ...]
    event: str
    flags: frozenset
    split: Optional[int]
    spanning: Optional[int]


def _records(path: str, sample: str) -> Iterator[Union[_Rec, Reject]]:
    with _readable(path) as lines:
        for number, raw in lines.stray:
            yield reject(sample, CALLER, path, number, "a '#' line among the records (meta or comment line after #CHROM): "
                                                       "not a record", raw)
        yield from _parsed(path, sample, lines)


def _parsed(path: str, sample: str, lines: _Lines) -> Iterator[Union[_Rec, Reject]]:
    vf = _open(lines.path, path)
    iterator = iter(vf)
    try:
        for number, raw in lines.records:
            try:
                rec = next(iterator)
            except StopIteration:
                yield reject(sample, CALLER, path, number, "record not parsed by the VCF reader (malformed line)", raw)
                continue
            except (OSError, ValueError) as exc:
                yield reject(sample, CALLER, path, number, f"malformed VCF record: {exc}", raw)
                continue
            try:
                info = rec.info
                alts = rec.alts or ()
                mate = info.get("MATEID") if "MATEID" in info else None
                mateids = tuple(mate) if isinstance(mate, (tuple, list)) else ((mate,) if mate else ())
                yield _Rec(
                    line=number,
                    raw=raw,
                    chrom=normalize_chrom(rec.chrom),
                    pos=rec.pos,
                    vid=rec.id or "",
                    alt=alts[0] if len(alts) == 1 else ",".join(alts),
                    svtype=str(info.get("SVTYPE", "")) if "SVTYPE" in info else "",
                    end=rec.stop if ("END" in info or (alts and alts[0].startswith("<"))) else None,
                    mateids=mateids,
                    event=str(info.get("EVENT", "")) if "EVENT" in info else "",
                    flags=frozenset(k for k in ("INV3", "INV5", "IMPRECISE") if k in info),
                    split=_alt_count(rec, "SR", sample),
                    spanning=_alt_count(rec, "PR", sample),
                )
            except (KeyError, ValueError, TypeError) as exc:
                yield reject(sample, CALLER, path, number, f"malformed VCF record: {exc}", raw)
    finally:
        vf.close()


def _call(sample, path, rec: _Rec, first: Breakpoint, second: Breakpoint, retained, lines, extra) -> FusionCall:
    return FusionCall(
        sample=sample,
        caller=CALLER,
        source=str(path),
        line=rec.line,
        five_prime=first,
        three_prime=second,
        orientation="unknown",
        caller_fusion_name=rec.vid,
        split_reads=rec.split,
        spanning_reads=rec.spanning,
        extra={"retained": retained, "source_lines": lines, "svtype": rec.svtype or "BND", "vcf_id": rec.vid, **extra},
    )


def _symbolic(sample: str, path: str, rec: _Rec) -> Union[FusionCall, Reject]:
    alt, end = rec.alt.upper(), rec.end
    if alt.startswith("<INS") or rec.svtype == "INS":
        return reject(sample, CALLER, path, rec.line, "insertion: not a junction between two loci", rec.raw)
    if end is None or end < rec.pos:
        return reject(sample, CALLER, path, rec.line, f"symbolic allele {rec.alt} without a usable END", rec.raw)
    if alt.startswith("<DEL"):
        sides = ((rec.pos, "left"), (end + 1, "right"))
    elif alt.startswith("<DUP"):
        sides = ((end, "left"), (rec.pos + 1, "right"))
    elif alt.startswith("<INV"):
        if "INV3" in rec.flags:
            sides = ((rec.pos, "left"), (end, "left"))
        elif "INV5" in rec.flags:
            sides = ((rec.pos + 1, "right"), (end + 1, "right"))
        else:
            return reject(sample, CALLER, path, rec.line, "<INV> without INV3/INV5 describes two junctions; breakend records needed", rec.raw)
    else:
        return reject(sample, CALLER, path, rec.line, f"symbolic allele {rec.alt} is not a two-locus junction", rec.raw)
    (p1, k1), (p2, k2) = sides
    return _call(sample, path, rec, Breakpoint(gene=None, chrom=rec.chrom, pos=p1), Breakpoint(gene=None, chrom=rec.chrom, pos=p2), (k1, k2), (rec.line,), {})


def read(path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    bnds: list[_Rec] = []
    for item in _records(path, sample):
        if isinstance(item, Reject):
            yield item
        elif item.alt.startswith("<"):
            yield _symbolic(sample, path, item)
        elif parse_bracket_alt(item.alt) is not None:
            bnds.append(item)
        elif item.svtype == "BND" and (item.alt.startswith(".") or item.alt.endswith(".")):
            yield reject(sample, CALLER, path, item.line, "single breakend (no partner locus)", item.raw)
        else:
            yield reject(sample, CALLER, path, item.line, f"ALT '{item.alt[:40]}' is neither a breakend nor a symbolic SV allele", item.raw)
    yield from _pair_breakends(path, sample, bnds)


def _pair_breakends(path: str, sample: str, bnds: list[_Rec]) -> Iterator[Union[FusionCall, Reject]]:
    by_id = {r.vid: r for r in bnds if r.vid}
    by_event: dict[str, list[_Rec]] = {}
    for r in bnds:
        if r.event:
            by_event.setdefault(r.event, []).append(r)
    used: set[int] = set()
    for rec in bnds:
        if rec.line in used:
            continue
        mate = next((by_id[m] for m in rec.mateids if m in by_id and by_id[m].line not in used and by_id[m].line != rec.line), None)
        if mate is None and not rec.mateids and rec.event and len(by_event.get(rec.event, [])) == 2:
            mate = next(r for r in by_event[rec.event] if r.line != rec.line)
            if mate.line in used:
                mate = None
        if mate is None:
            what = f"mate {','.join(rec.mateids)} not found in file" if rec.mateids else "no MATEID (or two-breakend EVENT) to pair with"
            yield reject(sample, CALLER, path, rec.line, f"breakend without its mate: {what}", rec.raw)
            used.add(rec.line)
            continue
        used.update((rec.line, mate.line))
        end = parse_bracket_alt(rec.alt)
        mate_end = parse_bracket_alt(mate.alt)
        if mate_end is not None and (mate_end.this_keeps, mate_end.mate_keeps) != (end.mate_keeps, end.this_keeps):
            for r in (rec, mate):
                yield reject(sample, CALLER, path, r.line, f"breakend pair {rec.vid}/{mate.vid} disagrees on orientation", r.raw)
            continue
        yield _call(
            sample,
            path,
            rec,
            Breakpoint(gene=None, chrom=rec.chrom, pos=rec.pos),
            Breakpoint(gene=None, chrom=end.mate_chrom, pos=end.mate_pos),
            (end.this_keeps, end.mate_keeps),
            (rec.line, mate.line),
            {"mate_id": mate.vid, "mate_pos": mate.pos, "inserted": end.inserted, "imprecise": "IMPRECISE" in rec.flags},
        )


READER = ReaderSpec(
    name="vcf",
    description="structural-variant VCF: breakend pairs (Manta MATEID/EVENT) and DEL/DUP/INV records",
    sniff=sniff,
    read=read,
    priority=30,
    junction_model="dna",
)

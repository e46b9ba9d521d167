"""BEDPE: ChimeraScan chimeras.bedpe and generic fusion BEDPE. Both are 0-based; conversion
to the 1-based junction base happens here, by strand.

Generic BEDPE (bedtools spec): chrom1 start1 end1 chrom2 start2 end2 [name score
strand1 strand2 ...], 0-based half-open intervals. Fusion BEDPE files (JAFFA's
converter, INTEGRATE) put the 5' partner first; each interval is the partner's
retained segment or a 1-bp junction interval. The 1-based junction base is:
  5' partner on '+': end1          5' partner on '-': start1 + 1
  3' partner on '+': start2 + 1    3' partner on '-': end2
With an unknown strand ('.') only a 1-bp interval locates the junction; a longer
one is rejected. The partners are ordered 5'->3' when both strands are given,
otherwise orientation="unknown". Gene names come from the name column when it
reads 'A::B', 'A>>B' or 'A--B'; otherwise they are None and the annotator finds
the genes by position.

ChimeraScan (0.4.x, header '#chrom5p start5p end5p chrom3p start3p end3p
chimera_cluster_id ...'): names the 5' and 3' segments explicitly, but its
writer stores *both* ends as 0-based inclusive positions (start = genome position
of the transcript start, end = genome position of tx_end - 1; swapped on '-').
So the junction base is the junction-side coordinate + 1 on either end:
  5' '+': end5p + 1   5' '-': start5p + 1   3' '+': start3p + 1   3' '-': end3p + 1
This matches STAR-Fusion and JAFFA base for base on the same cell lines (BCR
chr22:23632600 / ABL1 chr9:133729451 in K562); reading the ends as half-open would
put every '+' 5' and '-' 3' junction one base short. genes5p/genes3p may list
several overlapping genes; then the gene is left None (candidates kept in
extra) rather than guessed. spanning_frags -> split_reads; total_frags minus
spanning_frags (encompassing pairs) -> spanning_reads.

Not claimed by the sniffer: pbfusion breakpoint BEDPE ('##' meta lines, an 'info'
key=value column; its own reader, issue 5) and SQuID output (a 'FusedGenes'
column; wave-2 reader), even though both are BEDPE-shaped.
"""
from __future__ import annotations

import re
from typing import Iterator, Optional, Union

from ..model import Breakpoint, FusionCall, Reject
from ..textio import numbered_lines
from . import ReaderSpec
from .fields import count, junction_base, parse_strand
from .tabular import normalize_chrom, reject, split_header, to_int

NAME = "bedpe"

CHIMERASCAN_COLUMNS = ("chrom5p", "start5p", "end5p", "chrom3p", "start3p", "end3p")
GENERIC_COLUMNS = ("chrom1", "start1", "end1", "chrom2", "start2", "end2", "name", "score", "strand1", "strand2")
_CHIMERASCAN_USED = frozenset(
    {*CHIMERASCAN_COLUMNS, "strand5p", "strand3p", "genes5p", "genes3p", "total_frags", "spanning_frags"}
)
_CHIMERASCAN_BULKY = frozenset({"breakpoint_spanning_reads", "chimera_ids"})
_NAME_SEPARATORS = re.compile(r"::|>>|--")
_NOT_OURS = frozenset({"fusedgenes", "info", "extra"})  # SQuID, pbfusion


def _interval(chrom: str, start_value: str, end_value: str, label: str) -> tuple[str, int, int]:
    start, end = to_int(start_value), to_int(end_value)
    if not chrom.strip() or start is None or end is None:
        raise ValueError(f"{label} interval '{chrom}:{start_value}-{end_value}' is not chrom/start/end")
    if start < 0 or end < start:
        raise ValueError(f"{label} interval {start}-{end} is not a valid 0-based interval")
    return normalize_chrom(chrom), start, end


def _gene_list(value: str) -> tuple[Optional[str], list[str]]:
    genes = [g for g in (p.strip() for p in value.split(",")) if g and g.lower() != "na"]
    return (genes[0] if len(genes) == 1 else None), genes


def _generic_genes(name: str) -> tuple[Optional[str], Optional[str]]:
    parts = _NAME_SEPARATORS.split(name.strip())
    if len(parts) == 2 and all(p.strip() for p in parts):
        return parts[0].strip(), parts[1].strip()
    return None, None


def _read_chimerascan(path: str, sample: str, columns: list[str], rows) -> Iterator[Union[FusionCall, Reject]]:
    for line, fields, raw in rows:
        record = dict(zip(columns, (f.strip() for f in fields)))
        short = f" (row has {len(fields)} of {len(columns)} columns: truncated?)" if len(fields) < len(columns) else ""
        record.update({c: "" for c in columns[len(fields):]})
        try:
            sides = []
            for p, five_prime in (("5p", True), ("3p", False)):
                chrom, start, end = _interval(record[f"chrom{p}"], record[f"start{p}"], record[f"end{p}"], p)
                strand = parse_strand(record.get(f"strand{p}", ""))
                if strand is None:
                    raise ValueError(f"strand{p} '{record.get(f'strand{p}', '')}' is not + or -")
                gene, candidates = _gene_list(record.get(f"genes{p}", ""))
                pos = junction_base(start, end, strand, five_prime, end_inclusive=True)
                sides.append((Breakpoint(gene=gene, chrom=chrom, pos=pos, strand=strand), candidates))
        except ValueError as exc:
            yield reject(sample, NAME, path, line, f"{exc}{short}", raw)
            continue
        (five, genes5), (three, genes3) = sides
        total, split = count(record.get("total_frags", "")), count(record.get("spanning_frags", ""))
        extra = {k: v for k, v in record.items() if k not in _CHIMERASCAN_USED and k not in _CHIMERASCAN_BULKY and v}
        if len(genes5) > 1:
            extra["genes5p_candidates"] = ",".join(genes5)
        if len(genes3) > 1:
            extra["genes3p_candidates"] = ",".join(genes3)
        extra["bedpe_dialect"] = "chimerascan"
        yield FusionCall(
            sample=sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=five,
            three_prime=three,
            orientation="5to3",
            junction_model="rna",  # ChimeraScan aligns RNA-seq reads: its ends are fusion-transcript bases
            caller_fusion_name=f"{record.get('genes5p', '')}--{record.get('genes3p', '')}",
            split_reads=split,
            spanning_reads=(total - split) if total is not None and split is not None else None,
            level="breakpoint",
            extra=extra,
        )


def _read_generic(path: str, sample: str, columns: list[str], rows) -> Iterator[Union[FusionCall, Reject]]:
    for line, fields, raw in rows:
        fields = [f.strip() for f in fields]
        if len(fields) < 6:
            yield reject(sample, NAME, path, line, f"BEDPE row has {len(fields)} columns, needs at least 6 (truncated?)", raw)
            continue
        fields += [""] * (10 - len(fields))
        strand1, strand2 = parse_strand(fields[8]), parse_strand(fields[9])
        gene1, gene2 = _generic_genes(fields[6])
        try:
            chrom1, start1, end1 = _interval(fields[0], fields[1], fields[2], "first")
            chrom2, start2, end2 = _interval(fields[3], fields[4], fields[5], "second")
            pos1 = junction_base(start1, end1, strand1, True, end_inclusive=False)
            pos2 = junction_base(start2, end2, strand2, False, end_inclusive=False)
        except ValueError as exc:
            yield reject(sample, NAME, path, line, str(exc), raw)
            continue
        names = columns if len(columns) >= len(fields) else list(GENERIC_COLUMNS) + [f"column{i + 1}" for i in range(10, len(fields))]
        extra = {names[i]: v for i, v in enumerate(fields) if i >= 10 and v not in ("", ".")}
        if fields[7] not in ("", "."):
            extra["score"] = fields[7]
        extra["bedpe_dialect"] = "generic"
        yield FusionCall(
            sample=sample,
            caller=NAME,
            source=str(path),
            line=line,
            five_prime=Breakpoint(gene=gene1, chrom=chrom1, pos=pos1, strand=strand1),
            three_prime=Breakpoint(gene=gene2, chrom=chrom2, pos=pos2, strand=strand2),
            orientation="5to3" if strand1 and strand2 else "unknown",
            caller_fusion_name=fields[6] if fields[6] != "." else "",
            level="breakpoint",
            extra=extra,
        )


def _split_rows(lines, stray: list) -> Iterator[tuple[int, list[str], str]]:
    """Data rows; a '#', 'track' or 'browser' line among them goes to ``stray`` (rejected, never dropped)."""
    for number, text in lines:
        if not text.strip():
            continue
        if text.startswith(("#", "track", "browser")):
            stray.append((number, text))
            continue
        yield number, text.split("\t"), text


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    lines = numbered_lines(path)
    columns: list[str] = []
    first_data: list[tuple[int, str]] = []
    stray: list[tuple[int, str]] = []
    for number, text in lines:
        if not text.strip():
            continue
        if text.startswith("#"):
            if columns:  # a second '#' line after the column header: a row commented out, or junk; rejected
                stray.append((number, text))
            else:
                columns = split_header(text)
            continue
        if text.startswith(("track ", "browser ")) and not columns:
            continue  # UCSC header lines before the data
        first_data.append((number, text))
        break
    rows = _split_rows(_chain(first_data, lines), stray)
    if set(CHIMERASCAN_COLUMNS) <= set(columns):
        return _with_stray(_read_chimerascan(path, sample, columns, rows), stray, path, sample)
    return _with_stray(_read_generic(path, sample, columns, rows), stray, path, sample)


def _with_stray(items, stray: list, path: str, sample: str) -> Iterator[Union[FusionCall, Reject]]:
    yield from items
    for number, text in stray:
        yield reject(sample, NAME, path, number, "a '#', 'track' or 'browser' line among the data rows: not read", text)


def _chain(first, rest):
    yield from first
    yield from rest


def _is_bedpe_row(text: str) -> bool:
    fields = text.split("\t")
    if len(fields) < 6:
        return False
    start1, end1, start2, end2 = (to_int(fields[i]) for i in (1, 2, 4, 5))
    if None in (start1, end1, start2, end2) or end1 < start1 or end2 < start2:
        return False
    return len(fields) < 10 or (fields[8].strip() in ("+", "-", ".") and fields[9].strip() in ("+", "-", "."))


def sniff(head: list[str]) -> bool:
    if any(line.startswith("##") for line in head):
        return False  # meta lines are no part of BEDPE (pbfusion writes them)
    header = [line for line in head if line.startswith("#")]
    columns = [c.lower() for c in split_header(header[0])] if header else []
    if set(CHIMERASCAN_COLUMNS) <= set(columns):
        return True
    if _NOT_OURS & set(columns):
        return False
    if columns and tuple(columns[:6]) != GENERIC_COLUMNS[:6]:
        return False
    data = [line for line in head if line.strip() and not line.startswith("#")][:5]
    return bool(data) and all(_is_bedpe_row(line) for line in data)


READER = ReaderSpec(
    name=NAME,
    description="BEDPE: ChimeraScan chimeras.bedpe and generic fusion BEDPE (0-based, converted by strand)",
    sniff=sniff,
    read=read,
    priority=900,
    junction_model="dna",
)

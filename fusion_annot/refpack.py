"""The runtime form of a reference: transcript models, tags and protein domains in one file.

A pack is read with one read() and decoded lazily, gene by gene, so a process
pays only for the genes its calls name. The bundled genome-wide reference is a
pack shipped in the package; `fusion-annot index GTF|ensembl:RELEASE` converts
any user reference into the same form once (into the cache), so every reference
goes through one code path.

Layout (all integers little-endian):

    b"FAPACK\\x01\\n"  magic and format version
    u64               length of the header
    header            JSON: name, build, source, counts, and the [offset, size] of each block
    blocks            zlib-compressed:
      genes           JSON columns, one entry per gene: name, gene_id, chrom, strand, start, end,
                      offset, size (of its chunk, relative to the first chunk)
      transcripts     JSON columns, one entry per transcript: transcript_id, transcript_name, gene row
                      (decoded only when a transcript is asked for by ID before its gene)
      strings         JSON list of [source, accession, description] of every domain
      chunk per gene  JSON list of transcripts:
                      [transcript_id, transcript_name, biotype, flags, exons, cds, domains]
                      exons/cds: flat [start, end, ...] relative to the gene start (1-based, inclusive),
                      cds merged with the stop codon; domains: null when no domain data covers the
                      transcript, else [[string index, aa_start, aa_end], ...]

Coordinates are 1-based, inclusive, as in the GTF; amino-acid positions 1-based, inclusive.
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Optional

from .errors import ReferenceError_

MAGIC = b"FAPACK\x01\n"
FORMAT_VERSION = 1
PACK_SUFFIX = ".fapack"

FLAG_CANONICAL = 1
FLAG_MANE = 2
FLAG_CDS_START_NF = 4
FLAG_CDS_END_NF = 8
FLAG_STOP_CODON = 16

POLICY_TAGS = ("MANE_Select", "Ensembl_canonical", "canonical")


@dataclass(frozen=True)
class PackGene:
    row: int
    name: str
    gene_id: str
    chrom: str
    strand: str
    start: int
    end: int
    offset: int
    size: int


# --------------------------------------------------------------------------- writing


@dataclass
class PackTranscript:
    """What the writer needs of one transcript (1-based, inclusive; any interval order)."""

    transcript_id: str
    transcript_name: str
    biotype: str
    flags: int
    exons: list
    cds: list  # CDS intervals with the stop codon included
    domains: Optional[list]  # None: no domain data; else [(source, accession, description, aa_start, aa_end), ...]


def _flat(intervals, origin: int) -> list[int]:
    out = []
    for s, e in sorted(intervals):
        out += (s - origin, e - origin)
    return out


def write_pack(path: str | Path, genes: Iterable[tuple[str, str, str, str, list[PackTranscript]]], header: dict) -> dict:
    """Write a pack atomically. genes: (gene_name, gene_id, chrom, strand, transcripts). Returns the header."""
    path = Path(path)
    strings: dict[tuple, int] = {}
    chunks: list[bytes] = []
    columns: dict[str, list] = {k: [] for k in ("name", "gene_id", "chrom", "strand", "start", "end", "offset", "size")}
    tx_columns: dict[str, list] = {"transcript_id": [], "transcript_name": [], "row": []}
    offset = 0
    counts = {"genes": 0, "transcripts": 0, "coding_transcripts": 0, "transcripts_with_domain_data": 0}
    for row, (name, gene_id, chrom, strand, txs) in enumerate(genes):
        start = min(s for t in txs for s, _ in t.exons)
        end = max(e for t in txs for _, e in t.exons)
        record = []
        for t in txs:
            domains = None
            if t.domains is not None:
                domains = []
                for source, accession, description, a, b in t.domains:
                    key = (source, accession, description)
                    if key not in strings:
                        strings[key] = len(strings)
                    domains.append([strings[key], a, b])
                counts["transcripts_with_domain_data"] += 1
            record.append([t.transcript_id, t.transcript_name, t.biotype, t.flags,
                           _flat(t.exons, start), _flat(t.cds, start), domains])
            tx_columns["transcript_id"].append(t.transcript_id)
            tx_columns["transcript_name"].append(t.transcript_name)
            tx_columns["row"].append(row)
            counts["transcripts"] += 1
            counts["coding_transcripts"] += bool(t.cds)
        chunk = zlib.compress(json.dumps(record, separators=(",", ":")).encode(), 6)
        for key, value in zip(columns, (name, gene_id, chrom, strand, start, end, offset, len(chunk))):
            columns[key].append(value)
        chunks.append(chunk)
        offset += len(chunk)
        counts["genes"] += 1
    blocks = [
        zlib.compress(json.dumps(columns, separators=(",", ":")).encode(), 6),
        zlib.compress(json.dumps(tx_columns, separators=(",", ":")).encode(), 6),
        zlib.compress(json.dumps([list(k) for k in strings], separators=(",", ":")).encode(), 6),
    ]
    header = dict(header, format=FORMAT_VERSION, counts=counts)
    # Block offsets are relative to the start of the data (after the header), chunks follow the blocks.
    position = 0
    for name, block in zip(("genes", "transcripts", "strings"), blocks):
        header[name] = [position, len(block)]
        position += len(block)
    header["chunks"] = position
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(MAGIC + struct.pack("<Q", len(head)) + head)
        for block in blocks:
            fh.write(block)
        for chunk in chunks:
            fh.write(chunk)
    tmp.replace(path)  # atomic: parallel jobs never read a half-written pack
    return header


# --------------------------------------------------------------------------- reading


class Pack:
    """A pack in memory: the gene columns decoded at open, gene records on demand."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise ReferenceError_(f"cannot read reference pack {path}: {exc.strerror or exc}") from None
        if not data.startswith(MAGIC):
            raise ReferenceError_(f"{path}: not a fusion-annot reference pack (rebuild it with 'fusion-annot index')")
        try:
            (size,) = struct.unpack_from("<Q", data, len(MAGIC))
            start = len(MAGIC) + 8
            self.header = json.loads(data[start:start + size])
            self._data = memoryview(data)[start + size:]
            self._chunks = self.header["chunks"]
            self._columns = json.loads(self._block("genes"))
            names = self._columns["name"]
        except (struct.error, ValueError, KeyError, zlib.error) as exc:
            raise ReferenceError_(f"{path}: damaged reference pack ({exc}); rebuild it with 'fusion-annot index'") from None
        self.gene_count = len(names)
        # First row per name (C-speed dict building); the rare names shared by several genes get all rows.
        self._first_row = dict(zip(reversed(names), range(len(names) - 1, -1, -1)))
        self._shared_names: Optional[dict[str, list[int]]] = None
        self._rows_of_id = dict(zip(self._columns["gene_id"], range(len(names))))
        self._rows_of_base_id: Optional[dict[str, int]] = None
        self._genes: dict[int, PackGene] = {}
        self._strings: Optional[list] = None
        self._transcript_rows: Optional[dict[str, int]] = None
        self._by_chrom: Optional[dict[str, tuple[list[int], list[int], int]]] = None
        self.chroms = set(self._columns["chrom"])

    def _block(self, name: str) -> bytes:
        off, n = self.header[name]
        return zlib.decompress(self._data[off:off + n])

    def gene(self, row: int) -> PackGene:
        g = self._genes.get(row)
        if g is None:
            c = self._columns
            g = self._genes[row] = PackGene(row, c["name"][row], c["gene_id"][row], c["chrom"][row], c["strand"][row],
                                            c["start"][row], c["end"][row], c["offset"][row], c["size"][row])
        return g

    def names(self) -> list[str]:
        return list(self._columns["name"])

    def rows_named(self, name: str) -> list[int]:
        first = self._first_row.get(name)
        if first is None:
            return []
        if self._shared_names is None:
            if len(self._first_row) == self.gene_count:
                self._shared_names = {}
            else:
                rows: dict[str, list[int]] = {}
                for row, n in enumerate(self._columns["name"]):
                    rows.setdefault(n, []).append(row)
                self._shared_names = {n: r for n, r in rows.items() if len(r) > 1}
        return self._shared_names.get(name, [first])

    def row_of_gene_id(self, gene_id: str) -> Optional[int]:
        row = self._rows_of_id.get(gene_id)
        if row is None and gene_id.startswith("ENSG"):
            if self._rows_of_base_id is None:
                self._rows_of_base_id = {}
                for r, gid in enumerate(self._columns["gene_id"]):
                    self._rows_of_base_id.setdefault(gid.split(".")[0], r)
            row = self._rows_of_base_id.get(gene_id.split(".")[0])
        return row

    def strings(self) -> list:
        if self._strings is None:
            self._strings = [tuple(s) for s in json.loads(self._block("strings"))]
        return self._strings

    def chunk(self, gene: PackGene) -> list:
        """The transcripts of one gene, as stored (coordinates still relative to gene.start)."""
        off = self._chunks + gene.offset
        try:
            return json.loads(zlib.decompress(self._data[off:off + gene.size]))
        except (zlib.error, ValueError) as exc:
            raise ReferenceError_(f"{self.path}: damaged gene record {gene.name} ({exc})") from None

    def gene_row_of_transcript(self, key: str) -> Optional[int]:
        """Row of the gene that has this transcript (ID, unversioned ID or name)."""
        if self._transcript_rows is None:
            c = json.loads(self._block("transcripts"))
            ids, names, gene_rows = c["transcript_id"], c["transcript_name"], c["row"]
            # reversed: the first transcript of a key wins; IDs win over names, versioned over unversioned
            rows = dict(zip(reversed(names), reversed(gene_rows)))
            rows.update(zip(reversed([t.split(".")[0] for t in ids]), reversed(gene_rows)))
            rows.update(zip(reversed(ids), reversed(gene_rows)))
            self._transcript_rows = rows
        return self._transcript_rows.get(key)

    def genes_overlapping(self, chrom: str, pos: int) -> list[PackGene]:
        """Genes whose span (first to last exon base of any transcript) contains a 1-based position."""
        if self._by_chrom is None:
            c = self._columns
            per: dict[str, list[int]] = {}
            for row, chrom_of in enumerate(c["chrom"]):
                per.setdefault(chrom_of, []).append(row)
            starts, ends = c["start"], c["end"]
            self._by_chrom = {}
            for ch, rows in per.items():
                rows.sort(key=starts.__getitem__)
                self._by_chrom[ch] = ([starts[r] for r in rows], rows, max(ends[r] - starts[r] for r in rows))
        entry = self._by_chrom.get(chrom)
        if entry is None:
            return []
        starts, rows, longest = entry
        ends = self._columns["end"]
        out = []
        j = bisect_right(starts, pos) - 1
        while j >= 0 and starts[j] >= pos - longest:
            if ends[rows[j]] >= pos:
                out.append(self.gene(rows[j]))
            j -= 1
        return out


def iter_pack_transcripts(pack: Pack) -> Iterable[tuple[PackGene, list]]:
    """Every gene with its decoded transcript records (for conversions and checks)."""
    for row in range(pack.gene_count):
        g = pack.gene(row)
        yield g, pack.chunk(g)


def decode_domains(pack: Pack, stored: Optional[list]) -> Optional[list[tuple]]:
    """[(source, accession, description, aa_start, aa_end), ...] or None (no domain data)."""
    if stored is None:
        return None
    strings = pack.strings()
    return [(*strings[i], a, b) for i, a, b in stored]


def flags_for(tags: set, coding: bool, has_start: bool, has_stop: bool) -> int:
    flags = 0
    if tags & set(POLICY_TAGS):
        flags |= FLAG_CANONICAL
    if "MANE_Select" in tags:
        flags |= FLAG_MANE
    if coding and ("cds_start_NF" in tags or not has_start):
        flags |= FLAG_CDS_START_NF
    if coding and ("cds_end_NF" in tags or not has_stop):
        flags |= FLAG_CDS_END_NF
    if coding and has_stop:
        flags |= FLAG_STOP_CODON
    return flags


DomainSource = Callable[[str, str, int], Optional[list]]


def merge_adjacent(intervals) -> list[tuple[int, int]]:
    """Merge touching or overlapping 1-based inclusive intervals (a stop codon annotated next to its CDS line)."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def unversioned(transcript_id: str) -> str:
    """ENST00000396373.8 -> ENST00000396373; other IDs (transcript names) unchanged."""
    return transcript_id.split(".")[0] if transcript_id.startswith("ENST") else transcript_id


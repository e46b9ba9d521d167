"""Transcript models from pyensembl, as plain frozen data.

This is the only module that touches pyensembl. It indexes a GTF (or uses an
installed pyensembl release) once into a cache directory, then reads exons, CDS
and stop codons per gene straight from pyensembl's SQLite index in bulk (one
query per feature per batch of genes) and turns them into TranscriptModel
objects whose exon and CDS lists are in *transcript order* (exon 1 first),
whatever order the index returns them in. Stop codons are merged into the CDS so
that cds_length counts the stop codon when the GTF annotates one.

pyensembl drops the GTF `tag` attribute, so tags that decide the transcript
policy (MANE_Select, Ensembl_canonical) and incomplete-CDS flags (cds_start_NF,
cds_end_NF) are read from the GTF text by `scan_gtf_tags` and cached beside the
index.

Coordinates: 1-based, inclusive, as in the GTF.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .errors import ReferenceError_
from .paths import cache_dir as default_cache_dir
from .paths import resource

BUNDLED_GTF = ("reference", "fusion_annot_bundled.ensembl110.gtf.gz")
BUNDLED_DOMAINS = ("reference", "protein_domains.bundled.ensembl110.tsv.gz")


@dataclass(frozen=True)
class TranscriptModel:
    transcript_id: str  # versioned when the reference carries a version
    transcript_name: str
    gene_name: str
    gene_id: str
    chrom: str
    strand: str  # '+' or '-'
    exons: tuple[tuple[int, int], ...]  # (start, end) 1-based inclusive, transcript order
    cds: tuple[tuple[int, int], ...]  # CDS incl. stop codon, transcript order; () for non-coding
    biotype: str = ""
    is_canonical: bool = False
    is_mane: bool = False
    cds_start_incomplete: bool = False
    cds_end_incomplete: bool = False
    has_stop_codon: bool = False
    # Cumulative CDS lengths before each CDS interval (transcript order), for O(log n) lookups.
    _cds_before: tuple[int, ...] = field(default=(), repr=False, compare=False)
    start: int = 0  # lowest exon coordinate (set by make_transcript)
    end: int = 0  # highest exon coordinate

    @property
    def exon_count(self) -> int:
        return len(self.exons)

    @property
    def is_coding(self) -> bool:
        return bool(self.cds)

    @property
    def cds_length(self) -> int:
        return sum(e - s + 1 for s, e in self.cds)

    @property
    def protein_length(self) -> int:
        """Amino acids encoded, not counting the stop codon."""
        n = self.cds_length // 3
        return n - 1 if self.has_stop_codon else n

    def exon_5prime_end(self, index: int) -> int:
        """Genomic coordinate of the first transcribed base of exon `index` (0-based index)."""
        s, e = self.exons[index]
        return s if self.strand == "+" else e

    def exon_3prime_end(self, index: int) -> int:
        """Genomic coordinate of the last transcribed base of exon `index` (0-based index)."""
        s, e = self.exons[index]
        return e if self.strand == "+" else s

    def is_upstream(self, a: int, b: int) -> bool:
        """True when genomic position a is transcribed before b (strand-aware)."""
        return a < b if self.strand == "+" else a > b

    def cds_position(self, genomic_pos: int) -> Optional[int]:
        """1-based c. position of a genomic base (c.1 = A of ATG), None outside the CDS."""
        for i, (s, e) in enumerate(self.cds):
            if s <= genomic_pos <= e:
                within = genomic_pos - s if self.strand == "+" else e - genomic_pos
                return self._cds_before[i] + within + 1
        return None

    def genomic_position(self, c_pos: int) -> int:
        """Inverse of cds_position: genomic coordinate of c. position c_pos (1-based)."""
        if not 1 <= c_pos <= self.cds_length:
            raise ValueError(f"c.{c_pos} outside the CDS of {self.transcript_id} (1..{self.cds_length})")
        i = bisect_right(self._cds_before, c_pos - 1) - 1
        s, e = self.cds[i]
        within = c_pos - 1 - self._cds_before[i]
        return s + within if self.strand == "+" else e - within

    def cds_bases_through(self, genomic_pos: int) -> int:
        """Number of CDS bases transcribed at or before genomic_pos (strand-aware)."""
        total = 0
        for s, e in self.cds:
            if self.strand == "+":
                if e <= genomic_pos:
                    total += e - s + 1
                elif s <= genomic_pos:
                    total += genomic_pos - s + 1
            else:
                if s >= genomic_pos:
                    total += e - s + 1
                elif e >= genomic_pos:
                    total += e - genomic_pos + 1
        return total


def make_transcript(**kwargs) -> TranscriptModel:
    """Build a TranscriptModel, ordering exons and CDS in transcript order (never trust input order)."""
    strand = kwargs["strand"]
    reverse = strand == "-"
    exons = tuple(sorted(kwargs.pop("exons"), reverse=reverse))
    cds = tuple(sorted(_merge_adjacent(kwargs.pop("cds")), reverse=reverse))
    before, running = [], 0
    for s, e in cds:
        before.append(running)
        running += e - s + 1
    return TranscriptModel(exons=exons, cds=cds, _cds_before=tuple(before),
                           start=min(s for s, _ in exons), end=max(e for _, e in exons), **kwargs)


def _merge_adjacent(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge touching intervals (a stop codon annotated next to its CDS line)."""
    out: list[list[int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


@dataclass(frozen=True)
class GeneModel:
    gene_name: str
    gene_id: str
    chrom: str
    start: int
    end: int
    strand: str


# --------------------------------------------------------------------------- tags

_ATTR = re.compile(r'(\w+) "([^"]*)"')


def scan_gtf_tags(gtf_path: str) -> dict[str, dict]:
    """Per transcript: tags, version and id source, read from the GTF's transcript lines.

    Returns {transcript_id: {"tags": [...], "version": str}}; only transcripts with
    a tag or a version are listed, to keep the cache small.
    """
    opener = gzip.open if _is_gzip(gtf_path) else open
    out: dict[str, dict] = {}
    with opener(gtf_path, "rt", errors="replace") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            parts = line.split("\t", 8)
            if len(parts) < 9 or parts[2] != "transcript":
                continue
            tags, tid, version = [], None, ""
            for key, value in _ATTR.findall(parts[8]):
                if key == "tag":
                    tags.append(value)
                elif key == "transcript_id":
                    tid = value
                elif key == "transcript_version":
                    version = value
            if tid and (tags or version):
                out[tid] = {"tags": tags, "version": version}
    return out


def _is_gzip(path: str) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


# --------------------------------------------------------------------------- reference

POLICY_TAGS = ("MANE_Select", "Ensembl_canonical", "canonical")


class Reference:
    """Transcript models of one annotation, loaded lazily per gene and kept for the process."""

    def __init__(self, genome, name: str, tags: dict[str, dict], build: str = "GRCh38"):
        self._genome = genome
        self._db = genome.db.connection
        self.name = name
        self.build = build
        self.release = getattr(genome, "release", None) or name
        self._tags = tags
        self._columns = {
            table: {row[1] for row in self._db.execute(f'pragma table_info("{table}")')}
            for table in ("transcript", "exon", "CDS", "stop_codon", "start_codon", "gene")
            if self._table_exists(table)
        }
        self._by_gene: dict[str, list[TranscriptModel]] = {}
        self._by_transcript: dict[str, TranscriptModel] = {}
        self._gene_ids: dict[str, str] = {}
        self._genes: dict[str, list[GeneModel]] = {}
        has_tags = any(set(v.get("tags", ())) & set(POLICY_TAGS) for v in tags.values())
        # Said in every output row's notes when the GTF cannot name a canonical transcript (e.g. GENCODE < v35)
        self.policy_note = "" if has_tags else "reference has no MANE/canonical tags: longest complete CDS used per gene"

    # -- public API -----------------------------------------------------------------
    def transcripts_of(self, gene_name: str) -> list[TranscriptModel]:
        """Transcripts of a gene (by symbol or gene ID, versioned or not), policy transcript first; [] if unknown."""
        key = self._gene_ids.get(gene_name, gene_name)
        if key not in self._by_gene:
            self.prefetch([gene_name])
            key = self._gene_ids.get(gene_name, gene_name)
        return self._by_gene.get(key, [])

    def canonical_transcript(self, gene_name: str) -> Optional[TranscriptModel]:
        txs = self.transcripts_of(gene_name)
        return txs[0] if txs else None

    def transcript(self, transcript_id: str) -> Optional[TranscriptModel]:
        base = transcript_id.split(".")[0] if transcript_id.startswith("ENST") else transcript_id
        if base in self._by_transcript:
            return self._by_transcript[base]
        rows = self._db.execute(
            "SELECT DISTINCT gene_name FROM transcript WHERE transcript_id = ? OR transcript_id LIKE ? OR transcript_name = ?",
            (base, base + ".%", transcript_id),
        ).fetchall()
        for (gene,) in rows:
            self.transcripts_of(gene)
        return self._by_transcript.get(base)

    @property
    def has_transcript_sequences(self) -> bool:
        """True for a pyensembl release with its transcript (cDNA) FASTA; False for a bare GTF."""
        return bool(getattr(self._genome, "requires_transcript_fasta", False))

    def transcript_sequence(self, transcript_id: str) -> Optional[str]:
        """cDNA (exons spliced, 5' to 3') of a transcript from the release's FASTA; None when absent."""
        if not self.has_transcript_sequences:
            return None
        base = transcript_id.split(".")[0] if transcript_id.startswith("ENST") else transcript_id
        try:
            return self._genome.transcript_sequence(base)
        except (ValueError, KeyError, OSError):
            return None

    def has_gene(self, gene_name: str) -> bool:
        return bool(self.transcripts_of(gene_name))

    def genes_named(self, gene_name: str) -> list[GeneModel]:
        cached = self._genes.get(gene_name)
        if cached is None:
            cached = self._genes[gene_name] = self._gene_models(gene_name)
        return cached

    def _gene_models(self, gene_name: str) -> list[GeneModel]:
        out = {}
        for tx in self.transcripts_of(gene_name):
            g = out.get(tx.gene_id)
            if g is None:
                out[tx.gene_id] = GeneModel(tx.gene_name, tx.gene_id, tx.chrom, tx.start, tx.end, tx.strand)
            else:
                out[tx.gene_id] = GeneModel(g.gene_name, g.gene_id, g.chrom, min(g.start, tx.start), max(g.end, tx.end), g.strand)
        return list(out.values())

    def gene_span(self, gene_name: str) -> Optional[tuple[str, int, int, str]]:
        genes = self.genes_named(gene_name)
        if not genes:
            return None
        g = genes[0]
        return (g.chrom, g.start, g.end, g.strand)

    def genes_at(self, chrom: str, pos: int) -> list[str]:
        """Genes whose transcripts span a 1-based position."""
        rows = self._db.execute(
            "SELECT DISTINCT gene_name FROM transcript WHERE seqname = ? AND start <= ? AND end >= ?",
            (self._contig(chrom), pos, pos),
        ).fetchall()
        return sorted(r[0] for r in rows if r[0])

    def contigs(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT DISTINCT seqname FROM transcript")}

    def prefetch(self, gene_names: Iterable[str]) -> None:
        """Load the models of many genes with a few bulk queries (call once per input file)."""
        wanted = sorted({g for g in gene_names if g and g not in self._by_gene and g not in self._gene_ids})
        for i in range(0, len(wanted), 500):
            self._load_genes(wanted[i : i + 500])

    # -- loading -------------------------------------------------------------------
    def _table_exists(self, table: str) -> bool:
        return bool(self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (table,)).fetchone())

    def _contig(self, chrom: str) -> str:
        c = str(chrom)
        if not hasattr(self, "_contig_names"):
            self._contig_names = self.contigs()
        if c in self._contig_names:
            return c
        alt = c[3:] if c.lower().startswith("chr") else "chr" + c
        if alt in self._contig_names:
            return alt
        if c in ("M", "chrM", "MT"):
            for m in ("MT", "chrM", "M"):
                if m in self._contig_names:
                    return m
        return c

    def _features(self, table: str, names: list[str], by: str) -> dict[str, list[tuple[int, int]]]:
        out: dict[str, list[tuple[int, int]]] = {}
        if table not in self._columns:
            return out
        marks = ",".join("?" * len(names))
        for tid, s, e in self._db.execute(
            f'SELECT transcript_id, start, end FROM "{table}" WHERE {by} IN ({marks})', names
        ):
            out.setdefault(tid, []).append((int(s), int(e)))
        return out

    def _load_genes(self, names: list[str]) -> None:
        marks = ",".join("?" * len(names))
        tcols = self._columns["transcript"]
        version_col = "transcript_version" if "transcript_version" in tcols else "''"
        biotype_col = "transcript_biotype" if "transcript_biotype" in tcols else ("transcript_type" if "transcript_type" in tcols else "''")
        # gene IDs may be asked with a version (ENSG...15) of an unversioned index (Ensembl GTF): ask both
        ids = sorted({n.split(".")[0] for n in names if n.startswith("ENSG")} | set(names))
        id_marks = ",".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT transcript_id, transcript_name, gene_id, gene_name, seqname, strand, {biotype_col}, {version_col} "
            f"FROM transcript WHERE gene_name IN ({marks}) OR gene_id IN ({id_marks})",
            names + ids,
        ).fetchall()
        gene_names_found = sorted({r[3] for r in rows})
        if not gene_names_found:
            for n in names:
                self._by_gene.setdefault(n, [])
            return
        exons = self._features("exon", gene_names_found, "gene_name")
        cds = self._features("CDS", gene_names_found, "gene_name")
        stops = self._features("stop_codon", gene_names_found, "gene_name")
        starts = self._features("start_codon", gene_names_found, "gene_name")
        per_gene: dict[str, list[TranscriptModel]] = {}
        for tid, tname, gid, gname, chrom, strand, biotype, version in rows:
            if tid not in exons:
                continue
            info = self._tags.get(tid, {})
            tags = set(info.get("tags", ()))
            version = version or info.get("version", "")
            full_id = f"{tid}.{version}" if version and "." not in tid else tid
            coding_parts = cds.get(tid, [])
            stop_parts = stops.get(tid, [])
            tx = make_transcript(
                transcript_id=full_id,
                transcript_name=tname or tid,
                gene_name=gname,
                gene_id=gid,
                chrom=chrom,
                strand=strand,
                exons=exons[tid],
                cds=coding_parts + (stop_parts if coding_parts else []),
                biotype=biotype or "",
                is_canonical=bool(tags & set(POLICY_TAGS)),
                is_mane=("MANE_Select" in tags),
                cds_start_incomplete=bool(coding_parts) and ("cds_start_NF" in tags or tid not in starts),
                cds_end_incomplete=bool(coding_parts) and ("cds_end_NF" in tags or not stop_parts),
                has_stop_codon=bool(stop_parts) and bool(coding_parts),
            )
            per_gene.setdefault(gname, []).append(tx)
            self._gene_ids[gid] = gname
            self._gene_ids[gid.split(".")[0]] = gname
        for gname, txs in per_gene.items():
            txs.sort(key=_policy_rank)
            for tx in txs:
                self._by_transcript[tx.transcript_id.split(".")[0] if tx.transcript_id.startswith("ENST") else tx.transcript_id] = tx
            self._by_gene[gname] = txs
        for n in names:
            base = n.split(".")[0] if n.startswith("ENSG") else n
            if n not in self._gene_ids and base in self._gene_ids:  # ENSG..15 asked, ENSG.. indexed
                self._gene_ids[n] = self._gene_ids[base]
            if n not in self._by_gene and n not in self._gene_ids:
                self._by_gene[n] = []


def _policy_rank(tx: TranscriptModel):
    """MANE Select, then Ensembl canonical, then coding with complete CDS, longest CDS, then ID."""
    return (
        not tx.is_mane,
        not tx.is_canonical,
        not tx.is_coding,
        tx.cds_start_incomplete or tx.cds_end_incomplete,
        -tx.cds_length,
        -sum(e - s + 1 for s, e in tx.exons),
        tx.transcript_id,
    )


# --------------------------------------------------------------------------- loading


def _cache_root(cache_dir: Optional[str]) -> Path:
    root = Path(cache_dir) if cache_dir else default_cache_dir()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _gtf_cache_dir(gtf: Path, root: Path) -> Path:
    st = gtf.stat()
    digest = hashlib.sha1(f"{gtf.resolve()}|{st.st_size}|{int(st.st_mtime)}".encode()).hexdigest()[:12]
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", gtf.name)
    return root / "fusion-annot-gtf" / f"{stem}-{digest}"


def _load_tags(gtf_path: str, cache: Path) -> dict[str, dict]:
    tags_file = cache / "transcript_tags.json"
    if tags_file.exists():
        return json.loads(tags_file.read_text())
    tags = scan_gtf_tags(gtf_path)
    tmp = tags_file.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(tags))
    tmp.replace(tags_file)  # atomic: parallel jobs never read a half-written file
    return tags


def _quiet_index(genome) -> None:
    import logging

    for name in ("pyensembl", "datacache", "gtfparse"):
        logging.getLogger(name).setLevel(logging.WARNING)
    genome.index()


def load_gtf(gtf_path: str, cache_dir: Optional[str] = None, name: Optional[str] = None) -> Reference:
    """Index a GTF with pyensembl (once, into the cache) and return a Reference."""
    import pyensembl

    gtf = Path(gtf_path)
    if not gtf.is_file():
        raise ReferenceError_(f"reference GTF not found: {gtf_path}")
    _check_looks_like_gtf(gtf)
    cache = _gtf_cache_dir(gtf, _cache_root(cache_dir))
    cache.mkdir(parents=True, exist_ok=True)
    reference_name = _build_from_gtf_header(gtf) or "GRCh38"
    genome = pyensembl.Genome(
        reference_name=reference_name,
        annotation_name=name or gtf.name,
        gtf_path_or_url=str(gtf.resolve()),
        cache_directory_path=str(cache),
    )
    try:
        _quiet_index(genome)
    except Exception as exc:  # pyensembl raises many kinds on malformed GTFs
        raise ReferenceError_(f"cannot index GTF {gtf_path}: {exc}") from None
    return Reference(genome, name=name or gtf.name, tags=_load_tags(str(gtf), cache), build=reference_name)


def _check_looks_like_gtf(gtf: Path) -> None:
    """A clear error before pyensembl's own on a file that is not a GTF (first data lines: 9 tab fields)."""
    opener = gzip.open if _is_gzip(str(gtf)) else open
    try:
        with opener(gtf, "rt", errors="replace") as fh:
            checked = 0
            for number, line in enumerate(fh, start=1):
                if line.startswith("#") or not line.strip():
                    continue
                fields = line.rstrip("\n").split("\t")
                if len(fields) != 9 or not fields[3].isdigit() or not fields[4].isdigit() or fields[6] not in "+-.":
                    raise ReferenceError_(f"{gtf}:{number}: not a GTF line (expected 9 tab-separated fields: "
                                          "seqname, source, feature, start, end, score, strand, frame, attributes)")
                checked += 1
                if checked >= 5:
                    return
    except (OSError, EOFError) as exc:
        raise ReferenceError_(f"cannot read GTF {gtf}: {exc}") from None
    if checked == 0:
        raise ReferenceError_(f"{gtf}: no GTF data lines")


def _build_from_gtf_header(gtf: Path) -> Optional[str]:
    opener = gzip.open if _is_gzip(str(gtf)) else open
    with opener(gtf, "rt", errors="replace") as fh:
        for _, line in zip(range(20), fh):
            if line.startswith("#!genome-build"):
                return line.split()[1].strip()
            if "GRCh37" in line or "hg19" in line:
                return "GRCh37"
    return None


def load_release(release: int, cache_dir: Optional[str] = None) -> Reference:
    """An Ensembl release installed for pyensembl (`pyensembl install --release N --species human`).

    pyensembl keeps releases under $PYENSEMBL_CACHE_DIR (default ~/.cache/pyensembl); nothing is
    downloaded here: a release that is not installed is an error saying how to install it.
    """
    import pyensembl

    genome = pyensembl.EnsemblRelease(release)
    if not genome.required_local_files_exist():
        where = os.path.dirname(genome.required_local_files()[0])
        raise ReferenceError_(
            f"Ensembl release {release} is not installed for pyensembl (expected in {where}); run "
            f"'pyensembl install --release {release} --species human' once with network access, or pass a GTF path"
        )
    try:
        _quiet_index(genome)
    except Exception as exc:  # pyensembl raises many kinds on damaged downloads
        raise ReferenceError_(f"cannot index Ensembl release {release}: {exc}") from None
    gtf_path = genome.required_local_files()[0]
    cache = _cache_root(cache_dir) / "fusion-annot-release" / str(release)
    cache.mkdir(parents=True, exist_ok=True)
    return Reference(genome, name=f"ensembl:{release}", tags=_load_tags(gtf_path, cache), build=genome.reference_name)


def load_reference(spec: str = "bundled", cache_dir: Optional[str] = None) -> Reference:
    """`bundled` | path to a GTF[.gz] | `ensembl:RELEASE`."""
    spec = str(spec or "bundled")
    if spec == "bundled":
        gtf = resource(*BUNDLED_GTF)
        return load_gtf(str(gtf), cache_dir=cache_dir, name="bundled (Ensembl 110 subset)")
    if spec.startswith("ensembl:"):
        try:
            release = int(spec.split(":", 1)[1])
        except ValueError:
            raise ReferenceError_(f"bad reference '{spec}': expected ensembl:RELEASE, e.g. ensembl:110") from None
        return load_release(release, cache_dir=cache_dir)
    return load_gtf(spec, cache_dir=cache_dir)


def default_domains_path(spec: str) -> Optional[Path]:
    """The domain table that goes with a reference spec (bundled ships one)."""
    return resource(*BUNDLED_DOMAINS) if spec in ("bundled", "", None) else None

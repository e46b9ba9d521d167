"""Transcript models of a reference, as plain frozen data, from its runtime pack.

Every reference goes through one code path: a reference pack (fusion_annot.refpack)
holding exons, CDS (stop codon merged in), tags, phases-by-position and protein
domains. The bundled genome-wide pack ships in the package; a user's GTF or an
installed pyensembl release is converted once into a pack in the cache directory
(`fusion-annot index`, or on first use), and later processes only read it.

TranscriptModel exon and CDS lists are in *transcript order* (exon 1 first),
whatever order the pack or GTF stores them in: make_transcript sorts them by
strand, so a library's range ordering can never flip a frame call on the minus
strand. cds_length counts the stop codon when the GTF annotates one.

This is the only module that touches pyensembl (for installed releases: where
the GTF is, and the transcript cDNA used for translation).

Coordinates: 1-based, inclusive, as in the GTF.
"""
from __future__ import annotations

import hashlib
import os
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .errors import ReferenceError_
from .paths import cache_dir as default_cache_dir
from .paths import resource
from .refpack import (FLAG_CANONICAL, FLAG_CDS_END_NF, FLAG_CDS_START_NF, FLAG_MANE, FLAG_STOP_CODON, PACK_SUFFIX,
                      Pack, PackGene, decode_domains, merge_adjacent, unversioned)

BUNDLED_PACK = ("reference", "ensembl110_genome.fapack")
BUNDLED_NAME = "bundled (Ensembl 110, GRCh38, genome-wide)"
# Conversion logic version: a change here rebuilds cached packs of user references.
PACK_BUILD_VERSION = "1"


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
    _cds_total: int = field(default=-1, repr=False, compare=False)  # cds_length, set by make_transcript

    @property
    def exon_count(self) -> int:
        return len(self.exons)

    @property
    def is_coding(self) -> bool:
        return bool(self.cds)

    @property
    def cds_length(self) -> int:
        if self._cds_total >= 0:
            return self._cds_total
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
    cds = tuple(sorted(merge_adjacent(kwargs.pop("cds")), reverse=reverse))
    before, running = [], 0
    for s, e in cds:
        before.append(running)
        running += e - s + 1
    return TranscriptModel(exons=exons, cds=cds, _cds_before=tuple(before), _cds_total=running,
                           start=min(s for s, _ in exons), end=max(e for _, e in exons), **kwargs)


@dataclass(frozen=True)
class GeneModel:
    gene_name: str
    gene_id: str
    chrom: str
    start: int
    end: int
    strand: str



# --------------------------------------------------------------------------- reference


class Reference:
    """Transcript models of one annotation, decoded per gene on first use and kept for the process."""

    def __init__(self, pack: Pack, name: Optional[str] = None, build: Optional[str] = None, sequences=None):
        self._pack = pack
        self.name = name or pack.header.get("name") or pack.path.name
        self.build = build or pack.header.get("build") or "GRCh38"
        self.release = self.name
        self.source = pack.header.get("source", "")
        self.domain_label = pack.header.get("domains") or "none"
        self.policy_note = pack.header.get("policy_note", "")
        self._sequences = sequences  # a pyensembl Genome with transcript FASTA, or None
        self._rows: dict[int, list[TranscriptModel]] = {}
        self._by_transcript: dict[str, TranscriptModel] = {}
        self._domains: dict[str, Optional[list]] = {}
        self._named: dict[str, list[TranscriptModel]] = {}
        self._genes_named: dict[str, list[GeneModel]] = {}
        self._contig_names = pack.chroms

    # -- public API -----------------------------------------------------------------
    def transcripts_of(self, gene_name: str) -> list[TranscriptModel]:
        """Transcripts of a gene (by symbol or gene ID, versioned or not), policy transcript first; [] if unknown."""
        cached = self._named.get(gene_name)
        if cached is not None:
            return cached
        rows = self._pack.rows_named(gene_name)
        if not rows:
            by_id = self._pack.row_of_gene_id(gene_name)
            txs = self.transcripts_of(self._pack.gene(by_id).name) if by_id is not None else []
        else:
            txs = sorted((t for row in rows for t in self._gene(self._pack.gene(row))), key=_policy_rank)
        self._named[gene_name] = txs
        return txs

    def canonical_transcript(self, gene_name: str) -> Optional[TranscriptModel]:
        txs = self.transcripts_of(gene_name)
        return txs[0] if txs else None

    def transcript(self, transcript_id: str) -> Optional[TranscriptModel]:
        """A transcript by ID (versioned or not) or by transcript name; None if unknown."""
        base = unversioned(transcript_id)
        found = self._by_transcript.get(base) or self._by_transcript.get(transcript_id)
        if found is not None:
            return found
        # Ensembl transcript names are GENE-NNN: try that gene before decoding the whole transcript index
        gene_name, dash, number = transcript_id.rpartition("-")
        if dash and number.isdigit():
            self.transcripts_of(gene_name)
            found = self._by_transcript.get(transcript_id)
            if found is not None:
                return found
        row = self._pack.gene_row_of_transcript(transcript_id)
        if row is None:
            row = self._pack.gene_row_of_transcript(base)
        if row is None:
            return None
        self._gene(self._pack.gene(row))
        return self._by_transcript.get(base) or self._by_transcript.get(transcript_id)

    def domains_of(self, transcript_id: str, transcript_name: str = "") -> Optional[list[tuple]]:
        """Protein features of a transcript, [(source, accession, description, aa_start, aa_end)], or None
        when no domain data covers it (unknown, not 'no domains')."""
        tx = self.transcript(transcript_id) or (self.transcript(transcript_name) if transcript_name else None)
        if tx is None:
            return None
        return decode_domains(self._pack, self._domains.get(unversioned(tx.transcript_id)))

    @property
    def has_transcript_sequences(self) -> bool:
        """True for a pyensembl release with its transcript (cDNA) FASTA; False for a bare GTF."""
        return bool(getattr(self._sequences, "requires_transcript_fasta", False))

    def transcript_sequence(self, transcript_id: str) -> Optional[str]:
        """cDNA (exons spliced, 5' to 3') of a transcript from the release's FASTA; None when absent."""
        if not self.has_transcript_sequences:
            return None
        try:
            return self._sequences.transcript_sequence(unversioned(transcript_id))
        except (ValueError, KeyError):  # not in the FASTA
            return None
        except Exception as exc:  # a truncated or corrupt FASTA (EOFError, zlib, polars/pickle errors): one line
            paths = getattr(self._sequences, "transcript_fasta_paths", None) or ["its transcript FASTA"]
            text = str(exc).strip().splitlines()
            raise ReferenceError_(f"cannot read the transcript sequences of {self.name} ({', '.join(map(str, paths))}): "
                                  f"{text[0][:200] if text else type(exc).__name__}") from None

    def has_gene(self, gene_name: str) -> bool:
        return bool(self.transcripts_of(gene_name))

    def genes_named(self, gene_name: str) -> list[GeneModel]:
        cached = self._genes_named.get(gene_name)
        if cached is None:
            cached = self._genes_named[gene_name] = self._genes_named_uncached(gene_name)
        return list(cached)

    def _genes_named_uncached(self, gene_name: str) -> list[GeneModel]:
        out: dict[str, GeneModel] = {}
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
        """Genes with a transcript spanning a 1-based position."""
        try:
            pos = int(pos)
        except (TypeError, ValueError, OverflowError):
            return []
        names = set()
        for g in self._pack.genes_overlapping(self._contig(chrom), pos):
            if any(t.start <= pos <= t.end for t in self._gene(g)):
                names.add(g.name)
        return sorted(n for n in names if n)

    def contigs(self) -> set[str]:
        return set(self._contig_names)

    def prefetch(self, gene_names: Iterable[str]) -> None:
        """Decode the models of many genes now (kept for callers that warm the cache per input file)."""
        for name in set(gene_names):
            if name:
                self.transcripts_of(name)

    @property
    def pack(self) -> Pack:
        """The runtime pack behind this reference (path, header with counts and provenance)."""
        return self._pack

    def all_gene_names(self) -> list[str]:
        return sorted(set(self._pack.names()))

    @property
    def gene_count(self) -> int:
        return self._pack.gene_count

    # -- loading -------------------------------------------------------------------
    def _contig(self, chrom: str) -> str:
        c = str(chrom)
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

    def _gene(self, gene: PackGene) -> list[TranscriptModel]:
        txs = self._rows.get(gene.row)
        if txs is not None:
            return txs
        origin = gene.start
        txs = []
        for tid, tname, biotype, flags, exons, cds, domains in self._pack.chunk(gene):
            tx = make_transcript(
                transcript_id=tid,
                transcript_name=tname or tid,
                gene_name=gene.name,
                gene_id=gene.gene_id,
                chrom=gene.chrom,
                strand=gene.strand,
                exons=[(exons[i] + origin, exons[i + 1] + origin) for i in range(0, len(exons), 2)],
                cds=[(cds[i] + origin, cds[i + 1] + origin) for i in range(0, len(cds), 2)],
                biotype=biotype,
                is_canonical=bool(flags & FLAG_CANONICAL),
                is_mane=bool(flags & FLAG_MANE),
                cds_start_incomplete=bool(flags & FLAG_CDS_START_NF),
                cds_end_incomplete=bool(flags & FLAG_CDS_END_NF),
                has_stop_codon=bool(flags & FLAG_STOP_CODON),
            )
            txs.append(tx)
            key = unversioned(tid)
            self._by_transcript[key] = tx
            self._by_transcript.setdefault(tname, tx)
            self._domains[key] = domains
        self._rows[gene.row] = txs
        return txs


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
    return Path(cache_dir) if cache_dir else default_cache_dir()


def _source_digest(path: Path, extra: str = "") -> str:
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{int(st.st_mtime)}|{PACK_BUILD_VERSION}|{extra}"
    return hashlib.sha1(key.encode()).hexdigest()[:12]


def pack_path_for(gtf: Path, cache_root: Path, domains: Optional[Path] = None, release: Optional[int] = None) -> Path:
    """Where the pack of a user reference lives in the cache (keyed on the GTF, the domain table and the converter)."""
    extra = f"{domains.resolve()}:{domains.stat().st_size}:{int(domains.stat().st_mtime)}" if domains else ""
    if release is not None:
        return cache_root / "fusion-annot-packs" / f"ensembl{release}-{_source_digest(gtf, extra)}{PACK_SUFFIX}"
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", gtf.name)
    return cache_root / "fusion-annot-packs" / f"{stem}-{_source_digest(gtf, extra)}{PACK_SUFFIX}"


def bundled_pack_path() -> Path:
    path = resource(*BUNDLED_PACK)
    if not path.is_file():
        raise ReferenceError_(f"the bundled reference pack is missing ({path}); reinstall fusion-annot or rebuild it with "
                              "scripts/build_bundled_reference.py")
    return path


def convert_gtf(gtf: Path, out: Path, name: str, domains: Optional[str] = None, use_shipped_domains: bool = True) -> dict:
    """GTF (+ domain table) -> pack at `out`. Returns the pack header (counts, domain matching)."""
    from .domains import load_domain_table
    from .gtf import read_gtf
    from .packbuild import DomainMatcher, build_pack_from_gtf, shipped_domains

    contents = read_gtf(gtf)
    user_table = load_domain_table(domains) if domains else None
    shipped = shipped_domains(Pack(bundled_pack_path())) if use_shipped_domains else None
    labels = ([user_table.label] if user_table else []) + (["shipped Ensembl 110 domains (ID/name + protein length)"] if shipped else [])
    matcher = DomainMatcher(user_table, shipped) if (user_table or shipped) else None
    return build_pack_from_gtf(contents, out, name=name, source=str(gtf), matcher=matcher,
                               domain_label="; ".join(labels) or "none")


def _pack_for_gtf(gtf: Path, cache_root: Path, name: str, domains: Optional[str], release: Optional[int] = None) -> Path:
    domain_path = Path(domains) if domains else None
    if domain_path is not None and not domain_path.is_file():
        raise ReferenceError_(f"domain table not found: {domains}")
    out = pack_path_for(gtf, cache_root, domain_path, release)
    if not out.is_file():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ReferenceError_(f"cannot create the reference cache {out.parent}: {exc.strerror or exc} "
                                  "(set --cache-dir or PYENSEMBL_CACHE_DIR to a writable folder, or run 'fusion-annot index' first)") from None
        convert_gtf(gtf, out, name=name, domains=domains)
    return out


def load_gtf(gtf_path: str, cache_dir: Optional[str] = None, name: Optional[str] = None,
             domains: Optional[str] = None) -> Reference:
    """A GTF converted once into a pack in the cache, then read from there."""
    gtf = Path(gtf_path)
    if not gtf.is_file():
        raise ReferenceError_(f"reference GTF not found: {gtf_path}")
    pack = _pack_for_gtf(gtf, _cache_root(cache_dir), name or gtf.name, domains)
    return Reference(Pack(pack))


def load_release(release: int, cache_dir: Optional[str] = None, domains: Optional[str] = None) -> Reference:
    """An Ensembl release installed for pyensembl (`pyensembl install --release N --species human`).

    pyensembl keeps releases under $PYENSEMBL_CACHE_DIR (default ~/.cache/pyensembl); nothing is
    downloaded here: a release that is not installed is an error saying how to install it. Its GTF
    is converted into a pack once; its cDNA FASTA (through pyensembl) translates fusions.
    """
    try:
        import pyensembl
    except ImportError as exc:
        raise ReferenceError_(f"--reference ensembl:{release} needs pyensembl ({exc})") from None
    try:
        genome = pyensembl.EnsemblRelease(release)
    except Exception as exc:  # pyensembl rejects releases it does not know with several kinds
        raise ReferenceError_(f"Ensembl release {release} is not available to pyensembl: {str(exc).splitlines()[0]}") from None
    if not genome.required_local_files_exist():
        where = os.path.dirname(genome.required_local_files()[0])
        raise ReferenceError_(
            f"Ensembl release {release} is not installed for pyensembl (expected in {where}); run "
            f"'pyensembl install --release {release} --species human' once with network access, or pass a GTF path"
        )
    gtf = Path(genome.required_local_files()[0])
    pack = _pack_for_gtf(gtf, _cache_root(cache_dir), f"ensembl:{release}", domains, release=release)
    return Reference(Pack(pack), build=genome.reference_name, sequences=genome)


def load_reference(spec: str = "bundled", cache_dir: Optional[str] = None, domains: Optional[str] = None) -> Reference:
    """`bundled` | path to a GTF[.gz] | path to a .fapack | `ensembl:RELEASE`.

    `domains` (a domain table) is folded into the pack of a GTF or release; for the bundled pack
    and ready packs it is layered over the pack's domains by fusion_annot.domains instead.
    """
    spec = str(spec or "bundled")
    if spec == "bundled":
        return Reference(Pack(bundled_pack_path()), name=BUNDLED_NAME)
    if spec.startswith("ensembl:"):
        try:
            release = int(spec.split(":", 1)[1])
        except ValueError:
            raise ReferenceError_(f"bad reference '{spec}': expected ensembl:RELEASE, e.g. ensembl:110") from None
        return load_release(release, cache_dir=cache_dir, domains=domains)
    if spec.endswith(PACK_SUFFIX):
        if not Path(spec).is_file():
            raise ReferenceError_(f"reference pack not found: {spec}")
        return Reference(Pack(spec))
    return load_gtf(spec, cache_dir=cache_dir, domains=domains)

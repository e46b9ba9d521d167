"""Small variants (VCF) -> protein positions in the resistance genes, both strands.

How the amino acids are known without a genome. The bundled reference has
transcript models but no sequence, so the reference codon around a SNV is not
known from the reference alone. Two sources are used, best first:

1. A genome FASTA (``genome``, a pysam.FastaFile or anything with
   ``fetch(contig, start0, end0)`` and ``references``): the whole codon is read,
   the VCF REF is checked against it (a mismatch means the VCF and FASTA are
   different builds: InputError), and ref/alt codons are translated with
   Biopython. Exact.
2. Without a genome: the variant keeps its codon number, the position inside the
   codon and the REF/ALT bases in transcript orientation. Matching a resistance
   row then asks which codons of the row's reference amino acid carry the VCF
   REF base at that position, and what each becomes with the ALT base
   (``possible_alt_aas``). If every such codon gives the row's alternate amino
   acid the match is certain (e.g. GGN with G>C at codon position 1 is always
   Arg); if only some do (GGC>AGC is Ser but GGA>AGA is Arg) the match is
   reported as *possible* and flagged for review with the advice to pass a
   genome; if the REF base cannot belong to any codon of the expected amino
   acid, the row does not match (wrong build or transcript).

Coordinates: VCF POS is 1-based; c. positions are 1-based (c.1 = A of ATG).
Only SNVs are translated; other records inside a resistance gene's CDS are kept
with kind "other" so the report can say they were not evaluated.
"""
from __future__ import annotations

from dataclasses import dataclass
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Optional

from functools import lru_cache

from ..errors import InputError

_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@lru_cache(maxsize=1)
def _codon_table() -> dict[str, str]:
    """Standard genetic code, codon -> amino acid ('*' = stop); Biopython imported on first use only."""
    from Bio.Data.CodonTable import standard_dna_table

    table = dict(standard_dna_table.forward_table)
    table.update({c: "*" for c in standard_dna_table.stop_codons})
    return table


@dataclass(frozen=True)
class ProteinVariant:
    gene: str
    transcript_id: str
    protein_length: int  # aa of the transcript the position is numbered on
    chrom: str
    pos: int  # 1-based genomic position (VCF POS)
    ref: str  # VCF REF / ALT (genomic + strand)
    alt: str
    kind: str  # "snv" | "other"
    c_pos: Optional[int] = None  # 1-based c. position of the base (snv)
    codon: Optional[int] = None  # 1-based codon (= amino-acid position)
    codon_offset: Optional[int] = None  # 0, 1, 2: position of the base inside the codon
    ref_base: str = ""  # in transcript orientation
    alt_base: str = ""
    ref_codon: str = ""  # transcript orientation, only with a genome
    alt_codon: str = ""
    ref_aa: str = ""  # only with a genome
    alt_aa: str = ""
    filters: str = "PASS"
    variant_id: str = ""
    depth: Optional[int] = None  # read depth at the site (FORMAT DP of the first sample, else INFO DP, else sum of AD)
    vaf: Optional[float] = None  # variant allele fraction of this ALT (FORMAT AF, else AD alt/total, else INFO AF)

    @property
    def passes_filter(self) -> bool:
        """VCF FILTER PASS or '.' (not filtered)."""
        return self.filters in ("PASS", ".", "")

    @property
    def hgvs_c(self) -> str:
        if self.kind != "snv":
            return f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"
        return f"c.{self.c_pos}{self.ref_base}>{self.alt_base}"

    @property
    def hgvs_p(self) -> str:
        return f"p.{self.ref_aa}{self.codon}{self.alt_aa}" if self.ref_aa else ""

    @property
    def genomic(self) -> str:
        return f"{self.chrom}:{self.pos} {self.ref}>{self.alt}"


def translate_codon(codon: str) -> str:
    return _codon_table().get(codon.upper(), "X")


def possible_alt_aas(ref_aa: str, offset: int, ref_base: str, alt_base: str) -> Optional[set[str]]:
    """Amino acids a SNV can produce at a codon known only by its amino acid.

    Codons of `ref_aa` with `ref_base` at `offset` (0-2, transcript orientation) are mutated to
    `alt_base`. None when no codon of ref_aa has ref_base there (the variant cannot be at ref_aa).
    """
    code = _codon_table()
    codons = [c for c, aa in code.items() if aa == ref_aa and c[offset] == ref_base]
    if not codons:
        return None
    return {code[c[:offset] + alt_base + c[offset + 1:]] for c in codons}


def _contig_in(names: Iterable[str], chrom: str) -> Optional[str]:
    names = set(names)
    for candidate in (chrom, "chr" + chrom, chrom[3:] if chrom.startswith("chr") else None):
        if candidate and candidate in names:
            return candidate
    if chrom in ("MT", "M", "chrM"):
        return next((m for m in ("chrM", "MT", "M") if m in names), None)
    return None


def _codon_from_genome(genome, tx, codon: int) -> str:
    """Reference codon `codon` of transcript `tx`, transcript orientation, from the genome FASTA."""
    contig = _contig_in(genome.references, tx.chrom)
    if contig is None:
        raise InputError(str(getattr(genome, "filename", "genome")), 0, f"contig {tx.chrom} not in the genome FASTA")
    bases = []
    for c in range((codon - 1) * 3 + 1, codon * 3 + 1):
        g = tx.genomic_position(c)
        bases.append(genome.fetch(contig, g - 1, g).upper())  # pysam: 0-based half-open
    seq = "".join(bases)
    return seq.translate(_COMPLEMENT) if tx.strand == "-" else seq


def map_snv(tx, chrom: str, pos: int, ref: str, alt: str, genome=None, filters: str = "PASS",
            variant_id: str = "", source: str = "", depth: Optional[int] = None,
            vaf: Optional[float] = None) -> Optional[ProteinVariant]:
    """One VCF allele on one transcript, or None when it lies outside the CDS."""
    c_pos = tx.cds_position(pos) if len(ref) == 1 else None
    base = dict(gene=tx.gene_name, transcript_id=tx.transcript_id, protein_length=tx.protein_length,
                chrom=chrom, pos=pos, ref=ref, alt=alt, filters=filters, variant_id=variant_id, depth=depth, vaf=vaf)
    snv = len(ref) == 1 and len(alt) == 1 and ref in "ACGT" and alt in "ACGT"
    if not snv:
        span = range(pos, pos + max(len(ref), 1))
        if any(tx.cds_position(p) for p in span):
            return ProteinVariant(kind="other", **base)
        return None
    if c_pos is None:
        return None
    codon, offset = (c_pos - 1) // 3 + 1, (c_pos - 1) % 3
    ref_base, alt_base = (ref, alt) if tx.strand == "+" else (ref.translate(_COMPLEMENT), alt.translate(_COMPLEMENT))
    extra = {}
    if genome is not None:
        ref_codon = _codon_from_genome(genome, tx, codon)
        if ref_codon[offset] != ref_base:
            raise InputError(source, 0, f"{chrom}:{pos} REF {ref} does not match the genome FASTA "
                                        f"(codon {ref_codon} on {tx.strand}): different genome builds?")
        alt_codon = ref_codon[:offset] + alt_base + ref_codon[offset + 1:]
        extra = dict(ref_codon=ref_codon, alt_codon=alt_codon, ref_aa=translate_codon(ref_codon),
                     alt_aa=translate_codon(alt_codon))
    return ProteinVariant(kind="snv", c_pos=c_pos, codon=codon, codon_offset=offset, ref_base=ref_base,
                          alt_base=alt_base, **base, **extra)


def read_variants(vcf_path, reference, genes: Optional[Iterable[str]] = None, genome=None) -> list[ProteinVariant]:
    """Variants of a VCF/BCF that fall in the CDS of the resistance genes' canonical transcripts.

    genes: default = the genes of the bundled knowledge base's resistance table.
    Records with FILTER other than PASS are kept (filters says which) so the report can show them.
    """
    import pysam

    path = str(vcf_path)
    if not Path(path).is_file():
        raise InputError(path, 0, "variants file not found")
    if genes is None:
        from . import load_knowledge_base

        genes = load_knowledge_base().resistance_genes
    transcripts = [tx for tx in (reference.canonical_transcript(g) for g in genes) if tx is not None and tx.cds]
    out: list[ProteinVariant] = []
    try:
        with _htslib_readable(path) as readable, pysam.VariantFile(readable) as vcf:
            for tx, record in _records_in(vcf, transcripts):
                out.extend(_map_record(record, tx, genome, path))
    except (ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(path, 0, f"cannot read VCF: {exc}") from None
    return out


@contextmanager
def _htslib_readable(path: str):
    """The path itself, or for a plain-gzip (not bgzip) VCF a decompressed temporary copy: htslib cannot seek in
    plain gzip. The copy is streamed (bounded memory) and removed afterwards."""
    with open(path, "rb") as fh:
        head = fh.read(18)
    bgzf = head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"
    if head[:2] != b"\x1f\x8b" or bgzf:
        yield path
        return
    import gzip
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fusion-annot-variants-") as tmp:
        plain = Path(tmp) / "variants.vcf"
        with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        yield str(plain)


def _records_in(vcf, transcripts):
    """(transcript, record) pairs for records inside each transcript's CDS span.

    Indexed files are queried per transcript; unindexed ones are read once.
    """
    spans = [(tx, min(s for s, _ in tx.cds), max(e for _, e in tx.cds)) for tx in transcripts]
    if vcf.index is not None:
        for tx, start, end in spans:
            contig = _contig_in(vcf.header.contigs, tx.chrom)
            if contig is not None:
                for record in vcf.fetch(contig, start - 1, end):  # pysam regions are 0-based half-open
                    yield tx, record
        return
    for record in vcf:
        chrom = _plain(record.chrom)
        for tx, start, end in spans:
            if chrom == _plain(tx.chrom) and start <= record.pos <= end:
                yield tx, record


def _map_record(record, tx, genome, path: str) -> list[ProteinVariant]:
    filters = ";".join(record.filter.keys()) or "PASS"
    chrom = _plain(record.chrom)
    out = []
    for index, alt in enumerate(record.alts or ()):
        depth, vaf = depth_and_vaf(record, index)
        mapped = map_snv(tx, chrom, record.pos, record.ref.upper(), alt.upper(), genome=genome,
                         filters=filters, variant_id=record.id or "", source=path, depth=depth, vaf=vaf)
        if mapped is not None:
            out.append(mapped)
    return out


def _number(value, index: int = 0):
    """A VCF value (scalar or per-allele tuple) as a float, None when missing."""
    if isinstance(value, (tuple, list)):
        value = value[index] if len(value) > index else None
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def depth_and_vaf(record, alt_index: int = 0) -> tuple[Optional[int], Optional[float]]:
    """(depth, VAF) of ALT number alt_index (0-based) of a pysam record; None where the VCF does not say.

    Depth: FORMAT DP of the first sample, else INFO DP, else the sum of the first sample's AD.
    VAF: FORMAT AF of the first sample, else AD[alt] / sum(AD), else INFO AF.
    """
    fmt = None
    if record.samples:
        fmt = record.samples[0]

    def field(name):
        if fmt is None:
            return None
        try:
            return fmt.get(name)
        except (KeyError, ValueError):
            return None

    def info(name):
        try:
            return record.info.get(name)
        except (KeyError, ValueError):
            return None

    ad = field("AD")
    ad = [a for a in ad] if isinstance(ad, (tuple, list)) and all(a is not None for a in ad) else None
    depth = _number(field("DP"))
    if depth is None:
        depth = _number(info("DP"))
    if depth is None and ad:
        depth = float(sum(ad))
    vaf = _number(field("AF"), alt_index)
    if vaf is None and ad and len(ad) > alt_index + 1 and sum(ad) > 0:
        vaf = ad[alt_index + 1] / sum(ad)
    if vaf is None:
        vaf = _number(info("AF"), alt_index)
    return (int(depth) if depth is not None else None), vaf


def _plain(chrom: str) -> str:
    return chrom[3:] if chrom.startswith("chr") else chrom

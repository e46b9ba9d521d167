"""Per-sample VCF of fusions: one breakend (BND) pair per fusion, VCF 4.3 §5.4 notation.

Each fusion becomes two records, one at the 5' partner's junction base and one at
the 3' partner's, linked by MATEID and sharing an EVENT. The ALT bracket form says
which side of each junction base the fusion keeps:

* the 5' partner keeps the bases at/left of its junction base when it is on '+'
  (t[p[ or t]p]) and at/right of it when on '-' ([p[t or ]p]t);
* the 3' partner keeps the bases at/right of its junction base when on '+' and
  at/left of it when on '-';
* the bracket around the mate is '[' when the mate keeps the bases to its right
  and ']' when it keeps the bases to its left.

So ETV6(+)::NTRK3(-) is ``N]15:87940753]`` at 12:11869969 and ``N]12:11869969]`` at
15:87940753 (t]p] at both ends), and a + :: + fusion is ``t[p[`` / ``]p]t``.

Positions are 1-based (VCF POS and model.Breakpoint agree). REF is the genome base
when a FASTA is given, N otherwise. The file is bgzipped, sorted and tabix-indexed.
INFO strings are percent-encoded where VCF 4.3 reserves the character (; = , % and
line/tab breaks) so any gene or text field is safe to write.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence, Union

import pysam

from .. import __version__

# GRCh38 primary-assembly lengths (identical for hg38); keys without the "chr" prefix.
GRCH38_CONTIG_LENGTHS = {
    "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259,
    "6": 170805979, "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422,
    "11": 135086622, "12": 133275309, "13": 114364328, "14": 107043718, "15": 101991189,
    "16": 90338345, "17": 83257441, "18": 80373285, "19": 58617616, "20": 64444167,
    "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415, "MT": 16569,
}
_CONTIG_ORDER = {name: i for i, name in enumerate(GRCH38_CONTIG_LENGTHS)}

# (ID, Number, Type, Description) of every INFO key written.
INFO_FIELDS = (
    ("SVTYPE", "1", "String", "Type of structural variant: BND (one end of a fusion junction)"),
    ("MATEID", "1", "String", "ID of the record at the other end of the fusion junction"),
    ("EVENT", "1", "String", "ID shared by the two breakends of one fusion"),
    ("FUSION", "1", "String", "Fusion name, 5' partner first (HGNC style GENE5::GENE3)"),
    ("FUSION_SIDE", "1", "String", "Role of this breakend's gene in the fusion transcript: 5prime or 3prime"),
    ("GENE", "1", "String", "Gene at this breakend"),
    ("GENE_STRAND", "1", "String", "Transcription strand of the gene at this breakend (+ or -)"),
    ("TRANSCRIPT", "1", "String", "Transcript used for exon, frame and domain annotation"),
    ("EXON", "1", "Integer", "Exon of TRANSCRIPT at the junction"),
    ("RETAINED_EXONS", "1", "String", "Exons of TRANSCRIPT kept in the fusion (first-last)"),
    ("SITE", "1", "String", "Where the junction falls in TRANSCRIPT (exon_boundary, intronic, exonic, splice_site, utr5, ...)"),
    ("FRAME", "1", "String", "Reading frame of the fusion (in_frame, out_of_frame, stop_before_junction, utr5_fusion, non_coding, unknown)"),
    ("KINASE", "1", "String", "Kinase domain of the 3' partner in the fusion (retained, partial, lost, not_applicable)"),
    ("KINASE_KEPT_PCT", "1", "Float", "Share of the kinase domain's residues kept in the fusion (%)"),
    ("ACTIONABILITY", "1", "String", "Clinical actionability class from the fusion-annot knowledge base"),
    ("DRUGS", ".", "String", "Drugs the actionability applies to"),
    ("CALLER", "1", "String", "Fusion caller that reported the call"),
)
FORMAT_FIELDS = (
    ("JR", "1", "Integer", "Split (junction) reads the caller reports for the fusion"),
    ("SF", "1", "Integer", "Spanning fragments (discordant pairs) the caller reports for the fusion"),
    ("BSR", "1", "Integer", "Split reads counted by fusion-annot in the alignment file (MAPQ filtered)"),
    ("BSP", "1", "Integer", "Spanning pairs counted by fusion-annot in the alignment file (MAPQ filtered)"),
)

_PERCENT_ENCODE = {"%": "%25", ";": "%3B", "=": "%3D", ",": "%2C", "\t": "%09", "\n": "%0A", "\r": "%0D"}


@dataclass(frozen=True)
class VcfResult:
    path: Path
    index_path: Path
    records: int  # VCF lines written (two per fusion)
    skipped: tuple[tuple[str, str], ...]  # (fusion name, reason) for fusions without a genomic junction


@dataclass(frozen=True)
class _End:
    chrom: str
    pos: int  # 1-based
    strand: str
    kept_left: bool  # the fusion keeps the bases at and left of pos


_PERCENT_TABLE = str.maketrans(_PERCENT_ENCODE)


def breakend_alt(ref_base: str, kept_left: bool, mate_chrom: str, mate_pos: int, mate_kept_left: bool) -> str:
    """ALT of one breakend per VCF 4.3 §5.4 (t[p[, t]p], ]p]t, [p[t)."""
    bracket = "]" if mate_kept_left else "["
    mate = f"{bracket}{mate_chrom}:{mate_pos}{bracket}"
    return ref_base + mate if kept_left else mate + ref_base


def percent_encode(value: Any) -> str:
    return str(value).translate(_PERCENT_TABLE)



def write_vcf(
    annotations: Iterable,
    path: Union[str, Path],
    *,
    sample: Optional[str] = None,
    reference_name: str = "GRCh38",
    genome: Union[None, str, Path, pysam.FastaFile] = None,
    contig_lengths: Optional[dict[str, int]] = None,
    support: Optional[Sequence[Any]] = None,
    provenance: Optional[dict] = None,
) -> VcfResult:
    """Write model.FusionAnnotation objects of one sample as a bgzipped, tabix-indexed BND VCF.

    path: output file, should end in .vcf.gz; the index goes to path + '.tbi'.
    reference_name: written as ##reference and used for contig lengths (GRCh38/hg38
    lengths are built in); genome: a FASTA (path or pysam.FastaFile) giving REF
    bases and contig lengths. contig_lengths overrides both. support: optional
    evidence.bam_support.Support per annotation (same order) for the BSR/BSP FORMAT fields.
    provenance: extra ##key=value header lines (knowledge_base_version, knowledge_base_hash, ...).
    Fusions without a genomic junction (exon notation, gene-level calls) are
    returned in VcfResult.skipped, never silently dropped.
    """
    annotations = list(annotations)
    if support is not None and len(support) != len(annotations):
        raise ValueError("support must give one entry per annotation")
    samples = {a.call.sample for a in annotations if a.call.sample}
    if sample is None:
        if len(samples) > 1:
            raise ValueError(f"annotations of several samples ({', '.join(sorted(samples))}); write one VCF per sample")
        sample = next(iter(samples), "SAMPLE")
    path = Path(path)
    fasta = pysam.FastaFile(str(genome)) if isinstance(genome, (str, Path)) else genome
    try:
        rows, skipped = _records(annotations, support, fasta)
        lengths = _contig_lengths(reference_name, fasta, contig_lengths)
        contigs = sorted({r["chrom"] for r in rows}, key=_contig_sort_key)
        header = _header(sample, contigs, lengths, reference_name if fasta is None else _fasta_name(genome), provenance)
        rows.sort(key=lambda r: (_contig_sort_key(r["chrom"]), r["pos"], r["id"]))
        with pysam.VariantFile(str(path), "wz", header=header) as out:
            for row in rows:
                out.write(_variant(out, row, sample))
    finally:
        if fasta is not None and fasta is not genome:
            fasta.close()
    pysam.tabix_index(str(path), preset="vcf", force=True)
    return VcfResult(path, Path(str(path) + ".tbi"), len(rows), tuple(skipped))


def _records(annotations, support, fasta) -> tuple[list[dict], list[tuple[str, str]]]:
    rows: list[dict] = []
    skipped: list[tuple[str, str]] = []
    for index, ann in enumerate(annotations, start=1):
        end5 = _end(ann.side5, ann.call.five_prime, five_prime=True)
        end3 = _end(ann.side3, ann.call.three_prime, five_prime=False)
        if end5 is None or end3 is None:
            skipped.append((ann.fusion_name, "no genomic junction position and strand on both partners"))
            continue
        event = f"fusion{index}"
        shared = _fusion_info(ann)
        counts = _format_values(ann, support[index - 1] if support is not None else None)
        for role, here, mate, side, gene in (
            ("5prime", end5, end3, ann.side5, ann.gene5),
            ("3prime", end3, end5, ann.side3, ann.gene3),
        ):
            ref = _ref_base(fasta, here)
            info = {
                "SVTYPE": "BND",
                "MATEID": f"{event}_{'3p' if role == '5prime' else '5p'}",
                "EVENT": event,
                **shared,
                "FUSION_SIDE": role,
                "GENE": gene,
                "GENE_STRAND": here.strand,
                **_side_info(side),
            }
            rows.append({
                "chrom": here.chrom,
                "pos": here.pos,
                "id": f"{event}_{'5p' if role == '5prime' else '3p'}",
                "ref": ref,
                "alt": breakend_alt(ref, here.kept_left, mate.chrom, mate.pos, mate.kept_left),
                "info": info,
                "format": counts,
            })
    return rows, skipped


def _end(side, breakpoint, five_prime: bool) -> Optional[_End]:
    chrom = (side.chrom if side is not None and side.pos else None) or breakpoint.chrom
    pos = (side.pos if side is not None else None) or breakpoint.pos
    strand = (side.strand if side is not None else None) or breakpoint.strand
    if not chrom or not pos or strand not in ("+", "-"):
        return None
    kept_left = (strand == "+") if five_prime else (strand == "-")
    return _End(chrom, int(pos), strand, kept_left)


def _fusion_info(ann) -> dict[str, Any]:
    info: dict[str, Any] = {"FUSION": ann.fusion_name, "FRAME": ann.frame.frame, "KINASE": ann.domains.kinase_domain}
    if ann.domains.kinase_domain_kept_pct is not None:
        info["KINASE_KEPT_PCT"] = round(float(ann.domains.kinase_domain_kept_pct), 1)
    if ann.knowledge.actionability:
        info["ACTIONABILITY"] = ann.knowledge.actionability
    drugs = [d.strip() for d in ann.knowledge.drugs.replace(";", ",").split(",") if d.strip()]
    if drugs:
        info["DRUGS"] = drugs
    if ann.call.caller:
        info["CALLER"] = ann.call.caller
    return info


def _side_info(side) -> dict[str, Any]:
    if side is None:
        return {}
    info: dict[str, Any] = {"TRANSCRIPT": side.transcript_id, "SITE": side.site}
    if side.exon is not None:
        info["EXON"] = side.exon
    if side.retained_exons:
        info["RETAINED_EXONS"] = f"{side.retained_exons[0]}-{side.retained_exons[1]}"
    return info


def _format_values(ann, bam_support) -> dict[str, int]:
    values = {"JR": ann.call.split_reads, "SF": ann.call.spanning_reads}
    if bam_support is not None:
        values["BSR"] = bam_support.split_reads
        values["BSP"] = bam_support.spanning_pairs
    return {k: v for k, v in values.items() if v is not None}


def _ref_base(fasta, end: _End) -> str:
    if fasta is None:
        return "N"
    contig = _fasta_contig(fasta, end.chrom)
    if contig is None:
        return "N"
    base = fasta.fetch(contig, end.pos - 1, end.pos).upper()
    return base if base in ("A", "C", "G", "T") else "N"


def _fasta_contig(fasta, chrom: str) -> Optional[str]:
    bare = _bare(chrom)
    for name in (chrom, bare, "chr" + bare, "chrM" if bare == "MT" else None):
        if name and name in fasta.references:
            return name
    return None


def _fasta_name(genome) -> str:
    return Path(genome.filename.decode() if isinstance(genome, pysam.FastaFile) else str(genome)).resolve().as_uri()


def _bare(chrom: str) -> str:
    bare = chrom[3:] if chrom.lower().startswith("chr") else chrom
    return "MT" if bare.upper() in ("M", "MT") else bare


def _contig_sort_key(chrom: str) -> tuple[int, str]:
    return (_CONTIG_ORDER.get(_bare(chrom), len(_CONTIG_ORDER)), chrom)


def _contig_lengths(reference_name: str, fasta, explicit: Optional[dict[str, int]]):
    def lookup(chrom: str) -> Optional[int]:
        if explicit is not None:
            return explicit.get(chrom)
        if fasta is not None:
            contig = _fasta_contig(fasta, chrom)
            return fasta.get_reference_length(contig) if contig else None
        if reference_name.lower() in ("grch38", "hg38"):
            return GRCH38_CONTIG_LENGTHS.get(_bare(chrom))
        return None

    return lookup


def _header(sample: str, contigs: list[str], lengths, reference: str, provenance: Optional[dict] = None) -> pysam.VariantHeader:
    header = pysam.VariantHeader()
    for record in list(header.records):  # pysam starts with a VCFv4.2 line; 4.3 must come first
        record.remove()
    header.add_line("##fileformat=VCFv4.3")
    header.add_line('##FILTER=<ID=PASS,Description="All filters passed">')
    header.add_line(f"##fileDate={datetime.date.today():%Y%m%d}")
    header.add_line(f"##source=fusion-annot {__version__}")
    header.add_line(f"##reference={reference}")
    for key, value in (provenance or {}).items():  # knowledge_base_version / _hash / _date beside each other
        header.add_line(f"##fusion_annot_{key}={str(value).replace(chr(10), ' ')}")
    for contig in contigs:
        length = lengths(contig)
        if length:
            header.contigs.add(contig, length=length)
        else:
            header.contigs.add(contig)
    for key, number, kind, description in INFO_FIELDS:
        header.add_line(f'##INFO=<ID={key},Number={number},Type={kind},Description="{description}">')
    for key, number, kind, description in FORMAT_FIELDS:
        header.add_line(f'##FORMAT=<ID={key},Number={number},Type={kind},Description="{description}">')
    header.add_sample(sample)
    return header


def _variant(out: pysam.VariantFile, row: dict, sample: str):
    record = out.new_record(contig=row["chrom"], start=row["pos"] - 1, alleles=(row["ref"], row["alt"]), id=row["id"])
    for key, value in row["info"].items():
        if isinstance(value, list):
            record.info[key] = [percent_encode(v) for v in value]
        elif isinstance(value, str):
            record.info[key] = percent_encode(value)
        else:
            record.info[key] = value
    for key, value in row["format"].items():
        record.samples[sample][key] = value
    return record

#!/usr/bin/env python3
"""Write the demo cohort in resources/demo/ and the sample sheet config/samples.tsv.

The demo is a small cohort of caller output files that fusion-annot writes itself
(in the real STAR-Fusion, Arriba, FusionCatcher and JAFFA formats), so that
`snakemake --cores 2` runs on a fresh clone with no other input. Every breakpoint
is an exon boundary of an Ensembl 110 canonical transcript (tag Ensembl_canonical)
read from the GTF, never typed in by hand: the 5' breakpoint is the last base of
the 5' partner's junction exon, the 3' breakpoint the first base of the 3'
partner's junction exon, in transcript orientation (1-based, as STAR-Fusion,
Arriba, FusionCatcher and JAFFA report them). The script checks each fusion's
reading frame from the CDS phases and stops if it differs from the frame the demo
intends, so a wrong exon number cannot slip into the demo.

    python scripts/make_demo_cohort.py            # rewrite resources/demo/ and config/samples.tsv
    python scripts/make_demo_cohort.py --check    # fail if the committed files differ from a rebuild

Default GTF: the bundled reference (resources/reference/), itself built from the
Ensembl 110 catalog-gene GTF by scripts/build_bundled_reference.py.
"""
from __future__ import annotations

import argparse
import gzip
import re
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_GTF = REPO.parent / "shared" / "reference" / "catalog_genes.ensembl110.gtf.gz"  # the 63 catalog genes
DEMO_DIR = REPO / "resources" / "demo"
SHEET = REPO / "config" / "samples.tsv"
# Paths in the sample sheet are relative to the workflow directory (the repository root).
SHEET_PREFIX = "resources/demo"


@dataclass(frozen=True)
class Transcript:
    gene: str
    gene_id: str
    transcript_id: str
    chrom: str
    strand: str
    exons: tuple[tuple[int, int], ...]  # 1-based inclusive, transcript order (exon 1 first)
    cds: tuple[tuple[int, int], ...]  # CDS + stop codon, any order

    def cds_bases_before(self, exon: int) -> int:
        """Coding bases upstream of exon `exon` (1-based) in transcript order."""
        return sum(self._cds_in(*self.exons[i]) for i in range(exon - 1))

    def cds_bases_through(self, exon: int) -> int:
        return self.cds_bases_before(exon + 1)

    def _cds_in(self, start: int, end: int) -> int:
        return sum(max(0, min(end, e) - max(start, s) + 1) for s, e in self.cds)

    def last_base(self, exon: int) -> int:
        """Genomic position of the last transcribed base of an exon (the 5' partner's junction base)."""
        start, end = self.exons[exon - 1]
        return end if self.strand == "+" else start

    def first_base(self, exon: int) -> int:
        """Genomic position of the first transcribed base of an exon (the 3' partner's junction base)."""
        start, end = self.exons[exon - 1]
        return start if self.strand == "+" else end


def read_canonical_transcripts(gtf: Path, genes: set[str]) -> dict[str, Transcript]:
    """Ensembl_canonical transcript of each requested gene, from a GTF (plain or gzipped)."""
    attr = re.compile(r'(\w+) "([^"]*)"')
    found: dict[str, dict] = {}
    opener = gzip.open if gtf.suffix == ".gz" else open
    with opener(gtf, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 9 or fields[2] not in ("exon", "CDS", "stop_codon"):
                continue
            if 'tag "Ensembl_canonical"' not in fields[8]:
                continue
            attrs = dict(attr.findall(fields[8]))
            gene = attrs.get("gene_name", "")
            if gene not in genes:
                continue
            entry = found.setdefault(gene, {
                "gene_id": attrs["gene_id"], "transcript_id": attrs["transcript_id"], "chrom": fields[0],
                "strand": fields[6], "exons": [], "cds": [],
            })
            interval = (int(fields[3]), int(fields[4]))
            entry["exons" if fields[2] == "exon" else "cds"].append(interval)
    missing = genes - set(found)
    if missing:
        sys.exit(f"make_demo_cohort: no Ensembl_canonical transcript in {gtf} for: {', '.join(sorted(missing))}")
    out = {}
    for gene, e in found.items():
        exons = tuple(sorted(e["exons"], reverse=e["strand"] == "-"))
        out[gene] = Transcript(gene, e["gene_id"], e["transcript_id"], e["chrom"], e["strand"], exons, tuple(e["cds"]))
    return out


@dataclass(frozen=True)
class DemoFusion:
    """One fusion in the demo: partners, junction exons (canonical numbering) and why it is in the demo."""

    sample: str
    caller: str
    gene5: str
    exon5: int
    gene3: str
    exon3: int
    frame: str  # the frame this junction must have: in_frame | out_of_frame
    split_reads: int
    spanning: int
    purpose: str


# The demo cohort. Exon numbers are those of the Ensembl 110 canonical transcripts.
DEMO = (
    DemoFusion("IFS01", "star-fusion", "ETV6", 5, "NTRK3", 15, "in_frame", 41, 17,
               "ETV6::NTRK3 canonical t(12;15) junction (ETV6 exon 5 :: NTRK3 exon 15), infantile fibrosarcoma"),
    DemoFusion("IFS01", "star-fusion", "NTRK3", 14, "ETV6", 6, "in_frame", 6, 2,
               "reciprocal NTRK3::ETV6 of the same translocation: NTRK3 is the 5' partner, its kinase is lost"),
    DemoFusion("IFS02", "arriba", "ETV6", 4, "NTRK3", 15, "in_frame", 23, 9,
               "ETV6::NTRK3 variant junction (ETV6 exon 4 :: NTRK3 exon 15): recurrent fusion, second junction"),
    DemoFusion("STS03", "fusioncatcher", "TPM3", 8, "NTRK1", 10, "in_frame", 18, 11,
               "TPM3::NTRK1 (TPM3 exon 8 :: NTRK1 exon 10), documented partner"),
    DemoFusion("STS04", "jaffa", "LMNA", 2, "NTRK1", 11, "in_frame", 10, 4,
               "LMNA::NTRK1 from a 1q23 deletion (LMNA exon 2 :: NTRK1 exon 11), documented partner"),
    DemoFusion("STS05", "star-fusion", "KHDRBS1", 8, "NTRK1", 12, "in_frame", 12, 5,
               "KHDRBS1::NTRK1 exons 1-8 + 12-17 (seed case report)"),
    DemoFusion("STS06", "arriba", "EWSR1", 7, "NTRK1", 10, "in_frame", 15, 6,
               "EWSR1::NTRK1 in frame, kinase retained: a partner absent from the NTRK partner catalog (novel)"),
    DemoFusion("STS07", "fusioncatcher", "TPM3", 7, "NTRK1", 10, "out_of_frame", 9, 3,
               "TPM3::NTRK1 out of frame (TPM3 exon 7 :: NTRK1 exon 10): kinase exons present, not actionable"),
    DemoFusion("EWS08", "jaffa", "EWSR1", 7, "FLI1", 6, "in_frame", 19, 7,
               "EWSR1::FLI1 type 1 (Ewing sarcoma): an in-frame fusion without a kinase, not TRK-actionable"),
)


# Calls of a second caller for a sample already in DEMO: written as their own caller file and listed in the
# sample sheet's extra_calls column, so that the workflow's consensus step (fusion-annot merge) has a real
# multi-caller sample. Not in demo_cohort.tsv, which lists what the per-sample annotation must contain.
SECOND_CALLER = (
    DemoFusion("IFS01", "arriba", "ETV6", 5, "NTRK3", 15, "in_frame", 38, 14,
               "the IFS01 ETV6::NTRK3 junction called again by Arriba: one consensus event with STAR-Fusion"),
)


# Tumour type per demo sample, in the knowledge base's vocabulary (resources/knowledge/tumor_types.tsv).
TUMOR_TYPES = {
    "IFS01": "infantile fibrosarcoma", "IFS02": "infantile fibrosarcoma", "STS03": "soft tissue sarcoma",
    "STS04": "soft tissue sarcoma", "STS05": "soft tissue sarcoma", "STS06": "soft tissue sarcoma",
    "STS07": "soft tissue sarcoma", "EWS08": "bone sarcoma",
}


@dataclass(frozen=True)
class Junction:
    fusion: DemoFusion
    tx5: Transcript
    tx3: Transcript

    @property
    def pos5(self) -> int:
        return self.tx5.last_base(self.fusion.exon5)

    @property
    def pos3(self) -> int:
        return self.tx3.first_base(self.fusion.exon3)

    @property
    def frame(self) -> str:
        """Frame from CDS phases: in frame when both sides leave the same codon position open."""
        kept5 = self.tx5.cds_bases_through(self.fusion.exon5)
        skipped3 = self.tx3.cds_bases_before(self.fusion.exon3)
        return "in_frame" if kept5 % 3 == skipped3 % 3 else "out_of_frame"

    @property
    def same_chrom_gap_kb(self) -> float | None:
        if self.tx5.chrom != self.tx3.chrom:
            return None
        return abs(self.pos3 - self.pos5) / 1000.0


def build_junctions(gtf: Path, fusions=DEMO) -> list[Junction]:
    genes = {f.gene5 for f in fusions} | {f.gene3 for f in fusions}
    tx = read_canonical_transcripts(gtf, genes)
    junctions = []
    for f in fusions:
        for gene, exon in ((f.gene5, f.exon5), (f.gene3, f.exon3)):
            if not 1 <= exon <= len(tx[gene].exons):
                sys.exit(f"make_demo_cohort: {gene} has {len(tx[gene].exons)} exons, not {exon}")
        j = Junction(f, tx[f.gene5], tx[f.gene3])
        if j.frame != f.frame:
            sys.exit(f"make_demo_cohort: {f.gene5} e{f.exon5}::{f.gene3} e{f.exon3} is {j.frame}, demo expects {f.frame}")
        junctions.append(j)
    return junctions


# --- caller formats -------------------------------------------------------------------------------------------
# Each writer follows the caller's documented column layout; values the demo cannot know without reads or
# sequence (entropy, FFPM, fusion sequence) are plausible constants or the caller's own "not available" mark.

STAR_FUSION_COLUMNS = (
    "#FusionName", "JunctionReadCount", "SpanningFragCount", "est_J", "est_S", "SpliceType", "LeftGene",
    "LeftBreakpoint", "RightGene", "RightBreakpoint", "LargeAnchorSupport", "FFPM", "LeftBreakDinuc",
    "LeftBreakEntropy", "RightBreakDinuc", "RightBreakEntropy", "annots",
)


def star_fusion(junctions: list[Junction]) -> str:
    """STAR-Fusion star-fusion.fusion_predictions.abridged.tsv (v1.10+ layout; chr-prefixed contigs)."""
    lines = ["\t".join(STAR_FUSION_COLUMNS)]
    for j in junctions:
        f = j.fusion
        lines.append("\t".join(map(str, (
            f"{f.gene5}--{f.gene3}", f.split_reads, f.spanning, f"{f.split_reads:.2f}", f"{f.spanning:.2f}",
            "ONLY_REF_SPLICE", f"{f.gene5}^{j.tx5.gene_id}", f"chr{j.tx5.chrom}:{j.pos5}:{j.tx5.strand}",
            f"{f.gene3}^{j.tx3.gene_id}", f"chr{j.tx3.chrom}:{j.pos3}:{j.tx3.strand}", "YES_LDAS",
            f"{(f.split_reads + f.spanning) / 40:.4f}", "GT", "1.9656", "AG", "1.8892", '["INTERCHROMOSOMAL"]'
            if j.tx5.chrom != j.tx3.chrom else f'["INTRACHROMOSOMAL[{j.tx5.chrom}:{j.same_chrom_gap_kb / 1000:.2f}Mb]"]',
        ))))
    return "\n".join(lines) + "\n"


ARRIBA_COLUMNS = (
    "#gene1", "gene2", "strand1(gene/fusion)", "strand2(gene/fusion)", "breakpoint1", "breakpoint2", "site1",
    "site2", "type", "split_reads1", "split_reads2", "discordant_mates", "coverage1", "coverage2", "confidence",
    "reading_frame", "tags", "retained_protein_domains", "closest_genomic_breakpoint1",
    "closest_genomic_breakpoint2", "gene_id1", "gene_id2", "transcript_id1", "transcript_id2", "direction1",
    "direction2", "filters", "fusion_transcript", "peptide_sequence", "read_identifiers",
)


def _arriba_direction(strand: str, side: str) -> str:
    """Arriba 'direction': where the partner attaches relative to the breakpoint coordinate.

    The 5' partner keeps the bases upstream of its breakpoint in transcript
    orientation, so the partner attaches 'downstream' (higher coordinate) on '+'
    and 'upstream' on '-'; the 3' partner keeps the downstream bases, so the
    other way round.
    """
    if side == "5":
        return "downstream" if strand == "+" else "upstream"
    return "upstream" if strand == "+" else "downstream"


def arriba(junctions: list[Junction]) -> str:
    """Arriba fusions.tsv (v2, 30 columns; Ensembl contig names as in Arriba's GRCh38 assembly)."""
    lines = ["\t".join(ARRIBA_COLUMNS)]
    for j in junctions:
        f = j.fusion
        half = f.split_reads // 2
        kind = "translocation" if j.tx5.chrom != j.tx3.chrom else "deletion"
        lines.append("\t".join(map(str, (
            f.gene5, f.gene3, f"{j.tx5.strand}/{j.tx5.strand}", f"{j.tx3.strand}/{j.tx3.strand}",
            f"{j.tx5.chrom}:{j.pos5}", f"{j.tx3.chrom}:{j.pos3}", "CDS/splice-site", "CDS/splice-site", kind,
            f.split_reads - half, half, f.spanning, 180, 95, "high", f.frame.replace("_", "-"), ".", ".", ".", ".",
            j.tx5.gene_id, j.tx3.gene_id, j.tx5.transcript_id, j.tx3.transcript_id,
            _arriba_direction(j.tx5.strand, "5"), _arriba_direction(j.tx3.strand, "3"), ".", ".", ".", ".",
        ))))
    return "\n".join(lines) + "\n"


FUSIONCATCHER_COLUMNS = (
    "Gene_1_symbol(5end_fusion_partner)", "Gene_2_symbol(3end_fusion_partner)", "Fusion_description",
    "Counts_of_common_mapping_reads", "Spanning_pairs", "Spanning_unique_reads", "Longest_anchor_found",
    "Fusion_finding_method", "Fusion_point_for_gene_1(5end_fusion_partner)",
    "Fusion_point_for_gene_2(3end_fusion_partner)", "Gene_1_id(5end_fusion_partner)",
    "Gene_2_id(3end_fusion_partner)", "Exon_1_id(5end_fusion_partner)", "Exon_2_id(3end_fusion_partner)",
    "Fusion_sequence", "Predicted_effect",
)


def fusioncatcher(junctions: list[Junction]) -> str:
    """FusionCatcher final-list_candidate-fusion-genes.txt (exon IDs and sequence left empty: the bundled
    reference has neither)."""
    lines = ["\t".join(FUSIONCATCHER_COLUMNS)]
    for j in junctions:
        f = j.fusion
        description = "known_fusion" if f.frame == "in_frame" else "exon-exon"
        lines.append("\t".join(map(str, (
            f.gene5, f.gene3, description, 0, f.spanning, f.split_reads, 31, "BOWTIE;BOWTIE+BLAT;BOWTIE+STAR",
            f"{j.tx5.chrom}:{j.pos5}:{j.tx5.strand}", f"{j.tx3.chrom}:{j.pos3}:{j.tx3.strand}",
            j.tx5.gene_id, j.tx3.gene_id, "", "", "", f.frame.replace("_", "-"),
        ))))
    return "\n".join(lines) + "\n"


JAFFA_COLUMNS = (
    "sample", "fusion genes", "chrom1", "base1", "chrom2", "base2", "gap (kb)", "spanning pairs",
    "spanning reads", "inframe", "aligns", "rearrangement", "contig", "contig break", "classification", "known",
)


def jaffa(junctions: list[Junction]) -> str:
    """JAFFA jaffa_results.csv (quoted CSV, chr-prefixed contigs, base1 = 5' partner)."""
    lines = [",".join(f'"{c}"' for c in JAFFA_COLUMNS)]
    for n, j in enumerate(junctions, start=1):
        f = j.fusion
        gap = j.same_chrom_gap_kb
        lines.append(",".join((
            f'"{f.sample}"', f'"{f.gene5}:{f.gene3}"', f'"chr{j.tx5.chrom}"', str(j.pos5), f'"chr{j.tx3.chrom}"',
            str(j.pos3), f"{gap:.3f}" if gap is not None else "Inf", f'"{f.spanning}"', str(f.split_reads),
            "TRUE" if f.frame == "in_frame" else "FALSE", "TRUE", "TRUE", f'"Locus_{n}_Transcript_1/1"', "250",
            '"HighConfidence"', '"-"',
        )))
    return "\n".join(lines) + "\n"


FORMATS = {
    # caller -> (sample-sheet format name, file suffix, writer)
    "star-fusion": ("star-fusion", "star-fusion.tsv", star_fusion),
    "arriba": ("arriba", "arriba.tsv", arriba),
    "fusioncatcher": ("fusioncatcher", "fusioncatcher.txt", fusioncatcher),
    "jaffa": ("jaffa", "jaffa.csv", jaffa),
}


def demo_files(junctions: list[Junction], second: list[Junction] = ()) -> dict[str, str]:
    """{file name: content} for the caller files (one per sample and caller) and the manifest."""
    by_file: dict[tuple[str, str], list[Junction]] = {}
    for j in [*junctions, *second]:
        by_file.setdefault((j.fusion.sample, j.fusion.caller), []).append(j)
    files = {}
    for (sample, caller), js in by_file.items():
        _, suffix, writer = FORMATS[caller]
        files[f"{sample}.{suffix}"] = writer(js)
    manifest = ["\t".join((
        "sample", "caller", "file", "fusion_name", "exon5", "exon3", "transcript5", "transcript3",
        "breakpoint5", "breakpoint3", "frame", "purpose",
    ))]
    for j in junctions:
        f = j.fusion
        manifest.append("\t".join(map(str, (
            f.sample, f.caller, f"{f.sample}.{FORMATS[f.caller][1]}", f"{f.gene5}::{f.gene3}", f.exon5, f.exon3,
            j.tx5.transcript_id, j.tx3.transcript_id, f"{j.tx5.chrom}:{j.pos5}:{j.tx5.strand}",
            f"{j.tx3.chrom}:{j.pos3}:{j.tx3.strand}", f.frame, f.purpose,
        ))))
    files["demo_cohort.tsv"] = "\n".join(manifest) + "\n"
    return files


def sample_sheet(junctions: list[Junction], second: list[Junction] = ()) -> str:
    rows = ["sample\tformat\tpath\ttumor_type\tbam\tvariants\textra_calls"]
    seen = []
    for j in junctions:
        if j.fusion.sample not in seen:
            seen.append(j.fusion.sample)
            fmt, suffix, _ = FORMATS[j.fusion.caller]
            path = f"{SHEET_PREFIX}/{j.fusion.sample}.{suffix}"
            extra = sorted({f"{SHEET_PREFIX}/{s.fusion.sample}.{FORMATS[s.fusion.caller][1]}:{FORMATS[s.fusion.caller][0]}"
                            for s in second if s.fusion.sample == j.fusion.sample})
            rows.append(f"{j.fusion.sample}\t{fmt}\t{path}\t{TUMOR_TYPES[j.fusion.sample]}\t\t\t{';'.join(extra)}")
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gtf", type=Path, default=DEFAULT_GTF, help="GTF with Ensembl_canonical tags")
    parser.add_argument("--out-dir", type=Path, default=DEMO_DIR)
    parser.add_argument("--sheet", type=Path, default=SHEET, help="sample sheet to write ('' to skip)")
    parser.add_argument("--check", action="store_true", help="compare with the files on disk, write nothing")
    args = parser.parse_args(argv)

    junctions = build_junctions(args.gtf)
    second = build_junctions(args.gtf, SECOND_CALLER)
    outputs = {args.out_dir / name: text for name, text in demo_files(junctions, second).items()}
    if str(args.sheet):
        outputs[args.sheet] = sample_sheet(junctions, second)
    if args.check:
        stale = [str(p) for p, text in outputs.items() if not p.is_file() or p.read_text() != text]
        if stale:
            print("make_demo_cohort: out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
        return 0
    for path, text in outputs.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for j in junctions:
        f = j.fusion
        print(f"{f.sample:6} {f.caller:13} {f.gene5}::{f.gene3} e{f.exon5}::e{f.exon3} "
              f"{j.tx5.chrom}:{j.pos5}:{j.tx5.strand} {j.tx3.chrom}:{j.pos3}:{j.tx3.strand} {j.frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One sample, end to end: read -> annotate -> write. Shared by the CLI and the workflow rules."""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional

from . import __version__
from .annotate import Annotator
from .domains import DomainTable, domain_table_for
from .errors import FusionAnnotError, InputError
from .model import FusionAnnotation, Reject
from .readers import detect_format, get_reader
from .reference import PACK_SUFFIX, Reference, load_reference
from .writers.json import write_json
from .writers.records import reject_record, to_record
from .writers.tsv import write_rejects, write_tsv

SAFE_SAMPLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # whole name: fullmatch (a "$" would let "P1\n" through)


@dataclass
class Resources:
    """Everything loaded once per process and passed in (never reloaded per row)."""

    reference: Reference
    reference_spec: str
    domain_table: Optional[DomainTable]
    knowledge: object = None  # fusion_annot.knowledge.KnowledgeBase when available
    genome: object = None  # pysam.FastaFile
    metadata: dict = field(default_factory=dict)
    preferred: Optional[dict] = None  # gene -> transcript (--preferred-transcripts)
    refseq: Optional[dict] = None  # RefSeq -> Ensembl transcript (--mane-summary)
    # Results that depend only on the reference and these resources (breakpoint -> transcript sides, domains,
    # best isoform pair, drawn diagrams), shared by every sample a process annotates: a junction seen in
    # many samples is worked out once. Per-sample knowledge (tumour type, variants) is never cached here.
    caches: dict = field(default_factory=dict)

    def annotator(self, transcripts: str = "canonical", interpret=None) -> Annotator:
        shared = {name: self.caches.setdefault(name, {}) for name in ("sides", "domains", "best")}
        return Annotator(self.reference, self.domain_table, transcripts=transcripts, genome=self.genome,
                         interpret=interpret, preferred=self.preferred, refseq=self.refseq,
                         _side_cache=shared["sides"], _domain_cache=shared["domains"], _best_cache=shared["best"])


def load_resources(reference: str = "bundled", domains: Optional[str] = None, genome: Optional[str] = None,
                   cache_dir: Optional[str] = None, knowledge: bool = True, knowledge_dir: Optional[str] = None,
                   preferred_transcripts: Optional[str] = None, mane_summary: Optional[str] = None) -> Resources:
    from .transcript_choice import load_mane_summary, load_preferred_transcripts

    preferred = load_preferred_transcripts(preferred_transcripts) if preferred_transcripts else None
    refseq = load_mane_summary(mane_summary) if mane_summary else None
    ref, table = load_reference_with_domains(reference, domains, cache_dir)
    fasta = None
    if genome:
        import pysam

        if not Path(genome).is_file():
            raise InputError(genome, 0, "genome FASTA not found")
        pysam.set_verbosity(0)  # htslib would print its own error line before ours
        try:
            fasta = pysam.FastaFile(genome)
        except (OSError, ValueError) as exc:
            raise InputError(genome, 0, f"cannot open genome FASTA (needs a .fai index or write access to build one): {exc}") from None
    kb = _load_knowledge(knowledge_dir) if knowledge else None
    meta = {
        "tool": f"fusion-annot {__version__}",
        "reference": ref.name,
        "reference_build": ref.build,
        "domain_table": table.label if table else "none",
        "sequence": (genome if genome else f"cDNA of {ref.name} (pyensembl transcript FASTA)" if ref.has_transcript_sequences
                     else "none (frame from coordinates; no translation)"),
        "coordinates": "1-based, inclusive; pos5 = last 5' base kept, pos3 = first 3' base kept",
    }
    if kb is not None:
        meta.update(_kb_metadata(kb))
    if preferred:
        meta["preferred_transcripts"] = f"{preferred_transcripts} ({len(preferred)} genes)"
    if refseq:
        meta["mane_summary"] = f"{mane_summary} ({len(refseq)} RefSeq transcripts)"
    return Resources(ref, reference, table, kb, fasta, meta, preferred, refseq)


def load_reference_with_domains(reference: str = "bundled", domains: Optional[str] = None,
                                cache_dir: Optional[str] = None) -> tuple[Reference, Optional[DomainTable]]:
    """The reference and the domain data annotation uses.

    A user domain table is folded into the pack of a GTF or release when it is converted (so later runs
    load it with the pack); over the bundled pack or a ready .fapack it is layered on top. `--domains none`
    turns domain data off."""
    spec = str(reference or "bundled")
    fold = bool(domains) and domains != "none" and spec != "bundled" and not spec.endswith(PACK_SUFFIX)
    ref = load_reference(spec, cache_dir=cache_dir, domains=domains if fold else None)
    return ref, domain_table_for(ref, None if fold else domains)


def _load_knowledge(directory):
    try:
        from .knowledge import load_knowledge_base
    except ImportError:  # the knowledge package is optional until it ships its tables
        return None
    return load_knowledge_base(directory)


def _kb_metadata(kb) -> dict:
    meta = {}
    for key in ("version", "date"):
        value = getattr(kb, key, None)
        if value:
            meta[f"knowledge_base_{key}"] = value
    return meta


def make_interpreter(resources: Resources, variants=(), tumor_type: Optional[str] = None):
    if resources.knowledge is None:
        return None
    from .knowledge import interpret

    def _interpret(annotation: FusionAnnotation):
        if tumor_type:
            return interpret(annotation, resources.knowledge, variants, tumor_type=tumor_type)
        return interpret(annotation, resources.knowledge, variants)

    return _interpret


def check_sample_name(sample: str) -> str:
    if not SAFE_SAMPLE.fullmatch(sample or ""):
        raise InputError("--sample", 0, f"sample name '{sample}' must be letters, digits, '.', '_' or '-' (it names output files)")
    return sample


def default_sample_name(path: str) -> str:
    name = Path(path).name.split(".")[0]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", name) or "sample"
    return name if name[0].isalnum() else "s" + name


@dataclass
class SampleResult:
    annotations: list
    rejects: list
    rows_read: int
    fmt: str
    tsv: Path
    json: Path
    rejects_tsv: Path


def annotate_file(path: str, out_dir: str, resources: Resources, fmt: str = "auto", sample: Optional[str] = None,
                  transcripts: str = "canonical", variants=(), tumor_type: Optional[str] = None,
                  build_check: bool = True, bam: Optional[str] = None, bam_kind: str = "rna",
                  vcf: bool = False, html: bool = False) -> SampleResult:
    explicit = bool(sample)
    sample = check_sample_name(sample or default_sample_name(path))
    fmt = detect_format(path) if fmt in (None, "", "auto") else get_reader(fmt).name
    items = list(get_reader(fmt).read(path, sample))
    if explicit:  # --sample names every row, over a sample column in the file (JAFFA writes its run name there)
        items = [i if i.sample == sample else replace(i, sample=sample) for i in items]
    items = _reject_impossible_positions(items)
    calls = [i for i in items if not isinstance(i, Reject)]
    if vcf:  # refused before anything is written: no TSV/JSON left behind without the VCF asked for
        samples_in_file = sorted({c.sample for c in calls})
        if len(samples_in_file) > 1:
            raise InputError(str(path), 0, f"--vcf writes one VCF per sample, but this file holds {len(samples_in_file)} "
                                           f"samples ({', '.join(samples_in_file[:3])}, ...): annotate without --vcf")
    if build_check and calls:
        _check_build(calls, resources.reference, path)
    annotator = resources.annotator(transcripts, make_interpreter(resources, variants, tumor_type))
    annotations, rejects = [], []
    for result in annotator.annotate_all(items):
        (rejects if isinstance(result, Reject) else annotations).append(result)
    if bam:
        annotations = add_read_support(annotations, bam, bam_kind)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), 0, "--out-dir is a file, not a directory")
    out.mkdir(parents=True, exist_ok=True)
    meta = dict(resources.metadata)
    if bam:
        meta["alignments"] = f"{bam} ({bam_kind}; MAPQ >= 20)"
    meta.update({
        "sample": sample, "input": str(path), "format": fmt, "transcript_policy": transcripts,
        "build_check": "on" if build_check else "off (--no-build-check)",
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "rows_read": len(items), "annotated_calls": len({id(a.call) for a in annotations}), "rejected_rows": len(rejects),
    })
    records = [to_record(a) for a in annotations]
    reject_rows = [reject_record(r) for r in rejects]
    tsv, jsn, rej = out / f"{sample}.fusions.tsv", out / f"{sample}.fusions.json", out / f"{sample}.rejects.tsv"
    write_tsv(tsv, records, meta)
    write_json(jsn, records, reject_rows, meta)
    write_rejects(rej, reject_rows, meta)
    if vcf:
        from .writers.vcf import write_vcf

        write_vcf(annotations, out / f"{sample}.fusions.vcf.gz", sample=sample, reference_name=resources.reference.build,
                  genome=resources.genome, support=[a.support for a in annotations] if bam else None)
    if html:  # the same file `fusion-annot report SAMPLE.fusions.json --title SAMPLE` writes, without a second process
        from .writers.diagram import diagram_from_record
        from .writers.html import write_report

        diagrams = [diagram_from_record(r, resources.reference, resources.domain_table) for r in records] if records else None
        write_report(out / f"{sample}.report.html", records, diagrams=diagrams, title=sample, metadata=[meta],
                     rejects=reject_rows, svg_cache=resources.caches.setdefault("svg", {}))
    if any(a.frame.fusion_cds for a in annotations):
        from .writers.fasta import write_fusion_fasta

        write_fusion_fasta(annotations, out / f"{sample}.fusion_proteins.fa", molecule="protein")
        write_fusion_fasta(annotations, out / f"{sample}.fusion_cds.fa", molecule="cds")
    return SampleResult(annotations, rejects, len(items), fmt, tsv, jsn, rej)


def add_read_support(annotations: list, bam: str, kind: str = "rna") -> list:
    """Annotations with split/spanning read counts from an indexed BAM/CRAM (opened once)."""
    from dataclasses import replace

    import pysam

    from .evidence.bam_support import RNA_WINDOW, count_support_for

    if not Path(bam).is_file():
        raise InputError(bam, 0, "alignment file not found")
    window = {"rna": RNA_WINDOW}.get(kind, 1000)
    try:
        alignments = pysam.AlignmentFile(bam)
    except (OSError, ValueError) as exc:
        raise InputError(bam, 0, f"cannot open alignments: {exc}") from None
    with alignments:
        return [replace(a, support=count_support_for(a, alignments, window=window)) for a in annotations]


def _reject_impossible_positions(items: list) -> list:
    """Calls placed past the end of a human chromosome become rejects with that reason (issue 14)."""
    from .buildcheck import reject_impossible_positions

    return reject_impossible_positions(items)


def _check_build(calls, reference, path) -> None:
    try:
        from .buildcheck import check_build
    except ImportError:
        return
    check_build(calls, reference, path)


__all__ = ["Resources", "load_resources", "annotate_file", "SampleResult", "FusionAnnotError"]

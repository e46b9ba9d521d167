"""One sample, end to end: read -> annotate -> write. Shared by the CLI and the workflow rules."""
from __future__ import annotations

import contextlib
import datetime as _dt
import gc
import re
import tempfile
from collections.abc import Sequence
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
from .writers.records import output_row, reject_record

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
    # best isoform pair, a junction's whole annotation before the knowledge step, drawn diagrams), shared by
    # every sample a process annotates: a junction seen in many samples is worked out once. Verdicts are shared
    # only between samples with the same knowledge inputs (make_interpreter's shared_as: tumour type, age,
    # thresholds; never with resistance variants).
    caches: dict = field(default_factory=dict)
    files_since_full_collection: int = 0  # see _without_cyclic_gc

    def annotator(self, transcripts: str = "canonical", interpret=None) -> Annotator:
        shared = {name: self.caches.setdefault(name, {}) for name in ("sides", "domains", "best", "geometry")}
        shared_as = getattr(interpret, "shared_as", None)
        verdicts = self.caches.setdefault(shared_as, {}) if shared_as is not None else {}
        return Annotator(self.reference, self.domain_table, transcripts=transcripts, genome=self.genome,
                         interpret=interpret, preferred=self.preferred, refseq=self.refseq,
                         _side_cache=shared["sides"], _domain_cache=shared["domains"], _best_cache=shared["best"],
                         _geometry_cache=shared["geometry"], _knowledge_cache=verdicts)


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
    """knowledge_base_version, knowledge_base_hash (content hash of the tables, knowledge.kb.knowledge_hash) and
    knowledge_base_date: written together into every output (TSV, JSON, rejects, VCF header, HTML report)."""
    meta = {}
    for key, attr in (("version", "version"), ("hash", "content_hash"), ("date", "date")):
        value = getattr(kb, attr, None)
        if value:
            meta[f"knowledge_base_{key}"] = value
    return meta


def make_interpreter(resources: Resources, variants=(), tumor_type: Optional[str] = None, age: Optional[float] = None,
                     policy=None):
    """The knowledge step for one sample: tumour type, age (years) and the verdict thresholds (VerdictPolicy)."""
    if resources.knowledge is None:
        return None
    from .knowledge import interpret
    from .knowledge.verdict import VerdictPolicy, evidence_key

    thresholds = policy or VerdictPolicy()  # built once: evidence_of runs on every row

    def _interpret(annotation: FusionAnnotation):
        return interpret(annotation, resources.knowledge, variants, tumor_type=tumor_type or None, age=age, policy=policy)

    _interpret.evidence_of = lambda call: evidence_key(call, thresholds)
    # Samples annotated with the same knowledge inputs get the same verdict for the same junction and evidence:
    # their annotators share one verdict cache (Resources.caches). Resistance variants are a sample's own.
    _interpret.shared_as = None if variants else ("verdicts", tumor_type or None, age, thresholds)
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
    annotations: list  # every annotation, when kept (annotate_file keep_annotations); else empty
    rejects: list  # every reject, when kept; else empty
    rows_read: int
    fmt: str
    tsv: Path
    json: Path
    rejects_tsv: Path
    annotated_calls: int = 0  # input rows annotated (a row may give several annotation rows: --transcripts all)
    annotation_rows: int = 0
    rejected_rows: int = 0
    rejected_not_in_reference: int = 0  # of them, genes or loci the bundled reference lacks


def annotate_file(path: str, out_dir: str, resources: Resources, fmt: str = "auto", sample: Optional[str] = None,
                  transcripts: str = "canonical", variants=(), tumor_type: Optional[str] = None,
                  build_check: bool = True, bam: Optional[str] = None, bam_kind: str = "rna",
                  vcf: bool = False, html: bool = False, keep_annotations: bool = True, threads: int = 1,
                  age: Optional[float] = None, policy=None, extra_calls=None) -> SampleResult:
    """Read, annotate and write one sample's file (TSV, JSON, rejects; VCF/HTML on request).

    Rows stream from the reader to the writers (fusion_annot.streaming): with ``keep_annotations=False`` (and
    no --bam, --vcf or --html, which need every annotation at the end) memory is bounded by the distinct
    junctions, whatever the file's length, and ``threads`` > 1 annotates the file's chunks in that many
    processes, with the same output. Nothing is written when the file fails a check (build, several samples
    with --vcf). ``age`` (years) and ``policy`` (knowledge.verdict.VerdictPolicy) feed the verdict;
    ``extra_calls``: this sample's calls by further callers (sample sheet extra_calls), to count the callers
    of each call (the whole file is then held in memory)."""
    with _without_cyclic_gc(resources):
        return _annotate_file(path, out_dir, resources, fmt, sample, transcripts, variants, tumor_type, build_check,
                              bam, bam_kind, vcf, html, keep_annotations, threads, age, policy, extra_calls)


# Files annotated between two full garbage collections (see _without_cyclic_gc)
FULL_COLLECTION_EVERY = 256


@contextlib.contextmanager
def _without_cyclic_gc(resources: Resources):
    """Cyclic garbage collection paused while one file is annotated: the rows build many small acyclic objects,
    and each full collection walks every object of the loaded reference (a quarter of the time on a 57k-row
    aggregate). Reference counting still frees everything; the previous setting is restored afterwards.

    Afterwards, what the file left alive (the caches later files share, the results) joins the permanent
    generation (gc.freeze), so the collections that re-enabling soon triggers do not walk it: they cost about
    0.6 s per 50 small samples otherwise. Files leave a few cyclic objects behind (about 30 per sample): every
    FULL_COLLECTION_EVERY files one full collection frees them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        resources.files_since_full_collection += 1
        if resources.files_since_full_collection >= FULL_COLLECTION_EVERY:
            gc.unfreeze()
            gc.collect()
            resources.files_since_full_collection = 0
        gc.freeze()
        if enabled:
            gc.enable()


def _annotate_file(path, out_dir, resources, fmt, sample, transcripts, variants, tumor_type, build_check, bam,
                   bam_kind, vcf, html, keep_annotations, threads, age, policy, extra_calls) -> SampleResult:
    from . import streaming

    explicit = bool(sample)
    sample = check_sample_name(sample or default_sample_name(path))
    fmt = detect_format(path) if fmt in (None, "", "auto") else get_reader(fmt).name
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(str(out), 0, "--out-dir is a file, not a directory")
    keep = keep_annotations or bool(bam or vcf or html)
    annotations, rejects = [], []
    with tempfile.TemporaryDirectory(prefix="fusion-annot-") as work:
        job = _FileJob(path, fmt, sample if explicit else None, sample, transcripts, tuple(variants), tumor_type, work,
                       age, policy, tuple(extra_calls) if extra_calls is not None else None)
        if threads > 1 and not keep:
            from .parallel import annotate_chunks_in_processes

            outputs = annotate_chunks_in_processes(job, resources, threads)
        else:
            support = (lambda anns: add_read_support(anns, bam, bam_kind)) if bam else None
            outputs = job.run(resources, keep=(annotations, rejects) if keep else None, add_support=support)
        distinct_calls: dict = {}
        samples_in_file: set = set()
        for o in outputs:
            samples_in_file |= o.samples
            for key, call in o.distinct_calls.items():
                if call is not None:  # None: placed past a chromosome end, rejected as such (not a build question)
                    distinct_calls.setdefault(key, call)
        if build_check and distinct_calls:
            _check_build(list(distinct_calls.values()), resources.reference, path)
        if vcf and len(samples_in_file) > 1:
            shown = ", ".join(sorted(samples_in_file)[:3])
            raise InputError(str(path), 0, f"--vcf writes one VCF per sample, but this file holds {len(samples_in_file)} "
                                           f"samples ({shown}, ...): annotate without --vcf")
        counts = {name: sum(getattr(o, name) for o in outputs)
                  for name in ("rows_read", "annotated_calls", "annotation_rows", "rejected_rows",
                               "rejected_not_in_reference")}
        out.mkdir(parents=True, exist_ok=True)
        meta = dict(resources.metadata)
        if bam:
            meta["alignments"] = f"{bam} ({bam_kind}; MAPQ >= 20)"
        meta.update({
            "sample": sample, "input": str(path), "format": fmt, "transcript_policy": transcripts,
            "build_check": "on" if build_check else "off (--no-build-check)",
            **({"age": f"{age:g} years"} if age is not None else {}),
            **({"verdict_thresholds": _policy_text(policy)} if policy is not None else {}),
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "rows_read": counts["rows_read"], "annotated_calls": counts["annotated_calls"],
            "rejected_rows": counts["rejected_rows"],
        })
        tsv, jsn, rej = out / f"{sample}.fusions.tsv", out / f"{sample}.fusions.json", out / f"{sample}.rejects.tsv"
        streaming.assemble(outputs, meta, tsv, jsn, rej, out / f"{sample}.fusion_proteins.fa", out / f"{sample}.fusion_cds.fa")
    if vcf:
        from .writers.vcf import write_vcf

        write_vcf(annotations, out / f"{sample}.fusions.vcf.gz", sample=sample, reference_name=resources.reference.build,
                  genome=resources.genome, support=[a.support for a in annotations] if bam else None,
                  provenance={k: v for k, v in meta.items() if k.startswith("knowledge_base_")})
    if html:  # the same file `fusion-annot report SAMPLE.fusions.json --title SAMPLE` writes, without a second process
        from .writers.html import write_report

        record_cache = resources.caches.setdefault("records", {})
        records = [output_row(a, record_cache).as_dict() for a in annotations]
        diagrams = _Diagrams(records, resources) if records else None
        write_report(out / f"{sample}.report.html", records, diagrams=diagrams, title=sample, metadata=[meta],
                     rejects=[reject_record(r) for r in rejects], svg_cache=resources.caches.setdefault("svg", {}))
    return SampleResult(annotations, rejects, counts["rows_read"], fmt, tsv, jsn, rej, counts["annotated_calls"],
                        counts["annotation_rows"], counts["rejected_rows"], counts["rejected_not_in_reference"])


class _Diagrams(Sequence):
    """The diagram of each record, drawn from the reference when the report asks for it (it draws one per
    distinct fusion, not one per row), once per junction for every sample of the process."""

    def __init__(self, records: list, resources: "Resources"):
        self._records, self._resources = records, resources
        self._cache = resources.caches.setdefault("diagrams", {})

    def __len__(self) -> int:
        return len(self._records)

    def __getitem__(self, i):
        from .writers.diagram import diagram_from_record

        record = self._records[i]
        junction = getattr(record, "junction", None)
        cached = self._cache.get(id(junction)) if junction is not None else None
        if cached is None:
            cached = (junction, diagram_from_record(record, self._resources.reference, self._resources.domain_table))
            if junction is not None:  # the junction object kept with it: its id is never reused meanwhile
                self._cache[id(junction)] = cached
        return cached[1]


@dataclass
class _FileJob:
    """One input file to annotate, as plain data (a worker process of --threads runs a share of its chunks)."""

    path: str
    fmt: str
    rename_to: Optional[str]  # --sample: every row gets this sample name
    sample: str
    transcripts: str
    variants: tuple
    tumor_type: Optional[str]
    work_dir: str
    age: Optional[float] = None
    policy: object = None
    extra_calls: Optional[tuple] = None  # further callers' calls of this sample: n_callers on each call

    def run(self, resources: "Resources", share: Optional[tuple[int, int]] = None, keep=None, add_support=None) -> list:
        """ChunkOutputs of the chunks this process annotates: all of them, or with ``share`` (k, n) every n-th
        chunk from the k-th (the others are read and skipped)."""
        from . import streaming

        items = get_reader(self.fmt).read(self.path, self.sample)
        if self.rename_to:  # --sample names every row, over a sample column in the file (JAFFA writes its run name)
            items = (i if i.sample == self.rename_to else replace(i, sample=self.rename_to) for i in items)
        if self.extra_calls is not None:  # callers per call need every call of the file at once
            items = with_caller_counts(list(items), self.extra_calls)
        annotator = resources.annotator(self.transcripts, make_interpreter(resources, self.variants, self.tumor_type,
                                                                             self.age, self.policy))
        record_cache = resources.caches.setdefault("records", {})
        outputs, templates, memo, held = [], {}, streaming.RowMemo(), 0
        for index, chunk in enumerate(streaming.chunks(items)):
            if share is not None and index % share[1] != share[0]:
                continue
            output = streaming.annotate_chunk(index, chunk, annotator, record_cache, self.work_dir, keep, add_support,
                                              templates, memo)
            if share is not None or held + output.text_size > streaming.MEMORY_BUDGET:
                output.spill()  # a worker hands back counts only; past the budget, bodies go to the work directory
            else:
                held += output.text_size
            outputs.append(output)
        if not outputs and share is None:  # an input with no rows still gets its (empty) outputs
            outputs.append(streaming.ChunkOutput(0, self.work_dir))
        return outputs


def with_caller_counts(items: list, extra_calls) -> list:
    """The items with extra["n_callers"] on each call: how many callers found it (fusion_annot.merge grouping,
    default tolerance), counted over this file's calls and ``extra_calls``."""
    from .merge import merge_calls

    calls = [i for i in items if not isinstance(i, Reject)]
    counts = {}
    for event in merge_calls([*calls, *extra_calls]):
        for member in event.calls:
            counts[id(member)] = len(event.callers)
    return [i if isinstance(i, Reject) or id(i) not in counts
            else replace(i, extra={**i.extra, "n_callers": counts[id(i)]}) for i in items]


def _policy_text(policy) -> str:
    return (f"split reads >= {policy.min_split_reads}, supporting reads >= {policy.min_supporting_reads}; resistance "
            f"variants: FILTER PASS, depth >= {policy.resistance_min_depth}, VAF >= {policy.resistance_min_vaf:g}")


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


def _check_build(calls, reference, path) -> None:
    try:
        from .buildcheck import check_build
    except ImportError:
        return
    check_build(calls, reference, path)


__all__ = ["Resources", "load_resources", "annotate_file", "SampleResult", "FusionAnnotError"]

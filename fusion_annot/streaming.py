"""Rows streamed from a reader through the annotator into one sample's output files.

A file is annotated in chunks of CHUNK_ROWS rows. Each chunk's output text is held in memory, or, past
MEMORY_BUDGET characters for the file (and always in --threads workers), written to body files in a work
directory; once the whole input has been read (and has passed its checks) the bodies are joined, in input
order, under the provenance headers, which carry the row counts. Memory is bounded by that budget, a chunk
and the distinct junctions, whatever the file's length; the chunks of one file can be annotated in
several processes (``--threads``) and still give the same bytes.
"""
from __future__ import annotations

import json
import os
import shutil
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .buildcheck import position_problem
from .model import Reject
from .writers.fasta import write_fasta_record
from .writers.records import COLUMNS, ORIGINAL_COLUMNS, REJECT_COLUMNS, output_row, read_count_value
from .writers.rendering import ChunkRenderer
from .writers.tsv import tsv_header

# Rows annotated per chunk: a chunk's rows, annotations and text are held at once.
CHUNK_ROWS = 20_000
# Output text a file's chunks keep in memory before they write their bodies to the work directory (characters;
# the 57k-row C4 aggregate makes about 105 million): below it each output is written once, from memory.
MEMORY_BUDGET = 128 * 2**20
# Rows of one file a RowMemo keeps texts for (each keeps its call alive: a few kB)
MAX_MEMO_ROWS = 16_384
_BODIES = ("tsv", "json", "rejects", "rejects_json", "protein", "cds")


def chunks(items: Iterable, size: Optional[int] = None):
    size = size or CHUNK_ROWS
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


@dataclass
class ChunkOutput:
    """What one chunk of rows gave: its body files (in ``directory``) and the counts and facts the header and
    the file-level checks need. Plain data, so a worker process can hand it back."""

    index: int
    directory: str
    rows_read: int = 0
    annotated_calls: int = 0
    annotation_rows: int = 0
    rejected_rows: int = 0
    rejected_not_in_reference: int = 0  # rejects naming a gene or locus the bundled reference lacks
    samples: set = field(default_factory=set)
    # (5' breakpoint, 3' breakpoint) -> first call, for the build check (None: a position past a chromosome end)
    distinct_calls: dict = field(default_factory=dict)
    has_sequences: bool = False  # any fusion CDS: FASTA bodies written
    # body -> its lines, while they are held in memory (spill() writes them to the body files)
    bodies: dict = field(default_factory=dict)
    text_size: int = 0  # characters held in bodies

    def path(self, body: str) -> Path:
        return Path(self.directory) / f"chunk{self.index:06d}.{body}"

    def spill(self) -> None:
        """Write the bodies held in memory to their files (a worker process hands back only the counts)."""
        for body, lines in self.bodies.items():
            with _open_text_output(self.path(body)) as fh:
                fh.writelines(lines)
        self.bodies, self.text_size = {}, 0


def annotate_chunk(index: int, chunk: list, annotator, record_cache: dict, directory: str,
                   keep: Optional[tuple[list, list]] = None, add_support=None,
                   templates: Optional[dict] = None, memo: Optional["RowMemo"] = None) -> ChunkOutput:
    """Annotate one chunk and write its body files. ``keep``: (annotations, rejects) lists to extend, when the
    caller needs the objects (VCF, HTML, the Python API). ``add_support``: annotations -> annotations with
    read counts (--bam). ``templates``: the row texts with holes of this file's earlier chunks
    (writers.rendering.ChunkRenderer). ``memo``: this file's RowMemo, used when neither keep nor add_support is
    given (the same bytes either way)."""
    out = ChunkOutput(index, directory, rows_read=len(chunk))
    distinct = out.distinct_calls
    # rows that share their Breakpoint objects (readers parse each distinct locus once) are one junction: they
    # are told apart by identity first, which spares hashing both breakpoints of every row
    by_identity = {}
    for item in chunk:
        if not isinstance(item, Reject):
            by_identity.setdefault((id(item.five_prime), id(item.three_prime)), item)
    for item in by_identity.values():
        key = (item.five_prime, item.three_prime)
        if key not in distinct:
            distinct[key] = None if position_problem(item) else item
    text = _ChunkText(out, ChunkRenderer(templates), record_cache, keep)
    if memo is None or keep is not None or add_support is not None:
        results = annotator.annotate_all(chunk)
        if add_support is not None:
            results = list(results)
            supported = iter(add_support([r for r in results if not isinstance(r, Reject)]))
            results = [r if isinstance(r, Reject) else next(supported) for r in results]
        text.add(results)
    else:
        _annotate_with_memo(chunk, annotator, memo, text)
    text.finish()
    return out


def _annotate_with_memo(chunk: list, annotator, memo: "RowMemo", text: "_ChunkText") -> None:
    """The chunk's rows in order, one at a time: a row whose annotations and verdicts an earlier row of the file
    had (RowMemo) is filled in from the memo's texts; the others go through the annotator and, when every text
    they make is kept, into the memo."""
    entries, row_key, room = memo.entries, annotator.row_key, MAX_MEMO_ROWS - len(memo.entries)
    fill, fill_reject = text.renderer.fill, text.renderer.fill_reject
    add_tsv, add_json, add_reject, add_reject_json = (text.tsv.append, text.json.extend, text.rejects.append,
                                                      text.rejects_json.extend)
    samples = text.out.samples
    annotation_rows = annotated_calls = rejected_rows = not_in_reference = 0
    for item in chunk:
        if item.__class__ is Reject:
            text.add((item,))
            continue
        lacks = getattr(item.extra, "lacks", None)
        key = ((row_key(item), item.caller_frame, item.caller_fusion_name, item.source)
               if lacks is not None and lacks(ORIGINAL_COLUMNS) else None)
        entry = entries.get(key) if key is not None else None
        if entry is None:
            learn = key is not None and room > 0
            learnt = text.add(annotator.annotate_all((item,)), learn=learn)
            if learnt is not None:
                entries[key] = (item, *learnt)  # the call keeps the identities in its key unique
                room -= 1
            continue
        _anchor, rejected, texts = entry
        line = item.line
        if rejected is not None:  # (the reason names what the reference lacks, the reject's texts)
            rejected_rows += 1
            not_in_reference += rejected[0]
            tsv_text, json_text = fill_reject(rejected[1], item.sample, line)
            add_reject(tsv_text)
            add_reject_json((",\n ", json_text))
            continue
        sample, split, spanning = item.sample, read_count_value(item.split_reads), read_count_value(item.spanning_reads)
        for template in texts:
            tsv_text, json_text = fill(template, sample, split, spanning, line)
            add_tsv(tsv_text)
            add_json((",\n ", json_text))
        annotation_rows += len(texts)
        annotated_calls += 1
        samples.add(sample)
    text.annotation_rows += annotation_rows
    text.annotated_calls += annotated_calls
    text.rejected_rows += rejected_rows
    text.not_in_reference += not_in_reference


class RowMemo:
    """Per file: the texts of rows the annotator has already seen, by Annotator.row_key and the output columns the
    call gives that are neither its sample, read counts nor line (its caller frame, fusion name, file). A row found
    here is rendered by filling in its four own values: no annotation, output row or verdict lookup is made for it.
    Rows whose gene5_original/gene3_original come from the file's own columns are not kept (those vary by row)."""

    __slots__ = ("entries",)

    def __init__(self):
        self.entries: dict = {}  # key -> (call, None or the reject's (lacks reference, texts), the row texts)


class _ChunkText:
    """The output text and counts of one chunk, as results arrive."""

    def __init__(self, out: ChunkOutput, renderer: ChunkRenderer, record_cache: dict, keep):
        self.out, self.renderer, self.record_cache, self.keep = out, renderer, record_cache, keep
        self.tsv, self.json, self.rejects, self.rejects_json, self.protein, self.cds = ([] for _ in _BODIES)
        self.lacking: dict = {}  # reason -> lacks_bundled_reference(reason)
        self.annotation_rows = self.annotated_calls = self.rejected_rows = self.not_in_reference = 0
        self.last_call = None

    def add(self, results, learn: bool = False) -> Optional[tuple]:
        """Render these results. With ``learn`` (the results of one call), what a RowMemo entry keeps of them:
        (None, the row texts) or ((lacks reference, the reject's texts), ()), or None when some text cannot be
        filled in from texts with holes."""
        out, renderer, keep, record_cache = self.out, self.renderer, self.keep, self.record_cache
        render, render_reject = renderer.render, renderer.reject
        add_tsv, add_json, add_reject, add_reject_json = (self.tsv.append, self.json.extend, self.rejects.append,
                                                          self.rejects_json.extend)
        samples, lacking = out.samples, self.lacking
        kept, rejected = [], None
        for result in results:
            if isinstance(result, Reject):
                self.rejected_rows += 1
                reason = result.reason
                lacks = lacking.get(reason)
                if lacks is None:
                    lacks = lacking[reason] = lacks_bundled_reference(reason)
                self.not_in_reference += lacks
                tsv_text, json_text = render_reject(result)
                add_reject(tsv_text)
                add_reject_json((",\n ", json_text))
                if keep is not None:
                    keep[1].append(result)
                if learn:
                    if result.line.__class__ is int:
                        rejected = (lacks, renderer.reject_texts(result))
                    else:
                        learn = False
                continue
            self.annotation_rows += 1
            call = result.call
            if call is not self.last_call:
                self.annotated_calls += 1
                self.last_call = call
            samples.add(call.sample)
            row = output_row(result, record_cache)
            tsv_text, json_text = render(row)
            add_tsv(tsv_text)
            add_json((",\n ", json_text))
            frame = result.frame
            if frame.fusion_cds:
                out.has_sequences = True
                _fasta(self.cds, result, "cds")
                learn = False  # FASTA records: not kept as texts with holes
            if frame.fusion_protein:
                _fasta(self.protein, result, "protein")
                learn = False
            if keep is not None:
                keep[0].append(result)
            if learn:
                template = renderer.template_of(row)
                if template is None:
                    learn = False
                else:
                    kept.append(template)
        if not learn or (rejected is not None and kept) or (rejected is None and not kept):
            return None
        return (rejected, ()) if rejected is not None else (None, tuple(kept))

    def finish(self) -> None:
        out = self.out
        out.annotation_rows, out.annotated_calls = self.annotation_rows, self.annotated_calls
        out.rejected_rows, out.rejected_not_in_reference = self.rejected_rows, self.not_in_reference
        out.bodies = {body: lines for body, lines in zip(_BODIES, (self.tsv, self.json, self.rejects,
                                                                   self.rejects_json, self.protein, self.cds))
                      if lines}
        out.text_size = sum(sum(map(len, lines)) for lines in out.bodies.values())


def _open_text_output(path: Path):
    """A large buffer: the text layer encodes the lines in big blocks, with no joined copy of them."""
    return open(path, "w", encoding="utf-8", newline="", buffering=1 << 20)


def lacks_bundled_reference(reason: str) -> bool:
    """A reject because the bundled reference has no such gene, or the breakpoint lies outside its genes."""
    return "not in reference bundled" in reason or " in bundled (" in reason


class _Lines(list):
    def write(self, text: str) -> None:
        self.append(text)


def _fasta(lines: list, annotation, molecule: str) -> None:
    sink = _Lines()
    write_fasta_record(sink, annotation, molecule)
    lines.extend(sink)


def assemble(outputs: list[ChunkOutput], meta: dict, tsv: Path, jsn: Path, rejects: Path, proteins: Path,
             cds: Path) -> None:
    """The sample's TSV, JSON and rejects (and FASTA files when any fusion has a CDS), from the chunk bodies."""
    outputs = sorted(outputs, key=lambda o: o.index)
    with _open_text_output(tsv) as fh:
        fh.write(tsv_header(meta, COLUMNS))
        _join(outputs, "tsv", fh)
    with _open_text_output(rejects) as fh:
        fh.write(tsv_header(meta, REJECT_COLUMNS))
        _join(outputs, "rejects", fh)
    fusions = sum(o.annotation_rows for o in outputs)
    rejected = sum(o.rejected_rows for o in outputs)
    with _open_text_output(jsn) as fh:
        fh.write('{"metadata": ' + json.dumps(meta, default=str, ensure_ascii=False, indent=1) + ',\n"fusions": [')
        _join(outputs, "json", fh, skip_first_char=True)  # each record starts ',\n ': the first one has no comma
        fh.write(("\n]" if fusions else "]") + ',\n"rejects": [')
        _join(outputs, "rejects_json", fh, skip_first_char=True)
        fh.write(("\n]" if rejected else "]") + "}\n")
    if any(o.has_sequences for o in outputs):
        for body, target in (("protein", proteins), ("cds", cds)):
            with _open_text_output(target) as fh:
                _join(outputs, body, fh)


def _join(outputs: list[ChunkOutput], body: str, target, skip_first_char: bool = False) -> None:
    skip = skip_first_char
    for output in outputs:
        lines = output.bodies.get(body)
        if lines:
            if skip:
                target.write(lines[0][1:])
                target.writelines(islice(lines, 1, None))
            else:
                target.writelines(lines)
            skip = False
            continue
        path = output.path(body)
        if not path.exists():
            continue
        with open(path, "rb") as fh:
            _copy(fh, target, 1 if skip else 0)  # the body's text is ASCII up to its first comma
        skip = False


def _copy(source, target, offset: int) -> None:
    """The source file from ``offset`` on, appended to the text file target: in the kernel where it can (a cohort
    file's bodies run to a hundred MB), else through a buffer."""
    target.flush()
    size = os.fstat(source.fileno()).st_size
    try:
        while offset < size:
            sent = os.sendfile(target.fileno(), source.fileno(), offset, size - offset)
            if sent == 0:
                break
            offset += sent
        target.seek(0, os.SEEK_END)  # the buffered layers learn where the kernel left the file
    except OSError:  # no sendfile between these files (some file systems): copy the rest in user space
        pass
    if offset < size:
        source.seek(offset)
        shutil.copyfileobj(source, target.buffer, 1 << 20)
        target.buffer.flush()

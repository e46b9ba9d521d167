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
from .writers.records import COLUMNS, REJECT_COLUMNS, output_row
from .writers.rendering import ChunkRenderer
from .writers.tsv import tsv_header

# Rows annotated per chunk: a chunk's rows, annotations and text are held at once.
CHUNK_ROWS = 20_000
# Output text a file's chunks keep in memory before they write their bodies to the work directory (characters;
# the 57k-row C4 aggregate makes about 105 million): below it each output is written once, from memory.
MEMORY_BUDGET = 128 * 2**20
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
                   templates: Optional[dict] = None) -> ChunkOutput:
    """Annotate one chunk and write its body files. ``keep``: (annotations, rejects) lists to extend, when the
    caller needs the objects (VCF, HTML, the Python API). ``add_support``: annotations -> annotations with
    read counts (--bam). ``templates``: the row texts with holes of this file's earlier chunks
    (writers.rendering.ChunkRenderer)."""
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
    results = annotator.annotate_all(chunk)
    if add_support is not None:
        results = list(results)
        supported = iter(add_support([r for r in results if not isinstance(r, Reject)]))
        results = [r if isinstance(r, Reject) else next(supported) for r in results]
    tsv, jsn, rejects, rejects_json, protein, cds = ([] for _ in _BODIES)
    renderer = ChunkRenderer(templates)  # the text rows of this chunk share, and its repeated values encoded once
    render, render_reject = renderer.render, renderer.reject
    add_tsv, add_json, add_reject, add_reject_json = tsv.append, jsn.extend, rejects.append, rejects_json.extend
    samples = out.samples
    lacking: dict = {}  # reason -> lacks_bundled_reference(reason)
    last_call = None
    annotation_rows = annotated_calls = rejected_rows = not_in_reference = 0
    for result in results:
        if isinstance(result, Reject):
            rejected_rows += 1
            reason = result.reason
            lacks = lacking.get(reason)
            if lacks is None:
                lacks = lacking[reason] = lacks_bundled_reference(reason)
            not_in_reference += lacks
            tsv_text, json_text = render_reject(result)
            add_reject(tsv_text)
            add_reject_json((",\n ", json_text))  # a separate piece: no copy of the member to prefix it
            if keep is not None:
                keep[1].append(result)
            continue
        annotation_rows += 1
        call = result.call
        if call is not last_call:
            annotated_calls += 1
            last_call = call
        samples.add(call.sample)
        tsv_text, json_text = render(output_row(result, record_cache))
        add_tsv(tsv_text)
        add_json((",\n ", json_text))
        frame = result.frame
        if frame.fusion_cds:
            out.has_sequences = True
            _fasta(cds, result, "cds")
        if frame.fusion_protein:
            _fasta(protein, result, "protein")
        if keep is not None:
            keep[0].append(result)
    out.annotation_rows, out.annotated_calls = annotation_rows, annotated_calls
    out.rejected_rows, out.rejected_not_in_reference = rejected_rows, not_in_reference
    out.bodies = {body: lines for body, lines in zip(_BODIES, (tsv, jsn, rejects, rejects_json, protein, cds)) if lines}
    out.text_size = sum(sum(map(len, lines)) for lines in out.bodies.values())
    return out


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

"""The fast paths of issue 11 part 2 behave as the plain code they replace. The writers' shared-text paths give
the bytes of the plain per-column rendering (a row's TSV line is csv-style cells of its record dict, its JSON
member is json.dumps of that dict, with or without the per-chunk memo of encoded strings); the quicker __init__
of the per-row model classes builds what the dataclass __init__ builds."""
from __future__ import annotations

import dataclasses
import inspect
import json
import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from fusion_annot.model import Breakpoint, FusionCall, Reject
from fusion_annot.pipeline import annotate_file, load_resources
from fusion_annot.writers.json import json_value, record_json, reject_json
from fusion_annot.writers.rendering import ChunkRenderer
from fusion_annot.writers.records import CALL_COLUMNS, COLUMNS, REJECT_COLUMNS, TextMemo, output_row, reject_record
from fusion_annot.writers.tsv import reject_tsv_line, tsv_cell, tsv_line

REPO = Path(__file__).resolve().parents[1]
COSMIC = REPO.parent / "shared" / "callers" / "fusioninspector" / "FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz"


def plain_tsv(record: dict, columns=COLUMNS) -> str:
    return "\t".join(tsv_cell(record.get(c, "")) for c in columns) + "\n"


def plain_json(record: dict) -> str:
    return json.dumps(dict(record), default=str, ensure_ascii=False)


@pytest.fixture(scope="module")
def cosmic(tmp_path_factory):
    resources = load_resources("bundled")
    result = annotate_file(str(COSMIC), str(tmp_path_factory.mktemp("cosmic")), resources, keep_annotations=True)
    return result, resources


def test_call_columns_are_in_row_order():
    # fill_segments puts the call values between the shared pieces in CALL_COLUMNS order
    assert list(CALL_COLUMNS) == sorted(CALL_COLUMNS, key=COLUMNS.index)
    assert CALL_COLUMNS[-1] == "source_line"  # rendered without the memo (new on every row)
    # rendering.ChunkRenderer's holes: sample first, the two read counts side by side, the line last
    assert [CALL_COLUMNS.index(c) for c in ("sample", "split_reads", "spanning_reads", "source_line")] == [0, 6, 7, 13]


def test_memo_encodes_strings_ints_and_none_as_their_encoder():
    memo = TextMemo(tsv_cell)
    assert [memo[v] for v in (1, "1", None, "", 'a"b', 1)] == ["1", "1", "", "", 'a\\"b', "1"]
    assert set(memo) == {1, "1", "", 'a"b'}  # strings and ints are kept, None is not
    values = TextMemo(json_value)
    assert [values[v] for v in (1, "1", 'a"b', None)] == ["1", '"1"', '"a\\"b"', "null"]


def test_counts_reach_the_memo_as_int_or_text(cosmic):
    # the memo would give True the text of 1: output_row hands it counts as int, or str for anything else
    result, _ = cosmic
    annotation = result.annotations[0]
    cell = TextMemo(tsv_cell).__getitem__
    tsv_line(output_row(replace(annotation, call=replace(annotation.call, split_reads=1)), {}), encode=cell)
    for odd in (True, 1.0):
        row = output_row(replace(annotation, call=replace(annotation.call, split_reads=odd)), {})
        assert row.as_dict()["split_reads"] == str(odd)
        assert tsv_line(row, encode=cell).split("\t")[COLUMNS.index("split_reads")] == str(odd)


def test_every_row_of_a_real_aggregate_renders_as_its_record(cosmic):
    result, resources = cosmic
    assert len(result.annotations) > 1000 and len(result.rejects) > 0
    cache: dict = {}
    cell, value = TextMemo(tsv_cell).__getitem__, TextMemo(json_value).__getitem__
    for annotation in result.annotations:
        row = output_row(annotation, cache)
        record = row.as_dict()
        assert list(record) == list(COLUMNS)
        assert tsv_line(row) == tsv_line(row, encode=cell) == plain_tsv(record)
        assert record_json(row) == record_json(row, value) == plain_json(record)
    renderer = ChunkRenderer()
    for reject in result.rejects:
        record = reject_record(reject)
        assert reject_tsv_line(reject) == reject_tsv_line(reject, cell) == plain_tsv(record, REJECT_COLUMNS)
        assert reject_json(reject) == reject_json(reject, value) == plain_json(record)
        assert renderer.reject(reject) == (plain_tsv(record, REJECT_COLUMNS), plain_json(record))


def test_chunk_renderer_gives_each_rows_own_text(cosmic):
    # rows of one junction and verdict differ in sample, counts and line; a small template budget also
    # exercises the rows rendered without a template
    result, _ = cosmic
    for budget in (4096, 3):
        renderer, cache = ChunkRenderer(max_templates=budget), {}
        for annotation in result.annotations:
            row = output_row(annotation, cache)
            record = row.as_dict()
            assert renderer.render(row) == (plain_tsv(record), plain_json(record))
        assert len(renderer._templates) <= budget
    renderer, cache = ChunkRenderer(), {}
    annotation = result.annotations[0]
    for sample, split, line in (("S1", 3, 10), ("S2", None, 11), ("S1", 3, 12), ("S3", 0, 13)):
        call = replace(annotation.call, sample=sample, split_reads=split, line=line)
        row = output_row(replace(annotation, call=call), cache)
        assert renderer.render(row) == (plain_tsv(row.as_dict()), plain_json(row.as_dict()))


def test_call_values_that_need_escaping_render_as_their_record(cosmic):
    result, _ = cosmic
    cache: dict = {}
    cell, value = TextMemo(tsv_cell).__getitem__, TextMemo(json_value).__getitem__
    awkward = 'A"B\tC\\D\nE é'
    renderer = ChunkRenderer()
    for annotation in result.annotations[:50]:
        odd = replace(annotation, call=replace(annotation.call, caller_fusion_name=awkward, split_reads=3))
        row = output_row(odd, cache)
        record = row.as_dict()
        assert renderer.render(row) == renderer.render(row) == (plain_tsv(record), plain_json(record))
        assert tsv_line(row, encode=cell) == plain_tsv(record)
        assert tsv_line(row, encode=cell).count("\t") == len(COLUMNS) - 1
        assert record_json(row, value) == plain_json(record)
        assert json.loads(record_json(row, value))["caller_fusion_name"] == awkward
    for reject in (Reject("S1", "arriba", "in.tsv", 7, awkward, awkward), Reject("S2", "arriba", "in.tsv", 8, awkward, awkward),
                   Reject("S1", "arriba", "in.tsv", 0, awkward), Reject(awkward, "arriba", "in.tsv", 9, "why", "")):
        expected = (plain_tsv(reject_record(reject), REJECT_COLUMNS), plain_json(reject_record(reject)))
        assert (reject_tsv_line(reject, cell), reject_json(reject, value)) == expected
        assert renderer.reject(reject) == renderer.reject(reject) == expected


def _without_created(path: Path) -> str:
    return "".join(line for line in path.read_text().splitlines(True) if "created" not in line)


@pytest.mark.parametrize("transcripts", ["canonical", "all"])
def test_rows_filled_in_from_the_row_memo_are_the_rows_annotated_one_by_one(tmp_path, monkeypatch, transcripts):
    """A row whose annotations and verdict an earlier row of the file had is filled in from the file's RowMemo,
    with no annotation object made for it. On a real aggregate that repeats junctions, renames symbols
    (gene5_original), has rows of low read support (their own verdict) and rejects unknown genes, the files
    are those of annotating every row (keep_annotations bypasses the memo), across chunks and with the memo full."""
    from fusion_annot import streaming
    from fusion_annot.annotate import Annotator

    resources = load_resources("bundled")
    annotated_rows = []
    plain_annotate_all = Annotator.annotate_all

    def counting(self, items):
        items = list(items)
        annotated_rows.append(len(items))
        return plain_annotate_all(self, items)

    monkeypatch.setattr(Annotator, "annotate_all", counting)
    every = annotate_file(str(COSMIC), str(tmp_path / "every"), resources, transcripts=transcripts,
                          keep_annotations=True)
    assert sum(annotated_rows) == every.rows_read == 2610
    assert any(a.call.extra.get("gene5_original") or a.call.extra.get("gene3_original") for a in every.annotations)
    if transcripts == "all":
        assert every.annotation_rows > every.annotated_calls  # several transcript pairs per row
    defaults = (streaming.CHUNK_ROWS, streaming.MAX_MEMO_ROWS)
    for chunk_rows, memo_rows in (defaults, (700, 40)):
        monkeypatch.setattr(streaming, "CHUNK_ROWS", chunk_rows)
        monkeypatch.setattr(streaming, "MAX_MEMO_ROWS", memo_rows)
        annotated_rows.clear()
        out = tmp_path / f"memo{chunk_rows}"
        memo = annotate_file(str(COSMIC), str(out), resources, transcripts=transcripts, keep_annotations=False)
        for name in ("fusions.tsv", "fusions.json", "rejects.tsv"):
            every_file = tmp_path / "every" / f"FusionInspectorPaper.{name}"
            assert _without_created(out / every_file.name) == _without_created(every_file), name
        assert (memo.annotated_calls, memo.annotation_rows, memo.rejected_rows) == (
            every.annotated_calls, every.annotation_rows, every.rejected_rows)
        if (chunk_rows, memo_rows) == defaults:
            # 2,610 rows, about 2,250 distinct (junction, evidence, caller name): the rest came from the memo
            assert sum(annotated_rows) < every.rows_read - 300


@pytest.mark.parametrize("cls", [Breakpoint, FusionCall, Reject])
def test_direct_init_builds_what_the_dataclass_init_builds(cls):
    # model.direct_init swaps the frozen dataclass __init__ for a quicker one with the same signature
    generated = dataclasses.dataclass(frozen=True)(type(cls.__name__, (), {
        "__annotations__": {f.name: f.type for f in dataclasses.fields(cls)},
        **{f.name: dataclasses.field(default=f.default, default_factory=f.default_factory,
                                     compare=f.compare, hash=f.hash) for f in dataclasses.fields(cls)}}))
    factories = {f.name for f in dataclasses.fields(cls) if f.default_factory is not dataclasses.MISSING}

    def parameters(init):
        return [(p.name, p.kind, None if p.name in factories else p.default)
                for p in inspect.signature(init).parameters.values()]

    assert parameters(cls.__init__) == parameters(generated.__init__)
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    values = {name: f"v{i}" for i, name in enumerate(required)}
    ours, theirs = cls(**values), generated(**values)
    assert vars(ours) == vars(theirs) and list(vars(ours)) == [f.name for f in dataclasses.fields(cls)]
    assert hash(ours) == hash(cls(**values)) and ours == cls(**values)
    for f in dataclasses.fields(cls):
        if f.default_factory is not dataclasses.MISSING:  # a new object per instance, as the dataclass makes
            assert getattr(ours, f.name) is not getattr(cls(**values), f.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(ours, required[0], "x")
    with pytest.raises(TypeError):
        cls(**values, not_a_field=1)
    with pytest.raises(TypeError):
        cls()
    assert pickle.loads(pickle.dumps(ours)) == ours  # --threads workers hand calls back pickled

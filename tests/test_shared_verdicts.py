"""Many samples in one process (issue 11): they share verdicts only when their knowledge inputs are the same, so
a sample's outputs are those of a process that annotated it alone, whatever was annotated before it; and each
file leaves the garbage collector as it found it, with a full collection every FULL_COLLECTION_EVERY files."""
from __future__ import annotations

from pathlib import Path

import pytest

from fusion_annot.pipeline import annotate_file, load_resources

DEMO = Path(__file__).resolve().parents[1] / "resources" / "demo" / "IFS01.star-fusion.tsv"


def _outputs(directory: Path) -> dict:
    return {p.name: b"".join(line for line in p.read_bytes().splitlines(keepends=True)
                             if b'"created"' not in line and not line.startswith(b"## created"))
            for p in sorted(directory.iterdir())}


@pytest.mark.parametrize("before, inputs", [
    ({"tumor_type": "infantile fibrosarcoma", "age": 0.2}, {}),
    ({}, {"tumor_type": "infantile fibrosarcoma", "age": 0.2}),
    ({"age": 40.0}, {"age": 0.2}),
    ({}, {}),
])
def test_a_sample_after_another_gets_the_verdicts_of_its_own_inputs(tmp_path, before, inputs):
    alone = load_resources("bundled")
    annotate_file(str(DEMO), str(tmp_path / "alone"), alone, **inputs)
    shared = load_resources("bundled")
    annotate_file(str(DEMO), str(tmp_path / "first"), shared, **before)
    annotate_file(str(DEMO), str(tmp_path / "second"), shared, **inputs)
    assert _outputs(tmp_path / "second") == _outputs(tmp_path / "alone")
    if before != inputs:  # the inputs change the verdict columns, so the test can tell sharing from not
        assert _rows(tmp_path / "first") != _rows(tmp_path / "alone")


def _rows(directory: Path) -> list:
    return [line for line in (directory / "IFS01.fusions.tsv").read_text().splitlines() if not line.startswith("##")]


def test_files_leave_the_collector_as_they_found_it_and_a_full_collection_comes_round(tmp_path, monkeypatch):
    import gc

    from fusion_annot import pipeline

    monkeypatch.setattr(pipeline, "FULL_COLLECTION_EVERY", 3)
    resources = load_resources("bundled")
    assert gc.isenabled()
    counts = []
    for i in range(4):
        annotate_file(str(DEMO), str(tmp_path / f"run{i}"), resources)
        assert gc.isenabled()  # re-enabled after each file
        counts.append(resources.files_since_full_collection)
        assert gc.get_freeze_count() > 0  # what the file left alive is out of the young generations
    assert counts == [1, 2, 0, 1]  # the third file ran the full collection
    gc.disable()
    try:
        annotate_file(str(DEMO), str(tmp_path / "disabled"), resources)
        assert not gc.isenabled()  # a caller's setting is kept
    finally:
        gc.enable()

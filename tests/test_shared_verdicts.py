"""Samples annotated in one process share verdicts only when their knowledge inputs are the same (issue 11):
a sample's outputs are those of a process that annotated it alone, whatever was annotated before it."""
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

"""--threads and streamed output (issue 11 part 2, issue 14 item 13): worker processes give the bytes one
process gives; rows stream in chunks, and a file that fails a file-level check writes nothing."""
from __future__ import annotations

from pathlib import Path

import pytest

from fusion_annot import streaming
from fusion_annot.cli import main
from fusion_annot.errors import InputError
from fusion_annot.parallel import fork_context
from fusion_annot.pipeline import annotate_file, load_resources

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo"
COSMIC = REPO.parent / "shared" / "callers" / "fusioninspector" / "FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz"
needs_fork = pytest.mark.skipif(fork_context() is None, reason="worker processes need fork")


def _without_timestamp(path: Path) -> bytes:
    return b"".join(line for line in path.read_bytes().splitlines(keepends=True)
                    if b'"created"' not in line and not line.startswith(b"## created"))


@pytest.fixture(scope="module")
def resources():
    return load_resources("bundled")


@needs_fork
def test_a_multi_sample_aggregate_in_chunks_over_two_processes_gives_the_same_bytes(tmp_path, resources, monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 400)  # the real 2,610-row file in 7 chunks
    one = annotate_file(str(COSMIC), str(tmp_path / "one"), resources, keep_annotations=False, threads=1)
    two = annotate_file(str(COSMIC), str(tmp_path / "two"), resources, keep_annotations=False, threads=2)
    assert one.rows_read == two.rows_read == 2610
    assert one.annotated_calls + one.rejected_rows == 2610  # every row annotated or rejected
    assert (one.annotated_calls, one.rejected_rows) == (two.annotated_calls, two.rejected_rows)
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    assert {"FusionInspectorPaper.fusions.tsv", "FusionInspectorPaper.fusions.json", "FusionInspectorPaper.rejects.tsv"} <= set(names)
    for name in names:
        assert _without_timestamp(tmp_path / "one" / name) == _without_timestamp(tmp_path / "two" / name), name
    # and the chunked stream equals one chunk holding the whole file
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 100_000)
    whole = annotate_file(str(COSMIC), str(tmp_path / "whole"), resources, keep_annotations=False)
    for name in names:
        assert _without_timestamp(tmp_path / "one" / name) == _without_timestamp(tmp_path / "whole" / name), name
    assert whole.annotation_rows == one.annotation_rows
    # past the memory budget the chunks' text goes to body files first (here from the third chunk on; with a
    # budget of 0, every chunk): the same bytes
    for budget, label in ((2 * 2**20, "mixed"), (0, "spilled")):
        monkeypatch.setattr(streaming, "CHUNK_ROWS", 400)
        monkeypatch.setattr(streaming, "MEMORY_BUDGET", budget)
        annotate_file(str(COSMIC), str(tmp_path / label), resources, keep_annotations=False)
        for name in names:
            assert _without_timestamp(tmp_path / "one" / name) == _without_timestamp(tmp_path / label / name), name


@needs_fork
def test_threads_over_a_sample_sheet_match_one_process_and_keep_reporting_a_bad_sample(tmp_path, capsys):
    bad = tmp_path / "BAD.tsv"
    bad.write_text("this is not a fusion file\n")
    rows = [f"{p.name.split('.')[0]}\tauto\t{p}" for p in sorted(DEMO.glob("*.*")) if p.suffix in (".tsv", ".csv", ".txt")
            and p.name != "demo_cohort.tsv" and not p.name.startswith("IFS01.arriba")]
    rows.insert(1, f"BAD\tauto\t{bad}")
    sheet = tmp_path / "samples.tsv"
    sheet.write_text("sample\tformat\tpath\n" + "\n".join(rows) + "\n")
    for threads in ("1", "2"):
        assert main(["annotate", "--samples", str(sheet), "--out-dir", str(tmp_path / f"t{threads}"),
                     "--threads", threads, "--vcf"]) == 2
        err = capsys.readouterr().err
        assert f"annotated {len(rows) - 1} of {len(rows)} samples; failed: BAD" in err
        assert "error: sample BAD:" in err
    written = sorted(p.name for p in (tmp_path / "t1").iterdir())
    assert written == sorted(p.name for p in (tmp_path / "t2").iterdir()) and len(written) >= 3 * (len(rows) - 1)
    for name in written:
        if name.endswith((".tsv", ".json", ".fa")):
            assert _without_timestamp(tmp_path / "t1" / name) == _without_timestamp(tmp_path / "t2" / name), name


def test_threads_must_be_positive(tmp_path, capsys):
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--out-dir", str(tmp_path), "--threads", "0"]) == 2
    assert "--threads: must be at least 1" in capsys.readouterr().err


def test_vcf_of_a_multi_sample_file_is_refused_before_anything_is_written(tmp_path, resources):
    out = tmp_path / "out"
    with pytest.raises(InputError, match="--vcf writes one VCF per sample"):
        annotate_file(str(COSMIC), str(out), resources, vcf=True)
    assert not out.exists()

"""`fusion-annot index`: builds the reference index once; a second run only reads it."""
from __future__ import annotations

import json

from fusion_annot.cli import main


def _snapshot(cache):
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in cache.rglob("*") if p.is_file()}


def test_index_builds_the_bundled_reference_once_and_writes_a_stamp(tmp_path):
    cache, stamp = tmp_path / "cache", tmp_path / "out" / "index.json"
    assert main(["index", "--reference", "bundled", "--cache-dir", str(cache), "--stamp", str(stamp)]) == 0
    info = json.loads(stamp.read_text())
    assert info["reference"] == "bundled" and info["build"] == "GRCh38"
    assert info["cache_dir"] == str(cache.resolve())
    built = _snapshot(cache)
    assert any(path.endswith(".db") for path in built)  # the pyensembl SQLite index
    assert main(["index", "--reference", "bundled", "--cache-dir", str(cache)]) == 0
    assert _snapshot(cache) == built  # reused, not rebuilt or touched


def test_index_of_a_missing_gtf_is_a_one_line_error(tmp_path, capsys):
    assert main(["index", "--reference", str(tmp_path / "nope.gtf.gz"), "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nope.gtf.gz" in err and "Traceback" not in err

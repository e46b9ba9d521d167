"""`fusion-annot index`: converts a reference into its pack once; a second run only reads it."""
from __future__ import annotations

import json

import pytest

from fusion_annot.cli import main
from fusion_annot.refpack import Pack


def _snapshot(cache):
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in cache.rglob("*") if p.is_file()}


def test_index_of_the_bundled_reference_builds_nothing_and_writes_a_stamp(tmp_path):
    cache, stamp = tmp_path / "cache", tmp_path / "out" / "index.json"
    assert main(["index", "--reference", "bundled", "--cache-dir", str(cache), "--stamp", str(stamp)]) == 0
    info = json.loads(stamp.read_text())
    assert info["reference"] == "bundled" and info["build"] == "GRCh38"
    assert info["pack"].endswith("ensembl110_genome.fapack")
    assert info["counts"]["genes"] > 19000  # genome-wide
    assert not cache.exists() or not any(cache.rglob("*"))  # the bundled pack is shipped: no build on first use


def test_index_converts_a_gtf_once_then_reuses_it(tmp_path, catalog_gtf):
    cache, stamp = tmp_path / "cache", tmp_path / "index.json"
    assert main(["index", "--reference", str(catalog_gtf), "--cache-dir", str(cache), "--stamp", str(stamp)]) == 0
    info = json.loads(stamp.read_text())
    assert info["cache_dir"] == str(cache.resolve())
    built = _snapshot(cache)
    assert [p for p in built if p.endswith(".fapack")] == [info["pack"]]
    pack = Pack(info["pack"])
    assert pack.header["counts"]["genes"] == info["counts"]["genes"] == 63
    # the shipped Ensembl 110 domains matched by transcript and protein length
    assert info["domain_matching"]["shipped_by_id"] + info["domain_matching"]["shipped_by_name"] > 0
    assert main(["index", "--reference", str(catalog_gtf), "--cache-dir", str(cache)]) == 0
    assert _snapshot(cache) == built  # reused, not rebuilt or touched


def test_index_out_writes_a_pack_that_annotate_takes_as_reference(tmp_path, catalog_gtf, capsys):
    out = tmp_path / "lab.fapack"
    assert main(["index", "--reference", str(catalog_gtf), "--cache-dir", str(tmp_path / "c"),
                 "--out", str(out)]) == 0
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--reference", str(out), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["fusion"]
    assert row["frame"] == "in_frame" and row["kinase_domain"] == "retained"


@pytest.mark.parametrize("out", ["lab.db", "lab.gtf"])
def test_index_out_must_be_a_pack(tmp_path, catalog_gtf, capsys, out):
    assert main(["index", "--reference", str(catalog_gtf), "--out", str(tmp_path / out)]) == 2
    assert ".fapack" in capsys.readouterr().err


def test_index_of_a_missing_gtf_is_a_one_line_error(tmp_path, capsys):
    assert main(["index", "--reference", str(tmp_path / "nope.gtf.gz"), "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "nope.gtf.gz" in err and "Traceback" not in err

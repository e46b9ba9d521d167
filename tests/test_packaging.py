"""What an installed package needs: its resources found without a checkout, and a knowledge base that
is validated once per exact content, not paid again in every process."""
from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fusion_annot.cli import main
from fusion_annot.errors import InputError
from fusion_annot.knowledge import load_knowledge_base
from fusion_annot.knowledge.catalog import knowledge_digest
from fusion_annot.paths import resource

REPO = Path(__file__).resolve().parents[1]


def test_a_resources_override_that_does_not_exist_is_an_error_not_a_silent_fallback(monkeypatch, capsys):
    monkeypatch.setenv("FUSION_ANNOT_RESOURCES", "/nonexistent/fusion-annot-resources")
    assert main(["knowledge"]) == 2
    err = capsys.readouterr().err
    assert "FUSION_ANNOT_RESOURCES=/nonexistent/fusion-annot-resources is not a folder" in err
    assert "Traceback" not in err


def test_knowledge_is_schema_validated_once_per_exact_content(tmp_path, monkeypatch):
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path / "cache"))
    kb_dir = tmp_path / "knowledge"
    shutil.copytree(resource("knowledge"), kb_dir)
    load_knowledge_base(kb_dir)
    stamp = tmp_path / "cache" / "knowledge-validated" / knowledge_digest(kb_dir)
    assert stamp.is_file()
    # an edit the JSON schema rejects (evidence tag Q) is caught although the old content was validated
    partners = kb_dir / "partners.tsv"
    lines = partners.read_text().splitlines(keepends=True)
    header_at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    header = lines[header_at].rstrip("\n").split("\t")
    cells = lines[header_at + 1].rstrip("\n").split("\t")
    cells[header.index("evidence")] = "Q"
    lines[header_at + 1] = "\t".join(cells) + "\n"
    partners.write_text("".join(lines))
    assert knowledge_digest(kb_dir) != stamp.name
    with pytest.raises(InputError, match="evidence"):
        load_knowledge_base(kb_dir)


def test_knowledge_check_always_validates(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["knowledge", "--check"]) == 0
    assert not (tmp_path / "cache" / "knowledge-validated").exists()  # --check never trusts or writes stamps
    assert "is valid" in capsys.readouterr().err


@pytest.mark.slow
def test_the_wheel_carries_every_resource_and_stays_small(tmp_path):
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(REPO)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    wheel = next(tmp_path.glob("fusion_annot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"fusion_annot/resources/{p.relative_to(REPO / 'resources').as_posix()}"
               for p in (REPO / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped <= names, sorted(shipped - names)
    assert "fusion_annot/resources/reference/ensembl110_genome.fapack" in names
    assert wheel.stat().st_size < 40 * 1024 * 1024

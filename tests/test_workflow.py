"""The Snakemake cohort workflow: a real run on the demo cohort, lint, validation, and a 1,000-sample plan.

Each run uses its own working directory under tmp_path (`snakemake -s REPO/Snakefile --directory ...`),
with a copy of config/config.yaml whose reference cache points into tmp_path.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from fusion_annot.readers import format_names

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo"
DEFAULT_BATCH_SIZE = yaml.safe_load((REPO / "config" / "config.yaml").read_text())["annotate"]["batch_size"]
CATALOG_GTF = REPO.parent / "shared" / "reference" / "catalog_genes.ensembl110.gtf.gz"
SHEET_COLUMNS = ("sample", "format", "path", "tumor_type", "age", "extra_calls")


def snakemake(workdir: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    return subprocess.run(command, cwd=cwd or workdir, capture_output=True, text=True, timeout=900)


def demo_sheet() -> list[dict]:
    with open(REPO / "config" / "samples.tsv", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    for row in rows:
        row["path"] = str(REPO / row["path"])  # the working directory is not the repository
        row["extra_calls"] = ";".join(str(REPO / e) for e in row.get("extra_calls", "").split(";") if e)
    return rows


def make_workdir(root: Path, sheet: list[dict], cache: Path | None = None, **config_changes) -> Path:
    """A working directory with config/config.yaml (repository defaults) and config/samples.tsv."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"]["cache_dir"] = str(cache or root / "cache")
    for section, values in config_changes.items():
        config[section].update(values)
    (root / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    columns = list(SHEET_COLUMNS)
    lines = ["\t".join(columns)] + ["\t".join(row.get(c, "") for c in columns) for row in sheet]
    (root / "config" / "samples.tsv").write_text("\n".join(lines) + "\n")
    return root


def read_table(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def cache_snapshot(cache: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(cache)): (p.stat().st_size, p.stat().st_mtime_ns) for p in cache.rglob("*") if p.is_file()}


# --- the demo cohort, run for real ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    workdir = make_workdir(tmp_path_factory.mktemp("demo"), demo_sheet())
    started = time.perf_counter()
    result = snakemake(workdir, "--cores", "2", "--quiet")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    print(f"\ndemo cohort workflow: {elapsed:.1f} s wall with --cores 2")
    return workdir


@pytest.mark.slow
def test_demo_run_writes_per_sample_outputs_and_a_log_for_every_job(demo_run):
    samples = [row["sample"] for row in demo_sheet()]
    assert len(samples) == 8
    for sample in samples:
        for kind in ("fusions.tsv", "fusions.json", "rejects.tsv", "fusions.vcf.gz", "fusions.vcf.gz.tbi", "report.html"):
            assert (demo_run / "results" / "samples" / sample / f"{sample}.{kind}").is_file()
    # the 8 demo samples fit one annotate batch (annotate.batch_size 100): one process, one log naming each sample
    batch_log = (demo_run / "logs" / "annotate" / "batch1.log").read_text()
    for sample in samples:
        assert f"-> results/samples/{sample}/{sample}.fusions.tsv" in batch_log
    assert "annotated 8 of 8 samples" in batch_log
    assert (demo_run / "logs" / "index_reference.log").is_file()
    assert (demo_run / "logs" / "cohort.log").is_file()
    index = json.loads((demo_run / "results" / "reference" / "index.json").read_text())
    assert index["build"] == "GRCh38" and index["cache_dir"] == str(demo_run / "cache")


@pytest.mark.slow
def test_demo_annotations_match_the_demo_manifest(demo_run):
    """Every fusion the demo generator planted comes out with its exons, breakpoints and frame."""
    planted = read_table(DEMO / "demo_cohort.tsv")
    rows = read_table(demo_run / "results" / "cohort" / "cohort.fusions.tsv")
    got = {(r["sample"], r["fusion_name"]): r for r in rows}
    assert len(rows) == len(planted) == 9
    for p in planted:
        r = got[(p["sample"], p["fusion_name"])]
        assert (r["exon5"], r["exon3"], r["frame"]) == (p["exon5"], p["exon3"], p["frame"]), p["purpose"]
        assert f"{r['chrom5']}:{r['pos5']}:{r['strand5']}" == p["breakpoint5"]
        assert f"{r['chrom3']}:{r['pos3']}:{r['strand3']}" == p["breakpoint3"]
        assert r["transcript5"].split(".")[0] == p["transcript5"] and r["transcript3"].split(".")[0] == p["transcript3"]


@pytest.mark.slow
def test_demo_consensus_of_a_sample_called_by_two_callers(demo_run):
    """IFS01 is called by STAR-Fusion (path) and Arriba (extra_calls): the shared junction is one event."""
    events = read_table(demo_run / "results" / "samples" / "IFS01" / "IFS01.consensus.tsv")
    etv6 = [e for e in events if e["fusion_name"] == "ETV6::NTRK3"]
    assert len(etv6) == 1 and etv6[0]["callers"] == "arriba,star-fusion" and etv6[0]["n_callers"] == "2"
    assert (etv6[0]["pos5"], etv6[0]["pos3"]) == ("11869969", "87940753")
    reciprocal = [e for e in events if e["fusion_name"] == "NTRK3::ETV6"]
    assert len(reciprocal) == 1 and reciprocal[0]["n_callers"] == "1"  # only STAR-Fusion reported it
    assert not (demo_run / "results" / "samples" / "IFS02" / "IFS02.consensus.tsv").exists()


@pytest.mark.slow
def test_demo_reports_and_vcf(demo_run):
    import pysam

    cohort_html = (demo_run / "results" / "cohort" / "cohort.report.html").read_text()
    assert "ETV6::NTRK3" in cohort_html and "EWSR1::NTRK1" in cohort_html and "<svg" in cohort_html
    vcf = pysam.VariantFile(str(demo_run / "results" / "samples" / "IFS01" / "IFS01.fusions.vcf.gz"))
    assert {r.info["FUSION"] for r in vcf} == {"ETV6::NTRK3", "NTRK3::ETV6"}


@pytest.mark.slow
def test_demo_recurrent_fusions(demo_run):
    rows = read_table(demo_run / "results" / "cohort" / "recurrent_fusions.tsv")
    recurrent = {r["fusion_name"]: r for r in rows}
    assert set(recurrent) == {"ETV6::NTRK3", "TPM3::NTRK1"}
    etv6 = recurrent["ETV6::NTRK3"]
    assert (etv6["n_samples"], etv6["samples"], etv6["callers"]) == ("2", "IFS01,IFS02", "arriba,star-fusion")
    assert etv6["junctions"] == "ETV6 e4::NTRK3 e15:1,ETV6 e5::NTRK3 e15:1"
    assert recurrent["TPM3::NTRK1"]["frames"] == "in_frame:1,out_of_frame:1"


@pytest.mark.slow
def test_demo_partners_per_kinase_gene(demo_run):
    rows = read_table(demo_run / "results" / "cohort" / "kinase_partners.tsv")
    partners = {}
    for r in rows:
        partners.setdefault(r["kinase_gene"], set()).add(r["partner_gene"])
    assert partners == {"NTRK1": {"TPM3", "LMNA", "KHDRBS1", "EWSR1"}, "NTRK3": {"ETV6"}}


@pytest.mark.slow
def test_demo_frame_and_kinase_counts(demo_run):
    rows = read_table(demo_run / "results" / "cohort" / "frame_kinase_counts.tsv")
    cells = {(r["frame"], r["kinase_domain"]): int(r["n_calls"]) for r in rows}
    assert cells[("in_frame", "retained")] == 6  # ETV6::NTRK3 x2, TPM3/LMNA/KHDRBS1/EWSR1::NTRK1
    assert cells[("out_of_frame", "retained")] == 1  # STS07 TPM3 e7::NTRK1 e10
    assert cells[("in_frame", "not_applicable")] == 2  # NTRK3::ETV6 reciprocal, EWSR1::FLI1
    assert sum(cells.values()) == 9


@pytest.mark.slow
def test_demo_actionable_samples(demo_run):
    rows = read_table(demo_run / "results" / "cohort" / "actionable_samples.tsv")
    status = {r["sample"]: r["status"] for r in rows}
    assert status == {
        "IFS01": "actionable", "IFS02": "actionable", "STS03": "actionable", "STS04": "actionable",
        "STS05": "actionable", "STS06": "actionable",
        "STS07": "not_actionable",  # TPM3::NTRK1 out of frame
        "EWS08": "not_assessed",  # EWSR1::FLI1: no kinase gene of the knowledge base
    }
    ifs01 = next(r for r in rows if r["sample"] == "IFS01")
    assert ifs01["actionable_fusions"] == "ETV6::NTRK3"  # not the reciprocal NTRK3::ETV6
    assert "larotrectinib" in ifs01["drugs"]


@pytest.mark.slow
def test_demo_partner_not_in_catalog(demo_run):
    rows = read_table(demo_run / "results" / "cohort" / "not_in_catalog.tsv")
    assert [(r["fusion_name"], r["samples"], r["frames"], r["kinase_domain"]) for r in rows] == [
        ("EWSR1::NTRK1", "STS06", "in_frame:1", "retained:1")
    ]
    summary = json.loads((demo_run / "results" / "cohort" / "cohort.summary.json").read_text())
    assert summary["not_in_catalog_fusions"] == ["EWSR1::NTRK1"]
    assert summary["samples"] == 8 and summary["calls"] == 9 and summary["recurrent_fusions"] == 2


@pytest.mark.slow
def test_annotate_jobs_only_read_a_prebuilt_shared_cache(tmp_path):
    """The pack a GTF is converted into once (here by `fusion-annot index`) is not written by the workflow's jobs."""
    cache = tmp_path / "shared-cache"
    subprocess.run([sys.executable, "-m", "fusion_annot", "index", "--reference", str(CATALOG_GTF), "--cache-dir",
                    str(cache)], check=True, capture_output=True, cwd=REPO)
    before = cache_snapshot(cache)
    assert any(name.endswith(".fapack") for name in before)
    workdir = make_workdir(tmp_path / "run", demo_sheet()[:3], cache=cache, reference={"spec": str(CATALOG_GTF)})
    result = snakemake(workdir, "--cores", "2", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    assert cache_snapshot(cache) == before


# --- lint, dry runs, validation -------------------------------------------------------------------------------


def test_lint_is_clean():
    result = subprocess.run([sys.executable, "-m", "snakemake", "--lint"], cwd=REPO, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr


def _job_counts(output: str) -> dict[str, int]:
    table = output[output.index("Job stats:"):]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def test_dry_run_on_1000_samples_plans_one_annotate_job_per_batch(tmp_path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    source = DEMO / "IFS01.star-fusion.tsv"
    sheet = []
    for i in range(1000):
        path = inputs / f"P{i:04d}.star-fusion.tsv"
        shutil.copyfile(source, path)
        sheet.append({"sample": f"P{i:04d}", "format": "star-fusion", "path": str(path)})
    workdir = make_workdir(tmp_path / "run", sheet)
    started = time.perf_counter()
    result = snakemake(workdir, "-n", "--cores", "2")
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr[-3000:]
    counts = _job_counts(result.stdout + result.stderr)
    batches = {rule: n for rule, n in counts.items() if rule.startswith("annotate_batch")}
    assert DEFAULT_BATCH_SIZE == 100  # the benchmarked default (docs/cluster.md)
    assert len(batches) == 10 and set(batches.values()) == {1}  # 1,000 samples in batches of 100
    assert counts["index_reference"] == 1 and counts["cohort"] == 1
    print(f"\n1,000-sample dry run: {elapsed:.1f} s")
    assert elapsed < 120


def test_the_index_is_built_before_and_shared_by_annotate_jobs(tmp_path):
    workdir = make_workdir(tmp_path, demo_sheet()[:2])
    result = snakemake(workdir, "-n", "--cores", "2", "--forceall", "--dag")
    assert result.returncode == 0, result.stderr[-3000:]
    dag = result.stdout
    index_nodes = re.findall(r'^\s*(\d+)\[label = "index_reference"', dag, re.MULTILINE)
    annotate_nodes = re.findall(r'^\s*(\d+)\[label = "annotate', dag, re.MULTILINE)
    assert len(index_nodes) == 1 and len(annotate_nodes) == 1  # two samples, one batch
    for node in annotate_nodes:
        assert re.search(rf"^\s*{index_nodes[0]} -> {node}\s*$", dag, re.MULTILINE), dag


@pytest.mark.parametrize("change,message", [
    (lambda s: s[0].update(sample="IFS/01"), "contains a path separator"),
    (lambda s: s[1].update(path="/nonexistent/IFS02.arriba.tsv"), "path file not found: /nonexistent/IFS02.arriba.tsv"),
    (lambda s: s[2].update(sample=s[0]["sample"]), "sample 'IFS01' is duplicated (first on line 2)"),
    (lambda s: s[3].update(format="starfusion"), "unknown format 'starfusion' (known: arriba, auto,"),
    (lambda s: s[3].update(sample="bad name"), "does not match"),
    (lambda s: s[4].update(extra_calls="/nonexistent/x.tsv:arriba"), "extra_calls file not found: /nonexistent/x.tsv"),
    (lambda s: s[0].update(age="ten"), "column age: 'ten' does not match"),
    (lambda s: s[0].update(age="200"), "age 200 is outside 0-130 years"),
], ids=["path-separator", "missing-file", "duplicate", "unknown-format", "space-in-name", "missing-extra-calls",
        "age-not-a-number", "age-too-high"])
def test_bad_sample_sheet_stops_before_any_job(tmp_path, change, message):
    sheet = demo_sheet()
    change(sheet)
    workdir = make_workdir(tmp_path, sheet)
    result = snakemake(workdir, "--cores", "1")
    assert result.returncode != 0
    assert message in result.stderr, result.stderr[-2000:]
    assert "invalid sample sheet config/samples.tsv" in result.stderr
    assert not (workdir / "results").exists() and not (workdir / "logs").exists()


def test_bad_config_value_stops_before_any_job(tmp_path):
    workdir = make_workdir(tmp_path, demo_sheet(), cohort={"min_samples": 0})
    result = snakemake(workdir, "--cores", "1")
    assert result.returncode != 0
    assert "Error validating config file" in result.stderr and "min_samples" in result.stderr
    assert not (workdir / "results").exists()


def test_sample_sheet_accepts_every_reader_of_the_package(tmp_path):
    """The format list comes from the reader registry: a new reader needs no schema change."""
    source = str(DEMO / "IFS01.star-fusion.tsv")
    sheet = [{"sample": f"S{i}", "format": name, "path": source} for i, name in enumerate(["auto", *format_names()])]
    workdir = make_workdir(tmp_path, sheet)
    result = snakemake(workdir, "-n", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    counts = _job_counts(result.stdout + result.stderr)
    assert sum(n for rule, n in counts.items() if rule.startswith("annotate_batch")) == -(-len(sheet) // DEFAULT_BATCH_SIZE)


def test_config_yaml_writes_every_schema_default_explicitly():
    schema = yaml.safe_load((REPO / "config" / "schema" / "config.schema.yaml").read_text())
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())

    def walk(schema_node, config_node, where):
        for key, sub in schema_node.get("properties", {}).items():
            assert key in config_node, f"{where}{key} missing from config/config.yaml"
            if sub.get("type") == "object":
                walk(sub, config_node[key], f"{where}{key}.")
            else:
                assert config_node[key] == sub["default"], f"{where}{key}: config.yaml differs from the schema default"

    walk(schema, config, "")


def test_demo_files_are_reproducible_from_the_bundled_reference():
    result = subprocess.run([sys.executable, str(REPO / "scripts" / "make_demo_cohort.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_profiles_name_resources_for_every_rule():
    rules = set()
    for smk in (REPO / "rules").glob("*.smk"):
        rules |= set(re.findall(r"^rule (\w+):", smk.read_text(), re.MULTILINE))
    slurm = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    assert slurm["executor"] == "slurm"
    assert set(slurm["set-resources"]) == rules
    for rule, resources in slurm["set-resources"].items():
        assert {"mem_mb", "runtime", "cpus_per_task"} <= set(resources), rule
    assert yaml.safe_load((REPO / "profiles" / "local" / "config.yaml").read_text())["cores"]


@pytest.mark.slow
def test_snakemake_report_embeds_sample_and_cohort_reports(demo_run):
    result = snakemake(demo_run, "--report", str(demo_run / "snakemake_report.html"))
    assert result.returncode == 0, result.stderr[-2000:]
    text = (demo_run / "snakemake_report.html").read_text(errors="replace")
    assert "IFS01.report.html" in text and "cohort.report.html" in text


def test_conda_env_installs_this_version_of_the_package():
    """envs/fusion_annot.yaml names the package version (a release gets a new conda env), and its post-deploy
    script installs the workflow's own source non-editable into the environment."""
    version = re.search(r'^version = "([^"]+)"', (REPO / "pyproject.toml").read_text(), re.MULTILINE).group(1)
    env_file = (REPO / "envs" / "fusion_annot.yaml").read_text()
    assert f"# fusion-annot version: {version}\n" in env_file
    script = (REPO / "envs" / "fusion_annot.post-deploy.sh").read_text()
    assert 'pip install --quiet --no-deps --no-build-isolation "${FUSION_ANNOT_SOURCE}"' in script
    common = (REPO / "rules" / "common.smk").read_text()
    assert 'os.environ.update(FUSION_ANNOT_SOURCE=str(WORKFLOW_ROOT))' in common
    assert "PYTHONPATH=" not in common and "sys.path.insert" not in common  # jobs run the installed package


@pytest.mark.slow
def test_post_deploy_script_installs_the_package_into_a_fresh_environment(tmp_path):
    """What Snakemake does after creating the conda env, with a venv standing in for it (no conda here)."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    # what envs/fusion_annot.yaml lists besides the runtime dependencies (not needed for --version)
    subprocess.run([str(env / "bin" / "pip"), "install", "-q", "setuptools>=77", "wheel"], check=True,
                   capture_output=True)
    run_env = dict(os.environ, PATH=f"{env / 'bin'}{os.pathsep}{os.environ['PATH']}", FUSION_ANNOT_SOURCE=str(REPO),
                   PIP_DISABLE_PIP_VERSION_CHECK="1")
    result = subprocess.run(["bash", str(REPO / "envs" / "fusion_annot.post-deploy.sh")], env=run_env,
                            capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().startswith("fusion-annot ")
    where = subprocess.run([str(env / "bin" / "python"), "-c", "import fusion_annot; print(fusion_annot.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert str(env) in where  # installed into the environment, not the checkout


def test_preferred_transcripts_in_the_config_reach_every_annotate_job(tmp_path):
    table = tmp_path / "lab_transcripts.tsv"
    table.write_text("ROS1\tROS1-202\n")
    workdir = make_workdir(tmp_path / "run", demo_sheet()[:2], annotate={"preferred_transcripts": str(table)})
    result = snakemake(workdir, "-n", "-p", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    commands = [line for line in (result.stdout + result.stderr).splitlines() if " annotate " in line]
    assert len(commands) == 1 and f"--preferred-transcripts {table}" in commands[0], commands


def test_verdict_thresholds_in_the_config_reach_every_annotate_job(tmp_path):
    sheet = demo_sheet()[:2]
    sheet[0]["age"] = "0.2"
    workdir = make_workdir(tmp_path / "run", sheet, annotate={"resistance_min_depth": 30, "min_split_reads": 4})
    result = snakemake(workdir, "-n", "-p", "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    commands = [line for line in (result.stdout + result.stderr).splitlines() if " annotate " in line]
    assert len(commands) == 1, commands
    for option in ("--resistance-min-depth 30", "--min-split-reads 4", "--min-supporting-reads 3",
                   "--resistance-min-vaf 0.05"):
        assert option in commands[0], (option, commands)


def test_a_bad_sample_fails_only_its_batch_and_the_log_names_it(tmp_path):
    bad = tmp_path / "BAD.star-fusion.tsv"
    bad.write_text("#FusionName\tJunctionReadCount\nnot a star-fusion row\n")
    sheet = demo_sheet()[:4]
    sheet.insert(1, {"sample": "BAD", "format": "star-fusion", "path": str(bad)})
    workdir = make_workdir(tmp_path, sheet, annotate={"batch_size": 2})
    result = snakemake(workdir, "--cores", "2", "--keep-going", "--quiet")
    assert result.returncode != 0
    log = (workdir / "logs" / "annotate" / "batch1.log").read_text()
    assert "error: sample BAD:" in log and str(bad) in log
    for sample in (s["sample"] for s in sheet[2:]):  # the other batches finished
        assert (workdir / "results" / "samples" / sample / f"{sample}.fusions.tsv").is_file()

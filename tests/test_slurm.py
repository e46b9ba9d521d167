"""The demo cohort through a real Slurm cluster (`snakemake --profile profiles/slurm`), issue 11 item 4.

`.ci/start-slurm` (run by `.ci/run` as root) starts a single-node cluster with slurmdbd accounting. Here the
demo cohort runs once locally (`--cores 2`) and once through Slurm; `sacct` must list every job of the Slurm
run as COMPLETED (found by the run ID the executor plugin gives each job as its name, and by the rule it
writes into the job's comment), and every output file must equal the local run's, apart from creation times,
the HTML reports' per-file script nonces and the working directory's path.

Skipped when there is no Slurm here (no `sinfo`, or the controller or accounting does not answer); in CI
(CI=true, as root) that is a failure instead, so a green CI run has really submitted to Slurm.
"""
from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml

from test_workflow import REPO, demo_sheet, make_workdir

pytestmark = pytest.mark.slow

# The demo cohort (8 samples in one annotate batch, one of them with a second caller): 5 Slurm jobs.
EXPECTED_RULES = {"rule_index_reference", "rule_annotate_batch1", "rule_consensus_wildcards_IFS01", "rule_cohort",
                  "rule_cohort_report"}


def _run(*command: str, timeout: float = 20) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def _skip(reason: str):
    # CI runs as root after .ci/start-slurm: there a missing cluster is a failure, not a reason to skip
    if os.environ.get("CI") == "true" and os.geteuid() == 0:
        pytest.fail(f"{reason} (CI as root: .ci/start-slurm should have started it)")
    pytest.skip(reason)


def _cluster() -> tuple[str, str]:
    """(default partition, an account of this user or ""), or skip."""
    if shutil.which("sinfo") is None or shutil.which("sacct") is None:
        _skip("no Slurm client here (sinfo/sacct); .ci/start-slurm starts a test cluster as root")
    try:
        partitions = _run("sinfo", "-h", "-o", "%P %t")
        accounting = _run("sacct", "-n", "-X", "-S", "now")
    except subprocess.TimeoutExpired:
        _skip("the Slurm controller or accounting does not answer (timeout)")
    if partitions.returncode != 0:
        _skip(f"the Slurm controller does not answer: {partitions.stderr.strip()}")
    if accounting.returncode != 0:
        _skip(f"Slurm job accounting (slurmdbd) does not answer: {accounting.stderr.strip()}")
    usable = [line.split() for line in partitions.stdout.splitlines()]
    usable = [(p, state) for p, state in usable if state.rstrip("*~#") in ("idle", "mix", "alloc", "comp")]
    default = [p.rstrip("*") for p, _ in usable if p.endswith("*")]
    if not default:
        _skip(f"no default Slurm partition with a usable node: {partitions.stdout.strip()!r}")
    accounts = _run("sacctmgr", "-n", "-P", "list", "user", getpass.getuser(), "format=defaultaccount")
    account = accounts.stdout.strip() if accounts.returncode == 0 else ""  # "" = submit without an account
    return default[0], account


# the demo cohort takes about 2 min through Slurm here (the plugin's 40 s waits): 10 min means something holds it
SNAKEMAKE_TIMEOUT = 600
_RUN_ID = re.compile(r"SLURM run ID: ([0-9a-f-]{36})")


def _snakemake(workdir: Path, *args: str, env: dict) -> tuple[subprocess.CompletedProcess, float]:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir), *args]
    started = time.perf_counter()
    try:
        result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=SNAKEMAKE_TIMEOUT,
                                env=env)
    except subprocess.TimeoutExpired as timeout:
        stuck = _stuck(timeout)
    else:
        return result, time.perf_counter() - started
    pytest.fail(stuck, pytrace=False)  # outside the except block: the queue's state, not a chained traceback


def _stuck(timeout: subprocess.TimeoutExpired) -> str:
    """Why a run did not finish (what the queue and the node say), after cancelling the jobs it left."""
    stderr = timeout.stderr.decode(errors="replace") if isinstance(timeout.stderr, bytes) else timeout.stderr or ""
    run_id = _RUN_ID.search(stderr)
    queue = _run("squeue", "-o", "%i %j %T %r %M %C %m").stdout.strip()  # %r: why a job is PENDING
    nodes = _run("sinfo", "-h", "-N", "-o", "%N %t %C %E").stdout.strip()  # %C: CPUs allocated/idle/other/total
    if run_id:
        _run("scancel", "--name", run_id.group(1))  # a later run must not wait behind them
    return (f"snakemake did not finish in {timeout.timeout:.0f} s.\nsqueue:\n{queue}\nsinfo (node state CPUs A/I/O/T "
            f"reason):\n{nodes}\nlast of its stderr:\n{stderr[-3000:]}\n(jobs of another run that hold the node's "
            "CPUs: .ci/start-slurm cancels what an earlier session left behind)")


# what differs between two runs of the same inputs: creation times, CSP nonces, the working directory
_TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(\+00:00| UTC)?")
_TIMES = re.compile(rb"<TIME>(; <TIME>)+")
_NONCE = re.compile(rb"nonce-[A-Za-z0-9_\-]+|nonce=\"[A-Za-z0-9_\-]+\"")


def _normalised(path: Path, workdir: Path) -> bytes:
    data = path.read_bytes()
    if path.name.endswith((".gz", ".tbi")):
        return data  # binary: byte for byte
    data = data.replace(str(workdir).encode(), b"<WORKDIR>")
    # the report lists each distinct creation second of its samples: two runs may see one or two of them
    return _NONCE.sub(b"nonce", _TIMES.sub(b"<TIME>", _TIMESTAMP.sub(b"<TIME>", data)))


def _outputs(workdir: Path) -> dict[str, bytes]:
    results = workdir / "results"
    return {str(p.relative_to(results)): _normalised(p, workdir) for p in sorted(results.rglob("*")) if p.is_file()}


def _sacct(run_id: str, since: str) -> list[dict]:
    fields = ["JobID", "JobName", "Comment", "State", "Partition", "Account", "ReqMem", "Timelimit", "Elapsed",
              "ExitCode"]
    result = _run("sacct", "-X", "-P", "-n", "--name", run_id, "-S", since, "-o", ",".join(f + "%200" for f in fields))
    assert result.returncode == 0, result.stderr
    return [dict(zip(fields, line.split("|"))) for line in result.stdout.splitlines() if line]


def test_demo_cohort_through_slurm_equals_a_local_run(tmp_path):
    partition, account = _cluster()
    env = dict(os.environ, USER=getpass.getuser())  # the plugin reads $USER (CI may not set it)

    local = make_workdir(tmp_path / "local", demo_sheet())
    result, local_seconds = _snakemake(local, "--cores", "2", "--quiet", env=env)
    assert result.returncode == 0, result.stderr[-3000:]

    # The site settings a user writes into the profile (docs/cluster.md), given on the command line here.
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    site = dict(profile["default-resources"] or {}, slurm_partition=partition)
    if account:
        site["slurm_account"] = account
    cluster = make_workdir(tmp_path / "slurm", demo_sheet())
    since = f"{datetime.now() - timedelta(minutes=1):%Y-%m-%dT%H:%M:%S}"
    result, slurm_seconds = _snakemake(
        cluster, "--profile", str(REPO / "profiles" / "slurm"),
        "--default-resources", *(f"{key}={value}" for key, value in site.items()),
        *(() if account else ("--slurm-no-account",)),
        # test only: poll sooner and wait less for files on this one-node cluster (its disk is local). Plugin
        # 1.9 still waits 40 s before its first check and after each round in which a job finished.
        "--seconds-between-status-checks", "2", "--slurm-init-seconds-before-status-checks", "2",
        "--latency-wait", "5",
        env=env)
    assert result.returncode == 0, result.stderr[-5000:]
    run_id = _RUN_ID.search(result.stderr).group(1)

    # (a) sacct: every job of this run submitted to Slurm and COMPLETED
    for _ in range(10):  # slurmdbd records a job's end a moment after the controller
        jobs = _sacct(run_id, since)
        if len(jobs) == len(EXPECTED_RULES) and all(j["State"] == "COMPLETED" for j in jobs):
            break
        time.sleep(1)
    table = "\n".join(" ".join(j.values()) for j in jobs)
    assert {j["Comment"] for j in jobs} == EXPECTED_RULES, table
    assert all(j["State"] == "COMPLETED" and j["ExitCode"] == "0:0" for j in jobs), table
    assert {j["Partition"] for j in jobs} == {partition}, table
    if account:
        assert {j["Account"] for j in jobs} == {account}, table
    # the memory and wall time of each rule in the profile (annotate batches: rules/annotate.smk) reached Slurm
    wanted = {f"rule_{rule}": (r["mem_mb"], r["runtime"]) for rule, r in profile["set-resources"].items()}
    wanted["rule_consensus_wildcards_IFS01"] = wanted["rule_consensus"]
    wanted["rule_annotate_batch1"] = (2000, 20)
    for job in jobs:
        mem_mb, minutes = wanted[job["Comment"]]
        assert job["ReqMem"] == f"{mem_mb}M", table
        assert job["Timelimit"] == f"{minutes // 60:02d}:{minutes % 60:02d}:00", table

    # (b) the outputs are the local run's
    local_outputs, cluster_outputs = _outputs(local), _outputs(cluster)
    assert len(local_outputs) >= 60
    assert sorted(cluster_outputs) == sorted(local_outputs)
    different = [name for name in local_outputs if local_outputs[name] != cluster_outputs[name]]
    assert not different, different
    print(f"\ndemo cohort: local --cores 2 {local_seconds:.1f} s; through Slurm {slurm_seconds:.1f} s, "
          f"{len(jobs)} jobs COMPLETED in sacct:\n{table}")

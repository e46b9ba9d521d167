"""Fuzz every registered reader: bad input is an InputError or a Reject, never a traceback or a lost row."""
import gzip
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fusion_annot.errors import FusionAnnotError
from fusion_annot.model import FusionCall, Reject
from fusion_annot.readers import REGISTRY

# A small real file per format (first lines are enough to fuzz around).
SEED_FILES = {
    "star-fusion": "star-fusion/fusion-report.starfusion.tsv",
    "fusioninspector": "fusioninspector/FusionInspectorPaper.eml4--alk.fusions.tsv",
    "arriba": "arriba/annoFuseData.arriba_example.tsv",
    "fusioncatcher": "fusioncatcher/benchmark.K562.final-list_candidate-fusion-genes.txt",
    "jaffa": "jaffa/benchmark.K562.JAFFA_ASSEMBLY.jaffa_results.csv",
    "bedpe": "bedpe/mavis.chimerascan_output.bedpe",
    "cicero": "cicero/cicero-repo.test.annotated.fusion.txt",
    "defuse": "defuse/mavis.defuse_output.tsv",
    "ericscript": "ericscript/fusion-report.ericscript.tsv",
    "pizzly": "pizzly/fusion-report.pizzly.tsv",
    "squid": "squid/fusion-report.squid.txt",
    "dragen": "dragen/fusion-report.dragen.tsv",
    "ctat-lr-fusion": "ctat-lr-fusion/fusion-report.ctat_lr_fusion.tsv",
    "pbfusion": "bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz",
    "vcf": "manta/mavis.manta_events.vcf",
}
NOTATION_SEED = "ETV6 ex5::NTRK3 ex15\nKHDRBS1 exons 1-8 :: NTRK1 exons 12-17\nETV6::NTRK3 12:11869969:+ 15:87940753:-\n"
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
MAX_SEED_LINES = 12


def seed_text(callers_dir: Path, fmt: str) -> str:
    if fmt == "notation":
        return NOTATION_SEED
    path = callers_dir / SEED_FILES[fmt]
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        lines = []
        for line in fh:  # the whole '##' header block (VCF, pbfusion), then a few more lines
            lines.append(line.rstrip("\n"))
            if sum(not l.startswith("##") for l in lines) > MAX_SEED_LINES:
                break
    # keep the header block and up to MAX_SEED_LINES data lines
    head = [l for l in lines if l.startswith("##")]
    rest = [l for l in lines if not l.startswith("##")][: MAX_SEED_LINES]
    return "\n".join(head + rest) + "\n"


def covered_lines(items) -> set:
    out = set()
    for item in items:
        if isinstance(item, FusionCall):
            out.update(item.extra.get("source_lines", (item.line,)))
        else:
            out.add(item.line)
    return out


def run_reader(fmt: str, path: Path):
    """Items read, or None when the reader refused the whole file with a FusionAnnotError."""
    try:
        items = list(REGISTRY[fmt].read(str(path), "S"))
    except FusionAnnotError:
        return None
    for item in items:
        assert isinstance(item, (FusionCall, Reject))
        if isinstance(item, Reject):
            assert item.reason
    return items


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def data_line_numbers(text: str, baseline_items) -> list[int]:
    return sorted(covered_lines(baseline_items))


FORMATS = sorted(set(SEED_FILES) | {"notation"})


def test_every_registered_reader_is_fuzzed():
    assert set(REGISTRY) <= set(FORMATS), f"add a seed file for {set(REGISTRY) - set(FORMATS)}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_seed_reads_without_loss(callers_dir, tmp_path, fmt):
    text = seed_text(callers_dir, fmt)
    items = run_reader(fmt, write(tmp_path, "seed.txt", text.encode()))
    assert items is not None and items, f"{fmt}: seed must read"


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_bytes_never_raise_a_traceback(tmp_path_factory, fmt):
    tmp = tmp_path_factory.mktemp(f"bytes-{fmt}")

    @FUZZ
    @given(data=st.binary(max_size=2000))
    def check(data):
        run_reader(fmt, write(tmp, "random.bin", data))

    check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_structural_damage_loses_no_row(callers_dir, tmp_path_factory, fmt):
    text = seed_text(callers_dir, fmt)
    tmp = tmp_path_factory.mktemp(f"damage-{fmt}")
    baseline = run_reader(fmt, write(tmp, "seed.txt", text.encode()))
    data_lines = data_line_numbers(text, baseline)
    lines = text.split("\n")

    @FUZZ
    @given(
        target=st.sampled_from(data_lines),
        cut=st.integers(min_value=1, max_value=400),
        junk=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r#"), max_size=30),
        mode=st.sampled_from(["truncate", "junk_field", "huge_field", "extra_columns", "drop_column", "crlf"]),
    )
    def check(target, cut, junk, mode):
        mutated = list(lines)
        line = mutated[target - 1]
        if mode == "truncate":
            line = line[: max(1, min(cut, len(line) - 1))]
        elif mode == "junk_field":
            fields = line.split("\t")
            fields[cut % len(fields)] = junk or "x"
            line = "\t".join(fields)
        elif mode == "huge_field":
            fields = line.split("\t")
            fields[cut % len(fields)] = "A" * 200_000
            line = "\t".join(fields)
        elif mode == "extra_columns":
            line = line + "\textra1\textra2"
        elif mode == "drop_column":
            fields = line.split("\t")
            if len(fields) > 1:
                del fields[cut % len(fields)]
            line = "\t".join(fields)
        if not line.strip() or line.startswith("#"):
            line = "x" + line
        mutated[target - 1] = line
        body = "\n".join(mutated)
        if mode == "crlf":
            body = body.replace("\n", "\r\n")
        items = run_reader(fmt, write(tmp, "mutated.txt", body.encode()))
        if items is None:
            return  # refused with a one-line error naming file and line: allowed
        # nothing silently dropped: every data line of the seed is still a call or a reject
        assert covered_lines(items) >= set(data_lines) - set(), (mode, target)

    check()


@pytest.mark.parametrize("fmt", FORMATS)
def test_header_damage_empty_file_and_truncated_gzip(callers_dir, tmp_path, fmt):
    text = seed_text(callers_dir, fmt)
    # empty file and blank file: an InputError or nothing, never a traceback
    for name, data in (("empty.txt", b""), ("blank.txt", b"\n\n\n")):
        items = run_reader(fmt, write(tmp_path, name, data))
        assert not items
    # header with a column removed / extra columns everywhere
    lines = text.split("\n")
    header_index = next(i for i, l in enumerate(lines) if l.strip() and not l.startswith("##"))
    cols = lines[header_index].split("\t")
    for i in range(len(cols)):
        damaged = list(lines)
        damaged[header_index] = "\t".join(cols[:i] + cols[i + 1:])
        run_reader(fmt, write(tmp_path, "nocol.txt", "\n".join(damaged).encode()))
    wide = "\n".join(l + "\tEXTRA" if l.strip() and not l.startswith("##") else l for l in lines)
    items = run_reader(fmt, write(tmp_path, "wide.txt", wide.encode()))
    baseline = run_reader(fmt, write(tmp_path, "seed.txt", text.encode()))
    if items is not None:
        assert len(covered_lines(items)) == len(covered_lines(baseline))
    # truncated gzip: an InputError (or the rows read before the cut), never a traceback
    packed = gzip.compress(text.encode())
    for cut in (10, len(packed) // 2, len(packed) - 4):
        run_reader(fmt, write(tmp_path, "cut.txt.gz", packed[:cut]))

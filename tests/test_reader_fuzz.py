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
# FUSION_ANNOT_FUZZ_EXAMPLES / FUSION_ANNOT_FUZZ_RANDOM=1: more and new random cases for long local runs
FUZZ = settings(max_examples=int(os.environ.get("FUSION_ANNOT_FUZZ_EXAMPLES", "50")), deadline=None,
                suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("FUSION_ANNOT_FUZZ_RANDOM"),
                database=None)
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
        if not line.strip() or (fmt == "notation" and line.lstrip().startswith("#")):
            line = "x" + line  # blank lines (and notation's '#' comments) are not rows; any other line is one
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


# --- end to end: `fusion-annot annotate` on damaged real files (issue 14 "must show") ---------------------------
#
# Each case runs the command as a user does (fusion_annot.cli.main: argument parsing, reading, annotation against
# the bundled reference, writing, error handling), with the resources loaded once for the module (as
# `annotate --samples` shares them between samples). Asserted for every case:
#   - no traceback: main() returns, never raises;
#   - the exit status is 0 or 2; with 2, stderr is one line naming the problem and no annotation table is left;
#   - with 0, annotated + rejected = rows read: every call the reader read is annotated or in the rejects table
#     with a reason, and every non-blank input line after the header is accounted for by one of them.
# Cases per reader: CLI_EXAMPLES here, plus FUZZ's max_examples twice in the reader-level tests above.

import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402

from fusion_annot.cli import main as cli_main  # noqa: E402

CLI_EXAMPLES = int(os.environ.get("FUSION_ANNOT_FUZZ_CLI_EXAMPLES", "150"))
# FUSION_ANNOT_FUZZ_RANDOM=1: new random cases each run (for long local runs); CI runs the same cases every time
CLI_FUZZ = settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=not os.environ.get("FUSION_ANNOT_FUZZ_RANDOM"), database=None)
AGGREGATE_SEED = "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz"  # a 'sample' column
NASTY_NUMBERS = ["inf", "-inf", "nan", "NaN", "1e309", "-1", "0", "9" * 4400, str(2 ** 63), str(2 ** 64 + 7),
                 "300000000", "248956423", "1.5", "1e3", "+5", "1_000", "\u0661\u0662\u0663", "0x1F", " 7 ", "-0"]
JUNK = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=25)  # \r: a line break too
CLI_TIMES: dict[str, tuple[int, float]] = {}


def split_lines(text: str) -> list[str]:
    """Lines as universal newlines cut them (what the readers number)."""
    lines = re.split(r"\r\n|\r|\n", text)
    return lines[:-1] if lines and lines[-1] == "" else lines


@pytest.fixture(scope="module")
def cached_resources():
    """The bundled reference, domains and knowledge base, loaded once; main() gets them instead of reloading."""
    from fusion_annot import pipeline

    resources = pipeline.load_resources("bundled")
    original = pipeline.load_resources
    pipeline.load_resources = lambda *args, **kwargs: resources
    yield resources
    pipeline.load_resources = original


def run_cli(args: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = cli_main(args)
    return status, err.getvalue()


def cli_seed(callers_dir: Path, fmt: str) -> tuple[str, int]:
    """(seed text, number of header lines before the first data row) for a format ('aggregate': many samples)."""
    if fmt == "aggregate":
        with gzip.open(callers_dir / AGGREGATE_SEED, "rt") as fh:
            text = "".join(next(fh) for _ in range(MAX_SEED_LINES + 1))
        return text, 1
    text = seed_text(callers_dir, fmt)
    items = list(REGISTRY[fmt].read(str(_scratch_write(text)), "S"))
    first = min(covered_lines(items))
    return text, first - 1


def _scratch_write(text: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8")
    with handle:
        handle.write(text)
    return Path(handle.name)


CLI_FORMATS = FORMATS + ["aggregate"]


@pytest.mark.parametrize("fmt", CLI_FORMATS)
def test_annotate_cli_on_damaged_input_accounts_for_every_row(callers_dir, cached_resources, tmp_path_factory, fmt):
    text, header_lines = cli_seed(callers_dir, fmt)
    seed_lines = split_lines(text)
    data_index = [i for i in range(header_lines, len(seed_lines)) if seed_lines[i].strip()]
    delimiter = "," if fmt == "jaffa" else "\t"
    reader = "fusioninspector" if fmt == "aggregate" else fmt
    tmp = tmp_path_factory.mktemp(f"cli-{fmt}")
    counts = {"cases": 0, "exit0": 0, "exit2": 0}
    started = time.perf_counter()

    @CLI_FUZZ
    @given(
        target=st.sampled_from(data_index),
        field=st.integers(min_value=0, max_value=60),
        number=st.sampled_from(NASTY_NUMBERS),
        junk=JUNK,
        mode=st.sampled_from(["number", "number", "number", "junk_field", "truncate", "hash_row", "meta_line",
                              "comment_line", "drop_field", "duplicate_row", "blank_field", "huge_field",
                              "swap_header", "junk_header", "unicode_field"]),
        other=st.integers(min_value=0, max_value=60),
        text=st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r\t,"),
                     min_size=1, max_size=12),
        bom=st.booleans(),
        crlf=st.booleans(),
        name_sample=st.booleans(),
        build_check=st.booleans(),
        vcf=st.booleans(),
        cohort=st.integers(min_value=0, max_value=3),
        detect=st.booleans(),
    )
    def check(target, field, number, junk, mode, other, text, bom, crlf, name_sample, build_check, vcf, cohort, detect):
        lines = list(seed_lines)
        if mode in ("swap_header", "junk_header") and header_lines:  # the column header: the last header line
            head = lines[header_lines - 1].split(delimiter)
            i, j = field % len(head), other % len(head)
            if mode == "swap_header":
                head[i], head[j] = head[j], head[i]
            else:
                head[i] = head[i][:1] + text
            lines[header_lines - 1] = delimiter.join(head)
        cells = lines[target].split(delimiter)
        k = field % len(cells)
        if mode == "number":  # the first run of digits of a cell (a position inside 'chr12:11869969:+', a count)
            with_digits = [j for j, c in enumerate(cells) if re.search(r"\d", c)] or [k]
            k = with_digits[field % len(with_digits)]
            cells[k] = re.sub(r"\d+", lambda _: number, cells[k], count=1) if re.search(r"\d", cells[k]) else number
        elif mode == "junk_field":
            cells[k] = junk
        elif mode == "blank_field":
            cells[k] = ""
        elif mode == "huge_field":
            cells[k] = cells[k][:3] + "A" * 100_000
        elif mode == "unicode_field":  # a gene or sample name in another script, or with a combining mark
            cells[k] = text
        elif mode == "drop_field" and len(cells) > 1:
            del cells[k]
        lines[target] = delimiter.join(cells)
        if mode == "truncate":
            lines[target] = lines[target][: max(1, field * 7 % max(1, len(lines[target])))]
        elif mode == "hash_row":  # a sample or gene written '#P1', or a row commented out
            lines[target] = "#" + lines[target]
        elif mode == "meta_line":
            lines.insert(target + 1, "##stray=" + junk)
        elif mode == "comment_line":
            lines.insert(target, "# " + junk)
        elif mode == "duplicate_row":
            lines.insert(target, lines[target])
        body = ("\r\n" if crlf else "\n").join(lines) + "\n"
        path = tmp / f"case.{fmt}.txt"
        path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8"))
        out = tmp / "out"
        shutil.rmtree(out, ignore_errors=True)
        args = ["annotate", str(path), "--format", "auto" if detect else reader, "--out-dir", str(out)]
        args += ["--sample", "S"] if name_sample or fmt != "aggregate" else []
        args += [] if build_check else ["--no-build-check"]
        args += ["--vcf"] if vcf else []
        status, err = run_cli(args)  # an exception here is a traceback: the test fails with it
        counts["cases"] += 1
        assert status in (0, 2), (status, err)
        assert "Traceback" not in err
        sample = "S" if "--sample" in args else "case"
        if status == 2:
            counts["exit2"] += 1
            lines_err = err.strip().splitlines()
            assert len(lines_err) == 1 and lines_err[0].startswith("fusion-annot annotate: error: "), err
            assert not (out / f"{sample}.fusions.tsv").exists(), "refused after writing"
            return
        counts["exit0"] += 1
        doc = json.loads((out / f"{sample}.fusions.json").read_text())
        meta = doc["metadata"]
        rejects = doc["rejects"]
        assert all(r["reason"] for r in rejects)
        annotated_calls = {(r["sample"], r["source_line"]) for r in doc["fusions"]}
        # annotated + rejected = rows read
        assert meta["annotated_calls"] + meta["rejected_rows"] == meta["rows_read"]
        assert len(annotated_calls) == meta["annotated_calls"] and len(rejects) == meta["rejected_rows"]
        # every non-blank line after the header: a call's line (or the mate line of a breakend pair) or a reject
        items = list(REGISTRY[meta["format"]].read(str(path), "S"))
        assert len(items) == meta["rows_read"]
        if meta["format"] != reader:  # detected as another format (damage can do that): its own header rules
            assert detect
            return
        expected = {n for n, line in enumerate(split_lines(body), start=1) if n > header_lines and line.strip()}
        if fmt == "notation":  # its '#' lines are comments by definition (documented), not rows
            expected = {n for n in expected if not split_lines(body)[n - 1].lstrip().startswith("#")}
        assert covered_lines(items) >= expected, sorted(expected - covered_lines(items))[:5]
        assert {r["source_line"] for r in doc["fusions"]} | {r["source_line"] for r in rejects} == {i.line for i in items}
        if cohort == 0:  # one case in four: the cohort tables count every annotated row (none dropped, e.g. '#P1')
            status, err = run_cli(["cohort", str(out / f"{sample}.fusions.tsv"), "--out-dir", str(out / "cohort")])
            assert status == 0, err
            summary = json.loads((out / "cohort" / "cohort.summary.json").read_text())
            assert summary["calls"] == len(doc["fusions"])

    check()
    CLI_TIMES[fmt] = (counts["cases"], time.perf_counter() - started)
    print(f"\n{fmt}: {counts['cases']} annotate runs ({counts['exit0']} exit 0, {counts['exit2']} exit 2) in "
          f"{CLI_TIMES[fmt][1]:.1f} s")
    assert counts["cases"] >= min(CLI_EXAMPLES, 50)


# --- `report` on damaged annotation JSON, `describe` on damaged notation ------------------------------------------

JSON_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
    st.floats(allow_nan=True, allow_infinity=True), JUNK,
    st.sampled_from(["1-100000000", "15-3", "0-0", "3-", "-", "5-9", "1-1", "NTRK3", "", " 12 ", "1e400"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@pytest.fixture(scope="module")
def annotation_json(callers_dir, cached_resources, tmp_path_factory) -> dict:
    """A real SAMPLE.fusions.json: the demo ETV6::NTRK3 sample and the fusion-report STAR-Fusion calls."""
    out = tmp_path_factory.mktemp("report-seed")
    status, err = run_cli(["annotate", str(callers_dir / SEED_FILES["star-fusion"]), "--sample", "S", "--out-dir", str(out)])
    assert status == 0, err
    return json.loads((out / "S.fusions.json").read_text())


def test_report_cli_on_damaged_json_exits_0_or_2(annotation_json, cached_resources, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report-fuzz")
    keys = sorted(annotation_json["fusions"][0])
    counts = {"cases": 0, "exit2": 0}

    @CLI_FUZZ
    @given(record=st.integers(min_value=0, max_value=100), key=st.sampled_from(keys), value=JSON_VALUES,
           delete=st.booleans(), reference=st.sampled_from(["none", "auto"]))
    def check(record, key, value, delete, reference):
        doc = json.loads(json.dumps(annotation_json))
        rec = doc["fusions"][record % len(doc["fusions"])]
        if delete and key != "fusion_name":
            del rec[key]
        else:
            rec[key] = value
        path = tmp / "case.fusions.json"
        path.write_text(json.dumps(doc))
        out = tmp / "case.html"
        if out.exists():
            out.unlink()
        status, err = run_cli(["report", str(path), "--out", str(out), "--reference", reference])
        counts["cases"] += 1
        assert status in (0, 2) and "Traceback" not in err, err
        if status == 2:
            counts["exit2"] += 1
            assert len(err.strip().splitlines()) == 1 and not out.exists(), err
        else:
            assert out.stat().st_size > 0

    check()
    print(f"\nreport: {counts['cases']} runs ({counts['exit2']} exit 2)")


NOTATION_TEMPLATES = ["{g5} ex{n5}::{g3} ex{n3}", "{g5} exons 1-{n5} :: {g3} exons {n3}-{m3}", "{g5}::{g3}",
                      "{g5}::{g3} {c5}:{n5}:+ {c3}:{n3}:-", "{g5} intron {n5}::{g3} ex{n3}", "{g5}-{g3}",
                      "{g5} e{n5}::{g3} e{n3}", "{g5}({t5}) ex{n5}::{g3} ex{n3}"]
GENES = st.sampled_from(["ETV6", "NTRK3", "NTRK1", "NTRK2", "TPM3", "LMNA", "ROS1", "CD74", "QKI", "TFG", "EML4", "ALK",
                         "NOTAGENE", "etv6", "MT-TR", ""])
_SMALL = st.integers(min_value=1, max_value=12).map(str)
NOTATION_NUMBER = st.one_of(_SMALL, _SMALL, _SMALL, st.sampled_from(NASTY_NUMBERS), st.integers(min_value=-3, max_value=60).map(str))


def test_describe_cli_on_damaged_notation_exits_0_or_2(cached_resources):
    counts = {"cases": 0, "exit2": 0}

    @CLI_FUZZ
    @given(template=st.sampled_from(NOTATION_TEMPLATES), g5=GENES, g3=GENES, n5=NOTATION_NUMBER, n3=NOTATION_NUMBER,
           m3=NOTATION_NUMBER, c5=st.sampled_from(["12", "chr12", "99", "", "MT"]), c3=st.sampled_from(["15", "chr15", "X"]),
           t5=st.sampled_from(["ROS1-202", "ENST00000396373", "ENST00000396373.8", "NM_001987", "x"]),
           junk=JUNK, where=st.integers(min_value=0, max_value=60), damage=st.integers(0, 2), json_out=st.booleans())
    def check(template, g5, g3, n5, n3, m3, c5, c3, t5, junk, where, damage, json_out):
        text = template.format(g5=g5, g3=g3, n5=n5, n3=n3, m3=m3, c5=c5, c3=c3, t5=t5)
        if damage == 0:  # one case in three: junk inserted somewhere
            text = text[: where % (len(text) + 1)] + junk + text[where % (len(text) + 1):]
        status, err = run_cli(["describe"] + (["--json"] if json_out else []) + ["--", text])  # text may start with '-'
        counts["cases"] += 1
        assert status in (0, 2) and "Traceback" not in err, err
        if status == 2:
            counts["exit2"] += 1
            assert len(err.strip().splitlines()) == 1, err

    check()
    print(f"\ndescribe: {counts['cases']} runs ({counts['exit2']} exit 2)")

"""Issue 14: bad input never changes a clinical call silently. Each defect found by fuzzing and by a new user,
with a bad and a good case: a one-line error (exit 2) or a reject with its reason, never a traceback or a lost row."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from fusion_annot.cli import main
from fusion_annot.readers import REGISTRY
from fusion_annot.readers.tabular import to_int

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo"
MANTA = "manta/mavis.manta_events.vcf"


def cli(*args, stdin=None, **kwargs):
    return subprocess.run([sys.executable, "-m", "fusion_annot", *map(str, args)], capture_output=True, text=True,
                          input=stdin, **kwargs)


def one_line_error(err: str, *fragments: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for fragment in fragments:
        assert fragment in lines[0], err


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


def reader_lines(items) -> set[int]:
    """Input lines a reader accounts for: each call's lines (both lines of a breakend pair) and each reject's."""
    lines = set()
    for item in items:
        lines.update(getattr(item, "extra", {}).get("source_lines", (item.line,)) if hasattr(item, "extra") else (item.line,))
    return lines


# --- item 2: plain-gzip (non-BGZF) VCF -------------------------------------------------------------------------

def test_a_plain_gzip_vcf_reads_like_the_plain_text_file(callers_dir, tmp_path, capsys):
    text = (callers_dir / MANTA).read_bytes()
    packed = tmp_path / "manta.vcf.gz"
    packed.write_bytes(gzip.compress(text))  # gzip, not bgzip: htslib cannot seek in it
    plain = tmp_path / "manta.vcf"
    plain.write_bytes(text)
    for path, out in ((packed, "gz"), (plain, "txt")):
        assert main(["annotate", str(path), "--sample", "M", "--no-build-check", "--out-dir", str(tmp_path / out)]) == 0
    gz, txt = read_json(tmp_path / "gz" / "M.fusions.json"), read_json(tmp_path / "txt" / "M.fusions.json")
    assert [r["fusion_name"] for r in gz["fusions"]] == [r["fusion_name"] for r in txt["fusions"]] != []
    assert gz["metadata"]["rows_read"] == txt["metadata"]["rows_read"] == 12  # 15 records, 3 breakend pairs
    # a bgzipped VCF (the real Manta demo output) still goes straight to htslib
    assert main(["annotate", str(callers_dir / "manta/manta-repo.demo.expectedResults.somaticSV.vcf.gz"), "--sample", "D",
                 "--no-build-check", "--out-dir", str(tmp_path / "bgzf")]) == 0
    capsys.readouterr()


# --- item 7 and 3: '#' lines among the records are rejected, never shift or drop a record -------------------

def test_a_stray_meta_line_in_a_vcf_body_does_not_misnumber_later_records(callers_dir, tmp_path, capsys):
    lines = (callers_dir / MANTA).read_text().split("\n")
    chrom = next(i for i, line in enumerate(lines) if line.startswith("#CHROM"))
    assert main(["annotate", str(callers_dir / MANTA), "--sample", "M", "--no-build-check",
                 "--out-dir", str(tmp_path / "good")]) == 0
    good = read_json(tmp_path / "good" / "M.fusions.json")
    lines.insert(chrom + 3, "##stray=meta line")  # between the 2nd and 3rd record
    bad = tmp_path / "stray.vcf"
    bad.write_text("\n".join(lines))
    assert main(["annotate", str(bad), "--sample", "M", "--no-build-check", "--out-dir", str(tmp_path / "bad")]) == 0
    doc = read_json(tmp_path / "bad" / "M.fusions.json")
    stray = [r for r in doc["rejects"] if r["source_line"] == chrom + 4]
    assert len(stray) == 1 and "'#' line among the records" in stray[0]["reason"]
    shift = lambda n: n + 1 if n >= chrom + 4 else n  # noqa: E731
    # every record keeps its own line number, its call and its reason
    assert [(shift(r["source_line"]), r["fusion_name"]) for r in good["fusions"]] == \
           [(r["source_line"], r["fusion_name"]) for r in doc["fusions"]]
    assert sorted((shift(r["source_line"]), r["reason"]) for r in good["rejects"]) == \
           sorted((r["source_line"], r["reason"]) for r in doc["rejects"] if r is not stray[0])
    data_lines = {n for n, line in enumerate(lines, start=1) if n > chrom + 1 and line.strip()}
    assert reader_lines(REGISTRY["vcf"].read(str(bad), "M")) == data_lines
    capsys.readouterr()


@pytest.mark.parametrize("fmt,seed", [("bedpe", "bedpe/mavis.chimerascan_output.bedpe"),
                                      ("pbfusion", "bedpe/LRbench.SeraCare_IsoSeq.pbfusion.breakpoints.groups.bed.gz")])
def test_a_hash_line_among_bed_rows_is_rejected_not_dropped(callers_dir, tmp_path, fmt, seed):
    path = callers_dir / seed
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as fh:
        lines = fh.read().split("\n")[:40]
    first_data = next(i for i, line in enumerate(lines) if line.strip() and not line.startswith("#"))
    good = list(REGISTRY[fmt].read(_write(tmp_path / "good.txt", lines), "S"))
    lines[first_data + 2] = "#" + lines[first_data + 2]  # a row commented out, or a chromosome written '#chr1'
    items = list(REGISTRY[fmt].read(_write(tmp_path / "bad.txt", lines), "S"))
    assert len(items) == len(good)  # the same number of rows: one became a reject with its reason
    bad = [i for i in items if getattr(i, "line", 0) == first_data + 3 and hasattr(i, "reason")]
    assert bad and "'#'" in bad[0].reason


def _write(path: Path, lines) -> str:
    path.write_text("\n".join(lines))
    return str(path)


def test_cohort_keeps_a_row_whose_sample_starts_with_hash(tmp_path, capsys):
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--out-dir", str(tmp_path / "a")]) == 0
    table = tmp_path / "a" / "IFS01.fusions.tsv"
    rows = table.read_text().split("\n")
    header = next(i for i, line in enumerate(rows) if line.startswith("sample\t"))
    n_rows = sum(1 for line in rows[header + 1:] if line.strip())
    assert main(["cohort", str(table), "--out-dir", str(tmp_path / "good")]) == 0
    good = read_json(tmp_path / "good" / "cohort.summary.json")
    assert good["calls"] == n_rows == 2
    rows[header + 2] = "#" + rows[header + 2]  # an aggregate's sample column: '#P2'
    table.write_text("\n".join(rows))
    assert main(["cohort", str(table), "--out-dir", str(tmp_path / "bad")]) == 0
    bad = read_json(tmp_path / "bad" / "cohort.summary.json")
    assert bad["calls"] == n_rows and bad["samples"] == 2  # IFS01 and #IFS01: the row is kept, not dropped
    capsys.readouterr()


# --- item 4: absurd numbers are rejected with a reason --------------------------------------------------------

@pytest.mark.parametrize("value,expected", [("12", 12), ("12.00", 12), ("1e3", 1000), ("-4", -4), ("inf", None),
                                            ("-inf", None), ("nan", None), ("1e309", None), ("9" * 4400, None),
                                            (str(2 ** 63), None), ("1.5", None), ("", None), ("x", None)])
def test_to_int_never_raises(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize("position", ["inf", "nan", "1e309", "1" * 4400, str(2 ** 63), str(2 ** 64 + 1), "300000000"])
def test_absurd_positions_are_rejected_with_a_reason(tmp_path, position, capsys):
    lines = (DEMO / "IFS01.star-fusion.tsv").read_text().split("\n")
    header = lines[0].split("\t")
    fields = lines[1].split("\t")
    column = header.index("LeftBreakpoint")
    chrom, _, strand = fields[column].split(":")
    fields[column] = f"{chrom}:{position}:{strand}"
    fields[header.index("JunctionReadCount")] = position
    lines[1] = "\t".join(fields)
    bad = tmp_path / "P1.tsv"
    bad.write_text("\n".join(lines))
    assert main(["annotate", str(bad), "--out-dir", str(tmp_path / "o")]) == 0
    doc = read_json(tmp_path / "o" / "P1.fusions.json")
    assert [r["source_line"] for r in doc["rejects"]] == [2]
    reason = doc["rejects"][0]["reason"]
    assert "LeftBreakpoint" in reason or "outside" in reason or "past the end" in reason, reason
    assert len(reason) < 400 and "set_int_max_str_digits" not in reason
    assert len(doc["fusions"]) == 1  # the other row of the file
    capsys.readouterr()


# --- item 5: the sample name is matched whole -----------------------------------------------------------------

@pytest.mark.parametrize("name,ok", [("P1", True), ("P1.rna_2-b", True), ("P1\n", False), ("P1\nP2", False),
                                     (" P1", False), ("-P1", False), ("P1/..", False)])
def test_sample_name_is_matched_whole(tmp_path, name, ok, capsys):
    status = main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), f"--sample={name}", "--out-dir", str(tmp_path)])
    err = capsys.readouterr().err
    if ok:
        assert status == 0 and (tmp_path / f"{name}.fusions.tsv").is_file()
    else:
        assert status == 2 and "must be letters, digits" in err and list(tmp_path.iterdir()) == []


# --- item 9: --vcf on a multi-sample aggregate is refused before anything is written -----------------------

def test_vcf_of_a_multi_sample_aggregate_is_refused_before_writing(callers_dir, tmp_path, capsys):
    with gzip.open(callers_dir / "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz", "rt") as fh:
        lines = [next(fh) for _ in range(30)]
    aggregate = tmp_path / "cosmic.tsv"
    aggregate.write_text("".join(lines))
    out = tmp_path / "bad"
    assert main(["annotate", str(aggregate), "--vcf", "--out-dir", str(out)]) == 2
    one_line_error(capsys.readouterr().err, "--vcf writes one VCF per sample")
    assert not out.exists() or list(out.iterdir()) == []
    # one sample of it (--sample names every row): the VCF is written
    assert main(["annotate", str(aggregate), "--vcf", "--sample", "ESCA", "--no-build-check",
                 "--out-dir", str(tmp_path / "good")]) == 0
    assert (tmp_path / "good" / "ESCA.fusions.vcf.gz").is_file()
    capsys.readouterr()


# --- item 10: a UTF-8 byte-order mark ------------------------------------------------------------------------

def test_a_byte_order_mark_is_not_part_of_the_first_column_name(tmp_path, capsys):
    source = (DEMO / "IFS01.star-fusion.tsv").read_bytes()
    bom = tmp_path / "P1.tsv"
    bom.write_bytes(b"\xef\xbb\xbf" + source)  # saved by Excel
    assert main(["annotate", str(bom), "--out-dir", str(tmp_path / "o")]) == 0
    doc = read_json(tmp_path / "o" / "P1.fusions.json")
    assert len(doc["fusions"]) == 2 and doc["rejects"] == []
    # the cohort command reads a table saved with a BOM too
    table = tmp_path / "o" / "P1.fusions.tsv"
    table.write_bytes(b"\xef\xbb\xbf" + table.read_bytes())
    assert main(["cohort", str(table), "--out-dir", str(tmp_path / "c")]) == 0
    assert read_json(tmp_path / "c" / "cohort.summary.json")["calls"] == 2
    capsys.readouterr()


def test_the_workflow_extra_brings_pygments_for_snakemake_report():
    """`snakemake --report` imports pygments, which snakemake itself does not require."""
    import tomllib

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert any(req.lower().startswith("pygments>=") and "<" in req for req in extras["workflow"]), extras["workflow"]


# --- item 11: two inputs must not overwrite each other --------------------------------------------------------

def test_default_sample_names_that_collide_are_refused(callers_dir, tmp_path, capsys):
    k562 = callers_dir / "star-fusion/benchmark.K562.star-fusion.fusion_candidates.final.abridged"
    vcap = callers_dir / "star-fusion/benchmark.VCaP_85.star-fusion.fusion_candidates.final.abridged"
    out = tmp_path / "out"
    assert main(["annotate", str(k562), str(vcap), "--no-build-check", "--out-dir", str(out)]) == 2
    one_line_error(capsys.readouterr().err, "default sample name 'benchmark'", "first dot", "--samples SHEET")
    assert not out.exists()
    sheet = tmp_path / "s.tsv"
    sheet.write_text(f"sample\tformat\tpath\nK562\tstar-fusion\t{k562}\nVCaP\tstar-fusion\t{vcap}\n")
    assert main(["annotate", "--samples", str(sheet), "--no-build-check", "--out-dir", str(out)]) == 0
    assert {p.name for p in out.glob("*.fusions.tsv")} == {"K562.fusions.tsv", "VCaP.fusions.tsv"}
    capsys.readouterr()


def test_sample_names_differing_only_in_case_are_refused(tmp_path, capsys):
    sheet = tmp_path / "s.tsv"
    demo = DEMO / "IFS01.star-fusion.tsv"
    sheet.write_text(f"sample\tformat\tpath\nP1\tauto\t{demo}\np1\tauto\t{demo}\n")
    assert main(["annotate", "--samples", str(sheet), "--out-dir", str(tmp_path / "o")]) == 2
    one_line_error(capsys.readouterr().err, f"{sheet}:3", "only in case")
    a, b = tmp_path / "P1.tsv", tmp_path / "p1.tsv"
    a.write_bytes(demo.read_bytes())
    b.write_bytes(demo.read_bytes())
    assert main(["annotate", str(a), str(b), "--out-dir", str(tmp_path / "o")]) == 2
    one_line_error(capsys.readouterr().err, "default sample name 'p1'")


def test_merge_refuses_one_file_twice_and_a_multi_sample_aggregate(callers_dir, tmp_path, capsys):
    star = str(DEMO / "IFS01.star-fusion.tsv")
    arriba = str(DEMO / "IFS01.arriba.tsv")
    assert main(["merge", f"{star}:star-fusion", f"{arriba}:arriba", "--sample", "IFS01",
                 "--out", str(tmp_path / "good.tsv")]) == 0
    capsys.readouterr()
    assert main(["merge", star, star, "--sample", "IFS01", "--out", str(tmp_path / "twice.tsv")]) == 2
    one_line_error(capsys.readouterr().err, "given twice")
    with gzip.open(callers_dir / "fusioninspector/FusionInspectorPaper.COSMIC_hindsight_samples.tsv.gz", "rt") as fh:
        lines = [next(fh) for _ in range(30)]
    aggregate = tmp_path / "cosmic.tsv"
    aggregate.write_text("".join(lines))
    assert main(["merge", str(aggregate), arriba, "--sample", "IFS01", "--out", str(tmp_path / "mixed.tsv")]) == 2
    one_line_error(capsys.readouterr().err, "calls of several samples")
    assert not (tmp_path / "mixed.tsv").exists() and not (tmp_path / "twice.tsv").exists()


# --- item 12: a closed pipe is not an error -------------------------------------------------------------------

def test_describe_into_a_closed_pipe_exits_quietly():
    code = ("import subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, '-m', 'fusion_annot', 'describe', 'ETV6 ex5::NTRK3 ex15', '--json'],"
            " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
            "p.stdout.read(1); p.stdout.close()\n"  # `| head -c 1`: the reader goes away
            "err = p.stderr.read().decode(); sys.stdout.write(f'{p.wait()}|{err}')\n")
    for _ in range(3):  # timing-dependent: the writer may or may not have finished before the pipe closed
        status, err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.split("|", 1)
        assert status == "0" and err == "", err
    good = cli("describe", "ETV6 ex5::NTRK3 ex15")
    assert good.returncode == 0 and good.stdout.startswith("ETV6::NTRK3") and good.stderr == ""


# --- the workflow's sample sheet: a BOM is read, names are matched whole, case-only clashes refused -----------

def _workflow_dry_run(tmp_path: Path, sheet_bytes: bytes) -> subprocess.CompletedProcess:
    import yaml

    (tmp_path / "config").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text())
    config["reference"]["cache_dir"] = str(tmp_path / "cache")
    (tmp_path / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "config" / "samples.tsv").write_bytes(sheet_bytes)
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(tmp_path),
               "-n", "--cores", "1"]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("second,message", [("IFS02", None), ("ifs01", "only in case")], ids=["good", "case-clash"])
def test_workflow_sheet_with_a_bom_and_case_only_clashes(tmp_path, second, message):
    rows = [f"IFS01\tstar-fusion\t{DEMO / 'IFS01.star-fusion.tsv'}", f"{second}\tarriba\t{DEMO / 'IFS02.arriba.tsv'}"]
    sheet = ("\ufeffsample\tformat\tpath\n" + "\n".join(rows) + "\n").encode("utf-8")  # saved by Excel
    result = _workflow_dry_run(tmp_path, sheet)
    if message is None:
        assert result.returncode == 0, result.stderr[-2000:]
    else:
        output = result.stdout + result.stderr  # snakemake -n reports on stdout
        assert result.returncode != 0 and message in output, output[-2000:]
        assert "invalid sample sheet" in output


# --- item 6: `report` on a damaged JSON ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def annotated_json(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--out-dir", str(out)]) == 0
    return out / "IFS01.fusions.json"


@pytest.mark.parametrize("key,value,message", [
    ("exons5", "1-100000000", "exons5 1-100000000 is not an exon range"),  # would draw 10^8 exon boxes
    ("exons3", "15-3", "exons3 15-3 is not an exon range"),
    ("exons3", [15, 20], "exons3 is a list"),
    ("pos5", "chr12", "pos5 must be an integer"),
    ("protein_length3", 1e400, "protein_length3 is inf"),
    ("aa_start3", {"x": 1}, "aa_start3 is a dict"),
    ("exon5", True, "exon5 must be an integer"),
    ("kinase_domain_kept_pct", ":", "kinase_domain_kept_pct must be a number"),  # found by the report fuzz
    ("domains3", "Kinase 5" + "9" * 5000 + "-823", "domains3 holds a residue number"),
    ("gene5", "ETV6", None),  # good: the value as annotate writes it
])
def test_report_refuses_wrong_values_in_one_line(annotated_json, tmp_path, capsys, key, value, message):
    doc = json.loads(annotated_json.read_text())
    doc["fusions"][0][key] = value
    damaged = tmp_path / "damaged.json"
    damaged.write_text(json.dumps(doc))
    out = tmp_path / "r.html"
    status = main(["report", str(damaged), "--out", str(out)])
    captured = capsys.readouterr()
    if message is None:
        assert status == 0 and out.is_file() and "ETV6" in out.read_text()
    else:
        assert status == 2 and not out.exists()
        one_line_error(captured.err, f"{damaged}: fusion record 1", message)


@pytest.mark.parametrize("text,message", [("[" * 100_000, "not valid JSON"), ('[{"fusion_name": "A", "pos5": ' + "9" * 5000 + "}]",
                                          "not valid JSON"), ('{"fusions": [], "rejects": 5}', '"rejects" must be a list')],
                         ids=["nested", "5000-digits", "rejects-not-a-list"])
def test_report_on_a_json_that_is_not_one_is_one_line(tmp_path, capsys, text, message):
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    assert main(["report", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    one_line_error(capsys.readouterr().err, str(bad), message)


# --- item 1: a wrong --domains table never flips the kinase call ----------------------------------------------

DOMAIN_HEADER = "transcript_id\ttranscript_name\tgene_name\tsource\taccession\tdescription\taa_start\taa_end\n"


def _describe_with_domains(tmp_path, capsys, body: str, name="domains.tsv"):
    table = tmp_path / name
    table.write_text(DOMAIN_HEADER + body)
    status = main(["describe", "ETV6 ex5::NTRK3 ex15", "--json", "--domains", str(table)])
    captured = capsys.readouterr()
    return status, (json.loads(captured.out)["fusion"] if status == 0 else None), captured.err, table


@pytest.mark.parametrize("source,accession", [("InterPro", "IPR001245"), ("interpro", "IPR001245"), ("Pfam", "PF07714"),
                                              ("Pfam", "PF07714.18"), ("PFAM", "PF07714")])
def test_a_kinase_row_as_interpro_or_pfam_write_it_is_retained(tmp_path, capsys, source, accession):
    status, row, err, _ = _describe_with_domains(
        tmp_path, capsys, f"ENST00000629765\tNTRK3-217\tNTRK3\t{source}\t{accession}\tTyrosine kinase\t539\t823\n")
    assert status == 0, err
    assert row["kinase_domain"] == "retained" and row["kinase_domain_kept_pct"] == 100.0


@pytest.mark.parametrize("body,reason", [
    ("ENST00000629765\tNTRK3-217\tNTRK3\tInterPro\tTyrosine kinase\tIPR001245\t539\t823\n", "columns swapped?"),
    ("ENST00000629765\tNTRK3-217\tNTRK3\tUniProt\t\tTopological domain\t1\t839\n", "no InterPro or Pfam feature"),
    ("NTRK3\tENST00000629765\tInterPro\tNTRK3-217\tIPR001245\tTyrosine kinase\t539\t823\n", "no InterPro or Pfam feature"),
], ids=["accession-description-swapped", "uniprot-only", "source-column-swapped"])
def test_a_domain_table_that_cannot_call_kinases_is_refused(tmp_path, capsys, body, reason):
    status, _, err, table = _describe_with_domains(tmp_path, capsys, body)
    assert status == 2
    one_line_error(err, str(table), reason)


def test_a_kinase_past_the_protein_end_is_unknown_not_lost(tmp_path, capsys):
    """A table of another release placing the NTRK3 kinase at aa 900-1184 (the protein has 839): not 'lost'."""
    status, row, err, _ = _describe_with_domains(
        tmp_path, capsys, "ENST00000629765\tNTRK3-217\tNTRK3\tInterPro\tIPR001245\tTyrosine kinase\t900\t1184\n")
    assert status == 0, err
    assert row["kinase_domain"] == "unknown" and "past the end of the 839-aa protein" in row["kinase_domain_detail"]
    assert "not actionable" not in (row.get("actionability") or "").lower()


def test_a_truncated_gzip_domain_table_is_one_line(shared_dir, tmp_path, capsys):
    packed = (shared_dir / "reference" / "protein_domains.ensembl110.tsv.gz").read_bytes()
    cut = tmp_path / "domains.tsv.gz"
    cut.write_bytes(packed[: len(packed) // 3])
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--domains", str(cut)]) == 2
    one_line_error(capsys.readouterr().err, str(cut), "cannot read domain table")
    whole = tmp_path / "whole.tsv.gz"
    whole.write_bytes(packed)
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--json", "--domains", str(whole)]) == 0
    assert json.loads(capsys.readouterr().out)["fusion"]["kinase_domain"] == "retained"


# --- item 8: reference loader errors are one line --------------------------------------------------------------

def _fake_release(root: Path, catalog_gtf: Path, cdna: bytes) -> None:
    """An 'installed' pyensembl release 110: the shared catalog-gene GTF and the given cDNA FASTA (gzip)."""
    folder = root / "pyensembl" / "GRCh38" / "ensembl110"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Homo_sapiens.GRCh38.110.gtf.gz").write_bytes(catalog_gtf.read_bytes())
    (folder / "Homo_sapiens.GRCh38.cdna.all.fa.gz").write_bytes(cdna)
    for name in ("ncrna", "pep.all"):
        (folder / f"Homo_sapiens.GRCh38.{name}.fa.gz").write_bytes(gzip.compress(b">none\nACGT\n"))


@pytest.mark.parametrize("truncated", [False, True], ids=["whole-fasta", "truncated-fasta"])
def test_a_truncated_release_fasta_is_one_line(catalog_gtf, tmp_path, monkeypatch, capsys, truncated):
    cdna = gzip.compress(b">ENST00000000001.1 cdna\n" + b"ACGT" * 5000 + b"\n")
    _fake_release(tmp_path / "pyensembl-cache", catalog_gtf, cdna[: len(cdna) // 2] if truncated else cdna)
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path / "pyensembl-cache"))
    status = main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--reference", "ensembl:110",
                   "--cache-dir", str(tmp_path / "packs"), "--out-dir", str(tmp_path / "out")])
    err = capsys.readouterr().err
    if truncated:
        assert status == 2
        one_line_error(err, "cannot read the transcript sequences of ensembl:110", "cdna.all.fa.gz")
    else:
        assert status == 0, err
        assert read_json(tmp_path / "out" / "IFS01.fusions.json")["metadata"]["rows_read"] == 2


@pytest.mark.parametrize("spec,message", [("ensembl:999", "release 999 is not available"),
                                          ("ensembl:x", "expected ensembl:RELEASE"),
                                          ("ensembl:111", "not installed for pyensembl")])
def test_an_unusable_release_is_one_line(tmp_path, monkeypatch, capsys, spec, message):
    monkeypatch.setenv("PYENSEMBL_CACHE_DIR", str(tmp_path / "empty-cache"))
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--reference", spec, "--cache-dir", str(tmp_path / "p")]) == 2
    one_line_error(capsys.readouterr().err, message)


def test_a_gtf_cut_mid_line_is_refused(catalog_gtf, tmp_path, capsys):
    text = gzip.decompress(catalog_gtf.read_bytes())
    lines = text.split(b"\n")
    whole = tmp_path / "whole.gtf"
    whole.write_bytes(b"\n".join(lines[:4000]) + b"\n")
    cut = tmp_path / "cut.gtf"
    cut.write_bytes(b"\n".join(lines[:4000]) + b"\n" + lines[4000][: len(lines[4000]) // 2])  # cut in the attributes
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--reference", str(cut), "--cache-dir", str(tmp_path / "c1")]) == 2
    one_line_error(capsys.readouterr().err, "cut.gtf")
    status = main(["describe", "ETV6 ex5::NTRK3 ex15", "--reference", str(whole), "--cache-dir", str(tmp_path / "c2")])
    err = capsys.readouterr().err
    assert "Traceback" not in err and (status == 0 or "not in reference" in err)  # the whole lines are read
    packed = tmp_path / "cut.gtf.gz"
    packed.write_bytes(catalog_gtf.read_bytes()[:50_000])  # a truncated download
    assert main(["describe", "ETV6 ex5::NTRK3 ex15", "--reference", str(packed), "--cache-dir", str(tmp_path / "c3")]) == 2
    one_line_error(capsys.readouterr().err, "cut.gtf.gz", "Compressed file ended")


# --- item 14: most rejects 'not in the bundled reference': the summary line says what to do -------------------

def test_summary_line_suggests_reference_when_most_rejects_lack_a_bundled_gene(callers_dir, tmp_path, capsys):
    hg19 = callers_dir / "star-fusion/benchmark.K562.star-fusion.fusion_candidates.final.abridged"
    assert main(["annotate", str(hg19), "--sample", "K562", "--no-build-check", "--out-dir", str(tmp_path / "a")]) == 0
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert "read 50 rows" in summary and "rejects are genes or breakpoints not in the bundled reference" in summary
    assert "pass --reference" in summary
    # a file the bundled reference fits: no advice
    assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--out-dir", str(tmp_path / "b")]) == 0
    summary = capsys.readouterr().err.strip().splitlines()[-1]
    assert "rejected 0" in summary and "--reference" not in summary


def test_a_lone_carriage_return_in_a_vcf_record_does_not_misnumber_later_records(callers_dir, tmp_path):
    """Universal newlines cut a line at a lone '\\r', htslib does not: pysam reads the lines as numbered here."""
    from fusion_annot.model import FusionCall

    lines = (callers_dir / MANTA).read_text().split("\n")
    chrom = next(i for i, line in enumerate(lines) if line.startswith("#CHROM"))
    cut_line = chrom + 3  # 1-based line of the 2nd record
    good = [i for i in REGISTRY["vcf"].read(str(callers_dir / MANTA), "M") if isinstance(i, FusionCall)]
    lines[cut_line - 1] = lines[cut_line - 1] + "\rjunk"  # that line becomes two lines
    bad = tmp_path / "cr.vcf"
    bad.write_bytes("\n".join(lines).encode())
    items = list(REGISTRY["vcf"].read(str(bad), "M"))
    by_line = {i.line: i for i in items}
    assert "malformed" in by_line[cut_line + 1].reason  # 'junk', the tail of the cut line
    shifted = lambda n: n + 1 if n > cut_line else n  # noqa: E731
    # the record before the '\r' is whole (the junk follows its last column): every call as before, renumbered
    expected = [(tuple(shifted(n) for n in c.extra["source_lines"]), c.caller_fusion_name) for c in good]
    assert expected and [(tuple(c.extra["source_lines"]), c.caller_fusion_name) for c in items
                         if isinstance(c, FusionCall)] == expected


@pytest.mark.parametrize("name,ok", [("P1", True), ("P1.rna-2_b", True), ("P1\n", False), ("P1\nP2", False), ("-P1", False)])
def test_workflow_schema_matches_the_whole_sample_name(name, ok):
    import jsonschema
    import yaml

    schema = yaml.safe_load((REPO / "config" / "schema" / "samples.schema.yaml").read_text())
    record = {"sample": name, "format": "auto", "path": "x.tsv"}
    if ok:
        jsonschema.validate(record, schema)
    else:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(record, schema)


@pytest.mark.parametrize("position,ok", [("248956422", True), ("248956423", True), ("249250621", True),
                                         ("249250622", False), ("300000000", False)])
def test_a_position_past_the_chromosome_end_is_rejected_with_that_reason(callers_dir, tmp_path, capsys, position, ok):
    """chr1 is 248,956,422 bp in GRCh38 and 249,250,621 in GRCh37: beyond both, no gene can be there."""
    lines = (callers_dir / MANTA).read_text().split("\n")
    chrom = next(i for i, line in enumerate(lines) if line.startswith("#CHROM"))
    fields = lines[chrom + 1].split("\t")  # the first record: a <DEL> on chromosome 1
    assert fields[0] == "1" and fields[4] == "<DEL>"
    fields[1] = str(int(position) - 100)  # a <DEL> joins POS to END + 1: the 3' side is at `position`
    fields[7] = ";".join(f"END={int(position) - 1}" if kv.startswith("END=") else kv for kv in fields[7].split(";")
                         if not kv.startswith("SVLEN="))  # htslib would take the end from SVLEN
    lines[chrom + 1] = "\t".join(fields)
    vcf = tmp_path / "end.vcf"
    vcf.write_text("\n".join(lines))
    assert main(["annotate", str(vcf), "--sample", "E", "--no-build-check", "--out-dir", str(tmp_path / "o")]) == 0
    doc = read_json(tmp_path / "o" / "E.fusions.json")
    reason = next(r["reason"] for r in doc["rejects"] if r["source_line"] == chrom + 2)
    assert ("past the end of chromosome 1" in reason) != ok, reason
    capsys.readouterr()
    text = f"ETV6::NTRK3 12:{11869969 if ok else 200000000}:+ 15:87940753:-"
    status = main(["describe", text])
    err = capsys.readouterr().err
    if ok:
        assert status == 0, err
    else:
        assert status == 2
        one_line_error(err, "past the end of chromosome 12", "133,275,309 bp in GRCh38", "133,851,895 bp in GRCh37")


def test_cohort_counts_a_reject_whose_sample_starts_with_hash(tmp_path, capsys):
    from fusion_annot.commands.cohort import rejects_by_sample

    table = tmp_path / "A.rejects.tsv"
    table.write_text("## tool: fusion-annot\nsample\tcaller\tsource_file\tsource_line\treason\traw\n"
                     "P1\tarriba\tx.tsv\t2\tbad\t\n#P2\tarriba\tx.tsv\t3\tbad\t\nP1\tarriba\tx.tsv\t4\tbad\t\n")
    assert rejects_by_sample(str(table)) == {"P1": 2, "#P2": 1}  # the '#P2' row is a row, not a comment
    table.write_text("sample\tcaller\tsource_file\tsource_line\treason\traw\nP1\tarriba\tx.tsv\t2\tbad\t\n")
    assert rejects_by_sample(str(table)) == {"P1": 1}


def test_a_plain_gzip_variants_vcf_is_read_like_a_bgzipped_one(tmp_path, capsys):
    """--variants: NTRK3 G623R (15:87933034 C>G) next to ETV6::NTRK3, bgzipped+indexed and plain gzip."""
    import pysam

    header = pysam.VariantHeader()
    header.contigs.add("15", length=101991189)
    plain = tmp_path / "v.vcf"
    with pysam.VariantFile(str(plain), "w", header=header) as out:
        out.write(out.new_record(contig="15", start=87933033, stop=87933034, alleles=("C", "G")))
    text = plain.read_bytes()
    bgzipped = Path(pysam.tabix_index(str(plain), preset="vcf", force=True))
    gzipped = tmp_path / "plain.vcf.gz"
    gzipped.write_bytes(gzip.compress(text))
    resistance = {}
    for name, path in (("bgzf", bgzipped), ("gzip", gzipped)):
        assert main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--variants", str(path),
                     "--out-dir", str(tmp_path / name)]) == 0, capsys.readouterr().err
        rows = read_json(tmp_path / name / "IFS01.fusions.json")["fusions"]
        resistance[name] = next(r["resistance"] for r in rows if r["fusion_name"] == "ETV6::NTRK3")
    assert "G623R" in resistance["bgzf"] and resistance["gzip"] == resistance["bgzf"]
    capsys.readouterr()

"""Sample sheet, validation and helpers shared by the rules (no rules here).

Everything that can be checked before a job runs is checked here, at parse time,
and reported at once: a bad sample sheet stops the workflow with one message
listing every problem, before any job starts.
"""
import os
import re
import shlex
import sys
from pathlib import Path

import yaml

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.settings.types import DeploymentMethod

# The workflow's own folder (config/, rules/, envs/). The fusion_annot package the jobs run is the one
# installed in the jobs' Python (pip install fusion-annot, or the conda env of envs/fusion_annot.yaml),
# never this folder on PYTHONPATH: the workflow then behaves the same from a checkout or an installed package.
WORKFLOW_ROOT = Path(workflow.basedir).resolve()
SAMPLE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*"  # same as samples.schema.yaml
OPTIONAL_PATH_COLUMNS = ("bam", "variants")
PATH_SEPARATORS = (os.sep, "\\")  # a sample name becomes a file name: no separator of any platform


def uses_conda():
    return DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method


def fusion_annot_command():
    """How jobs call fusion-annot: `python -m fusion_annot` of the installed package.

    With --sdm conda the environment (envs/fusion_annot.yaml) installs the package and
    its dependencies; without conda, the interpreter that runs Snakemake is used (the
    venv fusion-annot is installed in), so the jobs see the same package as the checks below.
    """
    python = "python" if uses_conda() else sys.executable
    return f"{shlex.quote(python)} -m fusion_annot"


FUSION_ANNOT = fusion_annot_command()
if (WORKFLOW_ROOT / "pyproject.toml").is_file():
    # read by envs/fusion_annot.post-deploy.sh, which installs this source into a new conda environment
    os.environ.update(FUSION_ANNOT_SOURCE=str(WORKFLOW_ROOT))


def package_capabilities():
    """(reader names, options of `fusion-annot annotate`) of the installed fusion_annot package.

    The reader registry and the argument parser need only the standard library. Without
    conda the jobs run in this interpreter, so a missing package stops the workflow here,
    before any job; with conda the jobs bring their own and the checks are left to them.
    """
    try:
        from fusion_annot.cli import build_parser
        from fusion_annot.readers import format_names
    except ImportError as exc:
        if uses_conda():
            logger.warning(f"fusion_annot is not importable by Snakemake ({exc}): formats are checked by the jobs")
            return None, None
        raise WorkflowError(
            f"the fusion_annot package is not installed for {sys.executable} ({exc}); install it into the "
            "environment that runs Snakemake (pip install 'fusion-annot[workflow]', or pip install "
            "'.[workflow]' in the fusion-annot source folder), or run with --sdm conda"
        )
    parser = build_parser()
    annotate = next(a for a in parser._subparsers._group_actions if a.dest == "command").choices["annotate"]
    options = {s for action in annotate._actions for s in action.option_strings}
    return {"auto", *format_names()}, options


def _schema_error(exc):
    """The useful part of a jsonschema ValidationError (or of a WorkflowError wrapping one)."""
    error = exc.__context__ if getattr(exc.__context__, "validator", None) else exc
    message = getattr(error, "message", None)
    if not message:
        return str(exc).splitlines()[0]
    field = ".".join(str(p) for p in getattr(error, "absolute_path", ()))
    return f"column {field}: {message}" if field else message


def sample_schema():
    with open(WORKFLOW_ROOT / "config" / "schema" / "samples.schema.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def sample_sheet_columns():
    """Column names the sample-sheet schema allows, in schema order."""
    return list(sample_schema()["properties"])


def sample_row_validator():
    """validate(row) for one sample-sheet row: raises jsonschema's ValidationError, and fills the defaults of the
    optional columns (as snakemake.utils.validate does). The schema is read once: snakemake.utils.validate reads
    and parses its schema file on every call, about a minute for a 10,000-sample sheet."""
    from jsonschema import Draft202012Validator, validators

    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def properties_with_defaults(validator, properties, instance, schema):
        for name, subschema in properties.items():
            if "default" in subschema:
                instance.setdefault(name, subschema["default"])
        yield from check_properties(validator, properties, instance, schema)

    with_defaults = validators.extend(Draft202012Validator, {"properties": properties_with_defaults})
    return with_defaults(sample_schema()).validate


def read_sample_sheet(path):
    """Rows of the sample sheet as dicts with their 1-based line numbers; '#' lines and blank lines skipped."""
    sheet = Path(path)
    if not sheet.is_file():
        raise WorkflowError(f"sample sheet not found: {path} (set 'samples' in the config)")
    with open(sheet, newline="", encoding="utf-8-sig", errors="replace") as fh:  # -sig: a byte-order mark is not part of "sample"
        lines = [(n, line) for n, line in enumerate(fh, start=1) if line.strip() and not line.startswith("#")]
    if not lines:
        raise WorkflowError(f"sample sheet {path} is empty: expected a header line (sample, format, path)")
    header = [h.strip() for h in lines[0][1].rstrip("\r\n").split("\t")]
    rows = []
    for number, line in lines[1:]:
        cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
        if len(cells) > len(header):
            rows.append((number, None, f"{len(cells)} tab-separated cells, the header has {len(header)}"))
            continue
        record = {k: v for k, v in zip(header, cells) if v != ""}  # empty cell = not given
        rows.append((number, record, None))
    return header, rows


def load_samples(path):
    """{sample: row} from the sheet, after schema validation and the checks a schema cannot make.

    Stops with one WorkflowError listing every problem: a sample name that is not a
    plain file name, a duplicated sample, an unknown format, an input file that does
    not exist. Relative paths are relative to the working directory.
    """
    header, rows = read_sample_sheet(path)
    problems = []
    missing_columns = [c for c in ("sample", "format", "path") if c not in header]
    if missing_columns:
        raise WorkflowError(f"sample sheet {path}: missing column(s) {', '.join(missing_columns)} (header: {header})")
    allowed = sample_sheet_columns()
    unknown = [c for c in header if c not in allowed]
    if unknown:
        raise WorkflowError(f"sample sheet {path}: unknown column(s) {', '.join(unknown)} (allowed: {', '.join(allowed)})")
    formats, annotate_flags = package_capabilities()
    validate_row = sample_row_validator()
    samples, first_line, folded = {}, {}, {}
    for number, record, error in rows:
        where = f"{path}:{number}"
        if error:
            problems.append(f"{where}: {error}")
            continue
        name = record.get("sample", "")
        if any(separator in name for separator in PATH_SEPARATORS):
            problems.append(f"{where}: sample name '{name}' contains a path separator; use letters, digits, . _ -")
            continue
        try:
            validate_row(record)  # also fills the defaults of optional columns
        except Exception as exc:  # jsonschema's ValidationError
            problems.append(f"{where}: sample '{name}': {_schema_error(exc)}")
            continue
        if not re.fullmatch(SAMPLE_PATTERN, name):  # the whole name: a schema '$' also matches before a final newline
            problems.append(f"{where}: sample name {name!r} must be letters, digits, '.', '_' or '-' (it names output files)")
            continue
        if name in first_line:
            problems.append(f"{where}: sample '{name}' is duplicated (first on line {first_line[name]})")
            continue
        if name.casefold() in folded:  # results/samples/P1 and results/samples/p1 are one folder on macOS/Windows
            other = folded[name.casefold()]
            problems.append(f"{where}: sample '{name}' differs from '{other}' (line {first_line[other]}) only in case: "
                            "their output files would overwrite each other on a case-insensitive file system")
            continue
        first_line[name] = number
        folded[name.casefold()] = name
        if formats is not None and record["format"] not in formats:
            problems.append(
                f"{where}: sample '{name}': unknown format '{record['format']}' (known: {', '.join(sorted(formats))})"
            )
        for column in OPTIONAL_PATH_COLUMNS:
            if record.get(column) and annotate_flags is not None and f"--{column}" not in annotate_flags:
                problems.append(f"{where}: sample '{name}': this fusion-annot cannot use a {column} file yet "
                                f"(annotate has no --{column} option); leave the column empty")
        for column in ("path", *OPTIONAL_PATH_COLUMNS):
            value = record.get(column, "")
            if value and not Path(value).is_file():
                problems.append(f"{where}: sample '{name}': {column} file not found: {value}"
                                f" (relative paths are relative to the working directory {Path.cwd()})")
        if record.get("age") and float(record["age"]) > 130:  # the schema pattern allows only plain decimals
            problems.append(f"{where}: sample '{name}': age {record['age']} is outside 0-130 years")
        for extra_path, extra_format in extra_calls_of(record):
            if formats is not None and extra_format not in formats:
                problems.append(f"{where}: sample '{name}': extra_calls: unknown format '{extra_format}'")
            if not Path(extra_path).is_file():
                problems.append(f"{where}: sample '{name}': extra_calls file not found: {extra_path}")
        samples[name] = record
    if not samples and not problems:
        problems.append(f"{path}: no samples")
    if problems:
        shown = problems[:50]
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        raise WorkflowError(f"invalid sample sheet {path} ({len(problems)} problem(s)):\n  " + "\n  ".join(shown) + more)
    return samples


def extra_calls_of(record):
    """[(path, format)] of the extra_calls column: 'a.tsv:arriba;b.txt:fusioncatcher' (format optional: auto)."""
    out = []
    for entry in filter(None, (e.strip() for e in record.get("extra_calls", "").split(";"))):
        path, sep, fmt = entry.rpartition(":")
        out.append((path, fmt) if sep and path else (entry, "auto"))
    return out


def check_reference(ref):
    """Files named in the reference section must exist before any job starts."""
    problems = []
    spec = ref["spec"]
    if spec != "bundled" and not spec.startswith("ensembl:") and not Path(spec).is_file():
        problems.append(f"reference.spec: file not found: {spec}")
    for key in ("domains", "genome"):
        if ref[key] and not (key == "domains" and ref[key] == "none") and not Path(ref[key]).is_file():
            problems.append(f"reference.{key}: file not found: {ref[key]}")
    if problems:
        raise WorkflowError("invalid configuration:\n  " + "\n  ".join(problems))


SAMPLES = load_samples(config["samples"])
check_reference(config["reference"])


# --- inputs and parameters of the rules -------------------------------------------------------------------


def reference_files():
    """The GTF (or pack) the index is built from, so that a changed file rebuilds it.

    None for the bundled reference (shipped inside the installed package, already a pack)
    or an installed pyensembl release.
    """
    spec = config["reference"]["spec"]
    if spec == "bundled" or spec.startswith("ensembl:"):
        return []
    return [spec]


def reference_options(keys=("domains", "genome")):
    """--reference/--cache-dir (and --domains/--genome), shell-quoted, shared by index, annotate and consensus."""
    ref = config["reference"]
    options = ["--reference", ref["spec"], "--cache-dir", ref["cache_dir"]]
    for key in keys:
        if ref[key]:
            options += [f"--{key}", ref[key]]
    return " ".join(shlex.quote(o) for o in options)


def sample_input(wildcards):
    """The caller file, and the optional variants/BAM files, of one sample."""
    record = SAMPLES[wildcards.sample]
    files = {"calls": record["path"]}
    for column in OPTIONAL_PATH_COLUMNS:
        if record.get(column):
            files[column] = record[column]
    return files


def configured_annotate_options():
    """Options of `fusion-annot annotate` set in the config (per-sample values come from the sample sheet)."""
    options = ["--transcripts", config["annotate"]["transcripts"]]
    if not config["annotate"]["build_check"]:
        options.append("--no-build-check")
    for key in ("preferred_transcripts", "mane_summary"):
        if config["annotate"].get(key):
            options += [f"--{key.replace('_', '-')}", config["annotate"][key]]
    for key in ("min_split_reads", "min_supporting_reads", "resistance_min_depth", "resistance_min_vaf"):
        if config["annotate"].get(key) is not None:  # verdict thresholds (schema defaults = the CLI defaults)
            options += [f"--{key.replace('_', '-')}", str(config["annotate"][key])]
    return " ".join(shlex.quote(o) for o in options)


# Files `fusion-annot annotate --vcf --html` writes per sample.
ANNOTATE_KINDS = ("fusions.tsv", "fusions.json", "rejects.tsv", "fusions.vcf.gz", "fusions.vcf.gz.tbi")


def annotate_batches():
    """Samples in sheet order, cut into batches of annotate.batch_size: one process annotates a batch, so the
    reference is loaded once per batch, not once per sample. Appending samples changes only the last batch."""
    names = list(SAMPLES)
    size = config["annotate"]["batch_size"]
    return [names[i : i + size] for i in range(0, len(names), size)]


def batch_inputs(members):
    """Caller files and optional variants/BAM files of a batch's samples."""
    files = []
    for name in members:
        record = SAMPLES[name]
        files.append(record["path"])
        files += [record[column] for column in OPTIONAL_PATH_COLUMNS if record.get(column)]
        files += [path for path, _ in extra_calls_of(record)]  # annotate counts the callers of each call
    return files


def batch_records(members):
    """What the batch job reads from the sheet for its samples (a change re-runs only that batch)."""
    columns = ("format", "path", "tumor_type", "age", *OPTIONAL_PATH_COLUMNS, "extra_calls")
    return ";".join(f"{name}:" + ",".join(str(SAMPLES[name].get(c, "")) for c in columns) for name in members)


def sample_outputs(kind):
    """Per-sample output files of every sample: kind is fusions.tsv, fusions.json or rejects.tsv."""
    return [f"results/samples/{s}/{s}.{kind}" for s in SAMPLES]


def consensus_samples():
    """Samples with calls of more than one caller (extra_calls): they get a consensus table."""
    return [s for s, record in SAMPLES.items() if extra_calls_of(record)]


def consensus_input(wildcards):
    record = SAMPLES[wildcards.sample]
    return {"calls": [record["path"]] + [path for path, _ in extra_calls_of(record)]}


def consensus_specs(wildcards):
    """path:format arguments of `fusion-annot merge`, shell-quoted, the sample's primary caller first."""
    record = SAMPLES[wildcards.sample]
    specs = [f"{record['path']}:{record['format']}"] + [f"{p}:{f}" for p, f in extra_calls_of(record)]
    return " ".join(shlex.quote(spec) for spec in specs)

"""Load and validate the knowledge-base tables (resources/knowledge/*.tsv).

Every table is a TSV with `#` comment lines, one header line, and one row per
line. Each row is validated against `schema/<table>.schema.json` (JSON Schema
2020-12) as it is read, then the tables are checked against each other (every
citation key resolves, every drug named in resistance/efficacy exists, every
tumour context is in the vocabulary). A bad row raises InputError naming the
file, the 1-based line and the reason, so a curator can fix it at once.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Optional


from ..errors import InputError

TABLES = ("partners", "therapies", "efficacy", "resistance", "actionability", "tumor_types", "references")


def split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(";") if v.strip())


@dataclass(frozen=True)
class Row:
    """Base of every table row: where it came from, for error messages and provenance."""

    source: str = field(default="", compare=False, repr=False)
    line: int = field(default=0, compare=False, repr=False)

    @property
    def ref_keys(self) -> tuple[str, ...]:
        return split_list(getattr(self, "refs", ""))


@dataclass(frozen=True)
class PartnerRow(Row):
    kinase_gene: str = ""
    partner_symbol: str = ""
    partner_published: str = ""
    symbol_status: str = ""
    candidate_symbols: str = ""
    orientation: str = ""
    tumor_context: str = ""
    context_key: str = ""
    junction: str = ""
    junction_evidence: str = ""
    cytogenetics: str = ""
    notes: str = ""
    evidence: str = ""
    refs: str = ""

    @property
    def published_symbol(self) -> str:
        """The symbol as the source wrote it ("FAM19A2"), without the explanatory suffix."""
        return self.partner_published.split()[0] if self.partner_published else ""


@dataclass(frozen=True)
class TherapyRow(Row):
    drug: str = ""
    aliases: str = ""
    drug_class: str = ""
    kinase_genes: str = ""
    row_id: str = ""
    agency: str = ""
    status: str = ""
    approval_type: str = ""
    date: str = ""
    record_status: str = "current"
    superseded_by: str = ""
    indication: str = ""
    label_wording: str = ""
    age_limit: str = ""
    line_of_therapy: str = ""
    requires_approved_test: str = ""
    excludes_acquired_resistance: str = ""
    extent_qualifier: str = ""
    requires_no_alternative: str = ""
    qualifier_evidence: str = ""
    key_data: str = ""
    oncokb_level: str = ""
    oncokb_level_date: str = ""
    role: str = ""
    fusion_scope: str = ""
    evidence: str = ""
    refs: str = ""
    primary_source: str = ""
    notes: str = ""

    @property
    def is_current(self) -> bool:
        """False for a row kept for the record but replaced by a later one (record_status superseded)."""
        return self.record_status != "superseded"

    def qualifier_tag(self, name: str) -> str:
        """Evidence tag ("S", "V", "D", "R") of one label qualifier (test, resistance, extent, alternatives, age), or ""."""
        for item in split_list(self.qualifier_evidence):
            key, _, tag = item.partition("=")
            if key == name:
                return tag
        return ""


@dataclass(frozen=True)
class EfficacyRow(Row):
    drug: str = ""
    cohort: str = ""
    n: str = ""
    orr: str = ""
    detail: str = ""
    evidence: str = ""
    refs: str = ""


@dataclass(frozen=True)
class ResistanceRow(Row):
    gene: str = ""
    mutation: str = ""
    ref_aa: str = ""
    position: str = ""
    alt_aa: str = ""
    numbering: str = ""
    protein_length: str = ""
    transcript: str = ""
    equivalent: str = ""
    mutation_class: str = ""
    codon_c_start: str = ""
    grch38_codon: str = ""
    resistant_to: str = ""
    retains_activity: str = ""
    levels: str = ""
    evidence: str = ""
    refs: str = ""
    notes: str = ""

    @property
    def pos(self) -> int:
        return int(self.position)

    @property
    def length(self) -> int:
        return int(self.protein_length)

    def level_of(self, drug: str) -> str:
        """OncoKB level this row gives `drug` ("R1"), or ""."""
        for item in split_list(self.levels):
            name, _, rest = item.partition(":")
            if name == drug:
                return rest.split("@")[0]
        return ""


@dataclass(frozen=True)
class ActionabilityRow(Row):
    outcome: str = ""
    kinase_genes: str = ""
    scheme: str = ""
    level: str = ""
    statement: str = ""
    evidence: str = ""
    refs: str = ""


@dataclass(frozen=True)
class TumorTypeRow(Row):
    key: str = ""
    label: str = ""
    synonyms: str = ""
    parent: str = ""


@dataclass(frozen=True)
class ReferenceRow(Row):
    key: str = ""
    kind: str = ""
    citation: str = ""
    seed_file: str = ""
    pmid: str = ""
    doi: str = ""
    journal_ref: str = ""
    url: str = ""
    repository: str = ""
    evidence: str = ""
    resolution: str = ""
    same_as: str = ""
    note: str = ""

    @property
    def locator(self) -> str:
        """The most direct way to find the source: seed file, PMID, DOI, journal, URL or repository."""
        for label, value in (("seed", self.seed_file), ("PMID", self.pmid), ("doi", self.doi),
                             ("", self.journal_ref), ("", self.url), ("", self.repository)):
            if value:
                return f"{label}:{value}" if label else value
        return ""


ROW_TYPES = {
    "partners": PartnerRow, "therapies": TherapyRow, "efficacy": EfficacyRow, "resistance": ResistanceRow,
    "actionability": ActionabilityRow, "tumor_types": TumorTypeRow, "references": ReferenceRow,
}


# --------------------------------------------------------------------------- reading


def load_schema(path: Path):
    """A Draft 2020-12 validator for one table schema (jsonschema is imported only when validating)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
    except FileNotFoundError:
        raise InputError(str(path), 0, "schema file missing") from None
    except (ValueError, SchemaError) as exc:  # json.JSONDecodeError is a ValueError
        raise InputError(str(path), 0, f"invalid JSON schema: {exc}") from None
    return Draft202012Validator(schema)


def _explain(error) -> str:
    column = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "anyOf" and not column:
        return "no locator: one of " + ", ".join(
            next(iter(s["required"])) for s in error.validator_value) + " must be filled"
    if error.validator == "required":
        return error.message
    value = error.instance if isinstance(error.instance, str) else repr(error.instance)
    if error.validator == "enum":
        return f"column {column}: {value!r} is not one of {', '.join(map(repr, error.validator_value))}"
    if error.validator == "pattern":
        return f"column {column}: {value!r} is not in the expected form"
    if error.validator == "additionalProperties":
        return f"unknown column: {error.message}"
    return f"column {column}: {error.message}"


def read_table(path: Path, validator, row_type: type) -> tuple:
    """Rows of one TSV, each validated unless validator is None; InputError(path, line, reason) on the first bad row."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(path), 0, "knowledge table missing") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), 0, f"not UTF-8 text: {exc}") from None
    header: Optional[list[str]] = None
    rows = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cells = raw.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            if len(set(header)) != len(header):
                raise InputError(str(path), number, "duplicate column names in header")
            continue
        if len(cells) != len(header):
            raise InputError(str(path), number, f"{len(cells)} fields, header has {len(header)}")
        record = dict(zip(header, (c.strip() for c in cells)))
        if validator is not None:
            from jsonschema.exceptions import best_match

            error = best_match(validator.iter_errors(record))
            if error is not None:
                raise InputError(str(path), number, _explain(error))
        elif set(header) - ROW_FIELDS[row_type]:
            raise InputError(str(path), number, f"unknown column(s) {sorted(set(header) - ROW_FIELDS[row_type])}")
        rows.append(row_type(source=str(path), line=number, **record))
    if header is None:
        raise InputError(str(path), 0, "no header line")
    return tuple(rows)


# --------------------------------------------------------------------------- cross-table checks


def check_consistency(tables: dict[str, tuple]) -> None:
    """Checks that span tables; InputError naming the offending row."""
    refs = {}
    for r in tables["references"]:
        if r.key in refs:
            raise InputError(r.source, r.line, f"duplicate reference key {r.key!r} (first at line {refs[r.key].line})")
        refs[r.key] = r
    for name in TABLES:
        if name == "references":
            continue
        for row in tables[name]:
            for key in row.ref_keys:
                if key not in refs:
                    raise InputError(row.source, row.line, f"citation key {key!r} not in references.tsv")
            if hasattr(row, "refs") and not row.ref_keys:
                raise InputError(row.source, row.line, "row has no citation")

    drugs = {t.drug for t in tables["therapies"]}
    for row in tables["resistance"]:
        named = split_list(row.resistant_to) + split_list(row.retains_activity)
        named += tuple(item.partition(":")[0] for item in split_list(row.levels))
        for drug in named:
            if drug not in drugs:
                raise InputError(row.source, row.line, f"drug {drug!r} not in therapies.tsv")
        if row.mutation != f"{row.ref_aa}{row.position}{row.alt_aa}":
            raise InputError(row.source, row.line, f"mutation {row.mutation!r} disagrees with ref_aa/position/alt_aa")
        if row.pos > row.length:
            raise InputError(row.source, row.line, f"position {row.pos} beyond protein_length {row.length}")
    for row in tables["efficacy"]:
        if row.drug not in drugs:
            raise InputError(row.source, row.line, f"drug {row.drug!r} not in therapies.tsv")

    kinases = {p.kinase_gene for p in tables["partners"]}
    pairs = {f"{p.partner_symbol}::{p.kinase_gene}" for p in tables["partners"]}
    for row in tables["therapies"]:
        for fusion in split_list(row.fusion_scope.replace("*", "")):
            if fusion not in pairs:
                raise InputError(row.source, row.line, f"fusion_scope {fusion!r} is not a catalog partner pair")
    for row in tables["therapies"] + tables["actionability"]:
        for gene in split_list(row.kinase_genes):
            if gene not in kinases:
                raise InputError(row.source, row.line, f"kinase gene {gene!r} has no partners.tsv row")

    tumor = {}
    for t in tables["tumor_types"]:
        if t.key in tumor:
            raise InputError(t.source, t.line, f"duplicate tumour type {t.key!r}")
        tumor[t.key] = t
    for t in tables["tumor_types"]:
        seen, key = set(), t.key
        while key:
            if key not in tumor:
                raise InputError(t.source, t.line, f"parent {key!r} is not a tumour type")
            if key in seen:
                raise InputError(t.source, t.line, f"tumour-type parents form a cycle at {key!r}")
            seen.add(key)
            key = tumor[key].parent
    for p in tables["partners"]:
        if p.context_key not in tumor:
            raise InputError(p.source, p.line, f"context_key {p.context_key!r} not in tumor_types.tsv")
        if p.symbol_status == "ambiguous" and not p.candidate_symbols:
            raise InputError(p.source, p.line, "ambiguous partner symbol needs candidate_symbols")
        if p.symbol_status in ("current", "renamed") and not p.partner_symbol:
            raise InputError(p.source, p.line, "partner_symbol is empty for a resolved symbol")
    if not any(a.outcome == "actionable" for a in tables["actionability"]):
        raise InputError(str(Path(tables["references"][0].source).parent / "actionability.tsv"), 0,
                         "no level for the 'actionable' outcome")


def knowledge_digest(directory: Path) -> str:
    """SHA-256 over the bytes of every file of a knowledge directory (metadata, schemas, tables) and this code."""
    digest = hashlib.sha256(SCHEMA_CHECK_VERSION.encode())
    for path in sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix in (".json", ".tsv")):
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _validated_stamp(directory: Path, cache: Optional[Path]) -> Optional[Path]:
    return None if cache is None else cache / "knowledge-validated" / knowledge_digest(directory)


def load_tables(directory: Path, validate: Optional[bool] = None,
                cache: Optional[Path] = None, problems: Optional[list] = None) -> tuple[dict, dict[str, tuple]]:
    """(metadata, {table: rows}) from a knowledge directory, validated.

    validate=True checks every row against its JSON schema. None (the default) does so
    unless these exact bytes were validated before: a stamp named by their digest in
    `cache`/knowledge-validated is written after a clean validation, and a later process
    that finds it skips jsonschema (its import and checks are most of a cold start).
    Any edited byte changes the digest, so an edited table is always validated again.
    The cross-table checks and check.table_problems (dates, levels, role/status, age forms,
    duplicates) run every time: the first problem is raised as InputError, unless a `problems`
    list is given (`knowledge --check`), which then receives every one of them.
    """
    stamp = _validated_stamp(directory, cache) if validate is None else None
    if validate is None:
        validate = stamp is None or not stamp.is_file()
    meta_path = directory / "metadata.json"
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(meta_path), 0, "knowledge-base metadata missing") from None
    except ValueError as exc:
        raise InputError(str(meta_path), 0, f"invalid JSON: {exc}") from None
    if validate:
        from jsonschema.exceptions import best_match

        error = best_match(load_schema(directory / "schema" / "metadata.schema.json").iter_errors(metadata))
        if error is not None:
            raise InputError(str(meta_path), 0, _explain(error))
    tables = {}
    for name in TABLES:
        validator = load_schema(directory / "schema" / f"{name}.schema.json") if validate else None
        try:
            table_file = metadata["tables"][name]
        except (KeyError, TypeError):
            raise InputError(str(meta_path), 0, f"no file named for table {name!r}") from None
        tables[name] = read_table(directory / table_file, validator, ROW_TYPES[name])
    check_consistency(tables)
    from .check import table_problems

    found = table_problems(tables, metadata, str(meta_path))
    if problems is not None:
        problems.extend(found)
    elif found:
        raise InputError(found[0].path, found[0].line, found[0].reason)
    if validate and stamp is not None and not found:
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
        except OSError:
            pass  # a read-only cache only means validating again next time
    return metadata, tables


def row_fields(row_type: type) -> list[str]:
    return [f.name for f in fields(row_type) if f.name not in ("source", "line")]


ROW_FIELDS = {row_type: set(row_fields(row_type)) for row_type in ROW_TYPES.values()}
# part of the validation digest: bump when the schemas' meaning or these checks change
SCHEMA_CHECK_VERSION = "2"

"""Checks of the knowledge-base content that a JSON schema cannot express (`knowledge --check`).

Two groups, each returning every problem as a `Problem` (printed `file:line: reason`):

* `table_problems(tables, metadata)`: calendar dates (2019-13-45 fails) and dates after the
  knowledge-base date, OncoKB level strings, therapy role against status/agency/approval type,
  superseded rows and their successors, the machine-read `age_limit` forms, label qualifiers,
  primary sources, and duplicate rows in every table. Cheap: `load_tables` runs them on every load
  and refuses the first problem, so no run ever uses an impossible date or level.
* `reference_problems(tables, reference, genome=None)`: kinase gene names against the reference
  (a kinase named NTRK4 fails), and every resistance row's protein length, codon_c_start and
  grch38_codon against the reference transcript it names (the bundled Ensembl 110 pack by default),
  plus the reference amino acid at the codon when a genome FASTA is given (the bundled pack has no
  sequence). Run by `knowledge --check` only: it needs the reference.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Iterable, Optional

from .catalog import split_list

ONCOKB_LEVELS = ("1", "2", "3A", "3B", "4", "R1", "R2")

# role -> statuses a row of that role may have. A label row is an approval; an off-label case is not.
ROLE_STATUSES = {
    "label": {"accelerated_approval", "full_approval", "label_extension", "conditional_authorisation", "marketing_authorisation"},
    "regional": {"regional_approval", "accelerated_approval", "full_approval", "label_extension",
                 "conditional_authorisation", "marketing_authorisation"},
    "opinion": {"chmp_positive_opinion"},
    "investigational": {"investigational"},
    "off_label_case": {"off_label"},
    "resistance_option": {"no_ntrk_approval"},
    "mentioned": {"no_ntrk_approval"},
    "not_indicated": {"not_indicated"},
}
REGULATORY_ROLES = ("label", "regional", "opinion")
ROLE_AGENCIES = {"label": {"FDA", "EC"}, "regional": {"NMPA", "PMDA"}, "opinion": {"EMA"}}
STATUS_APPROVAL_TYPE = {"accelerated_approval": "accelerated", "full_approval": "full",
                        "conditional_authorisation": "conditional"}
QUALIFIER_COLUMNS = {"requires_approved_test": "test", "excludes_acquired_resistance": "resistance",
                     "extent_qualifier": "extent", "requires_no_alternative": "alternatives"}
QUALIFIER_NAMES = set(QUALIFIER_COLUMNS.values()) | {"age", "prior_ntrk_inhibitor"}

# The age_limit forms the verdict code parses (and nothing else).
AGE_FORMS = (
    re.compile(r"no lower age limit"),
    re.compile(r"(?P<n>[1-9]\d*) years and older"),
    re.compile(r"older than (?P<n>[1-9]\d*) (?P<unit>months?)"),
    re.compile(r"(?P<n>[1-9]\d*) months and older"),
)
AGE_FORMS_TEXT = "'no lower age limit', '<N> years and older', 'older than <N> month(s)', '<N> months and older'"
_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")
_ENST = re.compile(r"\bENST\d{11}\b")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def _p(row, reason: str) -> Problem:
    return Problem(row.source, row.line, reason)


def parse_date(text: str) -> Optional[_dt.date]:
    """A real calendar date from 'YYYY-MM-DD' or 'YYYY-MM' (first of the month); None when impossible."""
    m = _DATE.fullmatch(text)
    if not m:
        return None
    year, month, day = int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


def age_limit_ok(text: str) -> bool:
    """True for '' or exactly one of the AGE_FORMS ('older than 1 month', never 'older than 1 months')."""
    if text == "":
        return True
    for form in AGE_FORMS:
        m = form.fullmatch(text)
        if m:
            unit = m.groupdict().get("unit")
            return unit is None or unit == ("month" if m.group("n") == "1" else "months")
    return False


def _date_problems(row, column: str, value: str, kb_date: Optional[_dt.date]) -> list[Problem]:
    if not value:
        return []
    date = parse_date(value)
    if date is None:
        return [_p(row, f"column {column}: {value!r} is not a calendar date (YYYY-MM-DD or YYYY-MM)")]
    if kb_date is not None and date > kb_date:
        return [_p(row, f"column {column}: {value} is after the knowledge-base date {kb_date.isoformat()}")]
    return []


def _duplicates(rows: Iterable, key, what: str) -> list[Problem]:
    seen: dict = {}
    out = []
    for row in rows:
        k = key(row)
        if k in seen:
            out.append(_p(row, f"duplicate {what} (same as line {seen[k].line})"))
        else:
            seen[k] = row
    return out


def table_problems(tables: dict, metadata: dict, meta_path: str = "metadata.json") -> list[Problem]:
    problems: list[Problem] = []
    kb_date = parse_date(str(metadata.get("date", "")))
    if metadata.get("date") and kb_date is None:
        problems.append(Problem(meta_path, 0, f"date {metadata.get('date')!r} is not a calendar date"))
    refs = {r.key for r in tables["references"]}

    for r in tables["references"]:
        if r.same_as and r.same_as not in refs:
            problems.append(_p(r, f"same_as {r.same_as!r} not in references.tsv"))
        if r.same_as == r.key:
            problems.append(_p(r, "same_as names the row itself"))

    therapies = tables["therapies"]
    ids = {t.row_id: t for t in therapies if t.row_id}
    for t in therapies:
        problems += _date_problems(t, "date", t.date, kb_date)
        problems += _date_problems(t, "oncokb_level_date", t.oncokb_level_date, kb_date)
        if t.oncokb_level and t.oncokb_level not in ONCOKB_LEVELS:
            problems.append(_p(t, f"column oncokb_level: {t.oncokb_level!r} is not an OncoKB level ({', '.join(ONCOKB_LEVELS)})"))
        allowed = ROLE_STATUSES.get(t.role)
        if allowed is not None and t.status not in allowed:
            problems.append(_p(t, f"role {t.role} does not go with status {t.status} (a {t.role} row has status "
                                  f"{' or '.join(sorted(allowed))})"))
        if t.role in ROLE_AGENCIES and t.agency not in ROLE_AGENCIES[t.role]:
            problems.append(_p(t, f"role {t.role} needs agency {' or '.join(sorted(ROLE_AGENCIES[t.role]))}, not {t.agency or 'none'}"
                                  + (" (EMA = the CHMP opinion; the EC decision is an EC row)" if t.agency == "EMA" else "")))
        if t.status == "chmp_positive_opinion" and t.agency != "EMA":
            problems.append(_p(t, f"a CHMP opinion is an EMA row, not {t.agency or 'no agency'}"))
        expected_type = STATUS_APPROVAL_TYPE.get(t.status)
        if t.role in REGULATORY_ROLES:
            if not t.approval_type:
                problems.append(_p(t, "regulatory row without approval_type (accelerated, full, conditional or not_stated)"))
            elif expected_type and t.approval_type != expected_type:
                problems.append(_p(t, f"status {t.status} with approval_type {t.approval_type} (expected {expected_type})"))
            if not t.label_wording:
                problems.append(_p(t, "regulatory row without label_wording (the label's indication with its qualifiers)"))
            if not t.primary_source:
                problems.append(_p(t, "regulatory row without primary_source (label version, EPAR, Drugs@FDA or agency record)"))
            for column in QUALIFIER_COLUMNS:
                if getattr(t, column) == "":
                    problems.append(_p(t, f"regulatory row without {column} (yes, no or unknown)"))
        elif t.approval_type:
            problems.append(_p(t, f"approval_type {t.approval_type} on a {t.role} row (not a regulatory event)"))
        for key in split_list(t.primary_source):
            if key not in refs:
                problems.append(_p(t, f"primary_source {key!r} not in references.tsv"))
        # label qualifiers: every stated qualifier carries its evidence tag
        tags = {}
        for item in split_list(t.qualifier_evidence):
            name, _, tag = item.partition("=")
            if name not in QUALIFIER_NAMES:
                problems.append(_p(t, f"qualifier_evidence names unknown qualifier {name!r} ({', '.join(sorted(QUALIFIER_NAMES))})"))
            tags[name] = tag
        for column, name in QUALIFIER_COLUMNS.items():
            if getattr(t, column) in ("yes", "no") and name not in tags:
                problems.append(_p(t, f"{column}={getattr(t, column)} without an evidence tag ({name}=S/V/D/R in qualifier_evidence)"))
        # age_limit: machine-read by the verdict, so exactly one of the forms
        if not age_limit_ok(t.age_limit):
            problems.append(_p(t, f"column age_limit: {t.age_limit!r} is not one of {AGE_FORMS_TEXT} (or empty)"))
        elif t.role == "label" and not t.age_limit:
            problems.append(_p(t, "label row without age_limit"))
        elif t.role not in REGULATORY_ROLES and t.age_limit:
            problems.append(_p(t, f"age_limit on a {t.role} row (only label, regional and opinion rows carry one)"))
        # superseded rows stay, marked, and name their successor
        if t.record_status in ("superseded", "possibly_superseded") and not t.superseded_by:
            problems.append(_p(t, f"record_status {t.record_status} without superseded_by"))
        if t.superseded_by:
            if t.record_status == "current":
                problems.append(_p(t, "superseded_by set on a current row (record_status superseded or possibly_superseded)"))
            successor = ids.get(t.superseded_by)
            if successor is None:
                problems.append(_p(t, f"superseded_by {t.superseded_by!r} is not a row_id of therapies.tsv"))
            elif successor is t or successor.drug != t.drug:
                problems.append(_p(t, f"superseded_by {t.superseded_by!r} must be another row of {t.drug}"))
    problems += _duplicates(therapies, lambda t: t.row_id, "row_id")
    problems += _duplicates(therapies, lambda t: (t.drug, t.agency, t.status, t.date, t.age_limit, t.indication),
                            "therapy row (drug, agency, status, date, age_limit, indication)")

    for r in tables["resistance"]:
        for item in split_list(r.levels):
            drug, _, rest = item.partition(":")
            level, _, date = rest.partition("@")
            if level not in ONCOKB_LEVELS:
                problems.append(_p(r, f"column levels: {level!r} for {drug} is not an OncoKB level ({', '.join(ONCOKB_LEVELS)})"))
            problems += _date_problems(r, "levels", date, kb_date)
    problems += _duplicates(tables["resistance"], lambda r: (r.gene, r.mutation, r.protein_length),
                            "resistance row (gene, mutation, protein_length)")
    for a in tables["actionability"]:
        if a.scheme == "OncoKB":
            level = a.level[len("Level "):] if a.level.startswith("Level ") else None
            if level not in ONCOKB_LEVELS:
                problems.append(_p(a, f"column level: {a.level!r} is not an OncoKB level ('Level ' + one of {', '.join(ONCOKB_LEVELS)})"))
    problems += _duplicates(tables["actionability"], lambda a: (a.outcome, a.scheme, a.kinase_genes),
                            "actionability row (outcome, scheme, kinase_genes)")
    problems += _duplicates(tables["partners"],
                            lambda p: (p.kinase_gene, p.partner_symbol, p.partner_published, p.orientation, p.context_key, p.refs),
                            "partner row (kinase, partner, orientation, context_key, refs)")
    problems += _duplicates(tables["efficacy"], lambda e: (e.drug, e.cohort, e.n), "efficacy row (drug, cohort, n)")
    # an identical row is reported once: under its table's key above when it has one, else here
    flagged = {(p.path, p.line) for p in problems if p.reason.startswith("duplicate ")}
    for name in ("partners", "therapies", "efficacy", "resistance", "actionability", "tumor_types", "references"):
        for p in _duplicates(tables[name], lambda row: tuple(getattr(row, f) for f in row.__dataclass_fields__
                                                              if f not in ("source", "line")), "row (identical)"):
            if (p.path, p.line) not in flagged:
                problems.append(p)
    return sorted(problems, key=lambda p: (p.path, p.line))


# --------------------------------------------------------------------------- against the reference


def kinase_names(tables: dict) -> list[tuple]:
    """(row, gene) for every kinase gene a table names."""
    out = [(p, p.kinase_gene) for p in tables["partners"]]
    for name in ("therapies", "actionability"):
        out += [(row, g) for row in tables[name] for g in split_list(row.kinase_genes)]
    out += [(r, r.gene) for r in tables["resistance"] if r.mutation_class != "off_target"]
    return out


def reference_problems(tables: dict, reference, genome=None) -> list[Problem]:
    """Kinase names and resistance codons against `reference` (a fusion_annot.reference.Reference)."""
    problems: list[Problem] = []
    name = getattr(reference, "name", "reference")
    for row, gene in kinase_names(tables):
        if not reference.has_gene(gene):
            problems.append(_p(row, f"kinase gene {gene!r} is not a gene of the reference ({name})"))
    by_site: dict = {}
    for r in tables["resistance"]:
        ids = _ENST.findall(r.transcript)
        if not reference.has_gene(r.gene):
            problems.append(_p(r, f"gene {r.gene!r} is not a gene of the reference ({name})"))
            continue
        if not ids:
            if r.codon_c_start or r.grch38_codon:
                problems.append(_p(r, f"codon given but transcript {r.transcript!r} names no Ensembl transcript to check it on"))
            elif not r.equivalent:
                problems.append(_p(r, f"numbering {r.numbering!r} is not the reference's and no equivalent row is named"))
            else:
                equivalent = r.equivalent.split()[0]
                if not any(o.gene == r.gene and o.mutation == equivalent and _ENST.search(o.transcript) for o in tables["resistance"]):
                    problems.append(_p(r, f"equivalent {equivalent} has no row in a reference numbering"))
            continue
        tx = reference.transcript(ids[0])
        if tx is None:
            problems.append(_p(r, f"transcript {ids[0]} is not in the reference ({name})"))
            continue
        if tx.gene_name != r.gene:
            problems.append(_p(r, f"transcript {ids[0]} belongs to {tx.gene_name}, not {r.gene}"))
            continue
        if tx.protein_length != r.length:
            problems.append(_p(r, f"protein_length {r.length} but {ids[0]} in the reference ({name}) encodes {tx.protein_length} aa"))
            continue
        expected_c = (r.pos - 1) * 3 + 1
        if r.codon_c_start and int(r.codon_c_start) != expected_c:
            problems.append(_p(r, f"codon_c_start {r.codon_c_start} is not the first base of codon {r.pos} (c.{expected_c})"))
            continue
        if r.grch38_codon:
            chrom, _, pos = r.grch38_codon.partition(":")
            c_pos = tx.cds_position(int(pos)) if chrom == tx.chrom else None
            if c_pos != expected_c:
                where = f"c.{c_pos}" if c_pos else "outside its CDS" if chrom == tx.chrom else f"on chromosome {chrom}, not {tx.chrom}"
                problems.append(_p(r, f"grch38_codon {r.grch38_codon} is {where} of {ids[0]}, not c.{expected_c} (codon {r.pos})"))
                continue
        elif r.mutation_class != "off_target" or r.codon_c_start:
            problems.append(_p(r, f"no grch38_codon: codon {r.pos} cannot be checked against {ids[0]}"))
        if genome is not None:
            from .variants import _codon_from_genome, translate_codon

            codon = _codon_from_genome(genome, tx, r.pos)
            aa = translate_codon(codon)
            if aa != r.ref_aa:
                problems.append(_p(r, f"ref_aa {r.ref_aa} but codon {r.pos} of {ids[0]} is {codon} ({aa}) in the genome"))
        site = (r.gene, tx.transcript_id, r.pos)
        if site in by_site and by_site[site].ref_aa != r.ref_aa:
            problems.append(_p(r, f"ref_aa {r.ref_aa} at {r.gene} {r.pos} disagrees with line {by_site[site].line} ({by_site[site].ref_aa})"))
        by_site.setdefault(site, r)
    return sorted(problems, key=lambda p: (p.path, p.line))

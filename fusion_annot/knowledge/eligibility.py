"""Which label drugs stay eligible for an actionable fusion: resistance mutations and the patient's age.

A drug is looked at through its label and regional rows of therapies.tsv (roles "label" and "regional";
investigational and off-label rows are listed in `drugs` but are never "eligible"):

- a passing resistance mutation whose resistance.tsv row lists the drug in resistant_to makes it not
  eligible (a "possible" hit, codon unresolved without a genome, too: not eligible unless ruled out);
- with an age, the drug is eligible when at least one of its rows covers that age (the age_limit text,
  read by parse_age_limit); agencies whose rows all exclude the age are named; a drug whose rows give no
  readable limit stays eligible, with a note.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Optional

from ..errors import InputError
from .catalog import TherapyRow
from .therapies import descriptions_by_drug

ELIGIBLE_ROLES = ("label", "regional")
MAX_AGE_YEARS = 130.0


# --------------------------------------------------------------------------- age


@dataclass(frozen=True)
class AgeLimit:
    """A label's lower age limit. min_years None = the text is not one of the known forms."""

    text: str
    min_years: Optional[float]
    strict: bool = False  # "older than N months": the age must exceed the limit

    def covers(self, age: float) -> Optional[bool]:
        if self.min_years is None:
            return None
        return age > self.min_years if self.strict else age >= self.min_years


_NUMBER = r"(\d+(?:\.\d+)?)"
_AGE_FORMS = (
    (re.compile(r"no lower age limit"), lambda n: 0.0, False),
    (re.compile(rf"{_NUMBER} years?(?:\(s\))? and older"), lambda n: n, False),
    (re.compile(rf"older than {_NUMBER} months?(?:\(s\))?"), lambda n: n / 12, True),
    (re.compile(rf"{_NUMBER} months?(?:\(s\))? and older"), lambda n: n / 12, False),
)


def parse_age_limit(text: str) -> Optional[AgeLimit]:
    """therapies.tsv age_limit -> AgeLimit (minimum age in years); None when empty.

    The forms are "no lower age limit", "<N> years and older", "older than <N> month(s)" (strictly older)
    and "<N> months and older"; any other text gives an AgeLimit whose min_years is None (not applied, and
    the output says so)."""
    text = (text or "").strip()
    if not text:
        return None
    low = text.lower()
    for pattern, years, strict in _AGE_FORMS:
        m = pattern.fullmatch(low)
        if m:
            return AgeLimit(text, years(float(m.group(1)) if m.groups() else 0.0), strict)
    return AgeLimit(text, None)


def parse_age(value, where: str = "--age", line: int = 0) -> Optional[float]:
    """An age in years ('0.2', '45') or None for empty; InputError naming `where` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        age = float(value)
    except (TypeError, ValueError):
        raise InputError(where, line, f"age {value!r} is not a number of years (e.g. 0.2 or 45)") from None
    if math.isnan(age) or not 0 <= age <= MAX_AGE_YEARS:
        raise InputError(where, line, f"age {value!r} is outside 0-{MAX_AGE_YEARS:g} years")
    return age


def format_age(age: float) -> str:
    """'0.2 years (~2.4 months)', '45 years'."""
    return f"{age:g} years (~{age * 12:.1f} months)" if age < 2 else f"{age:g} years"


# --------------------------------------------------------------------------- per drug


@dataclass
class DrugCheck:
    drug: str
    role: str  # label | regional
    agencies: tuple[str, ...] = ()
    resistance_reason: str = ""
    age_reason: str = ""
    notes: list[str] = field(default_factory=list)  # eligible, with a caveat

    @property
    def eligible(self) -> bool:
        return not (self.resistance_reason or self.age_reason)

    @property
    def reason(self) -> str:
        return "; ".join(r for r in (self.resistance_reason, self.age_reason) if r)


def _age_check(check: DrugCheck, rows: list[TherapyRow], age: float) -> None:
    by_agency: dict[str, list[AgeLimit]] = {}
    unread = []
    for row in rows:
        limit = parse_age_limit(row.age_limit)
        if limit is None:
            continue
        if limit.min_years is None:
            unread.append(f"{row.agency or row.role} '{limit.text}'")
            continue
        by_agency.setdefault(row.agency or row.role, []).append(limit)
    covering = [a for a, limits in by_agency.items() if any(l.covers(age) for l in limits)]
    excluding = {a: limits for a, limits in by_agency.items() if a not in covering}
    if covering:
        if excluding:
            check.notes.append(f"{', '.join(covering)} label covers this age, not "
                               + ", ".join(f"{a} ({' / '.join(dict.fromkeys(l.text for l in ls))})"
                                           for a, ls in excluding.items()))
    elif excluding:
        check.age_reason = (f"age {format_age(age)}: label " + "; ".join(
            f"{a} {' / '.join(dict.fromkeys(l.text for l in ls))}" for a, ls in excluding.items()))
    elif unread:
        check.notes.append("label age limit not read (" + ", ".join(unread) + "): check the label")


def drug_eligibility(drug_rows: list[TherapyRow], hits, age: Optional[float] = None) -> dict[str, DrugCheck]:
    """drug -> DrugCheck for every label/regional drug of `drug_rows`, in display order."""
    rows_of: dict[str, list[TherapyRow]] = {}
    for row in drug_rows:
        if row.role in ELIGIBLE_ROLES:
            rows_of.setdefault(row.drug, []).append(row)
    checks = {}
    for drug, rows in rows_of.items():
        role = "label" if any(r.role == "label" for r in rows) else "regional"
        check = DrugCheck(drug, role, tuple(dict.fromkeys(r.agency for r in rows if r.agency)))
        against = []
        for h in hits:
            if drug in h.resistant_to:
                level = h.row.level_of(drug)
                name = f"{h.row.gene} {h.row.mutation}" + ("?" if h.certainty == "possible" else "")
                against.append(name + (f", OncoKB {level}" if level else ""))
        if against:
            possible = all(h.certainty == "possible" for h in hits if drug in h.resistant_to)
            check.resistance_reason = (("possible resistance, not eligible unless ruled out: " if possible else "resistance: ")
                                       + "; ".join(against))
        if age is not None:
            _age_check(check, rows, age)
        checks[drug] = check
    return checks


def eligible_summary(checks: dict[str, DrugCheck]) -> str:
    """The eligible_drugs column: 'larotrectinib; entrectinib (FDA label covers this age; not EMA (...))'."""
    out = []
    for c in checks.values():
        if not c.eligible:
            continue
        notes = list(c.notes)
        if c.role == "regional":
            notes.insert(0, f"regional: {', '.join(c.agencies)}")
        out.append(c.drug + (f" ({', '.join(notes)})" if notes else ""))
    return "; ".join(out) if out else "none"


def format_drugs_with_checks(rows: list[TherapyRow], checks: dict[str, DrugCheck]) -> str:
    """The drugs column: 'larotrectinib [FDA ...; EMA ...] RESISTANCE: NTRK1 G595R, OncoKB R1: not eligible | ...'."""
    by_drug = descriptions_by_drug(rows)
    out = []
    for drug, descriptions in by_drug.items():
        text = f"{drug} [{'; '.join(descriptions)}]"
        check = checks.get(drug)
        if check is not None and check.resistance_reason:
            text += f" RESISTANCE: {check.resistance_reason.split(': ', 1)[1]}: not eligible"
        if check is not None and check.age_reason:
            text += f" NOT ELIGIBLE: {check.age_reason}"
        out.append(text)
    return " | ".join(out)


_CLASS_TEXT = {"type_I_first_generation": "first-generation", "type_I_second_generation": "second-generation",
               "type_II": "type II"}


def describe_agent(kb, drug: str, resistance_row=None) -> str:
    """'selitrectinib (second-generation, investigational, OncoKB 3A)': class and role from therapies.tsv,
    the level from the resistance row."""
    rows = [t for t in kb.therapies if t.drug == drug]
    parts = []
    if rows:
        parts.append(_CLASS_TEXT.get(rows[0].drug_class, rows[0].drug_class.replace("_", " ")))
        roles = {r.role for r in rows}
        if "label" in roles:
            parts.append("label")
        elif "regional" in roles:
            parts.append("regional: " + ", ".join(dict.fromkeys(r.agency for r in rows if r.role == "regional")))
        elif "investigational" in roles:
            parts.append("investigational")
        elif "resistance_option" in roles:
            parts.append("not approved for NTRK fusions")
    level = resistance_row.level_of(drug) if resistance_row is not None else ""
    if level:
        parts.append(f"OncoKB {level}")
    parts = [p for p in parts if p]
    return drug + (f" ({', '.join(parts)})" if parts else "")

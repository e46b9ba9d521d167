"""What the verdict weighs beyond the fusion's structure.

- Resistance variants count only when they pass filters: VCF FILTER PASS (or '.'), read depth and variant
  allele fraction at or above the thresholds (config annotate.resistance_min_depth / resistance_min_vaf,
  options --resistance-min-depth / --resistance-min-vaf). A variant that fails is named in a note, never
  used.
- The patient's age (--age YEARS, sample-sheet column age) against each label's age limit
  (therapies.tsv age_limit): a drug none of whose label rows covers that age is not eligible.
- Evidence too weak to sign out lowers an actionable call to "actionable, confirm" (gene-level calls:
  "provisionally actionable, confirm"), naming the orthogonal confirmation that fits: low read support
  (annotate.min_split_reads / min_supporting_reads), a frame that is not known, a splice site that is
  assumed rather than read, or a single caller where the number of callers is known.

Where pan-TRK IHC fits is taken from S1 (Kubota et al. 2025, citing Solomon et al. [61] and [63]):
sensitivity 79.4% for NTRK3 fusions against 96.2% (NTRK1) and 100% (NTRK2); in sarcoma sensitivity 80%
and specificity 74.4%; "pan-TRK immunostaining may be weak in tumors with NTRK3 rearrangements". RNA
sequencing reads the spliced transcript (partner-agnostic, S1 citing [69]).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Optional

from ..errors import InputError

# Defaults of the config keys (config/schema/config.schema.yaml) and of the annotate options.
DEFAULT_MIN_SPLIT_READS = 2
DEFAULT_MIN_SUPPORTING_READS = 3
DEFAULT_RESISTANCE_MIN_DEPTH = 20
DEFAULT_RESISTANCE_MIN_VAF = 0.05

# Actionability prefixes written when the verdict is lowered (output column actionability).
CONFIRM = "actionable, confirm"
PROVISIONAL = "provisionally actionable, confirm"

# Citation key of the detection facts below (references.tsv).
DETECTION_REFS = ("S1",)
IHC_NTRK3 = "pan-TRK IHC is weak for NTRK3 fusions (sensitivity 79.4% vs 96.2% NTRK1, 100% NTRK2) [S1]"
IHC_SARCOMA = "pan-TRK IHC is weak in sarcoma (sensitivity 80%, specificity 74.4%) [S1]"
RNA_ASSAY = "an RNA-based assay (RNA-seq, targeted RNA panel) reads the spliced transcript: exons joined and frame [S1]"


@dataclass(frozen=True)
class VerdictPolicy:
    """Thresholds of the verdict (one per run; config annotate.* keys, annotate options)."""

    min_split_reads: int = DEFAULT_MIN_SPLIT_READS
    min_supporting_reads: int = DEFAULT_MIN_SUPPORTING_READS
    resistance_min_depth: int = DEFAULT_RESISTANCE_MIN_DEPTH
    resistance_min_vaf: float = DEFAULT_RESISTANCE_MIN_VAF

    def __post_init__(self):
        for name in ("min_split_reads", "min_supporting_reads", "resistance_min_depth"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise InputError(f"--{name.replace('_', '-')}", 0, f"{value!r} is not a whole number >= 0")
        vaf = self.resistance_min_vaf
        if not isinstance(vaf, (int, float)) or math.isnan(vaf) or not 0 <= vaf <= 1:
            raise InputError("--resistance-min-vaf", 0, f"{vaf!r} is not a fraction between 0 and 1")


# --------------------------------------------------------------------------- resistance variants


def variant_failures(variant, policy: VerdictPolicy) -> list[str]:
    """Why a resistance variant is not used ([] = it passes): FILTER, depth, VAF."""
    why = []
    if not variant.passes_filter:
        why.append(f"VCF FILTER {variant.filters}")
    depth, vaf = getattr(variant, "depth", None), getattr(variant, "vaf", None)
    if depth is not None and depth < policy.resistance_min_depth:
        why.append(f"depth {depth} < {policy.resistance_min_depth} (resistance_min_depth)")
    if vaf is not None and vaf < policy.resistance_min_vaf:
        why.append(f"VAF {vaf:.3g} < {policy.resistance_min_vaf:g} (resistance_min_vaf)")
    return why


def unchecked_quality(variant) -> str:
    """A note when the VCF gives no depth or VAF to check (the variant is then used on FILTER alone)."""
    missing = [name for name, value in (("depth", getattr(variant, "depth", None)), ("VAF", getattr(variant, "vaf", None)))
               if value is None]
    return f"{' and '.join(missing)} not in the VCF: not checked" if missing else ""


# --------------------------------------------------------------------------- evidence


@dataclass(frozen=True)
class Weakness:
    kind: str  # "support" (is the fusion there?) | "structure" (which exons, which frame?)
    text: str


def evidence_key(call, policy: Optional[VerdictPolicy] = None) -> tuple:
    """What the verdict reads of a row beyond its junction's annotation (weak_evidence: read counts against the
    policy, callers): rows of one junction that agree on it share one verdict (fusion_annot.annotate caches by
    it). Counts that pass both thresholds give the same verdict whatever they are; counts below one are named
    in the verdict, so they are part of the key."""
    policy = policy or VerdictPolicy()
    split, spanning = call.split_reads, call.spanning_reads
    enough = (split is None and spanning is None) or (
        (split or 0) + (spanning or 0) >= policy.min_supporting_reads
        and (split is None or split >= policy.min_split_reads))
    return ("enough" if enough else (split, spanning), call.extra.get("n_callers"), call.caller, call.level)


def weak_evidence(annotation, policy: VerdictPolicy) -> list[Weakness]:
    """Reasons the evidence for an actionable call is too weak to sign out as it stands."""
    call = annotation.call
    out: list[Weakness] = []
    split, spanning = call.split_reads, call.spanning_reads
    if split is not None or spanning is not None:
        total = (split or 0) + (spanning or 0)
        counts = ", ".join(p for p in (
            f"{split} split read{'s' if split != 1 else ''}" if split is not None else "",
            f"{spanning} spanning fragment{'s' if spanning != 1 else ''}" if spanning is not None else "") if p)
        minimum = (f"(minimum {policy.min_split_reads} split reads, {policy.min_supporting_reads} supporting reads "
                   "in all: min_split_reads, min_supporting_reads)")
        if total < policy.min_supporting_reads:  # is the fusion there at all?
            out.append(Weakness("support", f"low read support: {counts} {minimum}"))
        elif split is not None and split < policy.min_split_reads:  # the fusion is, but where is the junction?
            out.append(Weakness("structure", f"junction read support low: {counts} {minimum}; the exons joined rest "
                                             "on too few junction reads"))
    callers = call.extra.get("n_callers")
    if callers is not None and int(callers) == 1:
        out.append(Weakness("support", "found by 1 caller only"))
    side5, side3 = annotation.side5, annotation.side3
    if side3 is None or side3.site == "gene_only" or (side5 is not None and side5.site == "gene_only"):
        out.append(Weakness("structure", "gene-level call: exons and frame not known"))
    elif annotation.frame.frame == "unknown":
        out.append(Weakness("structure", "frame not known"))
    for label, side in (("5'", side5), ("3'", side3)):
        if side is not None and side.site in ("intronic", "splice_site") and not side.intron_bases:
            out.append(Weakness("structure", f"{label} breakpoint {side.site.replace('_', ' ')}: splicing at exon "
                                             f"{side.exon} assumed, not read"))
    return out


def is_sarcoma(kb, tumor_key: Optional[str]) -> bool:
    return bool(tumor_key) and kb.is_within(tumor_key, "sarcoma")


def confirmation(weaknesses: Iterable[Weakness], gene3: str, sarcoma: Optional[bool]) -> tuple[str, str]:
    """(assay, why): the orthogonal confirmation that fits, e.g. ('FISH', '1 split read ...; IHC weak ...').

    Structure questions (exons, frame, splice site) need the transcript: an RNA-based assay. Whether the
    fusion is there at all (low support, one caller): FISH, or pan-TRK IHC except for NTRK3 and in sarcoma
    (tumour type not given: IHC with the sarcoma caveat)."""
    weaknesses = list(weaknesses)
    if not weaknesses:
        return "", ""
    assays, notes = [], []
    if any(w.kind == "structure" for w in weaknesses):
        assays.append("RNA-based assay")
        notes.append(RNA_ASSAY)
    if any(w.kind == "support" for w in weaknesses):
        if gene3 == "NTRK3":
            assays.append("FISH")
            notes.append(IHC_NTRK3 + ": not advised")
        elif sarcoma:
            assays.append("FISH")
            notes.append(IHC_SARCOMA + ": not advised")
        else:
            assays.append("FISH or pan-TRK IHC")
            if sarcoma is None:
                notes.append(IHC_SARCOMA + ": use FISH in sarcoma")
    assay = " and ".join(dict.fromkeys(assays))
    return assay, "; ".join([w.text for w in weaknesses] + notes)


def expression_confirmation(gene3: str, sarcoma: Optional[bool]) -> str:
    """How to confirm that a 5'UTR fusion expresses the 3' kinase (rule U2)."""
    if gene3 == "NTRK3":
        return f"RNA-based assay (expression of the {gene3} kinase exons); {IHC_NTRK3}"
    if sarcoma:
        return f"RNA-based assay (expression of the {gene3} kinase exons); {IHC_SARCOMA}"
    caveat = f"; {IHC_SARCOMA}" if sarcoma is None else ""
    return f"pan-TRK IHC (TRK protein) or RNA-based assay (expression of the {gene3} kinase exons){caveat}"

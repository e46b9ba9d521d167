"""Refuse to annotate coordinates that belong to another genome build.

Evidence, strongest first:

1. ``##contig`` lengths of a VCF input: GRCh37 and GRCh38 primary chromosomes
   differ in length (chr1 249,250,621 vs 248,956,422), so the build is known
   exactly (lengths from the NCBI assembly reports GCF_000001405.13 and .26).
2. Named-gene breakpoints: a caller that names a gene and gives a position
   places the position in (or within ``margin`` bp of) that gene. Each such
   breakpoint is tested against the gene's span in the chosen reference; a
   position beyond the end of the reference's chromosome counts as outside.
   If more than ``max_outside_fraction`` of at least ``min_tested`` tested
   breakpoints fall outside, the input is not in the reference's build; so
   is it when every one of at least 3 tested breakpoints falls outside.
   Mitochondrial breakpoints are not tested (chrM is identical in both builds).

Limit: there is no GRCh37 annotation offline, so "inside the genes for the
other build" cannot be shown from gene spans; the message then says the input
is not in the reference build and is most likely the other common build
(GRCh37/hg19 for a GRCh38 reference), and says how sure it is. Contig names
are compared without 'chr' ('chr1' = '1', 'chrM' = 'MT').
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from .errors import BuildMismatchError
from .model import FusionCall

# Primary-assembly chromosome lengths (NCBI GRCh37.p13 GCF_000001405.13, GRCh38 GCF_000001405.26).
CHROM_LENGTHS = {
    "GRCh37": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260, "6": 171115067,
        "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747, "11": 135006516, "12": 133851895,
        "13": 115169878, "14": 107349540, "15": 102531392, "16": 90354753, "17": 81195210, "18": 78077248,
        "19": 59128983, "20": 63025520, "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    "GRCh38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259, "6": 170805979,
        "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422, "11": 135086622, "12": 133275309,
        "13": 114364328, "14": 107043718, "15": 101991189, "16": 90338345, "17": 83257441, "18": 80373285,
        "19": 58617616, "20": 64444167, "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}
_ALIASES = {"hg19": "GRCh37", "GRCh37": "GRCh37", "hg38": "GRCh38", "GRCh38": "GRCh38"}
_OTHER = {"GRCh38": "GRCh37 (hg19)", "GRCh37": "GRCh38 (hg38)"}


def canonical_build(name: Optional[str]) -> str:
    n = (name or "").strip()
    for key, value in _ALIASES.items():
        if n.lower().startswith(key.lower()):
            return value
    return n or "GRCh38"


def contig(name: Optional[str]) -> str:
    c = (name or "").strip()
    if c.lower().startswith("chr"):
        c = c[3:]
    return "MT" if c in ("M", "m") else c


def build_from_contig_lengths(lengths: dict[str, int]) -> Optional[str]:
    """'GRCh37' / 'GRCh38' when at least 3 primary chromosome lengths match one build and none the other."""
    votes = {build: 0 for build in CHROM_LENGTHS}
    for name, length in lengths.items():
        for build, table in CHROM_LENGTHS.items():
            if table.get(contig(name)) == length:
                votes[build] += 1
    hits = [b for b, n in votes.items() if n >= 3]
    if len(hits) == 1 and all(n == 0 for b, n in votes.items() if b != hits[0]):
        return hits[0]
    return None


@dataclass(frozen=True)
class BreakpointTest:
    gene: str
    chrom: str
    pos: int
    span: Optional[tuple[str, int, int, str]]
    inside: bool


@dataclass
class BuildCheckResult:
    reference_build: str
    tested: int = 0
    outside: int = 0
    contig_build: Optional[str] = None  # build named by VCF ##contig lengths, when present
    likely_build: Optional[str] = None
    passed: bool = True
    message: str = ""
    examples: list[BreakpointTest] = field(default_factory=list)

    @property
    def outside_fraction(self) -> float:
        return self.outside / self.tested if self.tested else 0.0


def _named_breakpoints(calls: Iterable[FusionCall]):
    for call in calls:
        if call.level != "breakpoint":
            continue
        for bp in (call.five_prime, call.three_prime):
            # chrM is the same sequence (rCRS) in both builds: it cannot tell them apart
            if bp.gene and bp.chrom and bp.pos is not None and contig(bp.chrom) != "MT":
                yield bp.gene, contig(bp.chrom), bp.pos


def test_breakpoints(calls: Iterable[FusionCall], reference, margin: int = 10_000) -> list[BreakpointTest]:
    """Each named-gene breakpoint whose gene the reference knows, inside or outside its span (+- margin)."""
    build = canonical_build(getattr(reference, "build", "GRCh38"))
    lengths = CHROM_LENGTHS.get(build, {})
    seen: set[tuple[str, str, int]] = set()
    out = []
    for gene, chrom, pos in _named_breakpoints(calls):
        if (gene, chrom, pos) in seen:
            continue
        seen.add((gene, chrom, pos))
        span = reference.gene_span(gene)
        if span is None:
            continue
        s_chrom, start, end, _ = span
        beyond_chrom_end = chrom in lengths and pos > lengths[chrom]
        inside = not beyond_chrom_end and contig(s_chrom) == chrom and start - margin <= pos <= end + margin
        out.append(BreakpointTest(gene, chrom, pos, span, inside))
    return out


def check_build(
    calls: Iterable[FusionCall],
    reference,
    source: str,
    *,
    vcf_contig_lengths: Optional[dict[str, int]] = None,
    min_tested: int = 5,
    max_outside_fraction: float = 0.5,
    margin: int = 10_000,
    raise_on_mismatch: bool = True,
) -> BuildCheckResult:
    """Compare the input's coordinates with the reference build; BuildMismatchError when they disagree.

    ``reference`` needs ``gene_span(name)`` and ``build``. For a VCF input pass
    its ##contig lengths (fusion_annot.readers.vcf_sv.contig_lengths) or let
    the function read them when ``source`` is a VCF path.
    """
    calls = list(calls)
    build = canonical_build(getattr(reference, "build", "GRCh38"))
    result = BuildCheckResult(reference_build=build)
    if vcf_contig_lengths is None:
        vcf_contig_lengths = _vcf_contigs_if_vcf(source)
    result.contig_build = build_from_contig_lengths(vcf_contig_lengths or {})
    if result.contig_build and result.contig_build != build:
        result.passed = False
        result.likely_build = result.contig_build
        result.message = (
            f"{source}: the VCF ##contig lengths are those of {result.contig_build} (e.g. chr1 "
            f"{CHROM_LENGTHS[result.contig_build]['1']:,}), but the reference is {build}; "
            f"lift the calls over to {build} or annotate with a {result.contig_build} reference"
        )
    tests = test_breakpoints(calls, reference, margin)
    result.tested = len(tests)
    result.outside = sum(not t.inside for t in tests)
    result.examples = [t for t in tests if not t.inside][:3]
    decisive = result.tested >= min_tested and result.outside_fraction > max_outside_fraction
    all_outside = result.tested >= 3 and result.outside == result.tested
    if result.passed and (decisive or all_outside):
        result.passed = False
        result.likely_build = _OTHER.get(build, "another build")
        shown = "; ".join(
            f"{t.gene} at {t.chrom}:{t.pos:,} vs {build} {contig(t.span[0])}:{t.span[1]:,}-{t.span[2]:,}" for t in result.examples
        )
        result.message = (
            f"{source}: coordinates do not fit {build}: {result.outside} of {result.tested} breakpoints with a named gene lie "
            f"outside that gene's {build} span (+-{margin // 1000} kb), e.g. {shown}. The input is not {build}; most likely "
            f"{result.likely_build}. Lift the calls over to {build} or annotate with a matching reference"
        )
    if not result.passed and raise_on_mismatch:
        raise BuildMismatchError(result.message)
    return result


def _vcf_contigs_if_vcf(source: str) -> dict[str, int]:
    path = Path(str(source))
    if not path.is_file():
        return {}
    try:
        opener = gzip.open if path.read_bytes()[:2] == b"\x1f\x8b" else open
        with opener(path, "rt", errors="replace") as fh:
            first = fh.readline()
        if not first.startswith("##fileformat=VCF"):
            return {}
        from .readers.vcf_sv import contig_lengths

        return contig_lengths(str(path))
    except Exception:  # unreadable VCF headers are the reader's business, not the build check's
        return {}


class GeneSpans:
    """Gene spans read straight from a GTF's ``gene`` lines: a fast stand-in for a Reference in build checks."""

    def __init__(self, spans: dict[str, tuple[str, int, int, str]], build: str = "GRCh38"):
        self._spans = spans
        self.build = build

    @classmethod
    def from_gtf(cls, path: str, build: str = "GRCh38") -> "GeneSpans":
        spans: dict[str, tuple[str, int, int, str]] = {}
        opener = gzip.open if str(path).endswith(".gz") else open
        with opener(path, "rt") as fh:
            for line in fh:
                if line.startswith("#"):
                    continue
                fields = line.split("\t", 9)
                if len(fields) < 9 or fields[2] != "gene":
                    continue
                key = 'gene_name "'
                i = fields[8].find(key)
                if i < 0:
                    continue
                name = fields[8][i + len(key): fields[8].find('"', i + len(key))]
                spans.setdefault(name, (fields[0], int(fields[3]), int(fields[4]), fields[6]))
        return cls(spans, build)

    def gene_span(self, name: str) -> Optional[tuple[str, int, int, str]]:
        return self._spans.get(name)


def position_problem(call: FusionCall) -> str:
    """Why a call's coordinates cannot be on a human chromosome ('' when they can): a position < 1, or past the
    end of its primary chromosome in both GRCh37 and GRCh38 (a reference without a build header is taken as
    GRCh38, so the longer of the two is the limit). Such a call would otherwise be placed at the nearest exon
    of the last gene (DNA breakpoints) or rejected with a misleading 'outside the gene' reason."""
    for label, side in (("5'", call.five_prime), ("3'", call.three_prime)):
        pos = getattr(side, "pos", None)
        if pos is None:
            continue
        if pos < 1:
            return f"{label} breakpoint {side.chrom}:{pos}: positions are 1-based"
        name = contig(side.chrom)
        lengths = {build: table[name] for build, table in CHROM_LENGTHS.items() if name in table}
        if lengths and pos > max(lengths.values()):
            known = ", ".join(f"{length:,} bp in {build}" for build, length in lengths.items())
            return f"{label} breakpoint {side.chrom}:{pos:,} is past the end of chromosome {name} ({known})"
    return ""


def reject_impossible_positions(items: list) -> list:
    """The items with every call placed past a chromosome end turned into a Reject with the reason."""
    from .model import Reject

    out = []
    for item in items:
        problem = position_problem(item) if isinstance(item, FusionCall) else ""
        if problem:  # one reject per call, on its line, as the annotator rejects a call
            out.append(Reject(sample=item.sample, caller=item.caller, source=item.source, line=item.line, reason=problem))
        else:
            out.append(item)
    return out

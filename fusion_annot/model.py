"""Plain data passed between the stages of the pipeline.

readers -> FusionCall -> mapping (SideAnnotation) -> frame (FrameResult)
-> domains (DomainResult) -> knowledge (KnowledgeResult) -> FusionAnnotation -> writers

Coordinate convention at every boundary in this module: genomic positions are
1-based, inclusive (Ensembl/GTF style). Readers convert 0-based inputs (BEDPE)
before building a Breakpoint.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import Any, Optional

# Allowed values of the fixed output vocabularies (docs/output-columns.md).
FRAME_VALUES = ("in_frame", "out_of_frame", "stop_before_junction", "utr5_fusion", "non_coding", "unknown")
KINASE_VALUES = ("retained", "partial", "lost", "not_applicable", "unknown")
SITE_VALUES = (
    "exon_boundary",  # junction exactly at an exon edge on the side that joins (splice junction)
    "exonic",  # inside an exon, not at the joining edge
    "intronic",  # inside an intron, away from the splice site
    "splice_site",  # intronic, within 8 bp of an exon edge (VEP splice region)
    "utr5",  # junction within the 5' UTR
    "utr3",  # junction within the 3' UTR
    "intergenic",  # outside every transcript of the gene
    "gene_only",  # gene known, no breakpoint (gene-level callers)
)


def direct_init(cls):
    """A frozen dataclass's __init__ replaced by one with the same signature that fills the instance's dict
    directly. The generated one calls object.__setattr__ per field (3.7 us for a FusionCall, 0.8 us this way),
    and readers build a FusionCall, two Breakpoints or a Reject per input row: cohort aggregates run to a
    million rows. Only for classes without __post_init__ or InitVar fields (checked)."""
    if "__post_init__" in cls.__dict__:
        raise TypeError(f"{cls.__name__} has __post_init__: keep the dataclass __init__")
    params, stores, namespace = [], [], {"_MISSING": MISSING}
    for f in fields(cls):
        if not f.init:
            raise TypeError(f"{cls.__name__}.{f.name} is not an init field")
        if f.default is not MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            stores.append(f"    if {f.name} is _MISSING:\n        {f.name} = _factory_{f.name}()")
        else:
            params.append(f.name)
        stores.append(f"    values[{f.name!r}] = {f.name}")
    source = f"def __init__(self, {', '.join(params)}):\n    values = self.__dict__\n" + "\n".join(stores)
    exec(source, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    cls.__init__ = init
    return cls


@direct_init
@dataclass(frozen=True)
class Breakpoint:
    """One side of a fusion as the caller reported it.

    pos: 1-based genomic position of the junction base on this side: for the 5'
    partner the last transcribed base kept before the junction, for the 3' partner
    the first base kept after it. None when the caller gives no coordinate.
    strand: '+'/'-' strand of this partner's transcription as the caller reports it
    (None = unknown; the reference gene strand is used).
    exon: junction exon number when the input is exon notation ("ETV6 ex5").
    exon_range: retained exon range from notation ("exons 1-8" -> (1, 8)).
    """

    gene: Optional[str]
    chrom: Optional[str] = None
    pos: Optional[int] = None
    strand: Optional[str] = None
    gene_id: Optional[str] = None
    transcript: Optional[str] = None
    exon: Optional[int] = None
    exon_range: Optional[tuple[int, int]] = None


@direct_init
@dataclass(frozen=True)
class FusionCall:
    """A normalized caller row.

    five_prime/three_prime: the partners in transcription order when
    ``orientation`` is "5to3" (the caller states it); "unknown" means the reader
    could not tell and the annotator orients the pair from the reference.
    """

    sample: str
    caller: str
    source: str  # input file path as given
    line: int  # 1-based line number in the source file (0 for command-line input)
    five_prime: Breakpoint
    three_prime: Breakpoint
    orientation: str = "5to3"  # "5to3" | "unknown"
    caller_fusion_name: str = ""
    caller_frame: Optional[str] = None  # the caller's own frame call, normalized to FRAME_VALUES where possible
    split_reads: Optional[int] = None
    spanning_reads: Optional[int] = None
    level: str = "breakpoint"  # "breakpoint" | "exon" | "gene" (what the caller can tell)
    # "rna": positions are the bases joined in the fusion transcript (a position off an exon edge means the
    # transcript keeps those intron bases); "dna": genomic breakpoints, spliced to the nearest exon edge.
    # "" = the reader's declaration (ReaderSpec.junction_model).
    junction_model: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@direct_init
@dataclass(frozen=True)
class Reject:
    """An input row that could not be annotated, and why."""

    sample: str
    caller: str
    source: str
    line: int
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class SideAnnotation:
    """Where one breakpoint falls in one transcript (coordinates 1-based)."""

    gene: str
    gene_id: str
    chrom: str
    strand: str
    transcript_id: str  # with version when the reference has one (ENST00000629765.2)
    transcript_name: str
    is_canonical: bool
    exon: Optional[int]  # exon number in transcript orientation at the junction (or the exon before/after an intron)
    exon_count: int
    site: str  # one of SITE_VALUES
    retained_exons: Optional[tuple[int, int]]  # e.g. (1, 5) for the 5' partner, (15, 20) for the 3' partner
    pos: Optional[int]  # 1-based genomic junction position (as used; None for notation input)
    # CDS bookkeeping, all in transcript orientation; None when the junction lies outside the CDS
    # 5': CDS nt kept up to the junction. 3': CDS nt skipped before the first kept base, or, when the
    # 3' junction lies in the 5'UTR, minus the number of UTR nt kept before the start codon.
    cds_offset: Optional[int] = None
    phase: Optional[int] = None  # 5': end phase at the junction; 3': start phase of the first kept base (0,1,2)
    coding: bool = True  # transcript has a CDS
    cds_length: int = 0  # nt including the stop codon when annotated
    protein_length: int = 0  # aa
    aa_boundary: Optional[int] = None  # 5': last aa (partly) kept; 3': first aa (partly) kept
    cds_start_incomplete: bool = False  # cds_start_NF or no start codon annotated
    cds_end_incomplete: bool = False  # cds_end_NF or no stop codon annotated
    # RNA junction model, intronic junction: intron bases the fusion transcript keeps beyond the joining exon
    # edge (5': after exon `exon`; 3': before exon `exon`). 0 at exon edges and in the DNA model.
    intron_bases: int = 0
    junction_model: str = "dna"  # "rna" | "dna": how this side's position was read (see FusionCall)
    note: str = ""

    @property
    def cds_incomplete(self) -> bool:
        return self.cds_start_incomplete or self.cds_end_incomplete


@dataclass(frozen=True)
class FrameResult:
    frame: str  # one of FRAME_VALUES
    reason: str
    fusion_protein_length: Optional[int] = None  # aa, from coordinates
    junction_peptide: str = ""  # ±10 aa with the junction marked by '|'
    peptide_note: str = ""  # why the peptide is empty, or the translation check result
    fusion_cds: str = ""  # nucleotide sequence of the fusion CDS when sequence was available
    fusion_protein: str = ""  # translated protein when sequence was available
    junction_sequence: str = ""  # fusion CDS, 30 nt either side of the junction, '|' at the junction


@dataclass(frozen=True)
class DomainHit:
    name: str
    source: str  # InterPro / Pfam / ...
    accession: str
    aa_start: int
    aa_end: int
    kept_pct: float  # share of the domain's residues kept in the fusion


@dataclass(frozen=True)
class DomainResult:
    kinase_domain: str  # one of KINASE_VALUES
    kinase_domain_kept_pct: Optional[float]
    kinase_domain_name: str = ""
    domains5: tuple[DomainHit, ...] = ()  # domains the 5' partner keeps (whole or partly)
    domains3: tuple[DomainHit, ...] = ()  # domains the 3' partner keeps (whole or partly)
    note: str = ""
    # the 5' partner's own kinase domain (FGFR3::TACC3, FGFR2::BICC1): same values as kinase_domain
    kinase_domain5: str = "unknown"
    kinase_domain5_kept_pct: Optional[float] = None
    kinase_domain5_detail: str = ""


@dataclass(frozen=True)
class IsoformPair:
    """The best of every coding isoform pair consistent with the breakpoints (in frame first, then kinase
    kept, then closeness to MANE/canonical, then CDS length), and how many pairs were weighed."""

    side5: SideAnnotation
    side3: SideAnnotation
    frame: FrameResult
    domains: DomainResult
    pairs_evaluated: int
    pairs_in_frame: int

    @property
    def transcripts(self) -> str:
        return f"{self.side5.transcript_id}/{self.side3.transcript_id}"


@dataclass(frozen=True)
class KnowledgeResult:
    """Clinical meaning of an annotated fusion; filled by fusion_annot.knowledge."""

    catalog_status: str = ""
    catalog_context: str = ""
    catalog_refs: str = ""
    actionability: str = ""
    actionability_rule: str = ""
    drugs: str = ""
    actionability_refs: str = ""
    resistance: str = ""
    interpretation: str = ""
    review_flag: str = ""
    eligible_drugs: str = ""  # label/regional drugs left after resistance and age (docs/output-columns.md)
    confirm_by: str = ""  # orthogonal confirmation a lowered call needs, and why


@dataclass(frozen=True)
class FusionAnnotation:
    call: FusionCall
    side5: Optional[SideAnnotation]
    side3: Optional[SideAnnotation]
    frame: FrameResult
    domains: DomainResult
    knowledge: KnowledgeResult = KnowledgeResult()
    oriented_by: str = "caller"  # "caller" | "reference" (when the caller did not order the partners)
    notes: tuple[str, ...] = ()
    support: Any = None  # evidence.bam_support.Support: reads counted in --bam alignments
    flags: tuple[str, ...] = ()  # reasons for a person to look again, found by the annotation itself
    best: Optional[IsoformPair] = None  # best coding isoform pair (None for gene-level calls)
    # exon numbers of the junction on each gene's MANE Select (else Ensembl canonical) transcript:
    # (transcript5, exon5, transcript3, exon3); exon None when the junction is not placed on it
    mane_exons: tuple = ()
    actionability_pair: str = ""  # which transcript pair the knowledge step judged, and why

    @property
    def gene5(self) -> str:
        return self.side5.gene if self.side5 else (self.call.five_prime.gene or "")

    @property
    def gene3(self) -> str:
        return self.side3.gene if self.side3 else (self.call.three_prime.gene or "")

    @property
    def fusion_name(self) -> str:
        return f"{self.gene5}::{self.gene3}"

"""Reader registry: one module per caller format, keyed by format name, with auto-detection.

A reader module defines ``READER = ReaderSpec(...)``. ``sniff`` gets the first lines
of the file and answers whether the file is in its format; ``read`` yields a
FusionCall or a Reject for every data row (nothing is dropped silently).
Adding a caller = one new module + one line in ``_MODULES``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Union

from ..errors import InputError
from ..model import FusionCall, Reject
from ..textio import head_lines


@dataclass(frozen=True)
class ReaderSpec:
    name: str  # format name used on the command line and in sample sheets
    description: str
    sniff: Callable[[list[str]], bool]
    read: Callable[[str, str], Iterator[Union[FusionCall, Reject]]]  # (path, sample) -> rows
    priority: int = 100  # lower is tried first during auto-detection (more specific formats first)
    # "rna": the caller reports the bases joined in the fusion transcript (RNA-seq fusion callers);
    # "dna": genomic breakpoints of a rearrangement (SV callers), spliced to the nearest exon edge.
    junction_model: str = "rna"


def junction_model_of(caller: str) -> str:
    """The junction model a caller's reader declares; "dna" for a caller no reader claims."""
    spec = REGISTRY.get(caller)
    return spec.junction_model if spec is not None else "dna"


# Order does not matter for lookup; detection uses ReaderSpec.priority.
_MODULES = (
    "star_fusion",
    "fusioninspector",
    "arriba",
    "fusioncatcher",
    "jaffa",
    "bedpe",
    "notation",
    "cicero",
    "defuse",
    "ericscript",
    "pizzly",
    "squid",
    "dragen",
    "ctat_lr_fusion",
    "pbfusion",
    "vcf_sv",
)


def _load() -> dict[str, ReaderSpec]:
    registry: dict[str, ReaderSpec] = {}
    for module_name in _MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{module_name}":
                continue  # reader not written yet
            raise
        spec: ReaderSpec = module.READER
        registry[spec.name] = spec
    return registry


REGISTRY: dict[str, ReaderSpec] = _load()


def format_names() -> list[str]:
    return sorted(REGISTRY)


def detect_format(path: str) -> str:
    """Name of the first reader (by priority) that recognises the file; InputError if none does."""
    head = head_lines(path, 60)
    if not any(line.strip() for line in head):
        raise InputError(path, 0, "file is empty")
    for spec in sorted(REGISTRY.values(), key=lambda s: (s.priority, s.name)):
        try:
            if spec.sniff(head):
                return spec.name
        except Exception:  # a sniffer must never break detection of other formats
            continue
    raise InputError(path, 1, "unrecognised format; pass --format (one of: " + ", ".join(format_names()) + ")")


def get_reader(name: str) -> ReaderSpec:
    try:
        return REGISTRY[name]
    except KeyError:
        raise InputError("--format", 0, f"unknown format '{name}' (known: {', '.join(format_names())})") from None


def read_calls(path: str, fmt: str = "auto", sample: str = "") -> Iterable[Union[FusionCall, Reject]]:
    """Read every row of a caller file as FusionCall or Reject."""
    name = detect_format(path) if fmt in ("auto", "", None) else fmt
    return get_reader(name).read(path, sample)

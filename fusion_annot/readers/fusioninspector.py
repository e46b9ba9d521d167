"""FusionInspector: finspector.fusion_predictions.final.abridged.FFPM, FusionInspector.fusions.txt /
.abridged, and multi-sample aggregates (a 'sample' column, e.g. the FusionInspectorPaper tables).

Same Left/Right layout and coordinate convention as STAR-Fusion (Left = 5' partner,
1-based junction bases, transcribed strand), plus LeftLocalBreakpoint /
RightLocalBreakpoint (positions on FusionInspector's own contigs, kept in
``extra``). In an aggregate each row's sample comes from its 'sample' column,
not from the ``sample`` argument.
"""
from __future__ import annotations

from typing import Iterator, Union

from ..model import FusionCall, Reject
from . import ReaderSpec
from .fields import header_columns
from .star_fusion import REQUIRED, read_left_right

NAME = "fusioninspector"


def sniff(head: list[str]) -> bool:
    columns = set(header_columns(head))
    return (
        bool({"FusionName", "fusion_name"} & columns)
        and {"LeftLocalBreakpoint", "RightLocalBreakpoint", "JunctionReadCount", "SpanningFragCount"} <= columns
        and set(REQUIRED) <= columns
    )


def read(path: str, sample: str = "") -> Iterator[Union[FusionCall, Reject]]:
    return read_left_right(path, sample, NAME)


READER = ReaderSpec(
    name=NAME,
    description="FusionInspector fusion predictions (incl. multi-sample aggregates with a 'sample' column)",
    sniff=sniff,
    read=read,
    priority=10,
)

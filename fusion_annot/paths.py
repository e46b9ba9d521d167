"""Where the shipped resources live (bundled reference, knowledge base, demo inputs)."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import FusionAnnotError


def resources_dir() -> Path:
    """The `resources/` folder: $FUSION_ANNOT_RESOURCES, else the one beside the package (source checkout)."""
    env = os.environ.get("FUSION_ANNOT_RESOURCES")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for c in candidates:
        if c.is_dir():
            return c
    raise FusionAnnotError(
        "cannot find the resources/ folder; set FUSION_ANNOT_RESOURCES to the fusion-annot resources directory"
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def cache_dir() -> Path:
    """Where reference indexes go: $PYENSEMBL_CACHE_DIR (shared with pyensembl), else ~/.cache/fusion-annot."""
    env = os.environ.get("PYENSEMBL_CACHE_DIR")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fusion-annot"
    return base

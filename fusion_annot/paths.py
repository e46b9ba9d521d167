"""Where the shipped resources live (bundled reference, knowledge base, demo inputs)."""
from __future__ import annotations

import os
from pathlib import Path

from .errors import FusionAnnotError


def resources_dir() -> Path:
    """The resources folder (knowledge base, reference pack, synonyms, demo inputs).

    $FUSION_ANNOT_RESOURCES when set (an error if it is not a folder: a typo must not
    silently fall back to the shipped knowledge base); else fusion_annot/resources of an
    installed package (wheel, sdist, conda); else resources/ beside the package in a
    source checkout or editable install.
    """
    env = os.environ.get("FUSION_ANNOT_RESOURCES")
    if env:
        if not Path(env).is_dir():
            raise FusionAnnotError(f"FUSION_ANNOT_RESOURCES={env} is not a folder; unset it to use the shipped resources")
        return Path(env)
    package = Path(__file__).resolve().parent
    for candidate in (package / "resources", package.parent / "resources"):
        if (candidate / "knowledge").is_dir():
            return candidate
    raise FusionAnnotError(
        f"cannot find the fusion-annot resources (looked in {package / 'resources'} and {package.parent / 'resources'}); "
        "reinstall the package, or set FUSION_ANNOT_RESOURCES to a resources folder"
    )


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def cache_dir() -> Path:
    """Where reference indexes go: $PYENSEMBL_CACHE_DIR (shared with pyensembl), else ~/.cache/fusion-annot."""
    env = os.environ.get("PYENSEMBL_CACHE_DIR")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "fusion-annot"
    return base

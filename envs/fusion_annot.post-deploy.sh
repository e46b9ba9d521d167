#!/usr/bin/env bash
# Snakemake runs this inside the new conda environment of envs/fusion_annot.yaml: it installs the fusion_annot
# package itself (non-editable; the dependencies come from the yaml). FUSION_ANNOT_SOURCE is the workflow's
# source folder, set by rules/common.smk when it holds pyproject.toml (a source checkout or sdist); a workflow
# folder without the package source takes the release from the package index instead.
set -euo pipefail
if [ -n "${FUSION_ANNOT_SOURCE:-}" ] && [ -f "${FUSION_ANNOT_SOURCE}/pyproject.toml" ]; then
  python -m pip install --quiet --no-deps --no-build-isolation "${FUSION_ANNOT_SOURCE}"
else
  python -m pip install --quiet --no-deps fusion-annot
fi
python -m fusion_annot --version

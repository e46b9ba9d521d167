"""`python -m fusion_annot ...` = `fusion-annot ...` (used by the Snakemake workflow, which runs the package
from its own checkout so that workflow and code are always the same version)."""
import sys

from .cli import main

sys.exit(main())

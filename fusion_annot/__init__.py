"""fusion-annot: clinical annotation of gene-fusion caller output."""
__version__ = "0.1.0"

#!/usr/bin/env python3
"""Rebuild resources/reference/gene_synonyms.ideogram1.53.tsv.gz (gene symbol -> previous symbols and aliases).

    python scripts/build_gene_synonyms.py \\
        --source ../shared/reference/gene_synonyms.ideogram1.53.tsv.gz \\
        --out resources/reference/gene_synonyms.ideogram1.53.tsv.gz

--source is either the synonyms file itself or the npm tarball of ideogram 1.53.0 (`npm pack ideogram@1.53.0`
-> ideogram-1.53.0.tgz), from which the member `package/dist/data/cache/synonyms/homo-sapiens-synonyms.tsv.gz`
is taken. The product ships a byte copy: the output is the upstream file unchanged (so deterministic), and
the script refuses a source whose SHA-256 differs from the one recorded below (a different ideogram release
needs a new file name, a new checksum here and a new provenance entry). It also parses the copy the way
fusion_annot.symbols does and prints the counts recorded in resources/reference/PROVENANCE.md.
--check compares an existing --out with the source instead of writing.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TARBALL_MEMBER = "package/dist/data/cache/synonyms/homo-sapiens-synonyms.tsv.gz"
SHA256 = "f761de4cf068a2de29b4f31acb6b8e59cbbe94011b6aef787a01915c10e1ab8f"


def source_bytes(source: Path) -> bytes:
    if tarfile.is_tarfile(source):
        with tarfile.open(source) as tar:
            member = tar.extractfile(TARBALL_MEMBER)
            if member is None:
                raise SystemExit(f"{source}: no member {TARBALL_MEMBER}")
            return member.read()
    return source.read_bytes()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--check", action="store_true", help="compare --out with the source, write nothing")
    args = ap.parse_args(argv)
    data = source_bytes(args.source)
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        print(f"{args.source}: SHA-256 {digest} is not the recorded ideogram 1.53.0 file ({SHA256})", file=sys.stderr)
        return 1
    if args.check:
        same = args.out.is_file() and args.out.read_bytes() == data
        print(f"{args.out}: {'identical to the source' if same else 'DIFFERS from the source'}")
        return 0 if same else 1
    args.out.write_bytes(data)
    from fusion_annot.symbols import load_synonyms

    table = load_synonyms(str(args.out))
    ambiguous = sum(1 for genes in table.by_synonym.values() if len(genes) > 1)
    also_current = sum(1 for name in table.by_synonym if name in table.primaries)
    print(f"{args.out}: {len(data):,} bytes, sha256 {digest}; {len(table.primaries):,} genes, "
          f"{len(table.by_synonym):,} distinct synonyms ({ambiguous:,} naming several genes, "
          f"{also_current:,} also a gene's current symbol)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

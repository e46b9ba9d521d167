"""fusion-annot knowledge: summary of the knowledge base, or --check to validate it (exit 0 / 2)."""
from __future__ import annotations

import sys
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("knowledge", help="show or validate the NTRK knowledge base (partners, drugs, resistance)",
                       description="Print a summary of the knowledge base (version, content hash, date, row counts); "
                                   "--check validates every table against its JSON schema, the cross-references, dates, "
                                   "OncoKB levels, therapy roles, age-limit forms and duplicates, and every kinase name "
                                   "and resistance codon against the reference.")
    p.add_argument("--dir", metavar="DIR", help="knowledge directory (default: the bundled resources/knowledge)")
    p.add_argument("--check", action="store_true",
                   help="validate only; exit 0 when valid, 2 with one 'file:line: reason' line per problem otherwise")
    p.add_argument("--reference", default="bundled", metavar="SPEC",
                   help="reference the kinase names and resistance codons are checked against (default: bundled)")
    p.add_argument("--genome", metavar="FASTA",
                   help="genome FASTA (GRCh38, indexed): --check also compares each resistance row's ref_aa with the "
                        "codon it names (the bundled reference has no sequence)")
    p.set_defaults(func=run)


def _check(args) -> int:
    from ..errors import InputError
    from ..knowledge.catalog import load_tables
    from ..knowledge.check import reference_problems
    from ..knowledge.kb import knowledge_hash
    from ..paths import resource
    from ..reference import load_reference

    directory = Path(args.dir) if args.dir else resource("knowledge")
    problems: list = []
    metadata, tables = load_tables(directory, validate=True, cache=None, problems=problems)  # schema errors: InputError
    reference = load_reference(args.reference)
    genome = None
    if args.genome:
        import pysam

        if not Path(args.genome).is_file():
            raise InputError(args.genome, 0, "genome FASTA not found")
        pysam.set_verbosity(0)
        try:
            genome = pysam.FastaFile(args.genome)
        except (OSError, ValueError) as exc:
            raise InputError(args.genome, 0, f"cannot open genome FASTA (needs a .fai index): {exc}") from None
    problems += reference_problems(tables, reference, genome)
    if problems:
        for p in problems:
            print(str(p), file=sys.stderr)
        print(f"fusion-annot knowledge: error: {len(problems)} problem(s) in {directory}", file=sys.stderr)
        return 2
    rows = {name: len(rows) for name, rows in tables.items()}
    print(f"knowledge base {metadata['version']} ({metadata['date']}, hash {knowledge_hash(directory, metadata)}) is valid: "
          f"{rows['partners']} partner rows, {rows['therapies']} therapy rows, {rows['resistance']} resistance rows, "
          f"{rows['references']} references, every citation resolved; kinase names and resistance codons match "
          f"{reference.name}" + ("" if genome is not None else " (ref_aa not compared: no --genome)"), file=sys.stderr)
    return 0


def run(args) -> int:
    if args.check:
        return _check(args)
    from ..knowledge import load_knowledge_base

    kb = load_knowledge_base(args.dir)  # InputError -> one line "file:line: reason", exit 2 (cli.main)
    counts = kb.counts()
    out = sys.stdout
    print(f"{kb.name}", file=out)
    print(f"version\t{kb.version}\nhash\t{kb.content_hash}\ndate\t{kb.date}\ndirectory\t{kb.directory}", file=out)
    for key, value in counts.items():
        print(f"{key}\t{value}", file=out)
    print(f"kinase_genes\t{','.join(sorted(kb.kinase_genes))}", file=out)
    print(f"drugs\t{','.join(kb.drugs)}", file=out)
    evidence = {}
    for rows in (kb.partners, kb.therapies, kb.efficacy, kb.resistance, kb.actionability):
        for r in rows:
            evidence[r.evidence] = evidence.get(r.evidence, 0) + 1
    print("evidence_tags\t" + ",".join(f"{k}={evidence[k]}" for k in "SVDR" if k in evidence), file=out)
    return 0

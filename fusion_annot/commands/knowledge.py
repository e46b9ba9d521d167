"""fusion-annot knowledge: summary of the knowledge base, or --check to validate it (exit 0 / 2)."""
from __future__ import annotations

import sys


def register(sub) -> None:
    p = sub.add_parser("knowledge", help="show or validate the NTRK knowledge base (partners, drugs, resistance)",
                       description="Print a summary of the knowledge base (version, date, row counts); "
                                   "--check validates every table against its JSON schema and cross-references.")
    p.add_argument("--dir", metavar="DIR", help="knowledge directory (default: the bundled resources/knowledge)")
    p.add_argument("--check", action="store_true", help="validate only; exit 0 when valid, 2 with file:line: reason otherwise")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..knowledge import load_knowledge_base

    kb = load_knowledge_base(args.dir, validate=True if args.check else None)  # InputError -> one line "file:line: reason", exit 2 (cli.main)
    counts = kb.counts()
    if args.check:
        print(f"knowledge base {kb.version} ({kb.date}) is valid: {counts['partner_rows']} partner rows, "
              f"{counts['therapy_rows']} therapy rows, {counts['resistance_rows']} resistance rows, "
              f"{counts['references']} references, every citation resolved", file=sys.stderr)
        return 0
    out = sys.stdout
    print(f"{kb.name}", file=out)
    print(f"version\t{kb.version}\ndate\t{kb.date}\ndirectory\t{kb.directory}", file=out)
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

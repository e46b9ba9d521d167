"""fusion-annot describe: one fusion in lab-report notation, explained for the sign-out desk."""
from __future__ import annotations

import json

from .common import add_reference_options


def register(sub) -> None:
    p = sub.add_parser("describe", help="annotate one fusion written as text, e.g. 'ETV6 ex5::NTRK3 ex15'",
                       description="Annotate one fusion given in lab-report notation: 'KHDRBS1 exons 1-8 :: NTRK1 exons 12-17', "
                                   "'ETV6 ex5::NTRK3 ex15' or 'ETV6::NTRK3 12:11869969:+ 15:87940753:-'.")
    p.add_argument("fusion", help="the fusion, quoted")
    p.add_argument("--json", action="store_true", help="print the output record as JSON")
    add_reference_options(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from ..errors import InputError
    from ..model import Reject
    from ..pipeline import load_resources, make_interpreter
    from ..readers.notation import parse_notation
    from ..writers.records import to_record

    from ..knowledge.eligibility import parse_age

    age = parse_age(args.age, "--age")
    call = parse_notation(args.fusion, source="<command line>", line=0, sample="describe")
    from ..buildcheck import position_problem

    problem = position_problem(call)
    if problem:
        raise InputError("<command line>", 0, problem)
    resources = load_resources(args.reference, args.domains, args.genome, args.cache_dir,
                               preferred_transcripts=args.preferred_transcripts, mane_summary=args.mane_summary)
    annotator = resources.annotator(args.transcripts, make_interpreter(resources, (), args.tumor_type, age))
    results = list(annotator.annotate_all([call]))
    rejected = [r for r in results if isinstance(r, Reject)]
    if rejected:
        raise InputError("<command line>", 0, rejected[0].reason)
    records = [to_record(a) for a in results]
    if args.json:
        out = records[0] if len(records) == 1 else records
        print(json.dumps({"metadata": resources.metadata, "fusion": out}, indent=1, default=str))
        return 0
    for rec in records:
        print(render_text(rec))
    kb = {k: resources.metadata.get(f"knowledge_base_{k}") for k in ("version", "hash")}
    if kb["version"]:
        print(f"  knowledge base: {kb['version']} (hash {kb['hash']})")
    return 0


def render_text(rec: dict) -> str:
    """A short human-readable summary of one output record."""
    lines = [f"{rec['fusion_name']}   ({rec['caller_fusion_name'] or 'as given'})"]
    for side, label in (("5", "5' partner"), ("3", "3' partner")):
        if rec["site" + side] == "gene_only":
            lines.append(f"  {label}: {rec['gene' + side]} {rec['transcript' + side]} (gene level: no breakpoint or exon given)")
            continue
        lines.append(
            f"  {label}: {rec['gene' + side]} {rec['transcript' + side]}  exon {rec['exon' + side]} "
            f"(keeps exons {rec['exons' + side]}), {rec['site' + side]}, "
            f"{rec['chrom' + side]}:{rec['pos' + side]} ({rec['strand' + side]})"
        )
    lines.append(f"  frame: {rec['frame']} - {rec['frame_reason']}")
    for side in ("5", "3"):
        if rec.get("mane_exon" + side) not in (None, "") and str(rec["mane_exon" + side]) != str(rec["exon" + side]):
            lines.append(f"  {side}' exon on MANE/canonical {rec['mane_transcript' + side]}: exon {rec['mane_exon' + side]}"
                         f" (exon {rec['exon' + side]} on {rec['transcript' + side]})")
    if rec.get("best_frame") and (rec["best_transcript5"], rec["best_transcript3"]) != (rec["transcript5"], rec["transcript3"]):
        lines.append(f"  best isoform pair: {rec['best_frame']} on {rec['best_transcript5']} exon {rec['best_exon5']} :: "
                     f"{rec['best_transcript3']} exon {rec['best_exon3']} ({rec['isoform_pairs']})")
    elif rec.get("isoform_pairs"):
        lines.append(f"  isoform pairs: {rec['isoform_pairs']}; the listed pair is the best")
    if rec["fusion_protein_length"] != "":
        lines.append(f"  fusion protein: {rec['fusion_protein_length']} aa (5' aa 1-{rec['aa_end5']} + 3' aa {rec['aa_start3']}-{rec['protein_length3']})")
    lines.append(f"  junction peptide: {rec['junction_peptide'] or '-'} ({rec['peptide_note']})")
    pct = f" ({rec['kinase_domain_kept_pct']}% kept)" if rec["kinase_domain_kept_pct"] != "" else ""
    lines.append(f"  3' kinase domain: {rec['kinase_domain']}{pct} {rec['kinase_domain_detail']}")
    if rec.get("kinase_domain5") not in (None, "", "not_applicable"):
        pct5 = f" ({rec['kinase_domain5_kept_pct']}% kept)" if rec.get("kinase_domain5_kept_pct") not in (None, "") else ""
        lines.append(f"  5' kinase domain: {rec['kinase_domain5']}{pct5} {rec['kinase_domain5_detail']}")
    lines.append(f"  5' domains kept: {rec['domains5'] or '-'}")
    for key, label in (("catalog_status", "catalog"), ("actionability", "actionability"), ("drugs", "drugs"),
                       ("eligible_drugs", "eligible"), ("confirm_by", "confirm by"),
                       ("resistance", "resistance"), ("interpretation", "interpretation"), ("review_flag", "review")):
        if rec.get(key):
            lines.append(f"  {label}: {rec[key]}")
    if rec.get("notes"):
        lines.append(f"  notes: {rec['notes']}")
    return "\n".join(lines)

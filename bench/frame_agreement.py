#!/usr/bin/env python3
"""Reading-frame agreement: fusion-annot's `frame` (and `best_frame`, when the output has it) against

1. peers: the frame call the fusion callers made themselves (`caller_frame`), on the real GRCh38 (hg38) caller
   files in ../shared/callers (MANIFEST.tsv `build` column), one distinct breakpoint pair counted once;
2. the literature: held-out published junctions in bench/data/literature_junctions.tsv (exon notation).

Prints numbers only; nothing is asserted. Stdlib only; fusion-annot runs in subprocesses
(`sys.executable -m fusion_annot annotate ...`), so run it with the project's interpreter:

    .venv/bin/python bench/frame_agreement.py            # all hg38 caller files + the literature table
    .venv/bin/python bench/frame_agreement.py --examples 30 --jobs 2
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import csv
import glob
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CALLERS = os.path.join(HERE, "..", "..", "shared", "callers")  # the checkout sits next to ../shared
DEFAULT_TABLE = os.path.join(HERE, "data", "literature_junctions.tsv")
COMPARABLE = ("in_frame", "out_of_frame")
csv.field_size_limit(sys.maxsize)


# ----------------------------------------------------------------------------------------------- running fusion-annot

def annotate(path: str, out_dir: str, extra: tuple = ()) -> dict:
    """Run `fusion-annot annotate` on one file; return {'rows', 'rejects', 'seconds', 'error'}."""
    os.makedirs(out_dir, exist_ok=True)
    cmd = [sys.executable, "-m", "fusion_annot", "annotate", path, "--out-dir", out_dir, *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    result = {"rows": [], "rejects": [], "seconds": seconds, "error": "", "columns": []}
    if proc.returncode != 0:
        result["error"] = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [f"exit {proc.returncode}"]
        result["error"] = result["error"][0]
        return result
    for tsv in sorted(glob.glob(os.path.join(out_dir, "*.fusions.tsv"))):
        columns, rows = read_tsv(tsv)
        result["columns"] = result["columns"] or columns
        result["rows"].extend(rows)
    for tsv in sorted(glob.glob(os.path.join(out_dir, "*.rejects.tsv"))):
        result["rejects"].extend(read_tsv(tsv)[1])
    return result


def read_tsv(path: str) -> tuple[list[str], list[dict]]:
    """fusion-annot TSV: '## ' provenance lines, then a header, then rows."""
    with open(path, newline="") as handle:
        lines = (line for line in handle if not line.startswith("## "))
        reader = csv.DictReader(lines, delimiter="\t")
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:5.1f}%" if d else "    -"


def frame_of(row: dict, column: str) -> str:
    return (row.get(column) or "").strip() or "unknown"


# ---------------------------------------------------------------------------------------------------- 1. peer callers

def hg38_files(callers_dir: str) -> list[str]:
    """Files whose MANIFEST build column says hg38 (n/a-build files have no coordinates; _reference is not a call set)."""
    files = []
    with open(os.path.join(callers_dir, "MANIFEST.tsv"), newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        header = next(reader)
        build = next(i for i, name in enumerate(header) if name.startswith("build"))
        for fields in reader:
            if len(fields) > build and fields[build].strip().startswith("hg38"):
                path = os.path.join(callers_dir, fields[0])
                if os.path.exists(path) and not fields[0].startswith("_reference"):
                    files.append(path)
    return files


def pair_key(row: dict) -> tuple:
    return tuple(row.get(c, "") for c in ("chrom5", "pos5", "chrom3", "pos3", "gene5", "gene3"))


def peer_measure(callers_dir: str, work: str, jobs: int, examples: int) -> dict:
    files = hg38_files(callers_dir)
    print(f"== 1. Peer agreement: fusion-annot frame vs the caller's own frame call ({len(files)} hg38 files) ==")
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {
            path: pool.submit(annotate, path, os.path.join(work, "peer", f"{i:02d}"))
            for i, path in enumerate(files)
        }
        results = {path: future.result() for path, future in futures.items()}
    wall = time.perf_counter() - started

    has_best = any("best_frame" in r["columns"] for r in results.values())
    per_file = []  # (name, stats)
    overall_pairs: dict[tuple, dict] = {}
    cross_file_conflicts = 0
    raw_values_by_file = {}
    for path in files:
        r = results[path]
        name = os.path.relpath(path, callers_dir)
        raw = collections.Counter((row.get("caller_frame") or "").strip() for row in r["rows"])
        raw.pop("", None)
        raw_values_by_file[name] = raw
        pairs: dict[tuple, dict] = {}
        conflicts = 0
        dropped_unknown = 0
        for row in r["rows"]:
            caller = (row.get("caller_frame") or "").strip()
            if caller not in COMPARABLE:
                continue
            if frame_of(row, "frame") == "unknown":
                dropped_unknown += 1
                continue
            key = pair_key(row)
            if key in pairs:
                if pairs[key]["caller_frame"] != caller or pairs[key]["frame"] != row.get("frame"):
                    conflicts += 1
                continue
            row = dict(row, _file=name)
            pairs[key] = row
        for key, row in pairs.items():
            if key in overall_pairs:
                if overall_pairs[key]["caller_frame"] != row["caller_frame"]:
                    cross_file_conflicts += 1
                continue
            overall_pairs[key] = row
        per_file.append((name, r, raw, pairs, conflicts, dropped_unknown))

    # per-file table
    print(f"annotate wall time {wall:.1f} s ({jobs} in parallel); best_frame column present: {'yes' if has_best else 'no'}")
    print()
    header = f"{'file':<78} {'rows':>6} {'cf rows':>7} {'pairs':>5} {'frame agrees':>14}"
    if has_best:
        header += f" {'best_frame agrees':>18}"
    print(header)
    silent = []
    for name, r, raw, pairs, conflicts, dropped in per_file:
        if r["error"]:
            print(f"{name:<78} ERROR: {r['error']}")
            continue
        n_cf = sum(raw.values())
        if not pairs:
            silent.append((name, len(r["rows"]), raw))
            continue
        agree = sum(1 for p in pairs.values() if p["frame"] == p["caller_frame"])
        line = f"{name:<78} {len(r['rows']):>6} {n_cf:>7} {len(pairs):>5} {agree:>5} {pct(agree, len(pairs))}"
        if has_best:
            best = sum(1 for p in pairs.values() if frame_of(p, "best_frame") == p["caller_frame"])
            line += f" {best:>9} {pct(best, len(pairs))}"
        extra = []
        if conflicts:
            extra.append(f"{conflicts} repeat rows of a pair with another call")
        if dropped:
            extra.append(f"{dropped} rows with our frame unknown left out")
        print(line + (f"   ({'; '.join(extra)})" if extra else ""))
    print()
    print(f"{len(silent)} files give no comparable caller frame (caller_frame empty, or not in_frame/out_of_frame):")
    for name, n, raw in silent:
        note = ", ".join(f"{v} x{c}" for v, c in raw.most_common(4)) if raw else "caller_frame empty"
        print(f"   {name} ({n} annotated rows; {note})")

    # caller values that are not comparable but present (e.g. FusionCatcher 'CDS(truncated)/UTR')
    other = collections.Counter()
    for raw in raw_values_by_file.values():
        for v, c in raw.items():
            if v not in COMPARABLE:
                other[v] += c
    if other:
        print("caller_frame values left out (not in_frame/out_of_frame): "
              + ", ".join(f"{v} x{c}" for v, c in other.most_common()))

    # overall
    pairs = list(overall_pairs.values())
    agree = sum(1 for p in pairs if p["frame"] == p["caller_frame"])
    best = sum(1 for p in pairs if frame_of(p, "best_frame") == p["caller_frame"]) if has_best else None
    inframe_binary = sum(1 for p in pairs if (p["frame"] == "in_frame") == (p["caller_frame"] == "in_frame"))
    print()
    print(f"overall: {len(pairs)} distinct breakpoint pairs; frame agrees {agree} ({pct(agree, len(pairs)).strip()})"
          + (f"; best_frame agrees {best} ({pct(best, len(pairs)).strip()})" if has_best else "")
          + f"; in-frame-or-not agrees {inframe_binary} ({pct(inframe_binary, len(pairs)).strip()})"
          + (f"; {cross_file_conflicts} pairs called differently by two files" if cross_file_conflicts else ""))
    classes = collections.Counter((p["caller_frame"], p["frame"]) for p in pairs)
    print("class breakdown (caller_frame -> our frame):")
    for (caller, ours), n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = "agree" if caller == ours else "DISAGREE"
        line = f"   {caller:<13} -> {ours:<21} {n:>4}  {mark}"
        if has_best:
            b = collections.Counter(frame_of(p, "best_frame") for p in pairs
                                    if (p["caller_frame"], p["frame"]) == (caller, ours))
            line += "   best_frame: " + ", ".join(f"{k} {v}" for k, v in b.most_common())
        print(line)

    disagreements = [p for p in pairs if p["frame"] != p["caller_frame"]]
    if disagreements:
        print()
        print(f"example disagreements (up to {examples} of {len(disagreements)}, round-robin over classes):")
        by_class = collections.defaultdict(list)
        for p in disagreements:
            by_class[(p["caller_frame"], p["frame"])].append(p)
        picked = []
        while len(picked) < min(examples, len(disagreements)):
            for cls in sorted(by_class, key=lambda c: -len(by_class[c])):
                if by_class[cls] and len(picked) < examples:
                    picked.append(by_class[cls].pop(0))
        for p in picked:
            print(f" - {p.get('fusion_name')}  {p.get('chrom5')}:{p.get('pos5')} / {p.get('chrom3')}:{p.get('pos3')}"
                  f"  [{p['_file']}]")
            print(f"     ours {p.get('frame')}" + (f", best_frame {frame_of(p, 'best_frame')}" if has_best else "")
                  + f"; caller {p.get('caller_frame')}; site5/site3 {p.get('site5')}/{p.get('site3')};"
                  f" {p.get('transcript5')} ex{p.get('exon5')} :: {p.get('transcript3')} ex{p.get('exon3')}"
                  f" (canonical {p.get('canonical5')}/{p.get('canonical3')})")
            print(f"     frame_reason: {p.get('frame_reason')}")
            if p.get("review_flag"):
                print(f"     review_flag: {p.get('review_flag')}")
    if has_best:
        best_only = [p for p in pairs if p["frame"] == p["caller_frame"] and frame_of(p, "best_frame") != p["caller_frame"]]
        if best_only:
            print()
            print(f"pairs where frame agrees with the caller but best_frame does not ({len(best_only)}):")
            for p in best_only[:examples]:
                print(f" - {p.get('fusion_name')}  {p.get('chrom5')}:{p.get('pos5')} / {p.get('chrom3')}:{p.get('pos3')}"
                      f"  [{p['_file']}]: caller {p.get('caller_frame')}, frame {p.get('frame')},"
                      f" best_frame {frame_of(p, 'best_frame')}; site5/site3 {p.get('site5')}/{p.get('site3')}")
                print(f"     frame_reason: {p.get('frame_reason')}")
                if p.get("review_flag"):
                    print(f"     review_flag: {p.get('review_flag')}")
    return {"pairs": len(pairs), "agree": agree, "best": best, "has_best": has_best,
            "files_with_frames": sum(1 for f in per_file if f[3]), "files": len(files),
            "binary": inframe_binary, "classes": classes}


# ------------------------------------------------------------------------------------------------------ 2. literature

def read_table(path: str) -> list[dict]:
    with open(path, newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def canonical_notation(note: str) -> str:
    """'legacy: ...; canonical: GENE exN::GENE exM (...)' -> the canonical notation, else ''."""
    marker = "canonical:"
    if not note.startswith("legacy") or marker not in note:
        return ""
    text = note.split(marker, 1)[1].strip()
    return text.split(" (", 1)[0].strip().rstrip(";")


def literature_measure(table: str, work: str) -> dict:
    rows = read_table(table)
    print()
    print(f"== 2. Literature agreement: {len(rows)} published junctions ({os.path.relpath(table, os.getcwd())}) ==")
    # one notation line per run: the published notation, then the canonical equivalents of legacy rows
    runs = []  # (row index, kind, notation)
    for i, row in enumerate(rows):
        runs.append((i, "published", row["fusion_notation"]))
        canon = canonical_notation(row.get("numbering_note", ""))
        if canon:
            runs.append((i, "canonical", canon))
    notation = os.path.join(work, "literature.notation.txt")
    with open(notation, "w") as handle:
        for _, _, text in runs:
            handle.write(text + "\n")
    r = annotate(notation, os.path.join(work, "literature"), ("--format", "notation", "--sample", "literature"))
    if r["error"]:
        print(f"annotate failed: {r['error']}")
        return {}
    has_best = "best_frame" in r["columns"]
    by_line = {int(x["source_line"]): x for x in r["rows"] if x.get("source_line")}
    rejected = {int(x["source_line"]): x for x in r["rejects"] if x.get("source_line")}

    results = []  # dicts per run
    for line, (i, kind, text) in enumerate(runs, start=1):
        row = rows[i]
        out = by_line.get(line)
        res = {"index": i, "kind": kind, "notation": text, "published": row["published_frame"].strip(),
               "legacy": row.get("numbering_note", "").startswith("legacy"),
               "inferred": "frame inferred" in row.get("numbering_note", ""),
               "source": row.get("source", ""), "out": out,
               "reject": rejected.get(line, {}).get("reason", "") if out is None else ""}
        res["frame"] = frame_of(out, "frame") if out else "rejected"
        res["best_frame"] = frame_of(out, "best_frame") if (out and has_best) else ""
        results.append(res)

    def score(subset: list[dict], label: str) -> tuple[int, int, int]:
        n = len(subset)
        agree = sum(1 for x in subset if x["frame"] == x["published"])
        best = sum(1 for x in subset if x["best_frame"] == x["published"]) if has_best else 0
        line = f"   {label:<58} {n:>3} junctions: frame agrees {agree:>3} ({pct(agree, n).strip()})"
        if has_best:
            line += f", best_frame agrees {best:>3} ({pct(best, n).strip()})"
        print(line)
        return n, agree, best

    published = [x for x in results if x["kind"] == "published"]
    canonical = {x["index"]: x for x in results if x["kind"] == "canonical"}
    best_numbering = [canonical.get(x["index"], x) for x in published]
    pub_frames = collections.Counter(x["published"] for x in published)
    print(f"published frames: " + ", ".join(f"{k} {v}" for k, v in pub_frames.most_common())
          + f"; {sum(x['legacy'] for x in published)} rows use legacy exon numbering"
          f" ({len(canonical)} with a canonical equivalent); {sum(x['inferred'] for x in published)} rows' frame is inferred,"
          f" not stated; best_frame column present: {'yes' if has_best else 'no'}")
    s_all = score(published, "all rows, exon numbers as published")
    score([x for x in published if not x["legacy"]], "rows in RefSeq/Ensembl-canonical numbering")
    score([x for x in published if x["legacy"]], "legacy-numbered rows, as published")
    if canonical:
        score(list(canonical.values()), "legacy rows converted to canonical numbering")
    s_canon = score(best_numbering, "all rows, canonical numbering where known")
    score([x for x in best_numbering if not x["inferred"]], "  same, frame stated in the source (not inferred)")

    print("our frame on the published rows: "
          + ", ".join(f"{k} {v}" for k, v in collections.Counter(x["frame"] for x in published).most_common()))
    wrong = [x for x in results
             if x["frame"] != x["published"] or (has_best and x["best_frame"] != x["published"])]
    print()
    print(f"disagreements of frame{' or best_frame' if has_best else ''} ({len(wrong)} annotations"
          f" of {len(results)}: {len(published)} as published + {len(canonical)} canonical equivalents):")
    for x in wrong:
        out = x["out"] or {}
        tags = [t for t, on in (("legacy numbering", x["legacy"] and x["kind"] == "published"),
                                 ("canonical equivalent of a legacy row", x["kind"] == "canonical"),
                                 ("frame inferred", x["inferred"])) if on]
        tag = "; ".join(tags)
        print(f" - {x['notation']}  published {x['published']}; ours {x['frame']}"
              + (f", best_frame {x['best_frame']}" if has_best else "") + (f"   [{tag}]" if tag else ""))
        if not out:
            print(f"     rejected: {x['reject']}")
            continue
        print(f"     {out.get('transcript5')} ex{out.get('exon5')} :: {out.get('transcript3')} ex{out.get('exon3')}"
              f" (canonical {out.get('canonical5')}/{out.get('canonical3')}); phases {out.get('phase5')}/{out.get('phase3')};"
              f" aa 1-{out.get('aa_end5')} + {out.get('aa_start3')}-{out.get('protein_length3')}")
        print(f"     frame_reason: {out.get('frame_reason')}")
        print(f"     review_flag: {out.get('review_flag') or '-'}")
        print(f"     source: {x['source'][:150]}")
    return {"n": s_all[0], "agree": s_all[1], "best": s_all[2], "n_canon": s_canon[0], "agree_canon": s_canon[1],
            "best_canon": s_canon[2], "has_best": has_best, "wrong": len(wrong)}


# ---------------------------------------------------------------------------------------------------------------- main

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--callers-dir", default=DEFAULT_CALLERS)
    parser.add_argument("--table", default=DEFAULT_TABLE)
    parser.add_argument("--examples", type=int, default=15, help="peer disagreements to print (default 15)")
    parser.add_argument("--jobs", type=int, default=2, help="annotate processes in parallel (default 2)")
    parser.add_argument("--keep", metavar="DIR", help="write the annotate outputs here instead of a temp dir")
    args = parser.parse_args()

    probe = subprocess.run([sys.executable, "-c", "import fusion_annot"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"{sys.executable} cannot import fusion_annot: run with the project's venv (.venv/bin/python)",
              file=sys.stderr)
        return 2
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="frame_agreement.") as tmp:
        work = args.keep or tmp
        peer = peer_measure(args.callers_dir, work, args.jobs, args.examples)
        lit = literature_measure(args.table, work)
    total = time.perf_counter() - start

    print()
    print("== summary ==")
    n = peer["pairs"]
    line = (f"peer (hg38 caller files with a caller frame: {peer['files_with_frames']} of {peer['files']}): "
            f"{n} distinct breakpoint pairs, frame agrees {peer['agree']}/{n} ({pct(peer['agree'], n).strip()})")
    if peer["has_best"]:
        line += f", best_frame {peer['best']}/{n} ({pct(peer['best'], n).strip()})"
    line += f"; in-frame-or-not {peer['binary']}/{n} ({pct(peer['binary'], n).strip()})"
    print(line)
    if lit:
        line = (f"literature: {lit['n']} junctions as published, frame agrees {lit['agree']}/{lit['n']}"
                f" ({pct(lit['agree'], lit['n']).strip()})")
        if lit["has_best"]:
            line += f", best_frame {lit['best']}/{lit['n']} ({pct(lit['best'], lit['n']).strip()})"
        line += (f"; with legacy numbering converted where known {lit['agree_canon']}/{lit['n_canon']}"
                 f" ({pct(lit['agree_canon'], lit['n_canon']).strip()})")
        if lit["has_best"]:
            line += f", best_frame {lit['best_canon']}/{lit['n_canon']} ({pct(lit['best_canon'], lit['n_canon']).strip()})"
        print(line)
    print(f"runtime {total:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

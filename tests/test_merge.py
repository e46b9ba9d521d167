"""Consensus of several callers for one sample, built from real caller rows."""
import csv
from dataclasses import replace
from pathlib import Path

import pytest

from fusion_annot.cli import main
from fusion_annot.merge import event_record, merge_calls
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.readers import read_calls


def rows_with(src: Path, dst: Path, needle: str, extra_lines=()) -> Path:
    """A caller file made of the real header and the real rows that mention `needle`."""
    lines = src.read_text().splitlines()
    keep = [lines[0]] + [l for l in lines[1:] if needle in l] + list(extra_lines)
    dst.write_text("\n".join(keep) + "\n")
    return dst


@pytest.fixture
def three_callers(callers_dir, tmp_path):
    """ETV6::NTRK3 and FGFR3::TACC3 as called by STAR-Fusion, EricScript and CTAT-LR-Fusion (fusion-report sample)."""
    star_src = callers_dir / "star-fusion/fusion-report.starfusion.tsv"
    star_rows = [l for l in star_src.read_text().splitlines() if l.startswith("ETV6--NTRK3")]
    # a second ETV6::NTRK3 breakpoint pair, 3' side moved to another NTRK3 position: must stay its own event
    other = star_rows[0].replace("15:87940753:-", "15:87933000:-")
    star = rows_with(star_src, tmp_path / "star.tsv", "ETV6--NTRK3", [other])
    with open(star, "a") as fh:
        fh.writelines(l + "\n" for l in star_src.read_text().splitlines() if l.startswith("FGFR3--TACC3"))
    eric = rows_with(callers_dir / "ericscript/fusion-report.ericscript.tsv", tmp_path / "eric.tsv", "ETV6\tNTRK3")
    with open(eric, "a") as fh:
        fh.writelines(l + "\n" for l in (callers_dir / "ericscript/fusion-report.ericscript.tsv").read_text().splitlines() if l.startswith("FGFR3\tTACC3"))
    ctat = rows_with(callers_dir / "ctat-lr-fusion/fusion-report.ctat_lr_fusion.tsv", tmp_path / "ctat.tsv", "ETV6--NTRK3")
    with open(ctat, "a") as fh:
        fh.writelines(l + "\n" for l in (callers_dir / "ctat-lr-fusion/fusion-report.ctat_lr_fusion.tsv").read_text().splitlines() if l.startswith("FGFR3--TACC3"))
    return {"star-fusion": star, "ericscript": eric, "ctat-lr-fusion": ctat}


def calls_from(files: dict, sample="S1"):
    out = []
    for fmt, path in files.items():
        out += [c for c in read_calls(str(path), fmt, sample) if isinstance(c, FusionCall)]
    return out


def test_three_callers_give_one_event_per_distinct_breakpoint_pair(three_callers):
    events = merge_calls(calls_from(three_callers))
    records = [event_record(e) for e in events]
    etv6 = [r for r in records if r["fusion_name"] == "ETV6::NTRK3"]
    assert len(etv6) == 2  # two ETV6::NTRK3 breakpoint pairs stay two events
    main_event = next(r for r in etv6 if r["pos3"] == 87940753)
    assert main_event["callers"] == "ctat-lr-fusion,ericscript,star-fusion" and main_event["n_callers"] == 3
    assert (main_event["chrom5"], main_event["pos5"], main_event["chrom3"]) == ("12", 11869969, "15")
    assert "ericscript=24" in main_event["split_reads"] and "ctat-lr-fusion=10" in main_event["split_reads"]
    lone = next(r for r in etv6 if r["pos3"] == 87933000)
    assert lone["callers"] == "star-fusion"
    fgfr3 = [r for r in records if r["fusion_name"] == "FGFR3::TACC3"]
    assert len(fgfr3) == 1 and fgfr3[0]["n_callers"] == 3


def test_tolerance_is_configurable(three_callers):
    # EricScript places the ETV6::NTRK3 junction 1 bp off (1 bp homology): tolerance 0 splits it off
    strict = [event_record(e) for e in merge_calls(calls_from(three_callers), tolerance=0)]
    etv6 = [r for r in strict if r["fusion_name"] == "ETV6::NTRK3"]
    assert sorted(r["callers"] for r in etv6) == ["ctat-lr-fusion,star-fusion", "ericscript", "star-fusion"]


def call(caller, g5, c5, p5, g3, c3, p3, orientation="5to3", level="breakpoint", frame=None):
    return FusionCall(sample="S", caller=caller, source=f"{caller}.tsv", line=2,
                      five_prime=Breakpoint(g5, c5, p5), three_prime=Breakpoint(g3, c3, p3),
                      orientation=orientation, level=level, caller_frame=frame)


def test_reciprocal_oriented_calls_stay_apart_but_unoriented_call_joins():
    a = call("arriba", "ETV6", "12", 11869969, "NTRK3", "15", 87940753)
    reciprocal = call("star-fusion", "NTRK3", "15", 87940753, "ETV6", "12", 11869969)
    unoriented = call("vcf", None, "chr15", 87940752, None, "chr12", 11869970, orientation="unknown")
    events = merge_calls([a, reciprocal, unoriented])
    assert [sorted(e.callers) for e in events] == [["arriba", "vcf"], ["star-fusion"]]
    rec = event_record(events[0])
    assert (rec["gene5"], rec["chrom5"], rec["chrom3"]) == ("ETV6", "12", "15")


def test_gene_level_call_joins_only_a_unique_gene_pair_event():
    bp = call("arriba", "ETV6", "12", 11869969, "NTRK3", "15", 87940753, frame="in_frame")
    pizzly = call("pizzly", "ETV6", None, None, "NTRK3", None, None, level="gene")
    events = merge_calls([bp, pizzly])
    assert len(events) == 1 and events[0].callers == ["arriba", "pizzly"] and "joined by gene pair" in events[0].notes[0]
    second = call("star-fusion", "ETV6", "12", 11864000, "NTRK3", "15", 87940753)
    events = merge_calls([bp, second, pizzly])
    assert [e.level for e in events] == ["breakpoint", "breakpoint", "gene"]
    assert "2 breakpoint-level events share ETV6::NTRK3" in events[2].notes[0]


def test_frame_agreement_is_reported_per_caller():
    a = call("arriba", "ETV6", "12", 11869969, "NTRK3", "15", 87940753, frame="in_frame")
    b = call("star-fusion", "ETV6", "12", 11869969, "NTRK3", "15", 87940753, frame="out_of_frame")
    rec = event_record(merge_calls([a, b])[0])
    assert rec["frame_agreement"] == "disagree" and rec["caller_frame"] == "arriba=in_frame;star-fusion=out_of_frame"
    rec = event_record(merge_calls([a, replace(b, caller_frame="in_frame")])[0])
    assert rec["frame_agreement"] == "agree"


def test_merge_command_writes_event_table(three_callers, tmp_path):
    out = tmp_path / "events.tsv"
    argv = ["merge", f"{three_callers['star-fusion']}:star-fusion", str(three_callers["ericscript"]),
            str(three_callers["ctat-lr-fusion"]), "--sample", "S1", "--tolerance", "5", "--out", str(out)]
    assert main(argv) == 0
    rows = list(csv.DictReader(open(out), delimiter="\t"))
    assert len(rows) == 3 and {r["sample"] for r in rows} == {"S1"}
    assert max(int(r["n_callers"]) for r in rows) == 3

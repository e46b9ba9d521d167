"""FASTA of fusion CDS/protein sequences built by the core (FrameResult.fusion_cds / fusion_protein)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from fusion_annot.model import FrameResult
from fusion_annot.writers.fasta import write_fusion_fasta
from test_vcf_writer import annotation


def _with_sequence(cds: str, protein: str, **changes):
    ann = annotation(**changes)
    side5 = replace(ann.side5, cds_offset=7)
    return replace(ann, side5=side5, frame=FrameResult("in_frame", "phases match", len(protein), "MAS|KL", "", cds, protein))


def test_protein_and_cds_records_with_junction_and_wrapped_lines(tmp_path):
    protein = "M" + "A" * 130
    cds = "ATG" + "GCC" * 130
    ann = _with_sequence(cds, protein)
    result = write_fusion_fasta([ann], tmp_path / "p.fa", "protein")
    lines = (tmp_path / "p.fa").read_text().splitlines()
    assert result.written == 1 and result.skipped == ()
    assert lines[0] == (">S1|ETV6::NTRK3|ENST00000396373:exon5|ENST00000629765:exon15 "
                        "frame=in_frame junction_after=2 length=131 molecule=protein")
    assert [len(x) for x in lines[1:]] == [60, 60, 11] and "".join(lines[1:]) == protein
    write_fusion_fasta([ann], tmp_path / "c.fa", "cds")
    cds_lines = (tmp_path / "c.fa").read_text().splitlines()
    assert "junction_after=7 length=393 molecule=cds" in cds_lines[0]
    assert "".join(cds_lines[1:]) == cds


def test_calls_without_sequence_are_reported_with_the_reason(tmp_path):
    no_seq = annotation()
    no_seq = replace(no_seq, frame=replace(no_seq.frame, peptide_note="no genome sequence (pass --genome FASTA to translate)"))
    result = write_fusion_fasta([no_seq, _with_sequence("ATGTAA", "M")], tmp_path / "x.fa")
    assert result.written == 1
    assert result.skipped == (("S1|ETV6::NTRK3", "no genome sequence (pass --genome FASTA to translate)"),)


def test_header_fields_cannot_break_the_record(tmp_path):
    ann = _with_sequence("ATG", "M", gene5="BAD NAME|>x", sample="S 1")
    write_fusion_fasta([ann], tmp_path / "x.fa")
    header = (tmp_path / "x.fa").read_text().splitlines()[0]
    assert header.startswith(">S_1|BAD_NAME_x::NTRK3|") and header.count(">") == 1 and header.count("|") == 3


def test_unknown_molecule_is_refused(tmp_path):
    with pytest.raises(ValueError, match="molecule"):
        write_fusion_fasta([], tmp_path / "x.fa", "rna")

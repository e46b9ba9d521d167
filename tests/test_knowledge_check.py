"""`knowledge --check` fails when it should: each broken-table case below is a copy of the shipped tables
with one row broken, and must exit 2 naming file:line: reason. The shipped tables pass."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fusion_annot.cli import main
from fusion_annot.errors import InputError
from fusion_annot.knowledge import load_knowledge_base
from fusion_annot.knowledge.catalog import split_list
from fusion_annot.knowledge.check import age_limit_ok, parse_date, reference_problems
from fusion_annot.knowledge.kb import knowledge_hash

SHIPPED = Path(load_knowledge_base().directory)


@pytest.fixture(scope="module")
def reference():
    from fusion_annot.reference import load_reference

    return load_reference("bundled")


def copy_kb(tmp_path: Path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(SHIPPED, copy)
    return copy


def edit(kb_dir: Path, table: str, where: dict, changes: dict, duplicate: bool = False) -> tuple[Path, int]:
    """Change `changes` in the first row of `table` matching `where` (column -> value); return (file, 1-based line).
    duplicate=True appends a copy of that row (after applying changes) instead and returns the copy's line."""
    path = kb_dir / f"{table}.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header_at = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    header = lines[header_at].split("\t")
    for i in range(header_at + 1, len(lines)):
        cells = lines[i].split("\t")
        row = dict(zip(header, cells))
        if all(row.get(k) == v for k, v in where.items()):
            row.update(changes)
            text = "\t".join(row[c] for c in header)
            if duplicate:
                lines.append(text)
                number = len(lines)
            else:
                lines[i] = text
                number = i + 1
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return path, number
    raise AssertionError(f"no {table} row matches {where}")


def check(kb_dir: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["knowledge", "--check", "--dir", str(kb_dir), *extra])
    return code, capsys.readouterr().err


def assert_fails(kb_dir, capsys, path, line, reason):
    code, err = check(kb_dir, capsys)
    assert code == 2, err
    assert f"{path}:{line}: " in err, err
    hit = next(l for l in err.splitlines() if f"{path}:{line}: " in l)
    assert reason in hit, hit


# --------------------------------------------------------------------------- the shipped tables


def test_shipped_tables_pass_every_check(capsys):
    code, err = check(SHIPPED, capsys)
    assert code == 0, err
    assert "is valid" in err and "resistance codons match" in err and "hash " in err


def test_shipped_resistance_rows_match_the_bundled_reference(reference):
    from fusion_annot.knowledge.catalog import load_tables

    _, tables = load_tables(SHIPPED, validate=True)
    assert reference_problems(tables, reference) == []
    kras = next(r for r in tables["resistance"] if r.gene == "KRAS" and r.mutation == "G12D")
    assert kras.protein_length == "188" and reference.canonical_transcript("KRAS").protein_length == 188


# --------------------------------------------------------------------------- dates and levels


def test_impossible_date_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "repotrectinib-FDA-2024-06-13"}, {"date": "2019-13-45"})
    assert_fails(kb, capsys, path, line, "column date: '2019-13-45' is not a calendar date")


def test_date_after_the_knowledge_base_date_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "zurletrectinib-NMPA-2025-12-11"}, {"oncokb_level_date": "2027-01-02"})
    assert_fails(kb, capsys, path, line, "after the knowledge-base date 2026-12-03")


def test_impossible_oncokb_level_in_resistance_levels_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "resistance", {"gene": "NTRK1", "mutation": "G595R"},
                      {"levels": "larotrectinib:R3@2024-11-26;entrectinib:R2@2024-02-30"})
    code, err = check(kb, capsys)
    assert code == 2
    assert f"{path}:{line}: column levels: 'R3' for larotrectinib is not an OncoKB level" in err
    assert f"{path}:{line}: column levels: '2024-02-30' is not a calendar date" in err  # every problem, one line each


def test_impossible_oncokb_level_in_actionability_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "actionability", {"scheme": "OncoKB"}, {"level": "Level 5"})
    assert_fails(kb, capsys, path, line, "'Level 5' is not an OncoKB level")


def test_impossible_oncokb_level_in_therapies_is_a_schema_error(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "selitrectinib-investigational"}, {"oncokb_level": "3C"})
    assert_fails(kb, capsys, path, line, "column oncokb_level: '3C' is not one of")


# --------------------------------------------------------------------------- role, status, duplicates


def test_label_role_with_off_label_status_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "repotrectinib-FDA-2024-06-13"}, {"status": "off_label"})
    assert_fails(kb, capsys, path, line, "role label does not go with status off_label")


def test_ema_row_as_a_label_fails_chmp_and_ec_are_separate(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "larotrectinib-EC-2019-09-19"}, {"agency": "EMA"})
    assert_fails(kb, capsys, path, line, "role label needs agency EC or FDA, not EMA")


def test_superseded_row_must_name_its_successor(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "entrectinib-FDA-2019-08-15"}, {"superseded_by": "entrectinib-FDA-2099"})
    assert_fails(kb, capsys, path, line, "superseded_by 'entrectinib-FDA-2099' is not a row_id")


def test_duplicate_therapy_row_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "repotrectinib-FDA-2024-06-13"}, {}, duplicate=True)
    assert_fails(kb, capsys, path, line, "duplicate row_id (same as line")


def test_duplicate_partner_row_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "partners", {"kinase_gene": "NTRK1", "partner_symbol": "CPSF6"}, {}, duplicate=True)
    assert_fails(kb, capsys, path, line, "duplicate partner row")


def test_duplicate_resistance_row_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "resistance", {"gene": "NTRK3", "mutation": "G623R"}, {"notes": "copy"}, duplicate=True)
    assert_fails(kb, capsys, path, line, "duplicate resistance row (gene, mutation, protein_length)")


# --------------------------------------------------------------------------- age_limit forms


@pytest.mark.parametrize("text, ok", [
    ("no lower age limit", True), ("12 years and older", True), ("older than 1 month", True),
    ("older than 3 months", True), ("6 months and older", True), ("", True),
    ("adults and children", False), ("older than 1 months", False), (">= 12 years", False),
    ("12 years and older ", False), ("0 years and older", False),
])
def test_age_limit_forms(text, ok):
    assert age_limit_ok(text) is ok


def test_age_limit_outside_the_machine_readable_forms_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "larotrectinib-FDA-2025-04"}, {"age_limit": "adults and children"})
    assert_fails(kb, capsys, path, line, "column age_limit: 'adults and children' is not one of 'no lower age limit'")


def test_every_shipped_age_limit_is_machine_readable():
    kb = load_knowledge_base()
    for t in kb.therapies:
        assert age_limit_ok(t.age_limit), (t.line, t.age_limit)
        if t.role == "label":
            assert t.age_limit, t.row_id


# --------------------------------------------------------------------------- against the reference


def test_kras_protein_length_189_fails_against_the_reference(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "resistance", {"gene": "KRAS", "mutation": "G12D"}, {"protein_length": "189", "numbering": "189 aa"})
    assert_fails(kb, capsys, path, line, "protein_length 189 but ENST00000311936 in the reference")


def test_wrong_codon_fails_against_the_reference(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "resistance", {"gene": "NTRK1", "mutation": "G595R"}, {"grch38_codon": "1:156876553"})
    assert_fails(kb, capsys, path, line, "grch38_codon 1:156876553 is c.1786 of ENST00000524377, not c.1783")


def test_codon_c_start_that_is_not_the_codon_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "resistance", {"gene": "NTRK3", "mutation": "G696A"}, {"codon_c_start": "2085"})
    assert_fails(kb, capsys, path, line, "codon_c_start 2085 is not the first base of codon 696 (c.2086)")


def test_kinase_named_ntrk4_fails_against_the_reference(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "partners", {"kinase_gene": "NTRK2", "partner_symbol": "MAMDC2"}, {"kinase_gene": "NTRK4"})
    assert_fails(kb, capsys, path, line, "kinase gene 'NTRK4' is not a gene of the reference")


class _Genome:
    """A genome FASTA stand-in (pysam.FastaFile API) holding one codon."""

    def __init__(self, chrom: str, bases: dict[int, str]):
        self.references, self._bases = [chrom], bases
        self.filename = "fake.fa"

    def fetch(self, contig, start, end):
        return "".join(self._bases.get(p, "N") for p in range(start + 1, end + 1))


def test_ref_aa_is_compared_with_the_genome_codon(reference):
    from fusion_annot.knowledge.catalog import load_tables

    _, tables = load_tables(SHIPPED)
    g595 = [r for r in tables["resistance"] if r.gene == "NTRK1" and r.pos == 595]
    tables = {**tables, "resistance": tuple(g595)}
    good = _Genome("1", {156876550: "G", 156876551: "G", 156876552: "C"})  # GGC = Gly
    assert reference_problems(tables, reference, genome=good) == []
    bad = _Genome("1", {156876550: "G", 156876551: "C", 156876552: "C"})  # GCC = Ala
    problems = reference_problems(tables, reference, genome=bad)
    assert problems and "ref_aa G but codon 595 of ENST00000524377 is GCC (A) in the genome" in str(problems[0])
    assert str(problems[0]).startswith(f"{g595[0].source}:{g595[0].line}: ")


# --------------------------------------------------------------------------- loading refuses what --check reports


def test_annotation_never_runs_on_an_impossible_date(tmp_path):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "repotrectinib-FDA-2024-06-13"}, {"date": "2019-13-45"})
    with pytest.raises(InputError) as err:
        load_knowledge_base(kb)
    assert (err.value.path, err.value.line) == (str(path), line)


def test_check_through_fusion_annot_resources(tmp_path, monkeypatch, capsys):
    resources = tmp_path / "resources"
    resources.mkdir()
    (resources / "reference").symlink_to(SHIPPED.parent / "reference")
    kb = copy_kb(resources)
    path, line = edit(kb, "therapies", {"row_id": "larotrectinib-FDA-2025-04"}, {"role": "label", "status": "off_label"})
    monkeypatch.setenv("FUSION_ANNOT_RESOURCES", str(resources))
    assert main(["knowledge", "--check"]) == 2
    assert f"{path}:{line}: role label does not go with status off_label" in capsys.readouterr().err


def test_bad_fusion_annot_resources_is_one_line_error(monkeypatch, capsys):
    monkeypatch.setenv("FUSION_ANNOT_RESOURCES", "/nonexistent")
    for argv in (["knowledge"], ["knowledge", "--check"], ["describe", "ETV6::NTRK3"]):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "FUSION_ANNOT_RESOURCES=/nonexistent is not a folder" in err[0], err


# --------------------------------------------------------------------------- content hash


def test_knowledge_hash_is_12_hex_and_changes_with_any_table_byte(tmp_path):
    kb = copy_kb(tmp_path)
    before = knowledge_hash(kb)
    assert len(before) == 12 and int(before, 16) >= 0
    assert before == knowledge_hash(SHIPPED) == load_knowledge_base().content_hash
    path = kb / "efficacy.tsv"
    path.write_text(path.read_text() + "\n")
    assert knowledge_hash(kb) != before
    meta = json.loads((kb / "metadata.json").read_text())
    assert set(meta["tables"]) >= {"partners", "therapies", "references"}


def test_parse_date():
    assert parse_date("2019-07-25").isoformat() == "2019-07-25"
    assert parse_date("2025-04").isoformat() == "2025-04-01"
    assert parse_date("2019-13-45") is None and parse_date("2019-02-29") is None and parse_date("2019") is None


# --------------------------------------------------------------------------- catalog content (issue 12 item 3, issue 14 item 15)


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base()


def rows_of(kb, gene5, gene3):
    return [p for p in kb.partners if p.kinase_gene == gene3 and gene5 in (p.partner_symbol, p.published_symbol)]


def test_qki_ntrk2_is_a_catalog_partner_in_glioma_flagged_unverified(kb, capsys):
    assert kb.lookup_partner("QKI", "NTRK2").status == "documented partner"
    assert kb.lookup_partner("QKI", "NTRK2", kb.tumor_key("glioma")).status == "documented in this tumor context"
    assert all(r.evidence == "R" and r.context_key == "glioma" for r in rows_of(kb, "QKI", "NTRK2"))
    assert main(["describe", "QKI::NTRK2", "--tumor-type", "glioma"]) == 0
    out = capsys.readouterr().out
    assert "documented in this tumor context" in out and "(glioma)" in out and "unverified [R]" in out


def test_tfg_ntrk1_thyroid_is_catalogued_unverified_beside_the_sourced_tfg_ntrk3(kb):
    tfg1 = rows_of(kb, "TFG", "NTRK1")
    assert [(r.context_key, r.evidence) for r in tfg1] == [("thyroid_carcinoma", "R")]
    assert kb.lookup_partner("TFG", "NTRK1", kb.tumor_key("papillary thyroid carcinoma")).status == "documented in this tumor context"
    assert {r.evidence for r in rows_of(kb, "TFG", "NTRK3")} == {"S"}  # S1 Table 3


def test_etv6_ntrk3_in_imt_colorectal_and_renal_cancer_from_s1(kb):
    contexts = {r.context_key: r for r in rows_of(kb, "ETV6", "NTRK3")}
    assert set(split_list(contexts["inflammatory_myofibroblastic_tumour"].refs)) >= {"S1[52]", "S1[53]"}
    assert "S1[62]" in contexts["colorectal_cancer"].refs and "S1[63]" in contexts["renal_cancer"].refs
    for key in ("inflammatory_myofibroblastic_tumour", "colorectal_cancer", "renal_cancer"):
        assert contexts[key].evidence == "S"
        assert kb.lookup_partner("ETV6", "NTRK3", key).status == "documented in this tumor context"
    assert kb.lookup_partner("ETV6", "NTRK3", kb.tumor_key("IMT")).status == "documented in this tumor context"


def test_lmna_ntrk1_sarcoma_case_and_ifs_like_context(kb):
    rows = {r.context_key: r for r in rows_of(kb, "LMNA", "NTRK1")}
    assert "S1[14]" in rows["sarcoma"].refs and "S1[40]" in rows["ifs_like_tumour"].refs
    assert kb.lookup_partner("LMNA", "NTRK1", "ifs_like_tumour").status == "documented in this tumor context"


def test_secretory_carcinoma_row_corrected_to_etv6_ntrk3(kb):
    assert not [r for r in kb.partners if r.context_key.startswith("secretory") and r.partner_symbol == "TPM3"]
    for key in ("secretory_breast_carcinoma", "secretory_salivary_carcinoma"):
        row = next(r for r in rows_of(kb, "ETV6", "NTRK3") if r.context_key == key)
        assert row.evidence == "R" and {"S4[10]", "S4[11]"} <= set(split_list(row.refs))
    # the recalled rows never add an [unverified] flag to the sourced IFS match
    assert all(r.evidence != "R" for r in kb.lookup_partner("ETV6", "NTRK3").rows)
    assert all(r.evidence != "R" for r in kb.lookup_partner("ETV6", "NTRK3", "infantile_fibrosarcoma").rows)
    in_breast = kb.lookup_partner("ETV6", "NTRK3", kb.tumor_key("secretory carcinoma of the breast"))
    assert in_breast.status == "documented in this tumor context" and any(r.evidence == "R" for r in in_breast.rows)


def test_new_tumour_types_sit_in_the_tree(kb):
    for text, ancestor in (("secretory carcinoma of the breast", "breast_carcinoma"),
                           ("secretory carcinoma of the salivary gland", "salivary_gland_carcinoma"),
                           ("congenital mesoblastic nephroma", "kidney_tumour"), ("CMN", "kidney_tumour"),
                           ("IMT", "sarcoma"), ("glioma", "cns_tumour"), ("renal cancer", "kidney_tumour")):
        key = kb.tumor_key(text)
        assert key is not None, text
        assert kb.is_within(key, ancestor) and kb.is_within(key, "solid_tumour"), text


def test_every_fusion_the_sources_name_is_in_the_catalog(kb, shared_dir):
    named = {  # facts.md A1 "also in S1", A2, B4 and the S1/S4 text
        ("CLEC16A", "NTRK2"), ("STRN3", "NTRK3"), ("STRN", "NTRK3"), ("KHDRBS1", "NTRK3"), ("EML4", "NTRK3"),
        ("TPM3", "NTRK1"), ("STRN", "NTRK2"), ("SPECC1L", "NTRK3"), ("KHDRBS1", "NTRK1"), ("ETV6", "NTRK3"),
        ("LMNA", "NTRK1"), ("IRF2BP2", "NTRK1"), ("QKI", "NTRK2"), ("BCR", "NTRK2"), ("NACC2", "NTRK2"),
    }
    ours = {(p.partner_symbol or p.published_symbol, p.kinase_gene) for p in kb.partners}
    ours |= {(p.kinase_gene, p.partner_symbol) for p in kb.partners if p.orientation == "unstated"}
    assert named <= ours, named - ours
    facts = (shared_dir / "facts" / "facts.md").read_text()
    assert all(gene5 in facts for gene5, _ in named)  # each named in the fact sheet


def test_s1_reference_numbers_resolved_only_where_the_seed_identifies_them(kb, shared_dir):
    seed = (shared_dir / "seeds" / "001_9de2263438b1c8a0.txt").read_text()
    k13 = kb.resolve("S1[13]")
    assert k13.resolution == "identified" and k13.same_as == "P20" and "Knezevich" in k13.citation
    assert "Knezevich and colleagues" in seed
    for key, author in (("S1[12]", "Pulciani"), ("S1[15]", "Drilon"), ("S1[61]", "Solomon"), ("S1[64]", "Van Bockstal"),
                        ("S1[107]", "Orbach"), ("S1[31]", "Suurmeijer")):
        ref = kb.resolve(key)
        assert ref.resolution == "identified" and author in ref.citation and author in seed, key
    for ref in kb.references.values():
        if ref.kind == "seed_reference" and ref.key.startswith("S1["):
            assert ref.resolution in ("identified", "described", "unresolved"), ref.key
            assert ref.pmid == "" and ref.doi in ("", "10.1093/jjco/hyaf015"), f"{ref.key}: no PMID/DOI is ever guessed"


# --------------------------------------------------------------------------- the hash in every output


def test_every_output_carries_the_knowledge_base_hash_beside_its_version(tmp_path, capsys):
    import gzip

    demo = SHIPPED.parent / "demo" / "IFS01.arriba.tsv"
    out = tmp_path / "out"
    assert main(["annotate", str(demo), "--out-dir", str(out), "--vcf", "--html"]) == 0
    digest, version = knowledge_hash(SHIPPED), load_knowledge_base().version
    sample = "IFS01"
    tsv = (out / f"{sample}.fusions.tsv").read_text()
    assert f"## knowledge_base_version: {version}\n## knowledge_base_hash: {digest}\n" in tsv
    assert f"## knowledge_base_hash: {digest}" in (out / f"{sample}.rejects.tsv").read_text()
    meta = json.loads((out / f"{sample}.fusions.json").read_text())["metadata"]
    assert (meta["knowledge_base_version"], meta["knowledge_base_hash"]) == (version, digest)
    with gzip.open(out / f"{sample}.fusions.vcf.gz", "rt") as fh:
        header = [line for line in fh if line.startswith("##")]
    assert f"##fusion_annot_knowledge_base_version={version}\n" in header
    assert f"##fusion_annot_knowledge_base_hash={digest}\n" in header
    html = (out / f"{sample}.report.html").read_text()
    assert "Knowledge base hash" in html and digest in html
    capsys.readouterr()
    assert main(["describe", "ETV6::NTRK3"]) == 0
    assert f"knowledge base: {version} (hash {digest})" in capsys.readouterr().out
    assert main(["cohort", str(out / f"{sample}.fusions.tsv"), "--out-dir", str(tmp_path / "cohort")]) == 0
    summary = json.loads((tmp_path / "cohort" / "cohort.summary.json").read_text())
    assert summary["knowledge_bases"] == [{"version": version, "hash": digest}]


def test_regulatory_row_without_label_wording_or_primary_source_fails(tmp_path, capsys):
    kb = copy_kb(tmp_path)
    path, line = edit(kb, "therapies", {"row_id": "entrectinib-FDA-2023-10-20"}, {"label_wording": "", "primary_source": ""})
    code, err = check(kb, capsys)
    assert code == 2
    assert f"{path}:{line}: regulatory row without label_wording" in err
    assert f"{path}:{line}: regulatory row without primary_source" in err


def test_shipped_regulatory_rows_keep_agencies_apart_and_mark_superseded_rows():
    kb = load_knowledge_base()
    by_id = {t.row_id: t for t in kb.therapies}
    chmp, ec = by_id["larotrectinib-EMA-CHMP-2019-07-25"], by_id["larotrectinib-EC-2019-09-19"]
    assert (chmp.agency, chmp.status, chmp.date, chmp.role) == ("EMA", "chmp_positive_opinion", "2019-07-25", "opinion")
    assert (ec.agency, ec.status, ec.evidence) == ("EC", "conditional_authorisation", "R")  # EC date recalled
    assert by_id["larotrectinib-FDA-2018-11-26"].record_status == "superseded"
    assert by_id["larotrectinib-FDA-2018-11-26"].superseded_by == "larotrectinib-FDA-2025-04"
    assert by_id["entrectinib-FDA-2019-08-15"].superseded_by == "entrectinib-FDA-2023-10-20"
    assert by_id["entrectinib-EC-extension"].evidence == "R" and by_id["entrectinib-EC-extension"].age_limit == "older than 1 month"
    assert by_id["repotrectinib-EC"].evidence == "R"
    assert {t.agency for t in kb.therapies if t.role in ("label", "regional", "opinion")} == {"FDA", "EMA", "EC", "PMDA", "NMPA"}
    laro = by_id["larotrectinib-FDA-2025-04"]
    assert (laro.requires_approved_test, laro.excludes_acquired_resistance, laro.extent_qualifier,
            laro.requires_no_alternative) == ("yes", "yes", "yes", "yes")
    assert laro.qualifier_tag("test") == "R" and laro.qualifier_tag("resistance") == "V"
    assert "FDA-approved test [unverified]" in laro.label_wording and "severe morbidity" in laro.label_wording
    for t in kb.therapies:
        if t.role in ("label", "regional", "opinion"):
            assert t.primary_source and t.approval_type and t.label_wording, t.row_id

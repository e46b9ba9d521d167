"""Previous symbols and aliases resolve to the reference's current names (genome-wide synonym table); the
caller's name is kept; current symbols are never remapped; an alias of several genes is decided by the
breakpoint or rejected with its candidates."""
import hashlib
import shutil
import subprocess
import time

import pytest
from conftest import REPO

from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.paths import resource
from fusion_annot.symbols import SYNONYMS, _load_synonyms, load_synonyms, resolve_call_symbols, resolve_symbol

# Genes of the small test reference, cut from the shared genome-wide coding GTF: partners of the calls below,
# the genes the ambiguous aliases name (ABL: ABL1/MTTP; GRINL1A: POLR2M/GCOM1, which overlap on chr15) and
# IL6/SOS1 (both list HGF, itself a gene left out here, as an alias), DCAF5 (alias BCRP2, a current symbol
# of a pseudogene the coding-only reference lacks).
MINI_GENES = ("EGFR", "SEPTIN14", "ETV6", "NTRK3", "NTRK1", "KHDRBS1", "BCR", "ABL1", "MTTP", "POLR2M", "GCOM1",
              "IL6", "SOS1", "DCAF5")
# The hand-written table this module replaced (resources/reference/symbol_aliases.tsv until issue 9 part 4):
# every entry is covered by the genome-wide table. ABL also names MTTP; SAM68 is listed as "Sam68".
OLD_ALIASES = {"FAM19A2": "TAFA2", "KIRREL": "KIRREL1", "C9orf93": "CCDC171", "C1orf77": "CHTOP", "C2orf2": "EML4",
               "ABL": "ABL1", "EWS": "EWSR1", "LMN1": "LMNA", "KIAA0350": "CLEC16A", "KIAA1794": "FANCI",
               "ANKRD15": "KANK1", "TRKA": "NTRK1", "TRKB": "NTRK2", "TRKC": "NTRK3", "TEL": "ETV6", "SAM68": "KHDRBS1"}
STAR_HEADER = ("#FusionName\tJunctionReadCount\tSpanningFragCount\tSpliceType\tLeftGene\tLeftBreakpoint\tRightGene\t"
               "RightBreakpoint\n")


@pytest.fixture(scope="session")
def bundled_ref(_isolated_cache):
    from fusion_annot.reference import load_reference

    return load_reference("bundled")


@pytest.fixture(scope="session")
def mini_gtf(shared_dir, tmp_path_factory):
    if not (shutil.which("grep") and shutil.which("gzip")):
        pytest.skip("gzip and grep are needed to cut the test GTF")
    out = tmp_path_factory.mktemp("mini_reference") / "symbols_test.gtf"
    pattern = "gene_name \"(" + "|".join(MINI_GENES) + ")\";"
    with open(out, "wb") as dst:  # a few seconds: grep reads the 800 MB genome-wide GTF faster than Python
        unzip = subprocess.Popen(["gzip", "-cd", str(shared_dir / "reference" / "ensembl110_coding.gtf.gz")],
                                 stdout=subprocess.PIPE)
        subprocess.run(["grep", "-E", pattern], stdin=unzip.stdout, stdout=dst, check=True)
        unzip.stdout.close()
        assert unzip.wait() == 0
    return out


@pytest.fixture(scope="session")
def mini(mini_gtf):
    from fusion_annot.reference import load_reference

    reference = load_reference(str(mini_gtf))
    assert all(reference.has_gene(g) for g in MINI_GENES) and not reference.has_gene("HGF")
    return reference


def call(g5, g3, pos5=("12", 11869969), pos3=("15", 87940753), id5=None, id3=None):
    return FusionCall(sample="S", caller="x", source="x.tsv", line=2,
                      five_prime=Breakpoint(g5, *pos5, gene_id=id5) if pos5 else Breakpoint(g5, gene_id=id5),
                      three_prime=Breakpoint(g3, *pos3, gene_id=id3) if pos3 else Breakpoint(g3, gene_id=id3))


# --------------------------------------------------------------------------- the table


def test_shipped_table_is_a_byte_copy_of_the_shared_ideogram_file(shared_dir):
    shipped = resource(*SYNONYMS).read_bytes()
    assert shipped == (shared_dir / "reference" / "gene_synonyms.ideogram1.53.tsv.gz").read_bytes()
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_gene_synonyms", REPO / "scripts" / "build_gene_synonyms.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert hashlib.sha256(shipped).hexdigest() == script.SHA256


def test_table_reads_previous_symbols_and_aliases_of_every_gene():
    table = load_synonyms()
    assert len(table.primaries) == 24_368
    assert table.by_synonym["SEPT14"] == ("SEPTIN14",) and table.by_synonym["C11orf95"] == ("ZFTA",)
    assert table.by_synonym["HGF"] == ("IL6", "SOS1") and "HGF" in table.primaries
    assert "METTL13" not in table.by_synonym.get("METTL13", ())  # rows listing the symbol itself
    assert load_synonyms() is table  # one load per process


def test_table_loads_fast():
    _load_synonyms.cache_clear()
    started = time.perf_counter()
    load_synonyms()
    assert time.perf_counter() - started < 0.25  # about 0.04 s on the 2-core dev machine


def test_every_entry_of_the_old_hand_written_table_resolves_the_same(bundled_ref):
    reference = bundled_ref
    table = load_synonyms()
    for name, current in OLD_ALIASES.items():
        folded = [genes for syn, genes in table.by_synonym.items() if syn.upper() == name.upper()]
        assert any(current in genes for genes in folded), name
        span = reference.gene_span(current)
        if span:  # at a position inside the gene even an alias of several genes resolves
            res = resolve_symbol(name, reference, chrom=span[0], pos=(span[1] + span[2]) // 2)
            assert (res.current, res.how) == (current, "synonym"), (name, res)
    assert resolve_symbol("SAM68", reference).source.startswith("as Sam68")


def test_synonym_table_is_not_read_when_the_reference_knows_every_name(bundled_ref, monkeypatch):
    import fusion_annot.symbols as symbols

    reference = bundled_ref

    def boom(*_a, **_k):
        raise AssertionError("synonym table read for a known name")

    monkeypatch.setattr(symbols, "load_synonyms", boom)
    c = call("ETV6", "NTRK3")
    assert resolve_call_symbols(c, reference) is c
    assert resolve_symbol("SOME-OLD-NAME", reference, gene_id="ENSG00000139083.9").how == "gene_id"


# --------------------------------------------------------------------------- rules


def test_sept14_resolves_to_septin14_and_the_caller_name_is_kept(mini):
    c = resolve_call_symbols(call("EGFR", "SEPT14", ("7", 55200413), ("7", 55796092)), mini)
    assert (c.five_prime.gene, c.three_prime.gene) == ("EGFR", "SEPTIN14")
    assert c.extra["gene3_original"] == "SEPT14" and c.extra["gene3_resolved_by"] == "synonym"
    assert "gene5_original" not in c.extra


def test_hgf_stays_hgf_although_it_is_an_alias_of_il6_and_sos1(mini):
    res = resolve_symbol("HGF", mini, chrom="7", pos=22727000)  # even at the IL6 locus
    assert (res.current, res.how) == ("HGF", "unresolved")


def test_current_symbol_absent_from_a_coding_only_reference_is_not_remapped(mini):
    # BCRP2 (a pseudogene's current symbol) is also listed as an alias of DCAF5, which the reference has
    res = resolve_symbol("BCRP2", mini, chrom="14", pos=69100000)
    assert (res.current, res.how, res.source) == ("BCRP2", "unresolved", "current symbol")


def test_ambiguous_alias_resolved_by_the_gene_at_the_breakpoint(mini):
    c = resolve_call_symbols(call("BCR", "ABL", ("22", 23290555), ("9", 130714455)), mini)
    assert c.three_prime.gene == "ABL1"
    assert c.extra["gene3_original"] == "ABL"
    assert c.extra["gene3_resolved_by"] == "synonym (breakpoint in ABL1, not MTTP)"
    assert resolve_symbol("ABL", mini, chrom="4", pos=99600000).current == "MTTP"


def test_ambiguous_alias_rejected_with_its_candidates(mini):
    from fusion_annot.symbols import ambiguity_reason

    nowhere = Breakpoint("ABL", "22", 23290555)  # inside BCR, in neither candidate
    assert resolve_symbol(nowhere.gene, mini, chrom=nowhere.chrom, pos=nowhere.pos).how == "ambiguous"
    assert ambiguity_reason(nowhere, mini) == \
        "is an alias of several genes (ABL1, MTTP); the breakpoint lies in none of them (it lies in BCR)"
    both = Breakpoint("GRINL1A", "15", 57710000)  # POLR2M and GCOM1 overlap here
    assert ambiguity_reason(both, mini) == "is an alias of several genes (POLR2M, GCOM1); the breakpoint lies in both"
    assert ambiguity_reason(Breakpoint("ABL"), mini).endswith("no breakpoint position to decide between them")
    assert ambiguity_reason(Breakpoint("SEPT14", "7", 55796092), mini) is None


def test_case_insensitive_match_prefers_exact_case(mini):
    # SAM68 is listed only as "Sam68" (KHDRBS1); a current symbol wins over a same-letters alias ("Met" names
    # SLTM, but a caller writing Met means MET)
    assert (resolve_symbol("SAM68", mini).current, resolve_symbol("SAM68", mini).how) == ("KHDRBS1", "synonym")
    assert resolve_symbol("Met", mini).how == "unresolved"  # MET is not in the test reference: stays Met
    assert resolve_symbol("egfr", mini).current == "EGFR" and resolve_symbol("egfr", mini).how == "case"
    assert resolve_symbol("p62", mini).current == "KHDRBS1"  # exact spelling listed; P62 would be looked up folded


def test_unknown_names_stay(mini):
    assert resolve_symbol("NOTAGENE1", mini).how == "unresolved"
    c = call("ETV6", "NTRK3")
    assert resolve_call_symbols(c, mini) is c


# --------------------------------------------------------------------------- end to end


def _annotate(tmp_path, rows, reference):
    from fusion_annot.cli import main

    path = tmp_path / "S1.star-fusion.tsv"
    path.write_text(STAR_HEADER + "".join("\t".join(r) + "\n" for r in rows))
    out = tmp_path / "out"
    assert main(["annotate", str(path), "--reference", str(reference), "--out-dir", str(out)]) == 0
    fusions = [line for line in (out / "S1.fusions.tsv").read_text().splitlines() if not line.startswith("##")]
    header = fusions[0].split("\t")
    records = [dict(zip(header, line.split("\t"))) for line in fusions[1:]]
    rejects = [line for line in (out / "S1.rejects.tsv").read_text().splitlines() if not line.startswith("##")][1:]
    return records, rejects


def test_egfr_sept14_star_fusion_row_annotates_and_ambiguous_rows_are_rejected_with_candidates(tmp_path, mini_gtf):
    rows = [
        ("EGFR--SEPT14", "34", "0", "ONLY_REF_SPLICE", "EGFR", "chr7:55200413:+", "SEPT14", "chr7:55796092:-"),
        ("BCR--ABL", "10", "2", "ONLY_REF_SPLICE", "BCR", "chr22:23290555:+", "ABL", "chr9:130714455:+"),
        ("ETV6--ABL", "5", "1", "ONLY_REF_SPLICE", "ETV6", "chr12:11869969:+", "ABL", "chr22:23290555:+"),
        ("ETV6--HGF", "5", "1", "ONLY_REF_SPLICE", "ETV6", "chr12:11869969:+", "HGF", "chr7:81771000:-"),
    ]
    records, rejects = _annotate(tmp_path, rows, mini_gtf)
    by_name = {r["fusion_name"]: r for r in records}
    assert set(by_name) == {"EGFR::SEPTIN14", "BCR::ABL1"}
    assert by_name["EGFR::SEPTIN14"]["gene3_original"] == "SEPT14 (synonym)"
    assert by_name["BCR::ABL1"]["gene3_original"] == "ABL (synonym (breakpoint in ABL1, not MTTP))"
    reasons = sorted(r.split("\t")[4] for r in rejects)
    assert reasons == [
        "3' gene ABL is an alias of several genes (ABL1, MTTP); the breakpoint lies in none of them (it lies in BCR)",
        "3' gene HGF not in reference " + reasons[1].split("not in reference ", 1)[1],
    ]
    assert "IL6" not in reasons[1] and "SOS1" not in reasons[1]


def test_egfr_sept14_with_the_bundled_reference(tmp_path, bundled_ref):
    reference = bundled_ref
    if not (reference.has_gene("EGFR") and reference.has_gene("SEPTIN14")):
        pytest.skip("the bundled reference has no EGFR/SEPTIN14 (catalog subset)")
    rows = [("EGFR--SEPT14", "34", "0", "ONLY_REF_SPLICE", "EGFR^ENSG00000146648", "chr7:55200413:+",
             "SEPT14", "chr7:55796092:-")]
    records, rejects = _annotate(tmp_path, rows, "bundled")
    assert not rejects and records[0]["fusion_name"] == "EGFR::SEPTIN14"
    assert records[0]["gene3_original"] == "SEPT14 (synonym)"

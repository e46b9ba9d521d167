"""Previous symbols and aliases resolve to the reference's current names; the caller's name is kept."""
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.symbols import load_alias_table, resolve_call_symbols, resolve_symbol


def make(g5, g3, id5=None):
    return FusionCall(sample="S", caller="x", source="x.tsv", line=2,
                      five_prime=Breakpoint(g5, "12", 11869969, gene_id=id5), three_prime=Breakpoint(g3, "15", 87940753))


def test_previous_symbol_and_alias_resolve_with_originals_kept(bundled):
    reference, _ = bundled
    call = resolve_call_symbols(make("TEL", "TRKC"), reference)
    assert (call.five_prime.gene, call.three_prime.gene) == ("ETV6", "NTRK3")
    assert call.extra["gene5_original"] == "TEL" and call.extra["gene3_original"] == "TRKC"
    assert resolve_symbol("FAM19A2", reference).current == "TAFA2"
    assert resolve_symbol("FAM19A2", reference).how == "previous_symbol"


def test_gene_id_resolves_an_unknown_name(bundled):
    reference, _ = bundled
    res = resolve_symbol("SOME-OLD-NAME", reference, gene_id="ENSG00000139083.9")
    assert (res.current, res.how) == ("ETV6", "gene_id")


def test_current_names_are_untouched_and_unknown_names_stay(bundled):
    reference, _ = bundled
    call = make("ETV6", "NTRK3")
    assert resolve_call_symbols(call, reference) is call
    assert resolve_symbol("NOTAGENE1", reference).how == "unresolved"


def test_alias_table_targets_are_current_names_of_the_bundled_reference(bundled):
    reference, _ = bundled
    for current, _, hgnc in load_alias_table().values():
        assert reference.genes_named(current), current
        assert hgnc.startswith("HGNC:")

"""Breakend-only calls get genes and 5'->3' order from the reference gene strands."""
from fusion_annot.model import Breakpoint, FusionCall
from fusion_annot.orientation import keeps_five_prime_part, orient_with_reference
from fusion_annot.readers import read_calls


def test_keeps_five_prime_part_on_both_strands():
    assert keeps_five_prime_part("left", "+") and keeps_five_prime_part("right", "-")
    assert not keeps_five_prime_part("right", "+") and not keeps_five_prime_part("left", "-")


def test_squid_etv6_ntrk3_is_assigned_and_oriented(bundled, callers_dir):
    reference, _ = bundled
    calls = [c for c in read_calls(str(callers_dir / "squid/fusion-report.squid.txt"), "squid", "S") if isinstance(c, FusionCall)]
    etv6 = orient_with_reference(next(c for c in calls if c.caller_fusion_name == "ETV6::NTRK3"), reference)
    assert etv6.orientation == "5to3"
    assert (etv6.five_prime.gene, etv6.five_prime.strand, etv6.three_prime.gene, etv6.three_prime.strand) == ("ETV6", "+", "NTRK3", "-")
    # FGFR3::TACC3: SQUID lists TACC3's segment first; the reference puts FGFR3 5'
    fgfr3 = orient_with_reference(next(c for c in calls if c.caller_fusion_name == "FGFR3::TACC3"), reference)
    assert (fgfr3.five_prime.gene, fgfr3.five_prime.pos, fgfr3.three_prime.gene, fgfr3.three_prime.pos) == ("FGFR3", 1806934, "TACC3", 1727977)


def test_vcf_breakend_pair_written_3prime_first_is_swapped(bundled):
    reference, _ = bundled
    # NTRK3 side first, as a VCF sorted by position might list it: 15:87940753 keeps left (NTRK3 is '-': 3' part)
    call = FusionCall(sample="S", caller="vcf", source="x.vcf", line=5,
                      five_prime=Breakpoint(None, "15", 87940753), three_prime=Breakpoint(None, "12", 11869969),
                      orientation="unknown", extra={"retained": ("left", "left")})
    oriented = orient_with_reference(call, reference)
    assert (oriented.five_prime.gene, oriented.three_prime.gene, oriented.extra["retained"]) == ("ETV6", "NTRK3", ("left", "left"))
    # same loci but joined so that both keep their 3' parts: left open, with the reason
    odd = orient_with_reference(FusionCall(**{**call.__dict__, "extra": {"retained": ("left", "right")}}), reference)
    assert odd.orientation == "unknown" and "do not give one 5' and one 3'" in odd.extra["orientation_note"]

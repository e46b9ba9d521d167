"""HTML report: escaping, self-containment, diagrams, and the page as a real browser renders it.

The browser tests run headless Chromium (Debian package `chromium`) on the written
file and assert on the DOM it builds after the page's script has run; they skip
when chromium is not installed. The paged table of a large cohort is decoded
asynchronously, after the load event: --dump-dom then runs with
--virtual-time-budget, and the 300k-call test drives Chromium over its DevTools
pipe (bench/cohort_report.py's Chromium) to time the first page in real time.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fusion_annot import cli
from fusion_annot.writers.diagram import (
    DomainBox,
    FusionDiagram,
    PartnerDrawing,
    diagram_from_dict,
    diagram_from_record,
    diagram_to_dict,
)
from fusion_annot.writers.html import render_report, write_report

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "resources" / "demo"
XSS = "<img src=x onerror=alert(1)>"
CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install chromium)")

# What `fusion-annot annotate` writes for the ETV6 exon 5 :: NTRK3 exon 15 call of resources/demo/IFS01.
ETV6_NTRK3 = {
    "sample": "IFS01", "caller": "star-fusion", "fusion_name": "ETV6::NTRK3", "gene5": "ETV6", "gene3": "NTRK3",
    "chrom5": "12", "pos5": 11869969, "strand5": "+", "chrom3": "15", "pos3": 87940753, "strand3": "-",
    "transcript5": "ENST00000396373", "transcript3": "ENST00000629765", "exon5": 5, "exon3": 15,
    "exons5": "1-5", "exons3": "15-20", "site5": "exon_boundary", "site3": "exon_boundary", "frame": "in_frame",
    "fusion_protein_length": 647, "junction_peptide": "", "kinase_domain": "retained", "kinase_domain_kept_pct": 100.0,
    "domains5": "Pointed domain 40-123",
    "kinase_domain_detail": "Serine-threonine/tyrosine-protein kinase, catalytic domain aa 539-823 "
    "(InterPro IPR001245); 3' keeps aa 530-839",
    "domains3": "Serine-threonine/tyrosine-protein kinase, catalytic domain 539-823",
    "cds_kept5": 1009, "phase5": 1, "cds_skipped3": 1585, "phase3": 1, "aa_end5": 337, "aa_start3": 529,
    "protein_length5": 452, "protein_length3": 839, "split_reads": 41, "spanning_reads": 17,
    "actionability": "actionable", "drugs": "larotrectinib; entrectinib", "review_flag": "",
}


def record(**changes) -> dict:
    return {**ETV6_NTRK3, **changes}


class _Dom(HTMLParser):
    """Elements of an HTML document as (tag, attrs, text-inside) plus the full text."""

    def __init__(self, text: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str, cls: str = "") -> list[dict]:
        """Elements with that tag (and class), legend keys left out."""
        return [
            a for t, a in self.elements
            if t == tag and (not cls or cls in (a.get("class") or "").split()) and "key" not in (a.get("class") or "").split()
        ]


# --- the HTML text ---------------------------------------------------------------------------


def test_gene_name_with_markup_is_escaped_everywhere():
    html = render_report([record(gene5=XSS, fusion_name=f"{XSS}::NTRK3", sample='S"1', caller="a&b")])
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'S"1' not in html and "S&quot;1" in html
    dom = _Dom(html)
    assert dom.all("img") == []
    assert f"{XSS}::NTRK3" in "".join(dom.text)  # shows as text


def test_report_is_one_self_contained_file_with_no_network_access():
    html = render_report([record()])
    assert not re.search(r"<(link|iframe|object|embed|img)\b", html)
    assert not re.search(r"\b(src|href)=\"(https?:)?//", html)
    assert re.findall(r"https?://[^\s\"']+", html) == ["http://www.w3.org/2000/svg"]  # the SVG namespace only
    assert "Content-Security-Policy" in html and "default-src 'none'" in html


def test_inline_script_carries_the_policy_nonce():
    html = render_report([record()])
    nonce = re.search(r"script-src 'nonce-([^']+)'", html).group(1)
    assert f'<script nonce="{nonce}">' in html and html.count("<script") == 1


def test_etv6_ntrk3_diagram_from_the_record_columns():
    d = diagram_from_record(record())
    assert d.five_prime.kept_aa == (1, 336) and d.three_prime.kept_aa == (530, 839)
    assert d.junction_residue and d.fusion_protein_length == 647 == ETV6_NTRK3["fusion_protein_length"]
    kinase = [dom for dom in d.three_prime.domains if dom.is_kinase]
    assert [(k.start, k.end) for k in kinase] == [(539, 823)]
    assert d.five_prime.retained == (1, 5) and d.three_prime.retained == (15, 20)


def test_kinase_domain_is_drawn_as_its_own_svg_class():
    html = render_report([record()])
    dom = _Dom(html)
    assert len(dom.all("rect", "kinase")) == 2  # on NTRK3 and on the fusion protein
    assert all("domain" in a["class"].split() for a in dom.all("rect", "kinase"))
    lost = render_report([record(kinase_domain="lost", cds_skipped3=2700, exons3="19-20", domains3="")])
    assert len(_Dom(lost).all("rect", "kinase")) == 1  # only on the whole NTRK3 protein


def test_out_of_frame_3prime_part_is_drawn_untranslated():
    html = render_report([record(frame="out_of_frame")])
    assert _Dom(html).all("rect", "untranslated")
    assert "3′ part not in frame" in html


def test_diagram_dict_round_trip():
    d = FusionDiagram(
        PartnerDrawing("A", "T1", "+", (100, 200), (1, 2), 90, (1, 60), (DomainBox("x", 2, 30),)),
        PartnerDrawing("B", "T2", "-", (50, 60, 70), (2, 3), 40, (10, 40), (DomainBox("kin", 12, 38, True),)),
        frame="in_frame", source="reference", junction_residue=True,
    )
    assert diagram_from_dict(json.loads(json.dumps(diagram_to_dict(d)))) == d


def test_stored_diagram_in_a_record_is_used():
    d = FusionDiagram(
        PartnerDrawing("ETV6", "T1", "+", tuple([150] * 8), (1, 5), 452, (1, 336)),
        PartnerDrawing("NTRK3", "T2", "-", tuple([120] * 20), (15, 20), 839, (530, 839), (DomainBox("Kinase", 539, 823, True),)),
        frame="in_frame", source="reference", junction_residue=True,
    )
    dom = _Dom(render_report([record(diagram=diagram_to_dict(d))]))
    assert len(dom.all("rect", "exon")) == 8 + 20 + 5 + 6  # both transcripts and the fusion transcript


def test_cohort_report_summarises_recurrent_fusions():
    records = [record(sample="S1"), record(sample="S2"), record(sample="S2", fusion_name="LMNA::NTRK1", gene5="LMNA",
                                                                gene3="NTRK1", transcript5="T9", exons5="1-2")]
    html = render_report(records)
    dom = _Dom(html)
    assert "Recurrent fusions" in html
    assert len(dom.all("tr", "call")) == 3
    assert len(dom.all("section", "fusion")) == 2  # identical ETV6::NTRK3 calls share one diagram
    assert 'data-sort="2">2</td>' in html


def test_rejected_rows_are_listed():
    html = render_report([record()], rejects=[{"sample": "IFS01", "source_file": "x.tsv", "source_line": 7, "reason": "gene <b> unknown"}])
    assert "1 input row(s) not annotated" in html and "gene &lt;b&gt; unknown" in html


def test_empty_report_is_valid():
    html = render_report([], title="nothing")
    assert "No fusion calls." in html and "<tbody></tbody>" in html


# --- the CLI, on what `fusion-annot annotate` writes ------------------------------------------


@pytest.fixture(scope="module")
def demo_json(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("annot")
    code = cli.main(["annotate", str(DEMO / "IFS01.star-fusion.tsv"), "--sample", "IFS01", "--out-dir", str(out)])
    assert code == 0
    return out / "IFS01.fusions.json"


def test_report_command_draws_exons_and_domains_from_the_reference(demo_json, tmp_path, capsys):
    out = tmp_path / "IFS01.report.html"
    assert cli.main(["report", str(demo_json), "--out", str(out)]) == 0
    dom = _Dom(out.read_text())
    assert len(dom.all("tr", "call")) == 2
    assert "Exon structure from the output columns only" not in out.read_text()
    # ETV6 (8 exons) and NTRK3 (20 exons, release 110) are drawn exon by exon.
    svg = out.read_text().split('id="fusion-1"')[1].split("</svg>")[0]
    assert len(re.findall(r'<rect class="exon (?:kept p5|kept p3|lost)"', svg)) >= 8 + 20
    assert "ETV6 exon 8 (" in svg and "NTRK3 exon 20 (" in svg
    assert "calls from 1 file(s)" in capsys.readouterr().out


def test_report_command_without_reference_uses_the_columns(demo_json, tmp_path):
    out = tmp_path / "r.html"
    assert cli.main(["report", str(demo_json), "--out", str(out), "--reference", "none", "--title", "T <1>"]) == 0
    html = out.read_text()
    assert "Exon structure from the output columns only" in html and "<title>T &lt;1&gt;</title>" in html


def test_report_command_names_the_file_of_bad_json(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"fusions": [')
    assert cli.main(["report", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    assert "bad.json" in capsys.readouterr().err


# --- in a real browser ------------------------------------------------------------------------


def _chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120)


def _rendered_dom(page: Path, query: str, profile: Path) -> _Dom:
    result = _chromium(["--dump-dom", page.as_uri() + query], profile)
    assert result.returncode == 0, result.stderr[-2000:]
    return _Dom(result.stdout)


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("browser")
    records = [
        record(),
        record(sample="IFS01", fusion_name="LMNA::NTRK1", gene5="LMNA", gene3="NTRK1", transcript5="T1",
               transcript3="T2", exons5="1-2", exons3="10-17", split_reads=9, spanning_reads=3, frame="out_of_frame"),
        record(fusion_name=f"{XSS}::NTRK3", gene5=XSS, transcript5="T3", split_reads=2, spanning_reads=0),
    ]
    return write_report(folder / "report.html", records, title="browser test"), folder / "profile"


@needs_chromium
def test_browser_renders_rows_kinase_domain_and_xss_as_text(browser_page):
    page, profile = browser_page
    dom = _rendered_dom(page, "", profile)
    assert len(dom.all("tr", "call")) == 3
    kinase = dom.all("rect", "kinase")
    assert kinase and all("domain" in a["class"].split() for a in kinase)
    assert dom.all("img") == []  # the gene name did not become an element
    assert any(XSS in t for t in dom.text)


@needs_chromium
def test_browser_filter_from_url_hides_other_rows(browser_page):
    page, profile = browser_page
    dom = _rendered_dom(page, "?filter=frame:out_of_frame", profile)
    rows = dom.all("tr", "call")
    assert len(rows) == 3 and sum("hidden" in r for r in rows) == 2
    shown = "".join(dom.text)
    assert "showing 1 of 3" in re.sub(r"\s+", " ", shown)


@needs_chromium
def test_browser_sort_from_url_orders_rows(browser_page):
    page, profile = browser_page
    result = _chromium(["--dump-dom", page.as_uri() + "?sort=split_reads&dir=asc"], profile)
    body = result.stdout.split('<table id="calls"')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="call"[^>]*>(.*?)</tr>', body)
    split_column = [re.findall(r"<td[^>]*>(.*?)</td>", row)[8] for row in rows]
    assert split_column == ["2", "9", "41"]
    assert 'data-key="split_reads" data-type="number" tabindex="0" aria-sort="ascending"' in body


@needs_chromium
def test_browser_screenshot_is_written(browser_page, tmp_path):
    page, profile = browser_page
    shot = tmp_path / "shot.png"
    result = _chromium(["--hide-scrollbars", "--window-size=1100,900", f"--screenshot={shot}", page.as_uri()], profile)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 1100 and int.from_bytes(data[20:24], "big") == 900


def test_drug_column_shows_names_and_keeps_details_in_the_tooltip():
    drugs = ("larotrectinib [FDA accelerated approval 2018-11-26] | crizotinib [FDA off-label, case evidence: "
             "durable response (S4[17])]")
    html = render_report([record(drugs=drugs)])
    assert "<td title=\"larotrectinib [FDA accelerated approval 2018-11-26] | crizotinib" in html
    assert ">larotrectinib, crizotinib</td>" in html


# --- a cohort too large for plain HTML rows -------------------------------------------------------------------


def _big_cohort(n_calls: int) -> list[dict]:
    records = []
    for i in range(n_calls):
        out = i % 7 == 0
        records.append(record(sample=f"S{i // 10:05d}", split_reads=(i * 37) % 500 + 1,
                              frame="out_of_frame" if out else "in_frame",
                              fusion_name=f"G{i % 900}::NTRK1" if out else "ETV6::NTRK3",
                              gene5=f"G{i % 900}" if out else "ETV6", pos5=1000 + i if out else 11869969))
    return records


def _calls_data(text: str) -> dict:
    """The paged table's data as the page's script reads it: base64 -> gunzip -> header JSON + code columns.
    text: the report, or the base64 block itself."""
    import base64
    import gzip

    found = re.search(r'<script type="application/octet-stream" id="calls-data" data-encoding="gzip\+base64">'
                      r"([^<]*)</script>", text)
    block = found.group(1) if found else text
    raw = gzip.decompress(base64.b64decode(block, validate=True))
    length = int.from_bytes(raw[:4], "little")
    data = json.loads(raw[4:4 + length].decode("utf-8"))
    offset, codes = 4 + length, []
    assert offset % 4 == 0
    for width in data["widths"]:
        size = data["rows"] * width
        codes.append([int.from_bytes(raw[offset + k:offset + k + width], "little") for k in range(0, size, width)])
        offset += -(-size // 4) * 4
    assert offset == len(raw)
    data["codes"] = codes
    data["cells"] = [[data["values"][c][codes[c][i]] for c in range(len(codes))] for i in range(data["rows"])]
    return data


def test_large_cohort_report_pages_its_calls_and_caps_the_diagrams(tmp_path):
    from fusion_annot.writers import html

    records = _big_cohort(html.STATIC_ROWS + 500)
    records[3]["drugs"] = "larotrectinib [FDA 2018] | crizotinib [off-label (S4[17])]"
    records[5]["kinase_domain_kept_pct"] = 42.5
    text = (write_report(tmp_path / "big.html", records)).read_text()
    assert '<script type="application/octet-stream" id="calls-data" data-encoding="gzip+base64">' in text
    assert text.count('<tr class="call">') == 0  # rows are drawn by the page, one page at a time
    assert text.count('<section class="fusion"') == html.MAX_SECTIONS
    assert "more distinct fusions are not drawn here" in text
    # column data, one distinct-value list per column: what the page shows, cell for cell
    data = _calls_data(text)
    keys = [key for key, _ in data["columns"]]
    assert data["rows"] == len(records) and keys[data["frame"]] == "frame" and data["page"] == html.PAGE_ROWS
    assert len(data["values"]) == len(data["widths"]) == len(keys) + 2  # + raw frame, + section anchor
    assert len(data["values"][keys.index("sample")]) == len({r["sample"] for r in records})
    assert data["values"][keys.index("fusion_name")] == list(dict.fromkeys(r["fusion_name"] for r in records))
    assert data["widths"][keys.index("sample")] == 1 and data["widths"][keys.index("split_reads")] == 2
    for i in (0, 3, 5, 7, 2499):
        cells, r = data["cells"][i], records[i]
        assert cells[keys.index("sample")] == r["sample"] and cells[keys.index("split_reads")] == str(r["split_reads"])
        assert cells[keys.index("frame")] == r["frame"].replace("_", " ") and cells[-2] == r["frame"]
    assert data["cells"][3][keys.index("drugs")] == "larotrectinib, crizotinib"
    assert data["cells"][5][keys.index("kinase_domain")] == "retained (42.5%)"
    assert data["cells"][6][keys.index("kinase_domain")] == "retained (100%)"
    anchors = re.findall(r'<section class="fusion" id="(fusion-\d+)"', text)
    assert set(data["values"][-1]) == {""} | set(anchors)
    # sections are numbered in input order: G0::NTRK1 (row 0) is fusion-1, ETV6::NTRK3 (row 1) fusion-2
    assert data["cells"][0][-1] == "fusion-1" and data["cells"][1][-1] == "fusion-2"
    assert any(cells[-1] == "" for cells in data["cells"])  # rows of an undrawn fusion link nowhere
    # the data block cannot end the script early, whatever a gene name holds: base64 has no '<'
    hostile = _big_cohort(html.STATIC_ROWS + 1)
    hostile[0]["fusion_name"] = "</script><img src=x onerror=alert(1)>::NTRK3"
    text = write_report(tmp_path / "hostile.html", hostile).read_text()
    block = text.split('data-encoding="gzip+base64">')[1].split("</script>")[0]
    assert re.fullmatch(r"[A-Za-z0-9+/]*={0,2}", block)
    assert _calls_data(text)["cells"][0][1] == hostile[0]["fusion_name"]  # and the name arrives intact


def _chromium_dom(page: Path, query: str, profile: Path) -> str:
    """The DOM after the page's script has shown the first page. The paged table decodes its data
    asynchronously (DecompressionStream), after the load event that --dump-dom alone waits for;
    --virtual-time-budget makes Chromium run the page's pending tasks first."""
    result = _chromium(["--virtual-time-budget=60000", "--dump-dom", page.as_uri() + query], profile)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'id="calls-status" class="note" hidden=""' in result.stdout, "the calls table was not decoded"
    return result.stdout


@needs_chromium
def test_browser_filters_and_sorts_a_100k_call_cohort_page_by_page(tmp_path):
    page = write_report(tmp_path / "cohort.html", _big_cohort(100_000))
    dom = _chromium_dom(page, "?filter=frame:out_of_frame&sort=split_reads&dir=desc", tmp_path / "profile")
    assert re.search(r'showing <span id="shown">14286</span> of 100000', dom)
    assert 'id="pages">72<' in dom
    body = dom.split('<table id="calls"')[1].split("</table>")[0]
    rows = re.findall(r'<tr class="call">(.*?)</tr>', body)
    assert len(rows) == 200
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    assert all(c[4] == "out of frame" for c in cells)
    split = [int(c[8]) for c in cells]
    assert split == sorted(split, reverse=True) and split[0] == 500
    assert re.search(r'data-ready-ms="(\d+)"', dom)  # (virtual time here: see the 300k test for a real timing)
    print(f"\n100,000-call cohort report: {page.stat().st_size / 1e6:.1f} MB")


def _varied_cohort(n_samples: int, seed: int = 3) -> list[dict]:
    """n_samples samples of 10-50 calls drawn from 1,500 fusions (skewed: a few recurrent, a long tail),
    reads varying per call (like bench/cohort_report.py, smaller)."""
    import random

    rng = random.Random(seed)
    pool = []
    for k in range(1500):
        frame = ("in_frame", "out_of_frame", "in_frame", "unknown")[k % 4]
        kinase = ("retained", "lost", "partial", "")[k % 5 % 4]
        pool.append(record(fusion_name=f"G{k:04d}::K{k % 97}", gene5=f"G{k:04d}", gene3=f"K{k % 97}", pos5=1000 + k,
                           frame=frame, kinase_domain=kinase, exon5=k % 11 + 1,
                           kinase_domain_kept_pct=(100.0, 55.5)[k % 2] if kinase in ("retained", "partial") else None,
                           actionability=("actionable", "", "investigational")[k % 3]))
    weights = [1 / (k + 1) for k in range(len(pool))]
    records = []
    for s in range(n_samples):
        for f in rng.choices(pool, weights, k=rng.randint(10, 50)):
            records.append({**f, "sample": f"P{s:05d}", "split_reads": rng.randint(1, 3000),
                            "spanning_reads": rng.randint(0, 400), "caller": rng.choice(("arriba", "star-fusion"))})
    return records


@needs_chromium
def test_browser_shows_the_first_filtered_sorted_page_of_a_300k_call_10k_sample_cohort(tmp_path):
    records = _varied_cohort(10_000)
    page = write_report(tmp_path / "cohort.html", records)
    size = page.stat().st_size / 1e6
    # free text matches hidden cells too: the raw frame value "out_of_frame" (shown as "out of frame").
    # Chromium driven over its DevTools pipe (bench/cohort_report.py), so the page runs in real time and
    # data-ready-ms counts the decode, filter and sort (under --virtual-time-budget they would count as 0).
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from cohort_report import Chromium

    browser = Chromium(tmp_path / "profile")
    try:
        session = browser.open("about:blank")
        browser.send("Page.navigate", {"url": page.as_uri() + "?filter=out_of_frame%20kinase_domain:retained"
                                                               "&sort=split_reads&dir=desc"}, session)
        browser.wait_for(session, 'document.querySelector("#calls[data-ready-ms]") ? true : null', timeout=120)
        dom = browser.send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                                "returnByValue": True}, session)["result"]["value"]
    finally:
        browser.close()
    expected = [r for r in records if r["frame"] == "out_of_frame" and r["kinase_domain"] == "retained"]
    assert expected and len(records) > 250_000
    assert re.search(rf'showing <span id="shown">{len(expected)}</span> of {len(records)}<', dom)
    assert f'id="pages">{-(-len(expected) // 200)}<' in dom
    body = dom.split('<table id="calls"')[1].split("</table>")[0]
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r'<tr class="call">(.*?)</tr>', body)]
    assert len(cells) == 200
    assert all(c[4] == "out of frame" and c[5].startswith("retained (") for c in cells)
    top = sorted(expected, key=lambda r: -r["split_reads"])[:200]  # stable: equal reads in input order
    assert [int(c[8]) for c in cells] == [r["split_reads"] for r in top]
    assert [c[0] for c in cells] == [r["sample"] for r in top]
    assert 'data-key="split_reads" data-type="number" tabindex="0" aria-sort="descending"' in body
    ready = int(re.search(r'data-ready-ms="(\d+)"', dom).group(1))
    print(f"\n{len(records):,}-call cohort report ({len({r['sample'] for r in records}):,} samples): {size:.1f} MB, "
          f"first filtered, sorted page after {ready} ms (from navigation start) in headless Chromium")
    assert size < 15


def test_column_codes_keep_equal_numbers_of_other_types_apart_and_share_equal_texts():
    from fusion_annot.writers.html import _column_codes

    def text(value):
        return "" if value is None else str(value)

    rows = [{"x": 1}, {"x": 1.0}, {"x": True}, {"x": "1"}, {}, {"x": 1}]
    assert _column_codes(rows, "x", text) == (["1", "1.0", "True", ""], [0, 1, 2, 0, 3, 0])
    assert _column_codes([{"x": "a"}, {"x": ["a"]}, {"x": "a"}], "x", text) == (["a", "['a']"], [0, 1, 0])
    pairs = [{"k": "retained", "p": 100.0}, {"k": "retained", "p": 50}, {"k": "retained", "p": 100.0}]
    assert _column_codes(pairs, "k", lambda pair: f"{pair[0]} {pair[1]}", "p") == (
        ["retained 100.0", "retained 50"], [0, 1, 0])


@needs_chromium
def test_browser_without_decompression_stream_says_to_open_the_tsv(tmp_path):
    from fusion_annot.writers import html

    text = render_report(_big_cohort(html.STATIC_ROWS + 1))
    check = 'typeof DecompressionStream !== "function"'
    assert text.count(check) == 1
    page = tmp_path / "old-browser.html"
    page.write_text(text.replace(check, "true"), encoding="utf-8")  # as a browser without it would see it
    result = _chromium(["--virtual-time-budget=10000", "--dump-dom", page.as_uri()], tmp_path / "profile")
    status = re.search(r'<p id="calls-status" class="note problem">(.*?)</p>', result.stdout)
    assert status and "cannot open the compressed calls table" in status.group(1)
    assert "cohort.fusions.tsv" in status.group(1) and not re.search(r'data-ready-ms="\d', result.stdout)


_CLICKS = """
(function () {
  var table = document.getElementById("calls");
  function rows() {
    return Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
      return [tr.cells[0].textContent, tr.cells[8].textContent];
    });
  }
  var wait = setInterval(function () {
    if (!table.hasAttribute("data-ready-ms")) { return; }
    clearInterval(wait);
    var th = table.querySelector('th[data-key="split_reads"]');
    th.click();
    th.click();  // ascending, then descending
    document.getElementById("next").click();
    document.getElementById("next").click();
    document.getElementById("prev").click();
    document.body.setAttribute("data-paged", JSON.stringify({page: document.getElementById("page").textContent,
                                                             sort: th.getAttribute("aria-sort"), rows: rows()}));
    var box = document.getElementById("filter");
    box.value = "sample:S00042";
    box.dispatchEvent(new Event("input"));
    setTimeout(function () {
      document.body.setAttribute("data-filtered", JSON.stringify({shown: document.getElementById("shown").textContent,
                                                                  pages: document.getElementById("pages").textContent,
                                                                  rows: rows()}));
    }, 500);
  }, 20);
})();
"""


@needs_chromium
def test_browser_header_clicks_pager_and_typed_filter_on_the_paged_table(tmp_path):
    from html import unescape

    records = _big_cohort(5000)
    text = render_report(records)
    nonce = re.search(r"script-src 'nonce-([^']+)'", text).group(1)
    page = tmp_path / "clicks.html"  # the report plus a script of the page's nonce that clicks and types
    page.write_text(text.replace("</body>", f'<script nonce="{nonce}">{_CLICKS}</script></body>'), encoding="utf-8")
    dom = _chromium_dom(page, "", tmp_path / "profile")
    paged = json.loads(unescape(re.search(r'data-paged="([^"]*)"', dom).group(1)))
    ranked = sorted(range(len(records)), key=lambda i: -records[i]["split_reads"])  # stable: input order on ties
    assert paged["page"] == "2" and paged["sort"] == "descending"
    assert paged["rows"] == [[records[i]["sample"], str(records[i]["split_reads"])] for i in ranked[200:400]]
    filtered = json.loads(unescape(re.search(r'data-filtered="([^"]*)"', dom).group(1)))
    in_sample = [i for i in ranked if records[i]["sample"] == "S00042"]
    assert filtered["shown"] == str(len(in_sample)) == "10" and filtered["pages"] == "1"
    assert filtered["rows"] == [["S00042", str(records[i]["split_reads"])] for i in in_sample]


def test_codes_take_1_2_or_4_bytes_as_the_number_of_distinct_values_needs():
    from fusion_annot.writers import html

    records = [{"sample": f"S{i}", "fusion_name": "A::B", "frame": "in_frame", "split_reads": i % 256,
                "spanning_reads": i % 257} for i in range(70_000)]
    columns = html._columns(records)
    keys = [key for key, _, _ in columns]
    data = _calls_data(html._calls_payload(records, {5: "fusion-1"}, columns))
    widths = dict(zip(keys, data["widths"]))
    assert widths["sample"] == 4 and widths["split_reads"] == 1 and widths["spanning_reads"] == 2
    assert widths["fusion_name"] == 1 and data["widths"][-2:] == [1, 1]  # raw frame, anchor
    for i in (0, 255, 256, 65_536, 69_999):
        cells = data["cells"][i]
        assert cells[keys.index("sample")] == f"S{i}" and cells[keys.index("split_reads")] == str(i % 256)
        assert cells[keys.index("spanning_reads")] == str(i % 257) and cells[-1] == ("fusion-1" if i == 5 else "")
    assert data["cells"][5][-1] == "fusion-1"


def test_a_cohort_with_many_rejects_lists_the_first_and_counts_them_all(tmp_path):
    from fusion_annot.writers import html

    rejects = [{"sample": f"S{i // 50:04d}", "caller": "star-fusion", "source_file": f"S{i // 50:04d}.tsv",
                "source_line": i % 50 + 2, "reason": "5' gene RP11-1 not in reference bundled"} for i in range(2500)]
    text = render_report([record()], rejects=rejects, rejects_total=320_000)
    block = text.split('<details class="rejects">')[1].split("</details>")[0]
    assert "320,000 input row(s) not annotated" in block
    assert block.count("<tr>") == html.MAX_REJECT_ROWS + 1  # the header row, then the first rows
    assert f"The first {html.MAX_REJECT_ROWS:,} of 320,000 are listed" in block
    small = render_report([record()], rejects=rejects[:3])
    assert "3 input row(s) not annotated" in small and "are listed" not in small


def test_the_report_command_keeps_only_the_fields_it_reads_and_draws_the_same_page(tmp_path):
    """commands/report.py slims a cohort's records to REPORT_FIELDS: the page must not change."""
    from fusion_annot.commands.report import read_annotation_json
    from fusion_annot.writers.html import REPORT_FIELDS

    demo = Path(__file__).resolve().parents[1] / "resources" / "demo"
    jsons = []
    for name in ("IFS01.star-fusion.tsv", "STS03.fusioncatcher.txt", "STS05.star-fusion.tsv", "STS06.arriba.tsv"):
        out = tmp_path / name.split(".")[0]
        assert cli.main(["annotate", str(demo / name), "--out-dir", str(out)]) == 0
        jsons += sorted(out.glob("*.fusions.json"))
    assert cli.main(["report", *map(str, jsons), "--out", str(tmp_path / "slim.html"), "--title", "t"]) == 0
    records, rejects = [], []
    for path in jsons:
        recs, rejs, _ = read_annotation_json(path)
        records += recs
        rejects += rejs
    assert any(set(r) - REPORT_FIELDS for r in records)  # the slimming does drop fields
    from fusion_annot.pipeline import load_reference_with_domains
    from fusion_annot.writers.diagram import diagram_from_record

    reference, table = load_reference_with_domains("bundled")
    full = render_report(records, diagrams=[diagram_from_record(r, reference, table) for r in records], title="t",
                         metadata=[read_annotation_json(p)[2] for p in jsons], rejects=rejects)

    def stable(text):
        return re.sub(r"generated \d{4}-\d\d-\d\d \d\d:\d\d", "", re.sub(r'nonce(-|=")[A-Za-z0-9_-]+', "", text))

    assert stable((tmp_path / "slim.html").read_text()) == stable(full)

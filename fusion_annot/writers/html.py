"""HTML report of fusion calls: one self-contained file per sample or per cohort.

Input: output records (dicts with the columns of writers/records.py, as in
SAMPLE.fusions.json) and, optionally, one diagrams.FusionDiagram per record
(else a record's own "diagram" dict, else what its columns tell).

The page has a table of calls, sortable (click a header) and filterable (a
text box; ``column:value`` terms match one column, e.g. ``frame:in_frame``),
a summary of recurrent fusions when several samples are present, one section
per distinct fusion with its SVG diagram, and the rejected input rows.

Safety: every string from input is escaped with html.escape (attributes
double-quoted); ids and classes are made here. A Content-Security-Policy allows
no network access and only the page's own nonce'd script, so even an escaped
string that slipped through could not load or run anything. No CDN, no fonts:
CSS and JS are inline. The page reads ``?filter=``, ``?sort=COLUMN`` and
``?dir=asc|desc`` from its URL, so a link can open it filtered and sorted.

Scale: up to STATIC_ROWS calls the table is plain HTML rows. A larger table (a
cohort of thousands of samples) is embedded as dictionary-encoded column data,
gzipped and base64-encoded (_calls_payload), unzipped by the page with the
browser's DecompressionStream (Chrome/Edge 80+, Firefox 113+, Safari 16.4+; an
older browser is told to open the TSV) and shown PAGE_ROWS rows at a time; filter
and sort work on all rows, per distinct value. Diagrams are drawn for at most
MAX_SECTIONS distinct fusions (most samples first); the recurrent-fusion summary
lists at most MAX_SUMMARY_ROWS fusions, a section at most MAX_SECTION_SAMPLES
sample names. The page says what it left out.
"""
from __future__ import annotations

import datetime
import secrets
from collections import OrderedDict
from html import escape
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

from .. import __version__
from .diagram import FusionDiagram, diagram_from_dict, diagram_from_record
from .svg import FRAME_LABELS, render_diagram

# (record key, header, numeric) of the calls table.
TABLE_COLUMNS = (
    ("sample", "Sample", False),
    ("fusion_name", "Fusion", False),
    ("exon5", "5′ exon", True),
    ("exon3", "3′ exon", True),
    ("frame", "Frame", False),
    ("kinase_domain", "Kinase domain", False),
    ("actionability", "Actionability", False),
    ("drugs", "Drugs", False),
    ("split_reads", "Split reads", True),
    ("spanning_reads", "Spanning", True),
    ("caller", "Caller", False),
    ("review_flag", "Review", False),
)
# Shown only when some record has a value (BAM evidence is optional).
OPTIONAL_COLUMNS = (
    ("bam_split_reads", "BAM split reads", True),
    ("bam_spanning_pairs", "BAM spanning pairs", True),
)
# Detail lines of a fusion section: (label, record key).
DETAIL_FIELDS = (
    ("Frame reason", "frame_reason"),
    ("Fusion protein", "fusion_protein_length"),
    ("Junction peptide", "junction_peptide"),
    ("Kinase domain", "kinase_domain_detail"),
    ("5′ domains kept", "domains5"),
    ("3′ domains kept", "domains3"),
    ("Catalog", "catalog_status"),
    ("Context", "catalog_context"),
    ("Actionability", "actionability"),
    ("Rule", "actionability_rule"),
    ("Drugs", "drugs"),
    ("Eligible", "eligible_drugs"),
    ("Confirm by", "confirm_by"),
    ("Resistance", "resistance"),
    ("Interpretation", "interpretation"),
    ("Review", "review_flag"),
    ("References", "actionability_refs"),
)
_DIAGRAM_KEY = ("gene5", "gene3", "transcript5", "transcript3", "exons5", "exons3", "pos5", "pos3", "frame")
STATIC_ROWS = 2000  # calls table as HTML rows up to this many; above, JSON data shown page by page
PAGE_ROWS = 200
MAX_SECTIONS = 300  # fusion sections with a diagram
MAX_SUMMARY_ROWS = 2000
MAX_REJECT_ROWS = 1000  # rejected rows listed; the count says how many there are in all
# Every record field the report reads (table, sections, diagrams): a caller holding a large cohort in memory
# may keep only these (commands/report.py does).
REPORT_FIELDS = frozenset(
    [key for key, _, _ in TABLE_COLUMNS + OPTIONAL_COLUMNS] + [key for _, key in DETAIL_FIELDS] + list(_DIAGRAM_KEY)
    + [f"{name}{role}" for role in "53" for name in ("gene", "transcript", "strand", "chrom", "pos", "site", "exon",
                                                       "exons", "protein_length", "domains")]
    + ["sample", "fusion_name", "frame", "kinase_domain", "kinase_domain_kept_pct", "kinase_domain_detail",
       "actionability", "phase5", "cds_kept5", "aa_end5", "cds_skipped3", "aa_start3", "diagram"]
)
MAX_SECTION_SAMPLES = 100  # sample names listed in a fusion section; the calls table has them all


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def render_report(
    records: Sequence[dict],
    *,
    diagrams: Optional[Sequence[Optional[FusionDiagram]]] = None,
    title: str = "",
    metadata: Optional[Sequence[dict]] = None,
    rejects: Sequence[dict] = (),
    rejects_total: Optional[int] = None,
    svg_cache: Optional[dict] = None,
) -> str:
    """The report as one HTML string. diagrams: one per record (None = build from the record).
    svg_cache: a dict kept by the caller across reports, (diagram, name) -> drawn SVG."""
    records = list(records)
    if diagrams is not None and len(diagrams) != len(records):
        raise ValueError("diagrams must give one entry (or None) per record")
    sample_of = [str(r.get("sample", "")) for r in records]
    samples = list(dict.fromkeys(sample_of))
    cohort = len(samples) > 1
    title = title or ("Fusion report: " + (f"{len(samples)} samples" if cohort else (samples[0] if samples else "no calls")))
    groups = list(_group(records).values())
    if len(groups) > MAX_SECTIONS:  # the fusions seen in most samples first, then in input order
        ranked = sorted(range(len(groups)), key=lambda g: (-len(set(map(sample_of.__getitem__, groups[g]))), g))
        drawn = sorted(ranked[:MAX_SECTIONS])
    else:
        drawn = range(len(groups))
    section_of = {}
    sections = []
    for number, g in enumerate(drawn, start=1):
        indices = groups[g]
        for i in indices:
            section_of[i] = f"fusion-{number}"
        first = indices[0]
        diagram = _diagram(records[first], diagrams[first] if diagrams is not None else None)
        sections.append(_fusion_section(f"fusion-{number}", [records[i] for i in indices], diagram, svg_cache))
    if len(groups) > len(sections):
        sections.append(f'<p class="note">{len(groups) - len(sections):,} more distinct fusions are not drawn here '
                        f"(the {len(sections)} seen in most samples are); each sample's own report draws all of its "
                        "fusions.</p>")
    nonce = secrets.token_urlsafe(16)
    body = [
        f"<header><h1>{_e(title)}</h1>{_metadata(metadata or (), samples, len(records))}</header>",
        _summary(records, section_of, sample_of) if cohort else "",
        _calls_table(records, section_of),
        '<h2>Fusions</h2>' + ("".join(sections) if sections else '<p class="empty">No fusion calls.</p>'),
        _rejects(rejects, rejects_total),
        f'<footer>fusion-annot {_e(__version__)} · generated {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC · '
        "research and clinical decision support; confirm findings per laboratory SOP.</footer>",
    ]
    csp = f"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "".join(body)
        + f'<script nonce="{nonce}">{_JS}</script></body></html>\n'
    )


def write_report(path: str | Path, records: Sequence[dict], **options) -> Path:
    """Write render_report(records, **options) to path (UTF-8)."""
    path = Path(path)
    path.write_text(render_report(records, **options), encoding="utf-8")
    return path


def _group(records: Sequence[dict]) -> "OrderedDict[tuple, list[int]]":
    """Records drawing the same fusion (same partners, transcripts, exons, junction) share one section.
    Keys are the values as text (5 and "5" are one fusion); groups in order of first record."""
    from operator import itemgetter

    get = itemgetter(*_DIAGRAM_KEY)
    by_value: dict = {}
    for i, r in enumerate(records):
        try:
            key = get(r)
        except KeyError:
            key = tuple(r.get(k, "") for k in _DIAGRAM_KEY)
        try:
            by_value.setdefault(key, []).append(i)
        except TypeError:  # an unhashable value (a list): key on the text at once
            by_value.setdefault(tuple(map(str, key)), []).append(i)
    groups: OrderedDict[tuple, list[int]] = OrderedDict()
    for key, indices in by_value.items():
        text_key = tuple(map(str, key))
        if text_key in groups:
            groups[text_key] = sorted(groups[text_key] + indices)
        else:
            groups[text_key] = indices
    return groups


def _diagram(record: dict, given: Optional[FusionDiagram]) -> FusionDiagram:
    if given is not None:
        return given
    stored = record.get("diagram")
    if isinstance(stored, dict):
        try:
            return diagram_from_dict(stored)
        except (KeyError, TypeError, ValueError):
            pass  # a malformed stored diagram falls back to the record's own columns
    return diagram_from_record(record)


def _metadata(metadata: Iterable[dict], samples: list[str], n_calls: int) -> str:
    merged: OrderedDict[str, list[str]] = OrderedDict()
    for md in metadata:
        for key in ("reference", "reference_build", "domain_table", "sequence", "transcript_policy",
                    "knowledge_base_version", "knowledge_base_hash", "tool", "created"):
            if md.get(key) not in (None, ""):
                values = merged.setdefault(key, [])
                if str(md[key]) not in values:
                    values.append(str(md[key]))
    items = [("Samples", ", ".join(samples) if len(samples) <= 12 else f"{len(samples)} samples"), ("Calls", str(n_calls))]
    for key, values in merged.items():
        shown = values if len(values) <= 3 else values[:3] + [f"… {len(values) - 3} more"]
        items.append((key.replace("_", " ").capitalize(), "; ".join(shown)))
    return '<dl class="meta">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items) + "</dl>"


def _columns(records: Sequence[dict]):
    optional = [c for c in OPTIONAL_COLUMNS if any(r.get(c[0]) not in (None, "") for r in records)]
    return list(TABLE_COLUMNS) + optional


def _display(record: dict, key: str) -> str:
    """A table cell's text (before drug names are shortened): kinase share, frame label."""
    value = record.get(key)
    text = "" if value is None else str(value)
    if key == "kinase_domain" and record.get("kinase_domain_kept_pct") not in (None, ""):
        text = f"{text} ({float(record['kinase_domain_kept_pct']):g}%)"
    if key == "frame":
        text = FRAME_LABELS.get(text, text)
    return text


def _cell(record: dict, key: str, numeric: bool, link: str = "") -> str:
    value = record.get(key)
    text = _display(record, key)
    attrs = ' class="num"' if numeric else ""
    if key == "drugs" and "[" in text:
        # The table shows drug names; approval details stay in the fusion section and the tooltip.
        attrs += f' title="{_e(text)}"'
        text = _drug_names(text)
    sort_value = value if numeric and value not in (None, "") else None
    if sort_value is not None:
        attrs += f' data-sort="{_e(sort_value)}"'
    if key == "frame":
        attrs += f' data-value="{_e(value)}"'
    inner = f'<a href="#{link}">{_e(text)}</a>' if link else _e(text)
    return f"<td{attrs}>{inner}</td>"


def _drug_names(text: str) -> str:
    """'larotrectinib [FDA ...] | crizotinib [off-label (S4[17])]' -> 'larotrectinib, crizotinib'.

    Bracketed details may nest, so this tracks depth instead of using a regex.
    """
    kept, depth = [], 0
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            kept.append(ch)
    return ", ".join(name.strip() for name in "".join(kept).split("|") if name.strip())


def _header_row(columns) -> str:
    cells = "".join(
        f'<th data-key="{_e(key)}" data-type="{"number" if numeric else "text"}" tabindex="0" aria-sort="none">{_e(label)}</th>'
        for key, label, numeric in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _calls_table(records: Sequence[dict], section_of: dict) -> str:
    columns = _columns(records)
    if len(records) > STATIC_ROWS:
        return _paged_calls_table(records, section_of, columns)
    rows = []
    for i, r in enumerate(records):
        cells = "".join(
            _cell(r, key, numeric, section_of.get(i, "") if key == "fusion_name" else "") for key, _, numeric in columns
        )
        rows.append(f'<tr class="call">{cells}</tr>')
    return (
        '<h2>Calls</h2><div class="controls"><label>Filter <input id="filter" type="search" '
        'placeholder="text, or column:value (frame:in_frame)" size="40"></label> '
        f'<span class="count">showing <span id="shown">{len(records)}</span> of {len(records)}</span></div>'
        f'<table id="calls" class="sortable">{_header_row(columns)}<tbody>{"".join(rows)}</tbody></table>'
    )


def _paged_calls_table(records: Sequence[dict], section_of: dict, columns) -> str:
    """The calls as compressed column data (see _calls_payload), rendered PAGE_ROWS at a time by the page's
    script (textContent only)."""
    n = len(records)
    payload = _calls_payload(records, section_of, columns)
    return (
        '<h2>Calls</h2><div class="controls"><label>Filter <input id="filter" type="search" '
        'placeholder="text, or column:value (frame:in_frame)" size="40"></label> '
        f'<span class="count">showing <span id="shown">{n}</span> of {n}</span> '
        '<span class="pager"><button type="button" id="prev">&#8249; previous</button> page <span id="page">1</span> of '
        f'<span id="pages">{-(-n // PAGE_ROWS)}</span> <button type="button" id="next">next &#8250;</button>'
        f'</span></div><p id="calls-status" class="note">Loading {n:,} calls…</p>'
        '<noscript><p class="problem">The calls table needs JavaScript; the same calls are in cohort.fusions.tsv '
        "(or each SAMPLE.fusions.tsv).</p></noscript>"
        f'<table id="calls" class="paged">{_header_row(columns)}<tbody></tbody></table>'
        f'<script type="application/octet-stream" id="calls-data" data-encoding="gzip+base64">{payload}</script>'
    )


def _column_codes(records: Sequence[dict], key: str, display, also: Optional[str] = None) -> tuple[list[str], list[int]]:
    """Dictionary encoding of one column: its distinct display texts and, per record, the index of its text.

    display(value) gives a cell's text from key's value (or from the pair of key's and also's values); it is
    called once per distinct value, not per record. Values of different types that compare equal (1, 1.0,
    True) are kept apart, as their texts differ."""
    if also is None:
        raw = [r.get(key) for r in records]
    else:
        raw = [(r.get(key), r.get(also)) for r in records]
    typed = len(set(map(type, raw)) - {str, type(None), tuple}) > 1  # mixed numbers: key on (type, value)
    if typed:
        raw = [(v.__class__, v) for v in raw]
    texts: list[str] = []
    text_index: dict[str, int] = {}
    try:
        first = {v: i for i, v in enumerate(dict.fromkeys(raw))}
        raw_codes = list(map(first.__getitem__, raw))
    except TypeError:  # an unhashable value (a list): no shortcut, one display per record
        source = [v[1] for v in raw] if typed else raw
        return texts, [_text_code(display(v), texts, text_index) for v in source]
    remap = [_text_code(display(v[1] if typed else v), texts, text_index) for v in first]
    if len(texts) == len(remap):  # every distinct value has its own text: the codes are already right
        return texts, raw_codes
    return texts, [remap[c] for c in raw_codes]


def _text_code(text: str, texts: list[str], text_index: dict) -> int:
    code = text_index.get(text)
    if code is None:
        code = text_index[text] = len(texts)
        texts.append(text)
    return code


def _calls_payload(records: Sequence[dict], section_of: dict, columns) -> str:
    """The calls table, column by column, dictionary-encoded, gzipped, base64 (ASCII letters, digits, + / =:
    nothing in it can end the script element).

    Unzipped it is: a uint32 (little-endian) byte length L, L bytes of UTF-8 JSON {"rows": N, "columns":
    [[key, numeric], ...], "frame": index of the frame column, "page": PAGE_ROWS, "values": [[text, ...] per
    column], "widths": [bytes per code per column]}, zero bytes up to a multiple of 4, then per column N codes
    (uint8, uint16 or uint32 little-endian, the narrowest that holds len(values)), each column padded to a
    multiple of 4 bytes. Row i of column c shows values[c][code]. values and widths have two more entries than
    columns: the raw frame value (for frame:in_frame filters) and the row's fusion-section anchor ("" = none).
    """
    import array
    import base64
    import json
    import sys
    import zlib

    value_lists, code_lists = [], []
    for key, _, _ in columns:
        if key == "kinase_domain":  # its text also shows the share kept: encode the pair
            def display(pair):
                return _display({"kinase_domain": pair[0], "kinase_domain_kept_pct": pair[1]}, "kinase_domain")
            texts, codes = _column_codes(records, key, display, "kinase_domain_kept_pct")
        else:
            def display(value, key=key):
                text = _display({key: value}, key)
                return _drug_names(text) if key == "drugs" and "[" in text else text
            texts, codes = _column_codes(records, key, display)
        value_lists.append(texts)
        code_lists.append(codes)
    texts, codes = _column_codes(records, "frame", lambda v: "" if v is None else str(v))
    value_lists.append(texts)
    code_lists.append(codes)
    anchors = [""] + sorted(set(section_of.values()), key=lambda a: int(a.rsplit("-", 1)[1]))
    anchor_code = {a: i for i, a in enumerate(anchors)}
    value_lists.append(anchors)
    code_lists.append([anchor_code[section_of[i]] if i in section_of else 0 for i in range(len(records))])

    widths, blocks = [], []
    for texts, codes in zip(value_lists, code_lists):
        width, typecode = (1, "B") if len(texts) <= 1 << 8 else (2, "H") if len(texts) <= 1 << 16 else (4, "I")
        block = array.array(typecode, codes)
        if block.itemsize != width:  # "I" is 4 bytes on every platform Python runs on; say so if not
            raise RuntimeError(f"array typecode {typecode!r} is {block.itemsize} bytes here, not {width}")
        if sys.byteorder == "big":
            block.byteswap()
        raw = block.tobytes()
        blocks.append(raw + b"\0" * (-len(raw) % 4))
        widths.append(width)
    header = json.dumps({"rows": len(records), "columns": [[key, numeric] for key, _, numeric in columns],
                         "frame": next(i for i, (key, _, _) in enumerate(columns) if key == "frame"),
                         "page": PAGE_ROWS, "values": value_lists, "widths": widths},
                        separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header += b" " * (-(4 + len(header)) % 4)  # JSON allows trailing spaces; keeps the codes 4-byte aligned
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: gzip container (DecompressionStream("gzip")), no mtime
    packed = packer.compress(len(header).to_bytes(4, "little") + header)
    for block in blocks:
        packed += packer.compress(block)
    packed += packer.flush()
    return base64.b64encode(packed).decode("ascii")


def _summary(records: Sequence[dict], section_of: dict, sample_of: Optional[Sequence[str]] = None) -> str:
    """sample_of: str(sample) of each record, when the caller has it already."""
    if sample_of is None:
        sample_of = [str(r.get("sample", "")) for r in records]
    by_value: dict = {}  # fusion_name as given -> record indices (then merged by its text)
    for i, name in enumerate([r.get("fusion_name", "") for r in records]):
        try:
            by_value.setdefault(name, []).append(i)
        except TypeError:  # unhashable
            by_value.setdefault(str(name), []).append(i)
    by_name: dict[str, list[int]] = {}
    for name, indices in by_value.items():
        text = str(name)
        by_name[text] = sorted(by_name[text] + indices) if text in by_name else indices
    by_fusion: dict[str, dict] = {}
    for name, indices in by_name.items():
        group = [records[i] for i in indices]
        frames = {str(r.get("frame", "")) for r in group}
        by_fusion[name] = {
            "samples": set(map(sample_of.__getitem__, indices)),
            "frames": {FRAME_LABELS.get(f, f) for f in frames},
            "kinase": {str(r.get("kinase_domain", "")) for r in group},
            "action": {str(r["actionability"]) for r in group if r.get("actionability")},
            "link": section_of.get(indices[0], ""),
        }
    ordered = sorted(by_fusion.items(), key=lambda kv: (-len(kv[1]["samples"]), kv[0]))
    left_out = len(ordered) - MAX_SUMMARY_ROWS
    ordered = ordered[:MAX_SUMMARY_ROWS]
    rows = "".join(
        f'<tr><td><a href="#{_e(v["link"])}">{_e(name)}</a></td><td class="num" data-sort="{len(v["samples"])}">'
        f'{len(v["samples"])}</td><td>{_e(", ".join(sorted(v["frames"])))}</td>'
        f'<td>{_e(", ".join(sorted(v["kinase"])))}</td><td>{_e(", ".join(sorted(v["action"])))}</td></tr>'
        for name, v in ordered
    )
    columns = (("fusion_name", "Fusion", False), ("samples", "Samples", True), ("frame", "Frame", False),
               ("kinase_domain", "Kinase domain", False), ("actionability", "Actionability", False))
    return (
        "<h2>Recurrent fusions</h2>"
        f'<table id="summary" class="sortable">{_header_row(columns)}<tbody>{rows}</tbody></table>'
        + (f'<p class="note">{left_out:,} more fusions, each in fewer samples, are in the calls table.</p>'
           if left_out > 0 else "")
    )


def _position(r: dict, role: str) -> str:
    chrom, pos, strand = r.get(f"chrom{role}"), r.get(f"pos{role}"), r.get(f"strand{role}")
    if not chrom or pos in (None, ""):
        return ""
    try:
        pos_text = f"{int(pos):,}"
    except (TypeError, ValueError):
        pos_text = str(pos)
    return f"{chrom}:{pos_text} ({strand})" if strand else f"{chrom}:{pos_text}"


def _partner_line(r: dict, role: str) -> str:
    bits = [
        f"exon {r.get(f'exon{role}')}" if r.get(f"exon{role}") not in (None, "") else "",
        f"exons {r.get(f'exons{role}')} kept" if r.get(f"exons{role}") else "",
        _position(r, role),
        str(r.get(f"transcript{role}") or ""),
        str(r.get(f"site{role}") or "").replace("_", " "),
    ]
    return ", ".join(b for b in bits if b)


def _fusion_section(anchor: str, records: list[dict], diagram: FusionDiagram, svg_cache: Optional[dict] = None) -> str:
    r = records[0]
    frame = str(r.get("frame", "unknown"))
    kinase = str(r.get("kinase_domain", ""))
    badges = (
        f'<span class="badge frame-{_e(frame if frame in FRAME_LABELS else "unknown")}">{_e(FRAME_LABELS.get(frame, frame))}</span>'
        f'<span class="badge kinase-{_e(kinase if kinase in ("retained", "partial", "lost") else "na")}">kinase {_e(kinase)}</span>'
        + (f'<span class="badge action">{_e(r.get("actionability"))}</span>' if r.get("actionability") else "")
    )
    details = [("5′ " + str(r.get("gene5", "")), _partner_line(r, "5")), ("3′ " + str(r.get("gene3", "")), _partner_line(r, "3"))]
    for label, key in DETAIL_FIELDS:
        value = r.get(key)
        if value in (None, ""):
            continue
        if key == "fusion_protein_length":
            value = f"{value} aa"
        details.append((label, str(value)))
    sample_list = sorted({str(x.get("sample", "")) for x in records})
    shown = ", ".join(sample_list[:MAX_SECTION_SAMPLES])
    if len(sample_list) > MAX_SECTION_SAMPLES:
        shown += (f" … and {len(sample_list) - MAX_SECTION_SAMPLES:,} more ({len(sample_list):,} samples; "
                  f"the calls table lists them all)")
    details.append(("Samples" if len(sample_list) > 1 else "Sample", shown))
    dl = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in details)
    source = "" if diagram.source == "reference" else '<p class="note">Exon structure from the output columns only (run the report with a reference for the full picture).</p>'
    return (
        f'<section class="fusion" id="{anchor}"><h3>{_e(r.get("fusion_name", ""))} {badges}</h3>'
        f'<dl class="details">{dl}</dl>{source}'
        f'<div class="diagram">{_svg(diagram, str(r.get("fusion_name", "")), svg_cache)}</div></section>'
    )


def _svg(diagram: FusionDiagram, name: str, cache: Optional[dict]) -> str:
    if cache is None:
        return render_diagram(diagram, name)
    key = (diagram, name)
    drawn = cache.get(key)
    if drawn is None:
        drawn = cache[key] = render_diagram(diagram, name)
    return drawn


def _rejects(rejects: Sequence[dict], total: Optional[int] = None) -> str:
    """The rejected input rows: the first MAX_REJECT_ROWS of them (a cohort's can run to hundreds of thousands;
    each sample's SAMPLE.rejects.tsv lists all of its own)."""
    total = len(rejects) if total is None else max(total, len(rejects))
    if not total:
        return ""
    shown = list(rejects[:MAX_REJECT_ROWS])
    keys = ("sample", "caller", "source_file", "source_line", "reason")
    head = "".join(f"<th>{_e(k.replace('_', ' '))}</th>" for k in keys)
    rows = "".join("<tr>" + "".join(f"<td>{_e(x.get(k, ''))}</td>" for k in keys) + "</tr>" for x in shown)
    note = (f'<p class="note">The first {len(shown):,} of {total:,} are listed; each sample\'s SAMPLE.rejects.tsv '
            "lists all of its rejected rows with the reason.</p>" if len(shown) < total else "")
    return (
        f'<details class="rejects"><summary>{total:,} input row(s) not annotated</summary>{note}'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>"
    )


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2329;margin:24px;max-width:1200px}
h1{font-size:22px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d5dbe1;padding-bottom:4px}
h3{font-size:16px;margin:0 0 8px}
dl.meta,dl.details{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:6px 0}
dt{color:#5b6670}dd{margin:0;word-break:break-word}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e3e7eb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f5f7;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.call:hover{background:#f7fafc}
.controls{margin:6px 0 8px}.count{color:#5b6670;margin-left:10px}
input[type=search]{font:inherit;padding:3px 6px}
section.fusion{border:1px solid #d5dbe1;border-radius:6px;padding:12px 14px;margin:14px 0;page-break-inside:avoid}
.badge{display:inline-block;font-size:12px;font-weight:600;border-radius:10px;padding:1px 8px;margin-left:6px;background:#eef1f4}
.badge.frame-in_frame{background:#dff3e4;color:#17642f}.badge.frame-out_of_frame,.badge.frame-stop_before_junction{background:#fbe3e1;color:#9b1c13}
.badge.kinase-retained{background:#fde7d3;color:#8a3b00}.badge.kinase-partial{background:#fff4cc;color:#6b5300}.badge.kinase-lost{background:#eceff1;color:#505a63}
.badge.action{background:#e3ecfb;color:#1b4593}
.note{color:#5b6670;font-size:12px}.empty{color:#5b6670}.problem{color:#9b1c13;font-size:14px;font-weight:600}
.diagram{overflow-x:auto}
svg.fusion-diagram text{font:11px system-ui,Arial,sans-serif;fill:#1d2329}
svg text.gene{font-weight:700;font-size:12px}svg text.sub,svg text.aa-len,svg text.legend{fill:#5b6670;font-size:10px}
svg text.section{font-weight:600;fill:#5b6670;font-size:10px;text-transform:uppercase;letter-spacing:.04em}
svg text.exon-num{font-size:9px;fill:#5b6670;text-anchor:middle}
svg text.frame-badge{font-weight:700;font-size:12px}svg text.frame-in_frame{fill:#17642f}
svg text.frame-out_of_frame,svg text.frame-stop_before_junction{fill:#9b1c13}
svg line.intron{stroke:#9aa5b1;stroke-width:1}
svg line.junction{stroke:#d62728;stroke-width:2;stroke-dasharray:3 2}
svg rect.exon.lost{fill:#fff;stroke:#9aa5b1}
svg rect.p5{fill:#3a6ea5;stroke:#2b5580}svg rect.p3{fill:#2a9d8f;stroke:#1f776c}
svg rect.protein.lost{fill:#e7ebef;stroke:#c9d1d9}
svg rect.protein.untranslated{fill:#f2f2f2;stroke:#b0b8c0;stroke-dasharray:2 2}
svg rect.domain{fill:#c9b6e4;stroke:#6d4aa0;fill-opacity:.95}
svg rect.domain.kinase{fill:#f28e2b;stroke:#a94f00;stroke-width:2}
svg rect.domain.lost{fill-opacity:.35;stroke-opacity:.5}svg rect.domain.muted{fill-opacity:.3}
svg text.domain-label{font-size:9px;text-anchor:middle;fill:#1d2329;pointer-events:none}
details.rejects{margin:20px 0}footer{margin-top:30px;color:#5b6670;font-size:12px}
@media print{input,.controls{display:none}section.fusion{border:none}}
"""

_JS = r"""
(function () {
  "use strict";
  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) { return numeric ? -Infinity : ""; }
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.trim().toLowerCase();
  }
  function sortTable(table, index, direction) {
    var header = table.tHead.rows[0].cells[index];
    var numeric = header.getAttribute("data-type") === "number";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var sign = direction === "descending" ? -1 : 1;
    rows.sort(function (a, b) {
      var x = cellValue(a, index, numeric), y = cellValue(b, index, numeric);
      return x < y ? -sign : x > y ? sign : 0;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.setAttribute("aria-sort", "none"); });
    header.setAttribute("aria-sort", direction);
  }
  function columnIndex(table, key) {
    var cells = table.tHead.rows[0].cells;
    for (var i = 0; i < cells.length; i++) { if (cells[i].getAttribute("data-key") === key) { return i; } }
    return -1;
  }
  function applyFilter(table, text) {
    var terms = text.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      var ok = terms.every(function (term) {
        var colon = term.indexOf(":");
        if (colon > 0) {
          var index = columnIndex(table, term.slice(0, colon));
          if (index >= 0) {
            var cell = row.cells[index];
            var value = term.slice(colon + 1);
            return (cell.textContent.toLowerCase().indexOf(value) >= 0) ||
                   ((cell.getAttribute("data-value") || "").toLowerCase().indexOf(value) >= 0);
          }
        }
        return row.textContent.toLowerCase().indexOf(term) >= 0;
      });
      row.hidden = !ok;
      if (ok) { shown++; }
    });
    var counter = document.getElementById("shown");
    if (counter && table.id === "calls") { counter.textContent = String(shown); }
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      function toggle() {
        var next = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        sortTable(table, index, next);
      }
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { toggle(); } });
    });
  });
  var calls = document.getElementById("calls");
  var input = document.getElementById("filter");
  var dataNode = document.getElementById("calls-data");
  if (calls && input && dataNode) { loadCalls(dataNode, function (data) { paged(calls, input, data); }); return; }
  if (calls && input) {
    input.addEventListener("input", function () { applyFilter(calls, input.value); });
    var params = new URLSearchParams(window.location.search);
    if (params.get("filter")) { input.value = params.get("filter"); applyFilter(calls, input.value); }
    var key = params.get("sort");
    if (key) {
      var index = columnIndex(calls, key);
      if (index >= 0) { sortTable(calls, index, params.get("dir") === "desc" ? "descending" : "ascending"); }
    }
  }
  // Large tables: the calls are gzipped, base64-encoded column data (writers/html.py, _calls_payload);
  // only one page of them is in the document at a time.
  function status(text) {
    var node = document.getElementById("calls-status");
    if (node) { node.textContent = text; node.hidden = !text; node.className = text ? "note problem" : "note"; }
  }
  function loadCalls(node, done) {
    if (typeof DecompressionStream !== "function" || typeof Response !== "function" || typeof Blob !== "function" ||
        typeof Blob.prototype.stream !== "function") {
      status("This browser cannot open the compressed calls table (it needs DecompressionStream: Chrome or Edge 80+, " +
             "Firefox 113+, Safari 16.4+). Open the same calls in cohort.fusions.tsv (or each SAMPLE.fusions.tsv) instead.");
      return;
    }
    var text = node.textContent, bytes;
    if (typeof Uint8Array.fromBase64 === "function") {
      bytes = Uint8Array.fromBase64(text);
    } else {
      var binary = atob(text);
      bytes = new Uint8Array(binary.length);
      for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    }
    // Blob, stream and Response are local: no fetch, nothing the Content-Security-Policy forbids.
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    new Response(stream).arrayBuffer().then(function (buffer) {
      var length = new DataView(buffer).getUint32(0, true);
      var data = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
      var offset = 4 + length;
      data.codes = data.widths.map(function (width) {
        var Type = width === 1 ? Uint8Array : width === 2 ? Uint16Array : Uint32Array;
        var codes = new Type(buffer, offset, data.rows);
        offset += Math.ceil(data.rows * width / 4) * 4;
        return codes;
      });
      status("");
      done(data);
    }).catch(function (error) { status("The calls table could not be read: " + error); });
  }
  function paged(table, box, data) {
    var columns = data.columns, values = data.values, codes = data.codes, n = data.rows, size = data.page;
    var extra = columns.length;  // codes[extra]: raw frame value, codes[extra + 1]: fusion section anchor
    var lowered = values.map(function (list) { return list.map(function (v) { return v.toLowerCase(); }); });
    var order = new Uint32Array(n), view, page = 0;
    for (var i = 0; i < n; i++) { order[i] = i; }
    view = order;
    // One term: the columns it is tried on, each with a flag per distinct value (1 = the value contains it).
    function tests(term) {
      var cols = null, colon = term.indexOf(":");
      if (colon > 0) {
        var key = term.slice(0, colon);
        for (var c = 0; c < columns.length; c++) {
          if (columns[c][0] === key) { cols = c === data.frame ? [c, extra] : [c]; term = term.slice(colon + 1); break; }
        }
      }
      if (!cols) { cols = values.map(function (list, c) { return c; }); }  // any cell, hidden ones too
      var found = [];
      cols.forEach(function (c) {
        var list = lowered[c], flags = new Uint8Array(list.length), any = false;
        for (var v = 0; v < list.length; v++) { if (list[v].indexOf(term) >= 0) { flags[v] = 1; any = true; } }
        if (any) { found.push({codes: codes[c], flags: flags}); }
      });
      return found;
    }
    function render() {
      var body = table.tBodies[0];
      var pages = Math.max(1, Math.ceil(view.length / size));
      page = Math.max(0, Math.min(page, pages - 1));
      var fragment = document.createDocumentFragment();
      var shown = view.subarray(page * size, page * size + size);
      for (var k = 0; k < shown.length; k++) {
        var i = shown[k], tr = document.createElement("tr");
        tr.className = "call";
        for (var c = 0; c < columns.length; c++) {
          var td = document.createElement("td"), text = values[c][codes[c][i]];
          if (columns[c][1]) { td.className = "num"; }
          var anchor = c === 1 ? values[extra + 1][codes[extra + 1][i]] : "";
          if (anchor) {
            var a = document.createElement("a");
            a.href = "#" + anchor;
            a.textContent = text;
            td.appendChild(a);
          } else {
            td.textContent = text;
          }
          tr.appendChild(td);
        }
        fragment.appendChild(tr);
      }
      body.textContent = "";
      body.appendChild(fragment);
      document.getElementById("shown").textContent = String(view.length);
      document.getElementById("page").textContent = String(page + 1);
      document.getElementById("pages").textContent = String(pages);
    }
    function refilter() {
      var terms = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var all = terms.map(tests);
      if (!terms.length) {
        view = order;
      } else if (all.some(function (t) { return t.length === 0; })) {
        view = new Uint32Array(0);  // some term is in no value at all
      } else {
        var kept = new Uint32Array(n), count = 0;
        for (var k = 0; k < n; k++) {
          var i = order[k], ok = true;
          for (var t = 0; ok && t < all.length; t++) {
            var term = all[t];
            ok = false;
            for (var p = 0; p < term.length; p++) { if (term[p].flags[term[p].codes[i]]) { ok = true; break; } }
          }
          if (ok) { kept[count++] = i; }
        }
        view = kept.subarray(0, count);
      }
      page = 0;
      render();
    }
    // Sort: rank the distinct values (numbers as numbers, text lowercased), then place the rows by rank
    // (counting sort); rows of equal value keep their input order in either direction.
    function sortBy(c, direction) {
      var list = values[c], numeric = columns[c][1];
      var keys = list.map(function (v) {
        if (numeric) { var x = parseFloat(v); return isNaN(x) ? -Infinity : x; }
        return v.toLowerCase();
      });
      var byKey = list.map(function (v, j) { return j; });
      byKey.sort(function (a, b) { return keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : 0; });
      var rank = new Uint32Array(list.length), ranks = 0;
      for (var j = 0; j < byKey.length; j++) {
        if (j > 0 && keys[byKey[j]] !== keys[byKey[j - 1]]) { ranks++; }
        rank[byKey[j]] = ranks;
      }
      ranks++;
      if (direction === "descending") { for (j = 0; j < rank.length; j++) { rank[j] = ranks - 1 - rank[j]; } }
      var code = codes[c], start = new Uint32Array(ranks + 1), sorted = new Uint32Array(n);
      for (var i = 0; i < n; i++) { start[rank[code[i]] + 1]++; }
      for (j = 0; j < ranks; j++) { start[j + 1] += start[j]; }
      for (i = 0; i < n; i++) { sorted[start[rank[code[i]]]++] = i; }
      order = sorted;
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.setAttribute("aria-sort", "none"); });
      table.tHead.rows[0].cells[c].setAttribute("aria-sort", direction);
      refilter();
    }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, c) {
      function toggle() { sortBy(c, th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending"); }
      th.addEventListener("click", toggle);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { toggle(); } });
    });
    document.getElementById("prev").addEventListener("click", function () { if (page > 0) { page--; render(); } });
    document.getElementById("next").addEventListener("click", function () { page++; render(); });
    var timer = null;
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(refilter, 150); });
    var params = new URLSearchParams(window.location.search);
    if (params.get("filter")) { box.value = params.get("filter"); }
    var key = params.get("sort");
    var index = key ? columnIndex(table, key) : -1;
    if (index >= 0) { sortBy(index, params.get("dir") === "desc" ? "descending" : "ascending"); } else { refilter(); }
    // time from navigation start to the first page shown, for benchmarks (bench/cohort_report.py)
    table.setAttribute("data-ready-ms", String(Math.round(window.performance.now())));
  }
})();
"""

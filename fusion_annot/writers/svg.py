"""Inline SVG of one fusion: both transcripts with the kept exons, the fused transcript, the proteins.

Rows, top to bottom:
1. each partner's transcript, exons in transcript order (5' left), width by exon
   length, kept exons filled in the partner's colour, the junction as a red line;
2. the fusion transcript: the kept exons of both partners joined at the junction;
3. each partner's whole protein with its domains (the kept residues dark, the
   lost ones pale) and the fusion protein built from the kept residues, with
   the kinase domain drawn as ``rect.domain.kinase``.

Every string that reaches the SVG goes through html.escape; classes and ids are
made here, never from input.
"""
from __future__ import annotations

from html import escape
from typing import Optional

from .diagram import DomainBox, FusionDiagram, PartnerDrawing

WIDTH = 960
LABEL_W = 170
TRACK_X = LABEL_W
TRACK_W = WIDTH - LABEL_W - 70
GAP = 3  # px between exons (an intron)
FRAME_LABELS = {
    "in_frame": "in frame",
    "out_of_frame": "out of frame",
    "stop_before_junction": "stop codon before the junction",
    "utr5_fusion": "5' UTR fusion (3' partner's own start codon)",
    "non_coding": "non-coding",
    "unknown": "frame unknown",
}


def _e(value) -> str:
    return escape(str(value), quote=True)


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def render_diagram(diagram: FusionDiagram, title: str = "") -> str:
    """SVG markup (a string) for one fusion."""
    parts: list[str] = []
    y = 8
    frame = diagram.frame if diagram.frame in FRAME_LABELS else "unknown"
    parts.append(
        f'<text class="frame-badge frame-{frame}" x="0" y="{y + 12}">Frame: {_e(FRAME_LABELS[frame])}</text>'
    )
    y += 26
    parts.append(_section(y, "Transcripts (exons in transcript order, 5′ left; width grows with exon length; filled = kept)"))
    y += 14
    for role, partner in (("p5", diagram.five_prime), ("p3", diagram.three_prime)):
        parts.append(_transcript_row(partner, role, y))
        y += 52
    parts.append(_section(y, "Fusion transcript"))
    y += 14
    parts.append(_fusion_transcript_row(diagram, y))
    y += 52
    parts.append(_section(y, "Proteins (same amino-acid scale; dark = kept in the fusion)"))
    y += 14
    y = _protein_rows(diagram, y, parts)
    y += 6
    parts.append(_legend(y))
    y += 22
    label = _e(title or f"{diagram.five_prime.gene}::{diagram.three_prime.gene}")
    return (
        f'<svg class="fusion-diagram" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y}" '
        f'viewBox="0 0 {WIDTH} {y}" role="img" aria-label="{label} fusion diagram">'
        + "".join(parts)
        + "</svg>"
    )


def _section(y: int, text: str) -> str:
    return f'<text class="section" x="0" y="{y + 9}">{_e(text)}</text>'


def _partner_label(partner: PartnerDrawing, role: str, y: int) -> str:
    prime = "5′" if role == "p5" else "3′"
    sub = " ".join(x for x in (partner.transcript, f"({partner.strand})" if partner.strand else "") if x)
    return (
        f'<text class="gene {role}" x="0" y="{y + 14}">{prime} {_e(partner.gene)}</text>'
        f'<text class="sub" x="0" y="{y + 28}">{_e(sub)}</text>'
    )


def _exon_layout(lengths: tuple[int, ...], width: float) -> list[tuple[float, float]]:
    """(x offset, width) per exon: 2 px minimum each, the rest shared by √length.

    √ keeps a 3 kb UTR exon from squeezing 100 nt coding exons into slivers.
    """
    n = len(lengths)
    free = max(width - GAP * (n - 1) - 2 * n, 0)
    weights = [max(length, 1) ** 0.5 for length in lengths]
    total = sum(weights) or 1
    out, x = [], 0.0
    for weight in weights:
        w = 2 + free * weight / total
        out.append((x, w))
        x += w + GAP
    return out


def _transcript_row(partner: PartnerDrawing, role: str, y: int) -> str:
    out = [_partner_label(partner, role, y)]
    mid = y + 14
    retained = partner.retained
    if not partner.exon_lengths:
        if retained:
            out.append(
                f'<rect class="exon kept {role}" x="{TRACK_X}" y="{mid - 8}" width="{TRACK_W / 2:.1f}" height="16">'
                f"<title>exons {retained[0]}-{retained[1]} kept</title></rect>"
                f'<text class="exon-num" x="{TRACK_X + 4}" y="{mid + 22}">exons {retained[0]}–{retained[1]} kept '
                f"(exon structure not available)</text>"
            )
        else:
            out.append(f'<text class="sub" x="{TRACK_X}" y="{mid + 4}">exon structure not available</text>')
        return "".join(out)
    layout = _exon_layout(partner.exon_lengths, TRACK_W)
    out.append(f'<line class="intron" x1="{TRACK_X}" y1="{mid}" x2="{TRACK_X + TRACK_W}" y2="{mid}"/>')
    n = len(layout)
    step = 1 if n <= 30 else 5
    for i, ((x, w), length) in enumerate(zip(layout, partner.exon_lengths), start=1):
        kept = retained is not None and retained[0] <= i <= retained[1]
        cls = f"exon kept {role}" if kept else "exon lost"
        out.append(
            f'<rect class="{cls}" x="{TRACK_X + x:.1f}" y="{mid - 8}" width="{w:.1f}" height="16">'
            f"<title>{_e(partner.gene)} exon {i} ({length} nt){' kept' if kept else ''}</title></rect>"
        )
        if i == 1 or i == n or i % step == 0 or (retained and i in retained):
            out.append(f'<text class="exon-num" x="{TRACK_X + x + w / 2:.1f}" y="{mid + 22}">{i}</text>')
    if retained:
        if role == "p5":
            x, w = layout[min(retained[1], n) - 1]
            jx = TRACK_X + x + w + GAP / 2
        else:
            x, _ = layout[max(retained[0], 1) - 1]
            jx = TRACK_X + x - GAP / 2
        out.append(f'<line class="junction" x1="{jx:.1f}" y1="{mid - 13}" x2="{jx:.1f}" y2="{mid + 13}"/>')
    return "".join(out)


def _fusion_transcript_row(d: FusionDiagram, y: int) -> str:
    mid = y + 14
    out = [
        f'<text class="gene" x="0" y="{y + 14}">{_e(d.five_prime.gene)}::{_e(d.three_prime.gene)}</text>',
        f'<text class="sub" x="0" y="{y + 28}">kept exons joined</text>',
    ]
    pieces: list[tuple[str, int, int]] = []  # (role, exon number, length)
    for role, p in (("p5", d.five_prime), ("p3", d.three_prime)):
        if not p.retained:
            continue
        first, last = p.retained
        for i in range(first, last + 1):
            length = p.exon_lengths[i - 1] if 0 < i <= len(p.exon_lengths) else 0
            pieces.append((role, i, length))
    if not pieces:
        out.append(f'<text class="sub" x="{TRACK_X}" y="{mid + 4}">kept exons not known</text>')
        return "".join(out)
    lengths = tuple(length or 100 for _, _, length in pieces)
    layout = _exon_layout(lengths, TRACK_W)
    junction_x: Optional[float] = None
    previous_role = pieces[0][0]
    for (role, i, length), (x, w) in zip(pieces, layout):
        if role != previous_role and junction_x is None:
            junction_x = TRACK_X + x - GAP / 2
        previous_role = role
        gene = d.five_prime.gene if role == "p5" else d.three_prime.gene
        out.append(
            f'<rect class="exon kept {role}" x="{TRACK_X + x:.1f}" y="{mid - 8}" width="{w:.1f}" height="16">'
            f"<title>{_e(gene)} exon {i}{f' ({length} nt)' if length else ''}</title></rect>"
        )
    for role, p in (("p5", d.five_prime), ("p3", d.three_prime)):
        if p.retained:
            boxes = [(TRACK_X + x, w) for (r, _, _), (x, w) in zip(pieces, layout) if r == role]
            # Labels sit on either side of the junction so they never overlap.
            if role == "p5":
                x, anchor = boxes[-1][0] + boxes[-1][1] - 2, "end"
            else:
                x, anchor = boxes[0][0] + 2, "start"
            out.append(
                f'<text class="exon-num" x="{x:.1f}" y="{mid + 22}" style="text-anchor:{anchor}">'
                f"{_e(p.gene)} exons {p.retained[0]}–{p.retained[1]}</text>"
            )
    if junction_x is not None:
        out.append(
            f'<line class="junction" x1="{junction_x:.1f}" y1="{mid - 13}" x2="{junction_x:.1f}" y2="{mid + 13}"/>'
        )
    return "".join(out)


def _protein_rows(d: FusionDiagram, y: int, out: list[str]) -> int:
    five, three = d.five_prime, d.three_prime
    kept5 = _span(five.kept_aa)
    fusion_len = d.fusion_protein_length
    longest = max(five.protein_length, three.protein_length, fusion_len, 1)
    scale = TRACK_W / longest
    for role, p in (("p5", five), ("p3", three)):
        out.append(_partner_label(p, role, y))
        if p.protein_length:
            out.append(_protein_bar(p, role, y + 14, scale))
        else:
            out.append(f'<text class="sub" x="{TRACK_X}" y="{y + 18}">no protein (non-coding or unknown)</text>')
        y += 46
    out.append(f'<text class="gene" x="0" y="{y + 14}">Fusion protein</text>')
    translated3 = d.frame in ("in_frame", "utr5_fusion")
    note = f"{fusion_len} aa" if translated3 else f"{kept5} aa from the 5′ partner; 3′ part not in frame"
    out.append(f'<text class="sub" x="0" y="{y + 28}">{_e(note)}</text>')
    if fusion_len:
        out.append(_fusion_protein_bar(d, y + 14, scale, translated3))
    else:
        out.append(f'<text class="sub" x="{TRACK_X}" y="{y + 18}">no residues known to be kept</text>')
    return y + 50


def _span(kept: Optional[tuple[int, int]]) -> int:
    return kept[1] - kept[0] + 1 if kept else 0


def _protein_bar(p: PartnerDrawing, role: str, mid: int, scale: float) -> str:
    out = [
        f'<rect class="protein lost" x="{TRACK_X}" y="{mid - 5}" width="{p.protein_length * scale:.1f}" height="10">'
        f"<title>{_e(p.gene)} protein, {p.protein_length} aa</title></rect>"
    ]
    if p.kept_aa:
        a, b = p.kept_aa
        out.append(
            f'<rect class="protein kept {role}" x="{TRACK_X + (a - 1) * scale:.1f}" y="{mid - 5}" '
            f'width="{(b - a + 1) * scale:.1f}" height="10"><title>aa {a}-{b} kept</title></rect>'
        )
    out.extend(_domain_boxes(p.domains, lambda aa: TRACK_X + (aa - 1) * scale, mid, scale, p.kept_aa))
    out.append(f'<text class="aa-len" x="{TRACK_X + p.protein_length * scale + 4:.1f}" y="{mid + 4}">{p.protein_length} aa</text>')
    return "".join(out)


def _fusion_protein_bar(d: FusionDiagram, mid: int, scale: float, translated3: bool) -> str:
    five, three = d.five_prime, d.three_prime
    out: list[str] = []
    x = float(TRACK_X)
    offset5 = 0
    if five.kept_aa:
        a, b = five.kept_aa
        w = (b - a + 1) * scale
        out.append(f'<rect class="protein kept p5" x="{x:.1f}" y="{mid - 5}" width="{w:.1f}" height="10">'
                   f"<title>{_e(five.gene)} aa {a}-{b}</title></rect>")
        clipped = _clip(five.domains, five.kept_aa)
        out.extend(_domain_boxes(clipped, lambda aa: TRACK_X + (aa - a) * scale, mid, scale, None))
        offset5 = b - a + 1
        x += w
    junction_x = x
    if d.junction_residue:
        out.append(f'<rect class="protein junction-residue" x="{x:.1f}" y="{mid - 5}" width="{scale:.1f}" height="10">'
                   "<title>residue from the codon split by the junction</title></rect>")
        offset5 += 1
        x += scale
    if three.kept_aa:
        a, b = three.kept_aa
        w = (b - a + 1) * scale
        cls = "protein kept p3" if translated3 else "protein untranslated"
        out.append(f'<rect class="{cls}" x="{x:.1f}" y="{mid - 5}" width="{w:.1f}" height="10">'
                   f"<title>{_e(three.gene)} aa {a}-{b}{'' if translated3 else ' (not in frame)'}</title></rect>")
        clipped = _clip(three.domains, three.kept_aa)
        start = TRACK_X + offset5 * scale
        out.extend(_domain_boxes(clipped, lambda aa: start + (aa - a) * scale, mid, scale, None, muted=not translated3))
        x += w
    if five.kept_aa and three.kept_aa:
        out.append(f'<line class="junction" x1="{junction_x:.1f}" y1="{mid - 12}" x2="{junction_x:.1f}" y2="{mid + 12}"/>')
    return "".join(out)


def _clip(domains: tuple[DomainBox, ...], kept: tuple[int, int]) -> tuple[DomainBox, ...]:
    a, b = kept
    return tuple(
        DomainBox(dom.name, max(dom.start, a), min(dom.end, b), dom.is_kinase)
        for dom in domains
        if dom.end >= a and dom.start <= b
    )


def _lanes(domains: tuple[DomainBox, ...]) -> list[tuple[DomainBox, int]]:
    """Two lanes for overlapping domains (kinase always in lane 0); a third overlap is left out of the picture."""
    placed: list[tuple[DomainBox, int]] = []
    for dom in sorted(domains, key=lambda d: (not d.is_kinase, d.start, -(d.end - d.start))):
        for lane in (0, 1):
            if all(not (dom.start <= o.end and o.start <= dom.end) for o, l in placed if l == lane):
                placed.append((dom, lane))
                break
    return sorted(placed, key=lambda t: (t[1], t[0].start))


def _domain_boxes(domains, x_of, mid: int, scale: float, kept: Optional[tuple[int, int]], muted: bool = False) -> list[str]:
    out = []
    for dom, lane in _lanes(domains):
        x = x_of(dom.start)
        w = max((dom.end - dom.start + 1) * scale, 2)
        height = 16 if lane == 0 else 8
        top = mid - 8 if lane == 0 else mid - 18
        classes = ["domain"]
        if dom.is_kinase:
            classes.append("kinase")
        if muted:
            classes.append("muted")
        if kept is not None and not (kept[0] <= dom.start and dom.end <= kept[1]):
            classes.append("lost" if dom.end < kept[0] or dom.start > kept[1] else "partial")
        out.append(
            f'<rect class="{" ".join(classes)}" x="{x:.1f}" y="{top}" width="{w:.1f}" height="{height}" rx="3">'
            f"<title>{_e(dom.name)}: aa {dom.start}-{dom.end}{' (kinase domain)' if dom.is_kinase else ''}</title></rect>"
        )
        label = _fitting_label(dom, w)
        if lane == 0 and label:
            out.append(f'<text class="domain-label" x="{x + w / 2:.1f}" y="{mid + 4}">{_e(label)}</text>')
    return out


def _fitting_label(dom: DomainBox, width: float) -> str:
    """The first of name / first word (kinase: 'kinase domain') that fits in the box (5.6 px per character at 9 px)."""
    first_word = dom.name.split()[0].rstrip(",;:") if dom.name.split() else ""
    candidates = [dom.name] + (["kinase domain", "kinase"] if dom.is_kinase else [first_word])
    return next((c for c in candidates if c and len(c) * 5.6 < width - 4), "")


def _legend(y: int) -> str:
    items = (("exon kept p5", "5′ partner"), ("exon kept p3", "3′ partner"), ("exon lost", "not in fusion"),
             ("domain", "domain"), ("domain kinase", "kinase domain"))
    out, x = [], 0
    for cls, text in items:
        out.append(f'<rect class="{cls} key" x="{x}" y="{y}" width="14" height="10" rx="2"/>'
                   f'<text class="legend" x="{x + 18}" y="{y + 9}">{_e(text)}</text>')
        x += 40 + len(text) * 6
    out.append(f'<line class="junction" x1="{x}" y1="{y - 2}" x2="{x}" y2="{y + 12}"/>'
               f'<text class="legend" x="{x + 6}" y="{y + 9}">junction</text>')
    return "".join(out)

"""HTML rendering: a semantic fragment for preview and print.

Heading levels never skip (axe-core "heading-order"): title h2, BAB h3, Bagian h4, and a
Pasal heading (``class="judul-pasal"``) one level below its parent (h5 inside a Bagian,
h4 directly under a BAB); the page keeps
h1 for itself. The stylesheets give h4 and h5 the same look, so the level changes nothing visible.

``<article class="perdes">`` holds the title block, the pembukaan, each BAB as a
``<section class="bab">`` and each Pasal as ``<section id="pasal-N" data-clause="…">``.
Unverified or incomplete citations carry ``class="belum-verifikasi"``; their markers
("[belum diverifikasi]", "[nomor belum diisi]") are in the text, wrapped in ``<mark>``.
A rancangan starts with ``<p class="tanda-rancangan">RANCANGAN</p>``.
"""

from __future__ import annotations

from perdes.drafting.catalogue import MARKS
from perdes.drafting.model import Ayat, Bagian, Document, Item, Para, Pasal, SignatureBlock
from perdes.drafting.signing import DRAFT_HEADING, check_kind, draft_notes


def _esc(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace('"', "&quot;").replace("\n", "<br>")
    for mark in MARKS:
        text = text.replace(mark, f'<mark class="tanda-verifikasi">{mark}</mark>')
    return text


def _items(items: tuple[Item, ...], out: list[str]) -> None:
    out.append('<ol class="butir">')
    for item in items:
        out.append(f'<li><span class="no">{_esc(item.label)}</span> {_esc(item.text)}')
        if item.children:
            _items(item.children, out)
        out.append("</li>")
    out.append("</ol>")


def _blocks(blocks: tuple[Para | Item, ...], out: list[str]) -> None:
    run: list[Item] = []
    for block in (*blocks, None):
        if isinstance(block, Item):
            run.append(block)
            continue
        if run:
            _items(tuple(run), out)
            run = []
        if isinstance(block, Para):
            out.append(f"<p>{_esc(block.text)}</p>")


def _pasal(pasal: Pasal, out: list[str], *, level: int) -> None:
    out.append(
        f'<section class="pasal" id="pasal-{pasal.number}" data-clause="{_esc(pasal.clause_id)}">'
        f'<h{level} class="judul-pasal">{pasal.label}</h{level}>'
    )
    ayat = [b for b in pasal.blocks if isinstance(b, Ayat)]
    if ayat:
        out.append('<ol class="ayat">')
        for a in ayat:
            # no id per ayat: it would change with every renumbering, and a live-preview
            # refresh resends every part that changed (preview_delta)
            out.append(f'<li><span class="no">{a.label}</span> {_esc(a.text)}')
            _blocks(a.blocks, out)
            out.append("</li>")
        out.append("</ol>")
    else:
        _blocks(tuple(b for b in pasal.blocks if not isinstance(b, Ayat)), out)
    out.append("</section>")


def _signature(block: SignatureBlock, css: str) -> str:
    lines = "<br>".join(_esc(x) for x in block.lines)
    return (
        f'<div class="ttd {css}"><p>{lines}</p><p>{_esc(block.jabatan)}</p>'
        f'<p class="ruang-ttd"></p><p class="nama">{_esc(block.name)}</p></div>'
    )


def render_html(doc: Document, *, kind: str = "rancangan") -> str:
    """The regulation as one HTML fragment (escaped; no scripts, no styles); a naskah is
    refused (``NotSignable``) while markers remain."""
    kind = check_kind(doc, kind)
    h = doc.header
    out: list[str] = [
        f'<article class="perdes" data-template="{_esc(doc.template_slug)}" '
        f'data-version="{_esc(doc.template_version)}" data-kind="{kind}">',
        *([f'<p class="tanda-rancangan">{DRAFT_HEADING}</p>'] if kind == "rancangan" else []),
        *(
            f'<p class="catatan-rancangan">{_esc(n)}</p>'
            for n in draft_notes(doc)
            if kind == "rancangan"
        ),
        '<header class="judul">',
        f"<p>{_esc(h.jabatan)}<br>{_esc(h.kabupaten)}</p>",
        f"<h2>{_esc(h.jenis)}<br>{_esc(h.nomor)}<br>TENTANG<br>{_esc(h.title)}</h2>",
        "</header>",
        '<section class="pembukaan">',
        f'<p class="frasa">{_esc(doc.pembukaan[0])}</p>',
        f'<p class="jabatan">{_esc(doc.pembukaan[1])}</p>',
        '<dl class="konsiderans"><dt>Menimbang</dt><dd><ol class="menimbang">',
    ]
    for label, text in doc.menimbang:
        out.append(f'<li><span class="no">{label}</span> {_esc(text)}</li>')
    out.append('</ol></dd><dt>Mengingat</dt><dd><ol class="mengingat">')
    for c in doc.mengingat:
        if c.verified and c.complete:
            out.append(f'<li><span class="no">{c.label}</span> {_esc(c.text)}</li>')
        else:
            out.append(
                f'<li class="belum-verifikasi" data-citation="{_esc(c.key)}">'
                f'<span class="no">{c.label}</span> {_esc(c.text)}</li>'
            )
    out.append("</ol></dd></dl>")
    k = doc.kesepakatan
    if k:
        out.append(f'<p class="kesepakatan">{"<br>".join(_esc(x) for x in k)}</p>')
    out.append(f'<p class="diktum">{_esc(doc.diktum[0])}</p>')
    out.append(f'<dl class="menetapkan"><dt>Menetapkan</dt><dd>{_esc(doc.diktum[1])}</dd></dl>')
    out.append("</section>")
    for bab in doc.babs:
        out.append(
            f'<section class="bab" id="bab-{bab.number}" data-clause="{_esc(bab.clause_id)}">'
            + (f"<h3>{bab.label}<br>{_esc(bab.title)}</h3>" if bab.label else "")
        )
        for part in bab.parts:
            if isinstance(part, Bagian):
                out.append(
                    f'<section class="bagian" data-clause="{_esc(part.clause_id)}">'
                    f"<h4>{part.label}<br>{_esc(part.title)}</h4>"
                )
                for pasal in part.pasal:
                    _pasal(pasal, out, level=5)
                out.append("</section>")
            else:
                _pasal(part, out, level=4 if bab.label else 3)
        out.append("</section>")
    out.append('<footer class="penutup">')
    out.append(_signature(doc.penetapan, "penetapan"))
    if doc.pengundangan is not None:
        out.append(_signature(doc.pengundangan, "pengundangan"))
    lembaran = f'<p class="lembaran">{_esc(doc.lembaran)}</p>' if doc.lembaran else ""
    out.append(f"{lembaran}</footer>")
    p = doc.penjelasan
    if not p.heading:
        out.append("</article>")
        return "\n".join(out)
    out.append('<section class="penjelasan">')
    out.append(f"<h3>{'<br>'.join(_esc(x) for x in p.heading)}</h3>")
    out.append("<h4>I. UMUM</h4>")
    out.extend(f"<p>{_esc(x)}</p>" for x in p.umum)
    out.append("<h4>II. PASAL DEMI PASAL</h4>")
    for pasal, expl in p.pasal:
        out.append(f'<section class="pasal-penjelasan" data-clause="{_esc(pasal.clause_id)}">')
        out.append(f"<h5>{pasal.label}</h5>")
        if not expl.paragraphs and not expl.ayat:
            out.append("<p>Cukup jelas.</p>")
        out.extend(f"<p>{_esc(x)}</p>" for x in expl.paragraphs)
        for label, text in expl.ayat:
            out.append(f'<p class="ayat-penjelasan">{label}</p><p class="isi">{_esc(text)}</p>')
        out.append("</section>")
    out.append("</section></article>")
    return "\n".join(out)

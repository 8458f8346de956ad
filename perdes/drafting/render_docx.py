"""DOCX rendering: WordprocessingML text for the body inside a cached base package.

Numbers are literal text ("(1)", "a.") with hanging indents and tab stops, so Word,
LibreOffice and print agree. Comments on a Pasal become real Word comments anchored to
its "Pasal N" heading.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Literal

import docx

from perdes.drafting.catalogue import MARKS
from perdes.drafting.docx_base import base_package, style_id
from perdes.drafting.model import Ayat, Bagian, DocComment, Document, Item, Para, Pasal
from perdes.drafting.signing import DRAFT_HEADING, check_kind, draft_notes
from perdes.drafting.textclean import clean_text

_MARK_SPLIT = re.compile("(" + "|".join(re.escape(m) for m in MARKS) + ")")

_CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
    "<dc:creator>Perdes PMI</dc:creator><cp:keywords>{keywords}</cp:keywords>"
    "<dc:description>{description}</dc:description><cp:revision>1</cp:revision>"
    '<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
    '<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>'
    "<cp:category>Peraturan Desa</cp:category></cp:coreProperties>"
)
Paper = Literal["F4", "A4"]
UNVERIFIED_PREFIX = "dasar hukum belum diverifikasi"


def _esc(text: str) -> str:
    text = clean_text(text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _run(body: str, props: str = "") -> str:
    if "\t" in body or "\n" in body:
        body = body.replace("\t", '</w:t><w:tab/><w:t xml:space="preserve">')
        body = body.replace("\n", '</w:t><w:br/><w:t xml:space="preserve">')
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{body}</w:t></w:r>'


def _runs(text: str) -> str:
    """Text as runs; tabs and line breaks become <w:tab/> and <w:br/>; the markers of
    unverified or blank facts are highlighted so nobody misses them."""
    out: list[str] = []
    for part in _MARK_SPLIT.split(_esc(text)):
        if part in MARKS:
            out.append(_run(part, '<w:b/><w:highlight w:val="yellow"/>'))
        elif part:
            out.append(_run(part))
    return "".join(out) or _run("")


class _Body:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.count = 0
        self.pasal_index: dict[str, int] = {}

    def p(self, style: str, text: str, extra: str = "") -> None:
        self.parts.append(
            f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{extra}</w:pPr>{_runs(text)}</w:p>'
        )
        self.count += 1


S = {name: style_id(name) for name in (
    "PD Judul", "PD Tengah", "PD Bab", "PD Pasal", "PD Teks", "PD Konsiderans", "PD Ayat",
    "PD Ayat Lanjut", "PD TTD", "PD TTD Kiri", "PD Lembaran", "PD Kiri",
)}  # fmt: skip
BUTIR = [style_id(f"PD Butir {n}") for n in range(1, 5)]
BUTIR_AYAT = [style_id(f"PD Butir Ayat {n}") for n in range(1, 5)]


def _items(b: _Body, items: Sequence[Item], in_ayat: bool) -> None:
    styles = BUTIR_AYAT if in_ayat else BUTIR
    for item in items:
        b.p(styles[item.level - 1], f"{item.label}\t{item.text}")
        _items(b, item.children, in_ayat)


def _diktum(b: _Body, pasal: Pasal) -> None:
    """A diktum of a Keputusan: "KESATU<tab>:<tab>text", items under it."""
    b.pasal_index[pasal.clause_id] = b.count
    lead = f"{pasal.label}\t:\t"
    for block in pasal.blocks:
        if isinstance(block, Item):
            _items(b, (block,), True)
        elif isinstance(block, Para):
            b.p(S["PD Konsiderans"], f"{lead}{block.text}")
            lead = "\t\t"
    if lead != "\t\t":  # a diktum made of items only still shows its label
        b.p(S["PD Konsiderans"], lead)


def _pasal(b: _Body, pasal: Pasal) -> None:
    if pasal.heading:
        _diktum(b, pasal)
        return
    b.pasal_index[pasal.clause_id] = b.count
    b.p(S["PD Pasal"], pasal.label)
    for block in pasal.blocks:
        if isinstance(block, Ayat):
            b.p(S["PD Ayat"], f"{block.label}\t{block.text}")
            for inner in block.blocks:
                if isinstance(inner, Item):
                    _items(b, (inner,), True)
                else:
                    b.p(S["PD Ayat Lanjut"], inner.text)
        elif isinstance(block, Item):
            _items(b, (block,), False)
        elif isinstance(block, Para):
            b.p(S["PD Teks"], block.text)


def _body(doc: Document, kind: str) -> _Body:
    b = _Body()
    h = doc.header
    if kind == "rancangan":
        b.p(
            S["PD Judul"],
            DRAFT_HEADING,
            '<w:pBdr><w:top w:val="single" w:sz="8" w:space="1" '
            'w:color="auto"/><w:bottom w:val="single" w:sz="8" w:space="1" w:color="auto"/>'
            "</w:pBdr>",
        )
        for note in draft_notes(doc):
            b.p(S["PD Tengah"], note)
    for line in (h.jabatan, h.kabupaten):
        b.p(S["PD Judul"], line)
    b.p(S["PD Judul"], h.jenis, '<w:spacing w:before="480"/>')
    for line in (h.nomor, "", "TENTANG", "", h.title, ""):
        b.p(S["PD Judul"], line)
    b.p(S["PD Judul"], doc.pembukaan[0])
    b.p(S["PD Tengah"], "")
    b.p(S["PD Judul"], doc.pembukaan[1])
    b.p(S["PD Tengah"], "")
    for i, (label, text) in enumerate(doc.menimbang):
        lead = "Menimbang\t:\t" if i == 0 else "\t\t"
        b.p(S["PD Konsiderans"], f"{lead}{label}\t{text}")
    b.p(S["PD Tengah"], "")
    for i, c in enumerate(doc.mengingat):
        lead = "Mengingat\t:\t" if i == 0 else "\t\t"
        b.p(S["PD Konsiderans"], f"{lead}{c.label}\t{c.text}")
    b.p(S["PD Tengah"], "")
    for line in doc.kesepakatan:
        b.p(S["PD Judul"] if line.isupper() else S["PD Tengah"], line)
    if doc.kesepakatan:
        b.p(S["PD Tengah"], "")
    b.p(S["PD Judul"], doc.diktum[0])
    b.p(S["PD Konsiderans"], f"Menetapkan\t:\t{doc.diktum[1]}")
    for bab in doc.babs:
        if bab.label:  # a Keputusan has no BAB
            b.p(S["PD Bab"], bab.label)
            b.p(S["PD Judul"], bab.title)
        for part in bab.parts:
            if isinstance(part, Bagian):
                b.p(S["PD Bab"], part.label)
                b.p(S["PD Judul"], part.title)
                for pasal in part.pasal:
                    _pasal(b, pasal)
            else:
                _pasal(b, part)
    b.p(S["PD Tengah"], "")
    for block, style in ((doc.penetapan, S["PD TTD"]), (doc.pengundangan, S["PD TTD Kiri"])):
        if block is None:
            continue
        for line in block.lines:
            b.p(style, line)
        b.p(style, block.jabatan)
        for _ in range(3):
            b.p(style, "")
        b.p(style, block.name)
        b.p(style, "")
    if doc.lembaran:
        b.p(S["PD Lembaran"], doc.lembaran)
    p = doc.penjelasan
    if not p.heading:
        return b
    b.p(S["PD Judul"], p.heading[0], "<w:pageBreakBefore/>")
    for line in p.heading[1:]:
        b.p(S["PD Judul"], line)
    b.p(S["PD Kiri"], "I.\tUMUM", '<w:spacing w:before="240"/>')
    for text in p.umum:
        b.p(S["PD Teks"], text, '<w:ind w:firstLine="567"/>')
    b.p(S["PD Kiri"], "II.\tPASAL DEMI PASAL", '<w:spacing w:before="240"/>')
    for pasal, expl in p.pasal:
        b.p(S["PD Kiri"], pasal.label, '<w:spacing w:before="120"/>')
        if not expl.paragraphs and not expl.ayat:
            b.p(S["PD Ayat Lanjut"], "Cukup jelas.")
        for text in expl.paragraphs:
            b.p(S["PD Ayat Lanjut"], text)
        for label, text in expl.ayat:
            b.p(S["PD Ayat Lanjut"], label, "<w:keepNext/>")
            b.p(S["PD Ayat Lanjut"], text, '<w:ind w:left="1134"/>')
    return b


def _core(doc: Document) -> str:
    unverified = doc.unverified_citations()
    keywords = list(doc.keywords)
    if unverified:
        keywords.append(f"{UNVERIFIED_PREFIX}: " + ", ".join(c.key for c in unverified))
    description = "; ".join(c.text.rstrip(";") for c in unverified)
    if description:
        description = f"Dasar hukum belum diverifikasi: {description}"
    return _CORE.format(
        title=_esc(doc.title),
        subject=_esc(doc.header.title.title()),
        keywords=_esc("; ".join(keywords)),
        description=_esc(description),
        now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    )


def render_docx(
    doc: Document,
    *,
    paper: Paper = "F4",
    font_name: str = "Bookman Old Style",
    font_size_pt: float = 12,
    comments: Mapping[str, Sequence[DocComment]] | None = None,
    kind: str = "rancangan",
) -> bytes:
    """The regulation as DOCX bytes (F4 or A4 paper).

    A rancangan starts with a boxed "RANCANGAN" line; a naskah untuk ditandatangani is
    refused (``NotSignable``, listing what to complete) while any marker remains.

    ``comments`` maps a Pasal clause id to comments anchored to its heading. Raises
    ``ValueError`` for an unknown paper size or a comment on a Pasal not in ``doc``.
    """
    if paper not in ("F4", "A4"):
        raise ValueError(f"unknown paper size {paper!r} (F4 or A4)")
    kind = check_kind(doc, kind)
    base = base_package(paper, font_name, float(font_size_pt))
    body = _body(doc, kind)
    xml = f"{base.document_head}{''.join(body.parts)}{base.sect_pr}</w:body></w:document>"
    buf = io.BytesIO(base.zip_bytes)
    buf.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", xml.encode("utf-8"))
        z.writestr("docProps/core.xml", _core(doc).encode("utf-8"))
    data = buf.getvalue()
    if comments:
        data = _add_comments(data, body.pasal_index, comments)
    return data


def _add_comments(
    data: bytes, index: Mapping[str, int], comments: Mapping[str, Sequence[DocComment]]
) -> bytes:
    unknown = [cid for cid in comments if cid not in index]
    if unknown:
        raise ValueError(f"comments on Pasal not in the document: {', '.join(unknown)}")
    d = docx.Document(io.BytesIO(data))
    paragraphs = d.paragraphs
    for cid, items in comments.items():
        runs = paragraphs[index[cid]].runs
        for c in items:
            d.add_comment(
                runs, text=clean_text(c.text), author=clean_text(c.author), initials=c.initials
            )
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def render_paragraphs_docx(
    paragraphs: Sequence[tuple[str, str]],
    *,
    title: str,
    subject: str = "",
    paper: Paper = "F4",
    font_name: str = "Bookman Old Style",
    font_size_pt: float = 12,
) -> bytes:
    """A plain document (a letter, a berita acara) as DOCX: ``(style name, text)`` per
    paragraph, in the same package, fonts and styles as the regulations; markers of
    unverified or blank facts are highlighted as in the body of a regulation."""
    base = base_package(paper, font_name, float(font_size_pt))
    body = _Body()
    for style, text in paragraphs:
        body.p(style_id(style), text)
    xml = f"{base.document_head}{''.join(body.parts)}{base.sect_pr}</w:body></w:document>"
    core = _CORE.format(
        title=_esc(title),
        subject=_esc(subject),
        keywords="",
        description="",
        now=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ).replace(">Peraturan Desa</cp:category>", ">Dokumen tahapan</cp:category>")
    buf = io.BytesIO(base.zip_bytes)
    buf.seek(0, io.SEEK_END)
    with zipfile.ZipFile(buf, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", xml.encode("utf-8"))
        z.writestr("docProps/core.xml", core.encode("utf-8"))
    return buf.getvalue()

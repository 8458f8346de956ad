import io
import itertools
import zipfile
from dataclasses import replace

import docx
import pytest
from bs4 import BeautifulSoup
from docx.shared import Length, Pt
from drafting_support import LONTAR, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.manifest import Template
from perdes.drafting.model import Bagian, DocComment, Document, Para, Pasal
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import pasal_texts


def _mm(*lengths: Length | None) -> tuple[int, ...]:
    return tuple(round(x.mm) if x is not None else -1 for x in lengths)


def _open(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def test_docx_page_setup_font_and_styles(lontar_doc: Document) -> None:
    d = _open(render_docx(lontar_doc))
    section = d.sections[0]
    assert _mm(section.page_width, section.page_height) == (215, 330)
    assert d.styles["Normal"].font.name == "Bookman Old Style"
    assert d.styles["Normal"].font.size == Pt(12)
    pasal = next(p for p in d.paragraphs if p.text == "Pasal 1")
    assert pasal.style is not None and pasal.style.name == "PD Pasal"
    assert pasal.style.paragraph_format.keep_with_next
    ayat = next(p for p in d.paragraphs if p.text.startswith("(1)\t"))
    fmt = ayat.style.paragraph_format  # type: ignore[union-attr]
    assert fmt.first_line_indent is not None and fmt.first_line_indent < 0  # hanging indent
    footer_xml = section.footer._element.xml
    assert 'w:instr="PAGE"' in footer_xml
    penjelasan = next(p for p in d.paragraphs if p.text == "PENJELASAN")
    assert penjelasan.paragraph_format.page_break_before


def test_docx_a4_and_other_font(lontar_doc: Document) -> None:
    d = _open(render_docx(lontar_doc, paper="A4", font_name="Arial", font_size_pt=11))
    assert _mm(d.sections[0].page_width, d.sections[0].page_height) == (210, 297)
    assert d.styles["Normal"].font.name == "Arial"
    assert d.styles["Normal"].font.size == Pt(11)
    with pytest.raises(ValueError, match="paper"):
        render_docx(lontar_doc, paper="Letter")  # type: ignore[arg-type]


def test_docx_properties_list_unverified_citations(lontar_doc: Document) -> None:
    props = _open(render_docx(lontar_doc)).core_properties
    assert (
        props.title
        == "Peraturan Desa Lontar Nomor 3 Tahun 2026 tentang Pelindungan Pekerja Migran Indonesia"
    )
    assert props.subject == "Pelindungan Pekerja Migran Indonesia"
    unverified = [c.key for c in lontar_doc.unverified_citations()]
    assert unverified and "pp-59-2021" in unverified
    for key in unverified:
        assert key in props.keywords
    assert "Peraturan Pemerintah Nomor 59 Tahun 2021" in props.comments


def test_docx_comments_anchor_to_the_pasal_heading(lontar_doc: Document) -> None:
    comments = {
        "tugas.pemdes": [DocComment("BPD Lontar", "Tambahkan tugas pendataan anak.", "BPD")],
        "pembiayaan.sumber": [
            DocComment("Camat", "Sebutkan persentase."),
            DocComment("Warga", "Setuju"),
        ],
    }
    data = render_docx(lontar_doc, comments=comments)
    d = _open(data)
    assert sorted(c.text for c in d.comments) == [
        "Sebutkan persentase.",
        "Setuju",
        "Tambahkan tugas pendataan anak.",
    ]
    number = next(p.number for p in lontar_doc.all_pasal() if p.clause_id == "tugas.pemdes")
    document_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    anchored = document_xml.split("<w:commentRangeStart")[1]
    assert f"Pasal {number}<" in anchored.split("<w:commentRangeEnd")[0]
    with pytest.raises(ValueError, match=r"tidak\.ada"):
        render_docx(lontar_doc, comments={"tidak.ada": [DocComment("x", "y")]})


def test_docx_cleans_text_xml_forbids(lontar_doc: Document) -> None:
    pasal = Pasal("x", 1, (Para("baris satu\x0bbaris dua\x00\x1f & <tag>"),))
    bab = lontar_doc.babs[0].__class__("x", 1, "BAB I", "UJI", (pasal,))
    doc = lontar_doc.__class__(**{**lontar_doc.__dict__, "babs": (bab,)})
    d = _open(render_docx(doc))
    texts = [p.text for p in d.paragraphs]
    assert "baris satu\nbaris dua & <tag>" in texts


def _heading_levels(html: str) -> list[int]:
    soup = BeautifulSoup(html, "html.parser")
    return [int(h.name[1]) for h in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"])]


@pytest.mark.parametrize("with_bagian", [True, False])
def test_html_heading_levels_never_skip(template: Template, with_bagian: bool) -> None:
    """axe-core "heading-order": after the page's h1, each heading is at most one level
    deeper than the one before, whether a BAB holds Bagian or Pasal directly."""
    doc = assemble(template, village=LONTAR, values={}, options={}, today=TODAY)
    has_bagian = any(isinstance(p, Bagian) for bab in doc.babs for p in bab.parts)
    has_direct = any(isinstance(p, Pasal) for bab in doc.babs for p in bab.parts)
    assert has_bagian and has_direct  # the default draft exercises both shapes
    if not with_bagian:  # the same text with every Bagian dissolved into its BAB
        doc = replace(
            doc,
            babs=tuple(
                replace(
                    bab,
                    parts=tuple(
                        q for p in bab.parts for q in (p.pasal if isinstance(p, Bagian) else (p,))
                    ),
                )
                for bab in doc.babs
            ),
        )
    levels = [1, *_heading_levels(render_html(doc))]
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), levels


def test_html_is_semantic_and_marks_unverified(lontar_doc: Document) -> None:
    soup = BeautifulSoup(render_html(lontar_doc), "html.parser")
    article = soup.select_one("article.perdes")
    assert article is not None
    sections = soup.select("section.pasal")
    assert len(sections) == len(lontar_doc.all_pasal())
    assert sections[0]["id"] == "pasal-1" and sections[0]["data-clause"] == "umum.definisi"
    heading = sections[0].select_one(".judul-pasal")
    assert heading is not None and heading.text == "Pasal 1"
    assert soup.select("h1") == []
    marked = soup.select("ol.mengingat li.belum-verifikasi")
    assert {li["data-citation"] for li in marked} == {
        c.key for c in lontar_doc.unverified_citations()
    }
    assert all("belum diverifikasi" in li.text for li in marked)
    assert soup.select("script") == []


def test_pasal_texts_for_diffs(template: Template) -> None:
    doc = assemble(template, village=LONTAR, values={}, options={}, today=TODAY)
    texts = pasal_texts(doc)
    assert [label for _, label, _ in texts] == [p.label for p in doc.all_pasal()]
    cid, label, text = texts[1]
    assert (cid, label) == ("asas.asas", "Pasal 2")
    assert text.splitlines()[1] == "a. keterpaduan;"

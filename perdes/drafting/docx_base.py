"""The cached base package for DOCX output: styles, page setup, footer, built once.

python-docx's high-level API costs about 0.1 ms per property set, so it is used only
here, once per (paper, font, size); the body is generated as WordprocessingML text.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Mm, Pt

PAPERS = {"F4": (Mm(215), Mm(330)), "A4": (Mm(210), Mm(297))}
ITEM_STEP_CM = 0.75
AYAT_CM = 1.0
LABEL_CM = (2.9, 3.4, 4.15)  # Menimbang/Mengingat: colon, number, text


@dataclass(frozen=True)
class BasePackage:
    """Zip bytes without the document body and core properties, plus XML fragments."""

    zip_bytes: bytes
    document_head: str  # everything up to and including <w:body>
    sect_pr: str


def _style(d: docx.document.Document, name: str, **kw: object) -> None:
    style = d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = d.styles["Normal"]
    pf = style.paragraph_format
    align = kw.get("align", WD_ALIGN_PARAGRAPH.JUSTIFY)
    pf.alignment = align
    if "left" in kw:
        pf.left_indent = Cm(float(kw["left"]))  # type: ignore[arg-type]  # style options arrive as **kw: object; all are numbers
    if "right" in kw:
        pf.right_indent = Cm(float(kw["right"]))  # type: ignore[arg-type]  # style options arrive as **kw: object; all are numbers
    if "hanging" in kw:
        pf.first_line_indent = Cm(-float(kw["hanging"]))  # type: ignore[arg-type]  # style options arrive as **kw: object; all are numbers
    for tab in kw.get("tabs", ()):  # type: ignore[attr-defined]  # a tuple of numbers in **kw: object
        pf.tab_stops.add_tab_stop(Cm(tab))
    pf.space_before = Pt(float(kw.get("before", 0)))  # type: ignore[arg-type]  # style options arrive as **kw: object; all are numbers
    pf.space_after = Pt(float(kw.get("after", 0)))  # type: ignore[arg-type]  # style options arrive as **kw: object; all are numbers
    pf.keep_with_next = bool(kw.get("keep", False))
    if kw.get("bold"):
        style.font.bold = True


# style name → keyword arguments; ids are the names without spaces
STYLES: dict[str, dict[str, object]] = {
    "PD Judul": {"align": WD_ALIGN_PARAGRAPH.CENTER, "bold": True, "keep": True},
    "PD Tengah": {"align": WD_ALIGN_PARAGRAPH.CENTER, "keep": True},
    "PD Bab": {"align": WD_ALIGN_PARAGRAPH.CENTER, "keep": True, "before": 12, "bold": True},
    "PD Pasal": {"align": WD_ALIGN_PARAGRAPH.CENTER, "keep": True, "before": 12},
    "PD Teks": {"after": 3},
    "PD Konsiderans": {"left": LABEL_CM[2], "hanging": LABEL_CM[2], "tabs": LABEL_CM, "after": 3},
    "PD Ayat": {"left": AYAT_CM, "hanging": AYAT_CM, "tabs": (AYAT_CM,), "after": 3},
    "PD Ayat Lanjut": {"left": AYAT_CM, "after": 3},
    "PD TTD": {"align": WD_ALIGN_PARAGRAPH.CENTER, "left": 8.5, "keep": True},
    "PD TTD Kiri": {"align": WD_ALIGN_PARAGRAPH.CENTER, "right": 8.5, "keep": True},
    "PD Lembaran": {"align": WD_ALIGN_PARAGRAPH.LEFT, "before": 12, "bold": True},
    "PD Kiri": {"align": WD_ALIGN_PARAGRAPH.LEFT, "keep": True},
}
for _lvl in range(1, 5):
    STYLES[f"PD Butir {_lvl}"] = {
        "left": ITEM_STEP_CM * _lvl,
        "hanging": ITEM_STEP_CM,
        "tabs": (ITEM_STEP_CM * _lvl,),
    }
    STYLES[f"PD Butir Ayat {_lvl}"] = {
        "left": AYAT_CM + ITEM_STEP_CM * _lvl,
        "hanging": ITEM_STEP_CM,
        "tabs": (AYAT_CM + ITEM_STEP_CM * _lvl,),
    }


def style_id(name: str) -> str:
    return name.replace(" ", "")


@lru_cache(maxsize=8)
def base_package(paper: str, font_name: str, font_size_pt: float) -> BasePackage:
    """Build (once per arguments) the package every DOCX of that layout shares."""
    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = font_name
    normal.font.size = Pt(font_size_pt)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(f"{{{rpr.nsmap['w']}}}rFonts")
    if fonts is not None:  # east-asian and complex-script text use the same font
        for attr in ("w:eastAsia", "w:cs"):
            fonts.set(docx.oxml.ns.qn(attr), font_name)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    for name, kw in STYLES.items():
        _style(d, name, **kw)
    section = d.sections[0]
    section.page_width, section.page_height = PAPERS[paper]
    section.top_margin = section.bottom_margin = Cm(2.5)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )
    buf = io.BytesIO()
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    document_xml = src.read("word/document.xml").decode("utf-8")
    head = document_xml[: document_xml.index("<w:body>") + len("<w:body>")]
    match = re.search(r"<w:sectPr\b.*</w:sectPr>", document_xml, re.S)
    assert match is not None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in (
                "word/document.xml",
                "docProps/core.xml",
                "docProps/thumbnail.jpeg",
            ):
                continue
            data = src.read(info.filename)
            if info.filename in ("[Content_Types].xml", "_rels/.rels"):
                data = re.sub(rb"<(Override|Relationship)\b[^>]*thumbnail[^>]*/>", b"", data)
            dst.writestr(info.filename, data)
    return BasePackage(out.getvalue(), head, match.group(0))

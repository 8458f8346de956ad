"""Golden files for a fixed input; set PERDES_UPDATE_GOLDEN=1 to rewrite them."""

import io
import os
from pathlib import Path

import docx
import pytest
from drafting_support import DESA_KOTA, GAMPONG, NAGARI_TIKU, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.manifest import Template
from perdes.drafting.model import Document, VillageContext
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import render_text

GOLDEN = Path(__file__).parent / "golden"


def _docx_paragraphs(doc: Document) -> str:
    opened = docx.Document(io.BytesIO(render_docx(doc)))
    return "\n".join(p.text for p in opened.paragraphs) + "\n"


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("pelindungan-pmi.docx.txt", _docx_paragraphs),
        ("pelindungan-pmi.html", render_html),
        ("pelindungan-pmi.txt", render_text),
    ],
)
def test_golden(lontar_doc: Document, name: str, render: object) -> None:
    assert callable(render)
    actual = render(lontar_doc)
    path = GOLDEN / name
    if os.environ.get("PERDES_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "village"),
    [("gampong-aceh", GAMPONG), ("nagari-sumbar", NAGARI_TIKU), ("desa-di-kota", DESA_KOTA)],
)
def test_golden_local_forms(template: Template, name: str, village: VillageContext) -> None:
    """The default draft for a gampong, a nagari and a desa in a kota (issue #12, 7)."""
    actual = render_text(assemble(template, village=village, values={}, options={}, today=TODAY))
    path = GOLDEN / f"pelindungan-pmi.{name}.txt"
    if os.environ.get("PERDES_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")

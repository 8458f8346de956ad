"""Golden files for a fixed input; set PERDES_UPDATE_GOLDEN=1 to rewrite them."""

import io
import os
from pathlib import Path

import docx
import pytest
from drafting_support import DESA_KOTA, GAMPONG, GOLDEN_VALUES, LONTAR, NAGARI_TIKU, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.edits import AddAyat, InsertPasal, RemoveAyat, SetText
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


LONTAR_EDITS = [
    SetText(
        "tugas.pemdes",
        3,
        "Pelaksanaan tugas sebagaimana dimaksud pada [[ref:tugas.pemdes/1]] dikoordinasikan "
        "oleh Sekretaris Desa dan dilaporkan kepada BPD setiap 6 (enam) bulan.",
    ),
    RemoveAyat("tugas.pemdes", 2),
    AddAyat("hak.keluarga", 1, 101, "Hak sebagaimana dimaksud pada [[ref:hak.keluarga/1]] "
            "dipenuhi tanpa pungutan."),
    InsertPasal("asas.tujuan", "sisipan-1", (
        "Pemerintah Desa menyusun rencana kerja Pelindungan PMI setiap tahun.",
        "Rencana kerja sebagaimana dimaksud pada [[ref:sisipan-1/1]] memuat kegiatan "
        "sebagaimana dimaksud dalam [[ref:tugas.pemdes]].",
    )),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "render"),
    [("pelindungan-pmi.edited.txt", render_text), ("pelindungan-pmi.edited.html", render_html)],
)
def test_golden_with_edits(template: Template, name: str, render: object) -> None:
    """Desa Lontar's draft with the drafter's wording over the template (issue #17, 1)."""
    assert callable(render)
    doc = assemble(
        template, village=LONTAR, values=GOLDEN_VALUES, options={}, today=TODAY, edits=LONTAR_EDITS
    )
    assert doc.edit_flags == ()
    actual = render(doc)
    path = GOLDEN / name
    if os.environ.get("PERDES_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")

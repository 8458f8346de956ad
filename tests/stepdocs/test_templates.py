"""Step documents as templates (issue #17, point 3): every template loads, golden DOCX per
document, what is missing is listed, unverified facts are marked, LibreOffice opens them."""

import io
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest

from perdes.drafting.render_docx import render_paragraphs_docx
from perdes.drafting.stepdocs import (
    MissingData,
    StepDocument,
    StepTemplateError,
    assemble_step,
    list_step_templates,
    load_step_template,
)
from perdes.tracking.stages import Stage

GOLDEN = Path(__file__).parent / "golden"
LONTAR_DATA = {
    "desa": "Desa",
    "nama_desa": "Lontar",
    "kades": "Kepala Desa",
    "bpd": "Badan Permusyawaratan Desa",
    "bpd_singkat": "Badan Permusyawaratan Desa",
    "perdes": "Peraturan Desa",
    "pemdes": "Pemerintah Desa",
    "sekdes": "Sekretaris Desa",
    "sebutan_kecamatan": "Kecamatan",
    "camat": "Camat",
    "kecamatan": "Tirtayasa",
    "kabupaten": "Kabupaten Serang",
    "nama_daerah": "Serang",
    "bupati": "Bupati",
    "provinsi": "Banten",
    "nama_kepala_desa": "Junali Abdullah",
    "nama_sekretaris_desa": "Siti Rohmah",
    "nama_ketua_bpd": "Ahmad Fauzi",
    "judul": "Pelindungan Pekerja Migran Indonesia",
    "tanggal_kesepakatan": date(2026, 11, 2),
    "nomor_berita_acara": "141/03/BPD/2026",
    "nomor_perdes": "3",
    "tanggal_penetapan": date(2026, 11, 9),
    "tanggal_pengundangan": date(2026, 11, 10),
    "tahun_lembaran": 2026,
    "nomor_lembaran": "3",
    "nomor_surat_laporan": "141/88/2026",
    "tanggal_laporan": date(2026, 11, 13),
    "revisi_bpd": 4,
    "hari_ini": date(2026, 11, 27),
}
INPUTS = {
    "tanggal_acara": date(2026, 12, 3),
    "jam_acara": "09.00 WIB",
    "tempat_acara": "Balai Desa Lontar",
    "nomor_surat": "005/12/2026",
}
SLUGS = [t.slug for t in list_step_templates()]


def _doc(slug: str) -> StepDocument:
    return assemble_step(load_step_template(slug), data=LONTAR_DATA, inputs=INPUTS)


def _paragraphs(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs) + "\n"


def test_the_six_documents_exist_for_their_stages() -> None:
    stages = {t.slug: Stage(t.stage) for t in list_step_templates()}
    assert stages == {
        "undangan-konsultasi": Stage.KONSULTASI,
        "berita-acara-kesepakatan": Stage.DISEPAKATI,
        "surat-penyampaian-evaluasi": Stage.DISEPAKATI,
        "surat-penyampaian-klarifikasi": Stage.DIUNDANGKAN,
        "lembaran-desa": Stage.DIUNDANGKAN,
        "laporan-perdes": Stage.DILAPORKAN,
    }
    evaluation = load_step_template("surat-penyampaian-evaluasi")
    clarification = load_step_template("surat-penyampaian-klarifikasi")
    assert evaluation.applies_to(True) and not evaluation.applies_to(False)
    assert clarification.applies_to(False) and not clarification.applies_to(True)


@pytest.mark.parametrize("slug", SLUGS)
def test_golden_docx(slug: str) -> None:
    doc = _doc(slug)
    actual = _paragraphs(render_paragraphs_docx(doc.paragraphs, title=doc.title))
    path = GOLDEN / f"{slug}.docx.txt"
    if os.environ.get("PERDES_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def test_berita_acara_reads_the_tracker_data() -> None:
    text = "\n".join(t for _, t in _doc("berita-acara-kesepakatan").paragraphs)
    assert "Pada hari ini Senin, tanggal 2 November 2026" in text
    assert "NOMOR 141/03/BPD/2026" in text
    assert "(revisi 4 yang diajukan kepada Badan Permusyawaratan Desa)" in text
    assert "paling lambat 7 (tujuh) hari kerja" in text
    assert "AHMAD FAUZI" in text and "JUNALI ABDULLAH" in text


def test_unverified_route_via_the_camat_is_marked_and_highlighted() -> None:
    doc = _doc("surat-penyampaian-klarifikasi")
    assert ("PD Teks", "melalui Camat Tirtayasa [belum diverifikasi]") in doc.paragraphs
    data = render_paragraphs_docx(doc.paragraphs, title=doc.title)
    marked = [
        r
        for p in docx.Document(io.BytesIO(data)).paragraphs
        for r in p.runs
        if r.text == "[belum diverifikasi]"
    ]
    assert marked and all(r.font.highlight_color is not None for r in marked)
    # A verified fact carries no marker.
    assert not any("[belum" in t for _, t in _doc("lembaran-desa").paragraphs)


def test_missing_data_is_listed_all_at_once() -> None:
    blanks = {"nomor_perdes": "", "tanggal_pengundangan": None, "nama_sekretaris_desa": ""}
    data = {**LONTAR_DATA, **blanks}
    with pytest.raises(MissingData) as caught:
        assemble_step(load_step_template("lembaran-desa"), data=data, inputs={})
    assert [k for k, _ in caught.value.missing] == [
        "nomor_perdes",
        "tanggal_pengundangan",
        "nama_sekretaris_desa",
    ]
    assert "Ditetapkan" in dict(caught.value.missing)["nomor_perdes"]
    with pytest.raises(MissingData) as caught:
        assemble_step(load_step_template("undangan-konsultasi"), data=LONTAR_DATA, inputs={})
    assert [k for k, _ in caught.value.missing] == ["tanggal_acara", "jam_acara", "tempat_acara"]


def test_a_broken_template_names_its_problem(tmp_path: Path) -> None:
    folder = tmp_path / "rusak"
    folder.mkdir()
    (folder / "manifest.yaml").write_text(
        "slug: rusak\ntitle: x\nversion: '1'\nstage: disepakati\nfile_name: x\n"
        "facts:\n  a: {text: x, verified: true}\n",
        encoding="utf-8",
    )
    (folder / "isi.txt").write_text("teks\n", encoding="utf-8")
    with pytest.raises(StepTemplateError, match="verified but names no source"):
        load_step_template("rusak", root=tmp_path)
    (folder / "manifest.yaml").write_text(
        "slug: rusak\ntitle: x\nversion: '1'\nstage: disepakati\nfile_name: x\n", encoding="utf-8"
    )
    (folder / "isi.txt").write_text("{{ tidak_ditutup\n", encoding="utf-8")
    with pytest.raises(StepTemplateError, match=r"isi\.txt:1"):
        load_step_template("rusak", root=tmp_path)


@pytest.mark.slow
def test_libreoffice_opens_every_step_document(tmp_path: Path) -> None:
    tools = (shutil.which("soffice"), shutil.which("pdftotext"))
    if not all(tools):
        if os.environ.get("PERDES_REQUIRE_LIBREOFFICE") == "1":
            pytest.fail("PERDES_REQUIRE_LIBREOFFICE=1 but soffice/pdftotext is missing")
        pytest.skip("LibreOffice or poppler-utils not installed")
    soffice, pdftotext = tools
    sources = []
    for slug in SLUGS:
        doc = _doc(slug)
        path = tmp_path / f"{slug}.docx"
        path.write_bytes(render_paragraphs_docx(doc.paragraphs, title=doc.title))
        sources.append(str(path))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [str(soffice), f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), *sources],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    for slug in SLUGS:
        text = subprocess.run(
            [str(pdftotext), str(tmp_path / f"{slug}.pdf"), "-"],
            check=True, capture_output=True, text=True, timeout=60,
        ).stdout  # fmt: skip
        assert "LONTAR" in text.upper(), slug


def test_a_template_added_on_disk_is_listed_once_the_list_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The list is reused for a few seconds per process, then read from disk again."""
    from perdes.drafting import stepdocs

    clock = [1000.0]
    monkeypatch.setattr(stepdocs.time, "monotonic", lambda: clock[0])
    shutil.copytree(stepdocs.step_root() / "laporan-perdes", tmp_path / "laporan-perdes")
    assert [t.slug for t in list_step_templates(tmp_path)] == ["laporan-perdes"]
    shutil.copytree(
        stepdocs.step_root() / "berita-acara-kesepakatan", tmp_path / "berita-acara-kesepakatan"
    )
    clock[0] += stepdocs.LIST_SECONDS / 2
    assert [t.slug for t in list_step_templates(tmp_path)] == ["laporan-perdes"]
    clock[0] += stepdocs.LIST_SECONDS
    slugs = [t.slug for t in list_step_templates(tmp_path)]
    assert slugs == ["berita-acara-kesepakatan", "laporan-perdes"]
    shutil.rmtree(tmp_path / "laporan-perdes")
    clock[0] += stepdocs.LIST_SECONDS
    assert [t.slug for t in list_step_templates(tmp_path)] == ["berita-acara-kesepakatan"]

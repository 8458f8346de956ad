"""Step documents on the tracker page and their downloads (issue #17, point 3): scoped like
the tracker, what is missing listed, typed inputs checked."""

import io
import os
import shutil
from datetime import date, timedelta

import docx
import pytest
from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.drafting.workspace import pdf as pdf_module
from perdes.profiles import services as profiles
from perdes.tracking import services as tracking
from perdes.tracking.stages import Stage
from tests.factories import KELURAHAN, LONTAR, PONTANG
from tests.tracking.helpers import walk
from tests.web.test_drafts_routes import PROFILE

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture()
def lontar_profile(db, regions):
    """The officials' names, the BPD chair left out (one test shows it is then asked for)."""
    profiles.update_profile(db, actor=Principal.system(), code=LONTAR, data=PROFILE)


def _with_bpd_chair(db) -> None:
    data = {**PROFILE, "ketua_bpd_name": "Ahmad Fauzi"}
    profiles.update_profile(db, actor=Principal.system(), code=LONTAR, data=data)


def _adoption(db, until: Stage | None = None, perdes_type: str = "lainnya"):
    adoption = tracking.start_adoption(
        db, actor=Principal.system(), village_code=LONTAR, perdes_type=perdes_type
    )
    if until is not None:
        walk(db, Principal.system(), adoption, until)
    return adoption


def _text(response) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


def test_tracker_offers_the_documents_of_its_steps(client, db, lontar_profile):
    _with_bpd_chair(db)
    adoption = _adoption(db, Stage.DISEPAKATI)
    client.login_as(db, "operator")
    page = BeautifulSoup(client.get(f"/desa/{LONTAR}").text, "html.parser")
    block = page.select_one(f"#adoption-{adoption.id} [data-testid=step-documents]")
    offered = {li["data-document"]: li for li in block.select("li")}
    # A PMI Perdes is not evaluated: its surat penyampaian is the one for klarifikasi.
    assert "surat-penyampaian-evaluasi" not in offered
    assert set(offered) == {
        "undangan-konsultasi",
        "berita-acara-kesepakatan",
        "surat-penyampaian-klarifikasi",
        "lembaran-desa",
        "laporan-perdes",
    }
    link = offered["berita-acara-kesepakatan"].select_one("a[data-testid=step-document-word]")
    assert link["href"] == f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/berita-acara-kesepakatan"
    assert "tersedia setelah" in offered["lembaran-desa"].text
    response = client.get(link["href"])
    assert response.status_code == 200 and response.headers["content-type"] == DOCX
    assert (
        'filename="Berita-Acara-Kesepakatan-Lontar.docx"'
        in (response.headers["content-disposition"])
    )
    text = _text(response)
    assert "NOMOR BA/01/2026" in text and "AHMAD SOBARI" in text and "AHMAD FAUZI" in text


def test_missing_data_is_listed(client, db, lontar_profile):
    adoption = _adoption(db, Stage.DISEPAKATI)
    client.login_as(db, "pendamping")  # reads the tracker, so reads its documents
    response = client.get(f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/lembaran-desa")
    assert response.status_code == 422
    message = BeautifulSoup(response.text, "html.parser").text
    assert "Dokumen belum dapat dibuat. Lengkapi dahulu:" in message
    for label in ("Nomor Peraturan Desa", "Tanggal pengundangan", "Nomor Lembaran Desa"):
        assert label in message
    # The profile lacks the BPD chair: the berita acara says so, and where to fill it in.
    response = client.get(f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/berita-acara-kesepakatan")
    assert response.status_code == 422 and "Nama Ketua BPD (profil desa) belum ada" in response.text


def test_invitation_takes_typed_inputs_and_checks_them(client, db, lontar_profile):
    adoption = _adoption(db, Stage.PENYUSUNAN)
    client.login_as(db, "operator")
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/undangan-konsultasi"
    empty = client.get(url)
    assert empty.status_code == 422
    assert "Tanggal konsultasi belum ada" in empty.text and "Tempat belum ada" in empty.text
    soon = (date.today() + timedelta(days=5)).isoformat()
    far = (date.today() + timedelta(days=900)).isoformat()
    bad = client.get(
        url, params={"tanggal_acara": far, "jam_acara": "09.00", "tempat_acara": "Balai"}
    )
    assert bad.status_code == 422 and "Tanggal tidak sah" in bad.text
    control = client.get(
        url, params={"tanggal_acara": soon, "jam_acara": "09.00", "tempat_acara": "Balai\x07"}
    )
    assert control.status_code == 422 and "karakter kontrol" in control.text
    ok = client.get(
        url,
        params={"tanggal_acara": soon, "jam_acara": "09.00 WIB",
                "tempat_acara": "<script>alert(1)</script> Balai Desa"},
    )  # fmt: skip
    assert ok.status_code == 200
    text = _text(ok)
    assert "<script>alert(1)</script> Balai Desa" in text  # literal text in Word, never markup
    assert "Nomor\t:\t…" in text


def test_evaluated_perdes_gets_the_evaluation_letter(client, db, lontar_profile):
    adoption = _adoption(db, Stage.DISEPAKATI, perdes_type="apb_desa")
    client.login_as(db, "operator")
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/surat-penyampaian-evaluasi"
    text = _text(client.get(url))
    assert "untuk dievaluasi" in text and "melalui Camat" in text and "[belum diverifikasi]" in text
    other = client.get(f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/surat-penyampaian-klarifikasi")
    assert other.status_code == 422 and "tidak berlaku untuk jenis Perdes ini" in other.text


def test_scoped_like_the_tracker(client, db, lontar_profile, regions):
    adoption = _adoption(db, Stage.DISEPAKATI)
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/berita-acara-kesepakatan"
    client.login_as(db, "operator", (PONTANG,))
    assert client.get(url).status_code == 404
    # The adoption id under another village's code is not found either, even for an admin.
    client.raw.cookies.clear()
    client.login_as(db, "admin")
    wrong = f"/desa/{PONTANG}/perdes/{adoption.id}/dokumen/berita-acara-kesepakatan"
    assert client.get(wrong).status_code == 404
    assert client.get(f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/tidak-ada").status_code == 404
    kelurahan = client.get(f"/desa/{KELURAHAN}/perdes/{adoption.id}/dokumen/lembaran-desa")
    assert kelurahan.status_code == 422 and "kelurahan" in kelurahan.text.lower()
    client.raw.cookies.clear()
    assert client.get(url).status_code in (302, 303, 401)  # anonymous: sign in first


@pytest.mark.slow
def test_pdf_through_libreoffice_or_a_clear_503(client, db, lontar_profile, monkeypatch):
    adoption = _adoption(db, Stage.DIUNDANGKAN)
    client.login_as(db, "operator")
    url = f"/desa/{LONTAR}/perdes/{adoption.id}/dokumen/lembaran-desa?format=pdf"
    if shutil.which("soffice"):
        response = client.get(url)
        assert response.status_code == 200, response.text[:300]
        assert response.content.startswith(b"%PDF")
        assert 'filename="Lembaran-Desa-Lontar.pdf"' in response.headers["content-disposition"]
        # asked again: the same PDF, byte for byte (LibreOffice would stamp a new creation
        # time), from the cache, also while LibreOffice is unavailable
        again = client.get(url)
        assert again.status_code == 200 and again.content == response.content
        monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
        assert client.get(url).content == response.content
    elif os.environ.get("PERDES_REQUIRE_LIBREOFFICE") == "1":
        pytest.fail("PERDES_REQUIRE_LIBREOFFICE=1 but soffice is missing")
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    # a document never converted: the clear 503
    soon = (date.today() + timedelta(days=5)).isoformat()
    unavailable = client.get(
        url.replace("lembaran-desa", "undangan-konsultasi"),
        params={
            "format": "pdf",
            "tanggal_acara": soon,
            "jam_acara": "09.00",
            "tempat_acara": "Balai",
        },
    )
    assert unavailable.status_code == 503 and "LibreOffice" in unavailable.text

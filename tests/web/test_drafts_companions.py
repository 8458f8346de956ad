"""A Peraturan Kepala Desa and a Keputusan Kepala Desa drafted in the same workspace
(issue #17, point 4): chosen on the list page, prefilled from the Perdes, no BPD mark."""

import io

import docx
from bs4 import BeautifulSoup

from tests.factories import LONTAR
from tests.web.test_drafts_routes import (  # noqa: F401  (fixture)
    first_preview,
    form_of,
    lontar_profile,
    record_lontar_perdes,
)


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def _create(client, template: str) -> int:
    page = client.get(f"/desa/{LONTAR}/rancangan/baru?template={template}")
    assert page.status_code == 200
    response = client.post(f"/desa/{LONTAR}/rancangan", form_of(page.text))
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["location"].split("?")[0].rsplit("/", 1)[1])


def test_list_offers_the_three_templates(client, db, lontar_profile):  # noqa: F811
    client.login_as(db, "operator")
    options = soup(client.get(f"/desa/{LONTAR}/rancangan")).select("#f-template option")
    assert options[0]["value"] == "pelindungan-pmi", "the Perdes is the default choice"
    assert {o["value"] for o in options} >= {
        "pelindungan-pmi",
        "perkades-pendataan-pmi",
        "kepdes-satgas-pmi",
    }


def test_perkades_takes_the_perdes_numbers_and_delegating_pasal(client, db, lontar_profile):  # noqa: F811
    record_lontar_perdes(db, number="4")
    client.login_as(db, "operator")
    _create(client, "pelindungan-pmi")  # the Perdes draft the Perkades reads its Pasal from
    response = client.get(f"/desa/{LONTAR}/rancangan/baru?template=perkades-pendataan-pmi")
    page = soup(response)
    # The Perkades' own number stays empty: the tracker's number is the Perdes'.
    assert page.select_one("#f-v_nomor")["value"] == ""
    assert page.select_one("#f-v_perdes_nomor")["value"] == "4"
    assert page.select_one("#f-v_perdes_lembaran_tahun")["value"] == "2019"
    delegating = page.select_one("#f-v_pasal_delegasi")["value"]
    assert delegating.count("ayat") == 3
    preview = first_preview(client, response).text
    assert "PERATURAN KEPALA DESA LONTAR" in preview and "Kesepakatan Bersama" not in preview
    expected = f"untuk melaksanakan ketentuan {delegating} Peraturan Desa Lontar Nomor 4 Tahun 2019"
    assert expected in preview
    draft_id = _create(client, "perkades-pendataan-pmi")
    workspace = soup(client.get(f"/rancangan/{draft_id}"))
    assert workspace.select_one("h1").text.strip().startswith("Rancangan Peraturan Kepala Desa")
    # No "diajukan ke BPD" for a Perkades, and the service refuses it too.
    assert not workspace.select("select[name=purpose] option[value=bpd]")
    assert workspace.select("select[name=purpose] option[value=konsultasi]")
    refused = client.post(f"/rancangan/{draft_id}/revisi/1/tandai", {"purpose": "bpd"})
    assert refused.status_code == 422
    assert "tidak dibahas bersama BPD" in refused.text
    download = client.get(f"/rancangan/{draft_id}/revisi/1/docx")
    assert download.status_code == 200
    assert (
        'filename="Rancangan-Perkades-PMI-Lontar-revisi-1.docx"'
        in (download.headers["content-disposition"])
    )
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs)
    assert "BERITA DESA LONTAR TAHUN … NOMOR …" in text


def test_kepdes_naskah_lists_the_missing_members(client, db, lontar_profile):  # noqa: F811
    client.login_as(db, "operator")
    draft_id = _create(client, "kepdes-satgas-pmi")
    response = client.get(f"/rancangan/{draft_id}/revisi/1/docx?jenis=naskah")
    assert response.status_code == 422
    listed = soup(response).text
    for label in ("Ketua belum diisi", "Bendahara belum diisi", "Nomor Keputusan Kepala Desa"):
        assert label in listed
    comments = soup(client.get(f"/rancangan/{draft_id}")).select("#f-clause option")
    assert [o.text for o in comments][:2] == ["KESATU", "KEDUA"]

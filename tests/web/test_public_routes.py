"""Public listing without sign-in and the public JDIHN feed: only published products, their
status and official scan, 404 for anything else, cacheable, paginated, no personal data."""

from __future__ import annotations

from datetime import date

import pytest
from bs4 import BeautifulSoup

from perdes.accounts.services import principal_for
from perdes.tracking import links, services
from perdes.tracking.evidence import attach_evidence
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, SUSUKAN, make_user
from tests.tracking.helpers import PDF, walk

JDIHN_FIELDS = {
    "idData", "tahun_pengundangan", "tanggal_penetapan", "tanggal_pengundangan", "jenis",
    "noPeraturan", "judul", "noPanggil", "singkatanJenis", "tempatTerbit", "penerbit",
    "deskripsiFisik", "sumber", "subjek", "isbn", "status", "bahasa", "bidangHukum",
    "teuBadan", "nomorIndukBuku", "fileDownload", "urlDownload", "abstrak", "urlabstrak",
    "urlDetailPeraturan", "operasi", "display",
}  # fmt: skip
RECORDER = "Siti Rahmawati Pencatat"
SCAN = PDF.replace(b"trailer", b"% naskah resmi\ntrailer")


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def _step(db, actor, adoption, stage, on, **fields):
    data = {"stage": stage.value, "occurred_on": on.isoformat(), **fields}
    return services.record_step(db, actor=actor, adoption_id=adoption.id, data=data)


@pytest.fixture()
def products(db, regions, settings):
    """Lontar: a promulgated Perdes with its scan (and a minutes file on the agreement), a
    Perkades repealed by a newer one, an unpublished Kepdes; Pontang: a Perkades."""
    user = make_user(db, "admin", username="admin.publik")
    user.full_name = RECORDER
    actor = principal_for(user)
    perdes = services.start_adoption(
        db, actor=actor, village_code=LONTAR, summary="Pendataan dan layanan PMI."
    )
    walk(db, actor, perdes, Stage.DIUNDANGKAN, start=date(2026, 2, 2), gap=1)
    by_stage = {e.stage: e for e in perdes.events}
    root = settings.effective_upload_path
    attach_evidence(db, actor=actor, event_id=by_stage[Stage.DIUNDANGKAN].id, data=SCAN,
                    filename=f"scan {RECORDER}.pdf", root=root, max_bytes=10**6)  # fmt: skip
    minutes = PDF.replace(b"trailer", b"% daftar hadir\ntrailer")
    attach_evidence(db, actor=actor, event_id=by_stage[Stage.DISEPAKATI].id, data=minutes,
                    filename="daftar-hadir.pdf", root=root, max_bytes=10**6)  # fmt: skip
    made = {"perdes": perdes}
    for key, number, on in (("old", "1", date(2026, 3, 2)), ("new", "2", date(2026, 4, 6))):
        a = services.start_adoption(
            db, actor=actor, village_code=LONTAR, kind="perkades", title=f"Perkades {key}"
        )
        _step(db, actor, a, Stage.PENYUSUNAN, on)
        _step(db, actor, a, Stage.DITETAPKAN, on, perdes_number=number)
        _step(db, actor, a, Stage.DIUNDANGKAN, on, berita_desa_number=number)
        made[key] = a
    links.add_link(db, actor=actor, village_code=LONTAR, source_id=made["new"].id,
                   data={"target_id": made["old"].id, "kind": "mencabut"})  # fmt: skip
    kepdes = services.start_adoption(
        db, actor=actor, village_code=LONTAR, kind="kepdes", title="Satgas rahasia"
    )
    _step(db, actor, kepdes, Stage.PENYUSUNAN, date(2026, 5, 4))
    made["kepdes"] = kepdes
    other = services.start_adoption(
        db, actor=actor, village_code=PONTANG, kind="perkades", title="Perkades Pontang"
    )
    _step(db, actor, other, Stage.PENYUSUNAN, date(2026, 3, 2))
    _step(db, actor, other, Stage.DITETAPKAN, date(2026, 3, 3), perdes_number="7")
    _step(db, actor, other, Stage.DIUNDANGKAN, date(2026, 3, 4), berita_desa_number="7")
    made["other"] = other
    db.flush()
    return made


def test_village_page_lists_published_products_with_status_without_sign_in(client, products):
    response = client.get(f"/publik/desa/{LONTAR}")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=300"
    assert "set-cookie" not in response.headers, "the same page for everyone"
    rows = soup(response).select("[data-testid=public-products] tbody tr")
    found = {r.select("td")[2].text.strip(): r["data-status"] for r in rows}
    assert found == {
        "Pelindungan Pekerja Migran Indonesia": "berlaku",
        "Perkades new": "berlaku",
        "Perkades old": "dicabut",
    }
    assert "Satgas rahasia" not in response.text, "unpublished products are not public"
    assert "Perkades Pontang" not in response.text
    assert RECORDER not in response.text and "daftar-hadir" not in response.text
    assert 'name="csrf_token"' not in response.text


def test_regency_page_lists_every_village(client, products):
    response = client.get("/publik/kabupaten/36.04")
    assert response.status_code == 200
    titles = [r.select("td")[3].text.strip() for r in soup(response).select("tbody tr")]
    assert set(titles) == {
        "Pelindungan Pekerja Migran Indonesia", "Perkades new", "Perkades old", "Perkades Pontang",
    }  # fmt: skip
    assert client.get(f"/publik/kabupaten/{LONTAR}").status_code == 404
    assert client.get("/publik/kabupaten/99.99").status_code == 404
    assert client.get("/publik/desa/36.04").status_code == 404


def test_product_page_and_official_scan(client, products):
    perdes = products["perdes"]
    page = client.get(f"/publik/desa/{LONTAR}/produk/{perdes.id}")
    assert page.status_code == 200
    html = soup(page)
    assert html.select_one("[data-testid=citation]").text == (
        "Peraturan Desa Lontar Nomor 5 Tahun 2026 tentang Pelindungan Pekerja Migran Indonesia"
    )
    assert html.select_one("[data-testid=status]").text == "Berlaku"
    scan = client.get(html.select_one("[data-testid=scan-link]")["href"])
    assert scan.status_code == 200 and scan.content == SCAN, "the promulgation scan, not minutes"
    assert 'filename="perdes-lontar-5-2026.pdf"' in scan.headers["content-disposition"]
    old = client.get(f"/publik/desa/{LONTAR}/produk/{products['old'].id}")
    assert "Dicabut dengan" in old.text and "Perkades new" in old.text
    assert (
        client.get(f"/publik/desa/{LONTAR}/produk/{products['new'].id}/naskah").status_code == 404
    )


@pytest.mark.parametrize(
    "url",
    [
        "/publik/desa/{lontar}/produk/{kepdes}",  # not published
        "/publik/desa/{lontar}/produk/{kepdes}/naskah",
        "/publik/desa/{susukan}/produk/{perdes}",  # another village's product
        "/publik/desa/{lontar}/produk/{other}",
        "/publik/desa/{lontar}/produk/999999",
        "/publik/desa/99.99.99.9999",
        "/publik/desa/%3Cscript%3E",
        "/publik/desa/{lontar}/produk/99999999999999999999",
    ],
)
def test_unpublished_or_out_of_scope_products_are_not_found(client, products, url):
    filled = url.format(lontar=LONTAR, susukan=SUSUKAN, **{k: a.id for k, a in products.items()})
    assert client.get(filled).status_code == 404


@pytest.mark.parametrize(
    "query", ["halaman=0", "halaman=abc", "halaman=99999999999999", "halaman=-1"]
)
def test_bad_page_params_are_refused(client, products, query):
    assert client.get(f"/publik/desa/{LONTAR}?{query}").status_code == 422
    assert client.get(f"/publik/kabupaten/36.04?{query}").status_code == 422


def test_jdihn_feed_is_a_bare_array_with_file_url_and_status(client, products):
    response = client.get("/api/v1/public/jdihn/36.04")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    records = response.json()
    assert isinstance(records, list) and len(records) == 4
    assert all(set(r) == JDIHN_FIELDS for r in records)
    by_title = {r["subjek"]: r for r in records}
    perdes = by_title["PELINDUNGAN PEKERJA MIGRAN INDONESIA"]
    assert perdes["status"] == "Berlaku" and perdes["jenis"] == "Peraturan Desa"
    assert perdes["noPeraturan"] == "5" and perdes["sumber"] == "Lembaran Desa Tahun 2026 Nomor 5"
    assert perdes["fileDownload"] == "perdes-lontar-5-2026.pdf"
    assert perdes["urlDownload"].endswith(
        f"/publik/desa/{LONTAR}/produk/{products['perdes'].id}/naskah"
    )
    assert perdes["urlDownload"].startswith("http")
    assert client.get(perdes["urlDownload"]).content == SCAN
    assert by_title["PERKADES OLD"]["status"] == "Tidak Berlaku", "repealed"
    assert by_title["PERKADES NEW"]["status"] == "Berlaku"
    assert (
        by_title["PERKADES NEW"]["urlDownload"] == ""
        and by_title["PERKADES NEW"]["singkatanJenis"] == "Perkades"
    )
    assert RECORDER not in response.text and "Satgas" not in response.text


def test_an_annulled_perdes_is_tidak_berlaku(client, db, products):
    actor = principal_for(make_user(db, "admin", username="admin.klarifikasi"))
    perdes = products["perdes"]
    last = walk(db, actor, perdes, Stage.DILAPORKAN, start=date(2026, 2, 2), gap=1)
    _step(db, actor, perdes, Stage.KLARIFIKASI, last, clarification_result="dibatalkan",
          decision_number="KEP-BUPATI-9")  # fmt: skip
    records = client.get(f"/api/v1/public/jdihn/{LONTAR}").json()
    (record,) = [r for r in records if r["jenis"] == "Peraturan Desa"]
    assert record["status"] == "Tidak Berlaku"
    page = client.get(f"/publik/desa/{LONTAR}/produk/{perdes.id}")
    assert (
        "KEP-BUPATI-9" in page.text
        and soup(page).select_one("[data-testid=status]").text == "Dibatalkan"
    )


def test_jdihn_feed_caching_and_paging(client, products):
    first = client.get("/api/v1/public/jdihn/36.04?per_page=1")
    assert first.status_code == 200 and len(first.json()) == 1
    assert first.headers["cache-control"] == "public, max-age=300"
    assert first.headers["x-total-count"] == "4"
    assert 'rel="next"' in first.headers["link"] and "page=2" in first.headers["link"]
    assert "set-cookie" not in first.headers
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    again = client.get("/api/v1/public/jdihn/36.04?per_page=1", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/public/jdihn/36.04?per_page=1", headers={"If-Modified-Since": modified}
    )
    assert since.status_code == 304
    second = client.get("/api/v1/public/jdihn/36.04?page=2&per_page=1")
    assert second.json() != first.json() and second.headers["etag"] != etag
    last = client.get("/api/v1/public/jdihn/36.04?page=4&per_page=1")
    assert "link" not in last.headers
    assert client.get("/api/v1/public/jdihn/36.04?page=5&per_page=1").json() == []


@pytest.mark.parametrize(
    "query", ["per_page=101", "per_page=0", "page=0", "page=abc", "page=10001", "per_page=1.5"]
)
def test_jdihn_feed_refuses_bad_page_params(client, products, query):
    response = client.get(f"/api/v1/public/jdihn/36.04?{query}")
    assert response.status_code == 422 and response.headers["content-type"].startswith(
        "application/json"
    )


def test_jdihn_feed_for_an_unknown_region_is_not_found(client, regions):
    assert client.get("/api/v1/public/jdihn/99.99").status_code == 404
    assert client.get("/api/v1/public/jdihn/abc").status_code in (404, 422)


def test_favicon_ico_leads_to_the_apps_icon(client):
    response = client.raw.get("/favicon.ico", follow_redirects=False)
    assert response.status_code == 301 and "set-cookie" not in response.headers
    icon = client.raw.get(response.headers["location"])
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in icon.headers["cache-control"]

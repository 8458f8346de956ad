"""Monitoring pages per role: dashboard drill-down, lists, htmx fragments and exports."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from perdes.tracking.deadlines import local_today
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, SUKRA, SUSUKAN
from tests.monitoring.helpers import set_state


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def table_rows(page: BeautifulSoup, testid: str) -> list[list[str]]:
    table = page.select_one(f'[data-testid="{testid}"]')
    assert table is not None, testid
    return [
        [td.get_text(" ", strip=True) for td in tr.select("td")] for tr in table.select("tbody tr")
    ]


def csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def xlsx_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture()
def progress(db, regions):
    today = local_today()
    set_state(db, LONTAR, stage=Stage.DISERAHKAN, deadline=today - timedelta(days=2), waiting=1)
    set_state(db, SUSUKAN, stage=Stage.DIUNDANGKAN, score=80.0, qualified=True)
    set_state(db, PONTANG, stage=Stage.PENYUSUNAN, score=40.0)
    set_state(db, SUKRA, stage=Stage.DISEBARLUASKAN, score=100.0, qualified=True)


def test_monitor_drills_down_from_the_top_to_a_village(client, db, progress):
    client.login_as(db, "admin")
    top = client.get("/pemantauan")
    assert top.status_code == 200
    page = soup(top)
    assert page.select_one('nav a[href="/pemantauan/mulai"]').get_text() == "Pemantauan"
    assert page.select_one('[data-figure="diundangkan"]').get_text(strip=True).startswith("2")
    assert page.select_one("svg.chart title").get_text() == "Tahapan Perdes per desa"
    assert page.select_one('[data-testid="funnel-table"]')
    link = page.select_one('[data-testid="region-table"] tr[data-code="36"] a')["href"]
    banten = soup(client.get(link))
    kab = banten.select_one('tr[data-code="36.04"] a')["href"]
    serang = soup(client.get(kab))
    assert [li.get_text(strip=True) for li in serang.select(".crumbs li")] == [
        "Indonesia",
        "Banten",
        "Kabupaten Serang",
    ]
    kec = serang.select_one('tr[data-code="36.04.13"] a')["href"]
    tirtayasa = soup(client.get(kec))
    village_link = tirtayasa.select_one(f'[data-testid="village-table"] tr[data-code="{LONTAR}"] a')
    assert client.get(village_link["href"]).status_code == 200
    assert "terlambat" in tirtayasa.select_one(f'tr[data-code="{LONTAR}"]').get_text()


def test_the_tabs_of_a_region_stay_in_that_region(client, db, progress):
    """From the Tirtayasa dashboard, "Belum mulai", "Terlambat"… and the register figures list
    Tirtayasa, not the whole country; from a list, the dashboard tab goes back to it."""
    client.login_as(db, "admin")
    tirtayasa = soup(client.get("/pemantauan/wilayah/36.04.13"))
    tabs = {a.get_text(strip=True): a["href"] for a in tirtayasa.select("nav.mon-tabs a")}
    assert tabs["Dasbor"] == "/pemantauan/wilayah/36.04.13"
    assert tabs["Angka register PMI"] == "/pemantauan/register/wilayah/36.04.13"
    assert tabs["Belum mulai"].endswith("wilayah=36.04.13")
    listed = soup(client.get(tabs["Menunggu verifikasi"]))
    assert listed.select_one("#f-wilayah")["value"] == "36.04.13"
    codes = {tr["data-code"] for tr in listed.select("[data-testid=village-table] tr[data-code]")}
    assert codes == {LONTAR}  # not Pontang (another kecamatan), not Sukra (another province)
    figures = client.get(tabs["Angka register PMI"])
    assert figures.status_code == 200 and "Tirtayasa" in soup(figures).h1.get_text()
    back = soup(client.get("/pemantauan/desa?daftar=terlambat&wilayah=36.04.13"))
    assert back.select_one("nav.mon-tabs a")["href"] == "/pemantauan/wilayah/36.04.13"
    # the whole country's tabs stay national; a village code keeps its kecamatan
    national = soup(client.get("/pemantauan"))
    assert national.select_one("nav.mon-tabs a")["href"] == "/pemantauan"
    one = soup(client.get(f"/pemantauan/desa?wilayah={LONTAR}"))
    assert one.select_one("nav.mon-tabs a")["href"] == "/pemantauan/wilayah/36.04.13"
    # the list's filter (htmx, results only) brings the tabs of the region typed along
    assert len(one.select("nav.mon-tabs")) == 1 and not one.select("[hx-swap-oob]")
    filtered = soup(client.get("/pemantauan/desa?daftar=terlambat&wilayah=36.04.12", htmx=True))
    tabs_oob = filtered.select_one("nav#mon-tabs[hx-swap-oob=true]")
    assert tabs_oob is not None and tabs_oob.a["href"] == "/pemantauan/wilayah/36.04.12"
    assert filtered.select_one("section#mon-results")
    cleared = soup(client.get("/pemantauan/desa?daftar=terlambat", htmx=True))
    assert cleared.select_one("nav#mon-tabs").a["href"] == "/pemantauan"


def test_sorting_returns_the_table_fragment_for_htmx(client, db, progress):
    client.login_as(db, "admin")
    response = client.get("/pemantauan/wilayah/36.04?urut=nama&arah=turun", htmx=True)
    assert response.status_code == 200
    assert "<html" not in response.text
    rows = table_rows(soup(response), "region-table")
    assert [r[1] for r in rows] == ["Tirtayasa", "Tanara", "Pontang"]
    full = client.get("/pemantauan/wilayah/36.04?urut=nama&arah=turun")
    assert "<html" in full.text and "aria-sort" in full.text


@pytest.mark.parametrize("role", ["operator", "pendamping"])
def test_village_roles_get_403(client, db, regions, role):
    client.login_as(db, role)
    for url in (
        "/pemantauan",
        "/pemantauan/wilayah/36.04",
        "/pemantauan/desa",
        "/pemantauan/desa.csv",
    ):
        assert client.get(url).status_code == 403, url
    assert 'href="/pemantauan"' not in client.get("/").text


def test_monitor_of_one_kecamatan_sees_only_it(client, db, progress):
    client.login_as(db, "pemantau", ("36.04.13",))
    top = soup(client.get("/pemantauan"))
    assert top.select_one('[data-testid="partial"]')
    assert [r[0] for r in table_rows(top, "region-table")] == ["36"]
    assert top.select_one('[data-figure="diundangkan"]').get_text(strip=True).startswith("1")
    serang = soup(client.get("/pemantauan/wilayah/36.04"))
    assert [r[0] for r in table_rows(serang, "region-table")] == ["36.04.13"]
    for url in (
        "/pemantauan/wilayah/36.04.12",
        "/pemantauan/wilayah/32",
        "/pemantauan/desa?wilayah=36.04.12",
    ):
        assert client.get(url).status_code == 404, url
    listed = table_rows(soup(client.get("/pemantauan/desa")), "village-table")
    assert listed and all(r[0].startswith("36.04.13.") for r in listed)
    exported = csv_rows(client.get("/pemantauan/desa.csv"))
    assert all(r[0].startswith("36.04.13.") for r in exported[1:])


def test_region_table_exports_equal_the_screen(client, db, progress):
    client.login_as(db, "admin")
    screen = table_rows(
        soup(client.get("/pemantauan/wilayah/36.04?urut=terlambat&arah=turun")), "region-table"
    )
    response = client.get("/pemantauan/tabel.csv?wilayah=36.04&urut=terlambat&arah=turun")
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = csv_rows(response)
    assert rows[0][:2] == ["Kode", "Wilayah"]
    assert [r[:2] for r in rows[1:]] == [r[:2] for r in screen]
    assert [r[2] for r in rows[1:]] == [r[2] for r in screen]  # number of desa
    book = xlsx_rows(client.get("/pemantauan/tabel.xlsx?wilayah=36.04&urut=terlambat&arah=turun"))
    assert [str(c) for c in book[0]] == rows[0]
    assert [[r[0], r[1], str(r[2])] for r in book[1:]] == [r[:3] for r in screen]
    assert client.get("/pemantauan/tabel.pdf").status_code == 404


def test_village_list_and_exports(client, db, progress):
    client.login_as(db, "admin")
    response = client.get("/pemantauan/desa?daftar=terlambat")
    page = soup(response)
    rows = table_rows(page, "village-table")
    assert [r[0] for r in rows] == [LONTAR]
    fragment = client.get("/pemantauan/desa?daftar=memenuhi", htmx=True)
    assert "<html" not in fragment.text
    assert {r[0] for r in table_rows(soup(fragment), "village-table")} == {SUSUKAN, SUKRA}
    exported = csv_rows(client.get("/pemantauan/desa.csv?daftar=terlambat"))
    assert exported[0][:3] == ["Kode", "Desa/Kelurahan", "Jenis"]
    assert [r[:6] for r in exported[1:]] == [r[:6] for r in rows]
    book = xlsx_rows(client.get("/pemantauan/desa.xlsx?daftar=terlambat"))
    assert [r[:6] for r in book[1:]] == [r[:6] for r in rows]
    everything = soup(client.get("/pemantauan/desa?wilayah=36.04.13"))
    shown = table_rows(everything, "village-table")
    all_rows = csv_rows(client.get("/pemantauan/desa.csv?wilayah=36.04.13"))
    assert [r[0] for r in all_rows[1:]] == [r[0] for r in shown]
    assert client.get("/pemantauan/desa?daftar=semua&halaman=0").status_code == 422


def test_html_in_search_is_escaped(client, db, regions):
    client.login_as(db, "admin")
    response = client.get("/pemantauan/desa?q=<script>alert(1)</script>")
    assert response.status_code == 200
    assert "<script>alert" not in response.text

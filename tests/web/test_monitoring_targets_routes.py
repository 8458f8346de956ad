"""Target-list pages: create, add by region and CSV, bad lines, snapshots chart, exports."""

from __future__ import annotations

import csv
import io

from bs4 import BeautifulSoup
from openpyxl import load_workbook
from sqlalchemy import select

from perdes.monitoring.models import TargetList, TargetSnapshot
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, SUKRA, SUSUKAN
from tests.monitoring.helpers import set_state


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def make_list(client, db, name: str = "Kantong PMI") -> int:
    response = client.post("/pemantauan/sasaran", {"name": name, "description": "Uji"})
    assert response.status_code == 303, response.text[:300]
    target_id = db.scalar(select(TargetList.id).where(TargetList.name == name))
    assert response.headers["location"] == f"/pemantauan/sasaran/{target_id}"
    return target_id


def test_create_list_and_bad_input(client, db, regions):
    client.login_as(db, "pemantau")
    bad = client.post("/pemantauan/sasaran", {"name": ""}, htmx=True)
    assert bad.status_code == 422 and "<html" not in bad.text
    assert soup(bad).select_one(".field-error").get_text() == "Wajib diisi."
    escaped = client.post("/pemantauan/sasaran", {"name": "<b>x</b>"})
    assert escaped.status_code == 303
    lists = client.get("/pemantauan/sasaran")
    assert "&lt;b&gt;x&lt;/b&gt;" in lists.text
    assert client.post("/pemantauan/sasaran", {"name": "a\x01b"}).status_code == 422


def test_target_dashboard_with_members_snapshot_and_exports(client, db, regions):
    client.login_as(db, "pemantau")
    target_id = make_list(client, db)
    set_state(db, LONTAR, stage=Stage.DIUNDANGKAN, qualified=True, score=75.0)
    added = client.post(
        f"/pemantauan/sasaran/{target_id}/wilayah", {"wilayah": "36.04.13", "q": ""}, htmx=True
    )
    assert added.status_code == 200 and "desa ditambahkan" in added.text
    page = soup(client.get(f"/pemantauan/sasaran/{target_id}"))
    assert page.select_one('[data-figure="diundangkan"]').get_text(strip=True).startswith("1")
    chart = page.select_one('[data-testid="progress-chart"] svg')
    assert chart["role"] == "img" and chart.select_one("title")
    snapshot_rows = page.select('[data-testid="snapshot-table"] tbody tr')
    assert len(snapshot_rows) == 1  # taken on the first view: none was newer than 7 days
    assert db.scalar(select(TargetSnapshot.promulgated_count)) == 1
    shown = [
        [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select('[data-testid="village-table"] tbody tr')
    ]
    exported = list(
        csv.reader(
            io.StringIO(
                client.get(f"/pemantauan/sasaran/{target_id}/desa.csv").content.decode("utf-8-sig")
            )
        )
    )
    assert [r[:6] for r in exported[1:]] == [r[:6] for r in shown]
    book = load_workbook(
        io.BytesIO(client.get(f"/pemantauan/sasaran/{target_id}/potret.xlsx").content),
        read_only=True,
    ).active
    rows = list(book.iter_rows(values_only=True))
    assert rows[0][0] == "Tanggal" and rows[1][2] == 1
    table = client.get(f"/pemantauan/sasaran/{target_id}/wilayah.csv").content.decode("utf-8-sig")
    assert "36.04.13,Tirtayasa" in table
    again = client.post(f"/pemantauan/sasaran/{target_id}/potret", {}, htmx=True)
    assert again.status_code == 200 and "Kemajuan hari ini dicatat." in again.text
    removed = client.post(f"/pemantauan/sasaran/{target_id}/hapus-desa", {"kode": LONTAR})
    assert removed.status_code == 200
    assert f'data-code="{LONTAR}"' not in removed.text


def test_csv_upload_reports_bad_lines(client, db, regions):
    client.login_as(db, "pemantau")
    target_id = make_list(client, db)
    data = f"kode\n{LONTAR}\n{SUKRA}\n36.04.13.2999\n".encode()
    response = client.post(
        f"/pemantauan/sasaran/{target_id}/csv",
        {},
        files={"file": ("kode.csv", data, "text/csv")},
        htmx=True,
    )
    assert response.status_code == 422
    lines = [
        li.get_text(" ", strip=True) for li in soup(response).select('[data-testid="bad-lines"] li')
    ]
    assert lines == [
        f"Baris 3: {SUKRA} — Di luar wilayah tugas Anda.",
        "Baris 4: 36.04.13.2999 — Kode tidak terdaftar.",
    ]
    assert f'data-code="{LONTAR}"' not in response.text
    good = client.post(
        f"/pemantauan/sasaran/{target_id}/csv",
        {},
        files={"file": ("kode.csv", f"{LONTAR}\n{SUSUKAN}\n".encode(), "text/csv")},
    )
    assert good.status_code == 200 and "2 desa ditambahkan." in good.text
    empty = client.post(f"/pemantauan/sasaran/{target_id}/csv", {})
    assert empty.status_code == 422


def test_other_monitors_list_is_not_found_and_village_roles_get_403(client, db, regions):
    client.login_as(db, "pemantau")
    target_id = make_list(client, db)
    client.raw.cookies.clear()
    client.login_as(db, "pemantau", ("36.04",))
    assert client.get(f"/pemantauan/sasaran/{target_id}").status_code == 404
    assert client.get(f"/pemantauan/sasaran/{target_id}/desa.csv").status_code == 404
    assert client.post(f"/pemantauan/sasaran/{target_id}/hapus").status_code == 404
    client.raw.cookies.clear()
    client.login_as(db, "operator")
    assert client.get("/pemantauan/sasaran").status_code == 403


def test_delete_list(client, db, regions):
    client.login_as(db, "admin")
    target_id = make_list(client, db, "Sementara")
    response = client.post(f"/pemantauan/sasaran/{target_id}/hapus")
    assert response.status_code == 303 and response.headers["location"] == "/pemantauan/sasaran"
    assert db.get(TargetList, target_id) is None


def test_villages_are_added_by_region_name_not_typed_codes(client, db, regions):
    client.login_as(db, "pemantau")
    target_id = make_list(client, db)
    page = soup(client.get(f"/pemantauan/sasaran/{target_id}"))
    suggestions = [o["value"] for o in page.select("datalist#region-choices option")]
    assert "Kecamatan Pontang, Kabupaten Serang (36.04.12)" in suggestions
    assert not any(s.startswith("Kecamatan") and "Jawa Barat" in s for s in suggestions)
    url = f"/pemantauan/sasaran/{target_id}/wilayah"
    picked = client.post(url, {"wilayah": "Kecamatan Pontang, Kabupaten Serang (36.04.12)"})
    assert picked.status_code == 200 and "desa ditambahkan" in picked.text
    again = client.post(url, {"wilayah": "Kecamatan Pontang, Kabupaten Serang (36.04.12)"})
    assert "Tidak ada desa baru" in again.text
    by_name = client.post(url, {"wilayah": "kecamatan tirtayasa"})
    assert by_name.status_code == 200 and "desa ditambahkan" in by_name.text
    unknown = client.post(url, {"wilayah": "Gotham"})
    assert unknown.status_code == 422 and "tidak ditemukan di wilayah tugas Anda" in unknown.text
    empty = client.post(url, {"wilayah": "  "})
    assert empty.status_code == 422 and "Ketik nama wilayah" in empty.text

"""League tables: ranking, the admin's colour thresholds, arrows since last month, exports."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import AuditEntry
from perdes.monitoring.analytics import Thresholds
from perdes.tracking.deadlines import local_today
from perdes.tracking.models import Adoption
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, SUKRA, SUSUKAN
from tests.monitoring.helpers import set_state


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


@pytest.fixture()
def progress(db, regions):
    set_state(db, SUSUKAN, stage=Stage.DIUNDANGKAN, score=80.0, qualified=True)
    set_state(db, PONTANG, stage=Stage.PENYUSUNAN, score=40.0, waiting=1)
    set_state(db, SUKRA, stage=Stage.DISEBARLUASKAN, score=100.0, qualified=True)
    # Lontar's Perdes was promulgated this month: Tirtayasa went up since last month.
    set_state(db, LONTAR, stage=Stage.DIUNDANGKAN)
    adoption = db.scalars(select(Adoption).where(Adoption.village_code == LONTAR)).one()
    adoption.promulgated_on = local_today()
    db.flush()


def rows(page):
    return {tr["data-code"]: tr for tr in page.select('[data-testid="league-table"] tbody tr')}


@pytest.mark.parametrize(
    ("value", "rating"),
    [
        (None, None),
        (0.0, "merah"),
        (24.9, "merah"),
        (25.0, "kuning"),
        (59.9, "kuning"),
        (60.0, "hijau"),
        (100.0, "hijau"),
    ],
)
def test_default_thresholds_colour_red_amber_green(value, rating):
    assert Thresholds("diundangkan", 25.0, 60.0, 0).rating(value) == rating


def test_serang_monitor_ranks_his_kecamatan_with_arrows_and_counts(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    page = soup(client.get("/pemantauan/peringkat?wilayah=36.04&indikator=diundangkan"))
    table = rows(page)
    assert next(iter(table)) == "36.04.13"  # best share first
    tirtayasa = table["36.04.13"]
    assert tirtayasa.select_one("td").get_text() == "1"
    assert "▲" in tirtayasa.select_one('[data-testid="change"]').get_text()
    share = float(tirtayasa.select("td")[2].get_text(strip=True).split()[0].replace(",", "."))
    expected = "merah" if share < 25 else "kuning" if share < 60 else "hijau"
    assert share > 0 and tirtayasa["data-rating"] == expected
    assert table["36.04.12"]["data-rating"] == "merah"  # nothing promulgated in Pontang
    change = table["36.04.12"].select_one('[data-testid="change"]').get_text(" ", strip=True)
    assert change == "▬ +0,0"
    waiting = table["36.04.12"].select_one('[data-testid="waiting"]').get_text(strip=True)
    assert waiting == "1"
    assert table["36.04.12"].select_one('[data-testid="overdue"]').get_text(strip=True) == "0"
    assert "Jawa Barat" not in page.get_text()


def test_thresholds_set_by_the_admin_recolour_the_table(client, db, progress):
    admin = client.login_as(db, "admin")
    form = soup(client.get("/admin/ambang-peringkat"))
    version = form.select_one('[data-testid="threshold-diundangkan"] input[name="version"]')[
        "value"
    ]
    assert version == "0"
    saved = client.post(
        "/admin/ambang-peringkat",
        data={"indikator": "diundangkan", "merah": "0", "kuning": "1", "version": version},
    )
    assert saved.status_code == 303
    page = soup(client.get("/pemantauan/peringkat?wilayah=36.04&indikator=diundangkan"))
    assert rows(page)["36.04.12"]["data-rating"] == "kuning"  # 0 % is no longer red
    assert rows(page)["36.04.13"]["data-rating"] == "hijau"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "league_threshold")).one()
    assert entry.user_id == admin.id and entry.changes["red_below"] == [25.0, 0.0]


def test_two_admins_saving_at_once_get_one_success_and_one_conflict(client, db, progress):
    client.login_as(db, "admin")
    data = {"indikator": "skor", "merah": "30", "kuning": "70", "version": "0"}
    assert client.post("/admin/ambang-peringkat", data=data).status_code == 303
    second = client.post("/admin/ambang-peringkat", data={**data, "merah": "40"})
    assert second.status_code == 409
    section = soup(second).select_one('[data-testid="threshold-skor"]')
    assert section.select_one('[data-testid="conflict"]')
    assert section.select_one('input[name="merah"]')["value"] == "40"  # input kept


@pytest.mark.parametrize(
    ("merah", "kuning", "field"),
    [
        ("", "60", "merah"),
        ("abc", "60", "merah"),
        ("101", "60", "merah"),
        ("-1", "60", "merah"),
        ("50", "40", "kuning"),
        ("<script>", "60", "merah"),
        ("1\x00", "60", "merah"),
        ("nan", "60", "merah"),
    ],
)
def test_bad_thresholds_are_refused_with_a_message(client, db, progress, merah, kuning, field):
    client.login_as(db, "admin")
    response = client.post(
        "/admin/ambang-peringkat",
        data={"indikator": "diundangkan", "merah": merah, "kuning": kuning, "version": "0"},
    )
    assert response.status_code == 422
    section = soup(response).select_one('[data-testid="threshold-diundangkan"]')
    assert section.select_one(f"#e-{field}")
    assert client.get("/admin/ambang-peringkat").status_code == 200
    assert (
        db.scalars(select(AuditEntry).where(AuditEntry.entity == "league_threshold")).first()
        is None
    )


def test_unknown_indicator_threshold_is_refused(client, db, progress):
    client.login_as(db, "admin")
    response = client.post(
        "/admin/ambang-peringkat",
        data={"indikator": "terlambat", "merah": "1", "kuning": "2", "version": "0"},
    )
    assert response.status_code == 422


def test_monitor_cannot_change_thresholds(client, db, progress):
    client.login_as(db, "pemantau")
    assert client.get("/admin/ambang-peringkat").status_code == 403
    data = {"indikator": "skor", "merah": "1", "kuning": "2", "version": "0"}
    assert client.post("/admin/ambang-peringkat", data=data).status_code == 403


def test_league_exports_as_shown(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    response = client.get("/pemantauan/peringkat.csv?wilayah=36.04&indikator=skor")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Peringkat", "Kode", "Wilayah"]
    assert next(r[1] for r in lines[1:]) == "36.04.13"  # mean score 80 beats Pontang's 40
    assert client.get("/pemantauan/peringkat.xlsx?wilayah=36.04").status_code == 200
    assert client.get("/pemantauan/peringkat.pdf?wilayah=36.04").status_code == 404
    assert client.get("/pemantauan/peringkat.csv?wilayah=32").status_code == 404


def test_sorting_by_waiting_returns_the_fragment(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    response = client.get("/pemantauan/peringkat?wilayah=36.04&urut=menunggu", htmx=True)
    assert response.status_code == 200 and "<html" not in response.text
    assert next(iter(rows(soup(response)))) == "36.04.12"


# --- Trends (same fixture: Lontar promulgated this month, Susukan in January) ---------------


def test_trend_since_january_shows_the_rise_in_charts_tables_and_exports(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    dashboard = soup(client.get("/pemantauan/wilayah/36.04"))
    link = dashboard.select('[data-testid="analytics-links"] a')[2]["href"]
    page = soup(client.get(link))
    jan = date(local_today().year, 1, 1).isoformat()
    assert page.select_one("#f-dari")["value"] == jan
    assert page.select_one('[data-testid="trend-chart-diundangkan"] svg title')
    table = page.select_one('[data-testid="trend-table"]')
    tirtayasa = [td.get_text(strip=True) for td in table.select('tr[data-code="36.04.13"] td')]
    assert len(tirtayasa) == local_today().month + 1
    first, last = tirtayasa[1], tirtayasa[-1]
    assert float(last.replace(",", ".")) > float(first.replace(",", "."))  # Lontar this month
    exported = client.get(f"/pemantauan/tren.csv?wilayah=36.04&dari={jan}")
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert lines[0][:3] == ["Kode", "Wilayah", "Periode"]
    assert len(lines) == 1 + 4 * local_today().month  # the total and 3 kecamatan, every month
    svg = client.get(f"/pemantauan/tren.svg?wilayah=36.04&dari={jan}&grafik=skor")
    assert svg.headers["content-type"].startswith("image/svg+xml") and "<svg" in svg.text
    png = client.get(f"/pemantauan/tren.png?wilayah=36.04&dari={jan}")
    assert png.content[:4] == b"\x89PNG"
    quarterly = soup(client.get(f"/pemantauan/tren?wilayah=36.04&dari={jan}&periode=kuartal"))
    labels = [th.get_text() for th in quarterly.select('[data-testid="trend-table"] thead th')]
    assert labels[1] == f"{local_today().year} K1"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("dari=2026-13-01", 422),
        ("dari=kemarin", 422),
        ("sampai=2999-01-01", 422),
        ("dari=2026-05-01&sampai=2026-04-01", 422),
        ("dari=2010-01-01", 422),
        ("periode=tahun", 422),
        ("dari=" + "1" * 11, 422),
        ("wilayah=32.12", 404),
    ],
)
def test_trend_refuses_bad_periods_and_foreign_regions(client, db, progress, query, status):
    client.login_as(db, "pemantau", ("36.04",))
    response = client.get(f"/pemantauan/tren?{query}")
    assert response.status_code == status
    if status == 422 and "1" * 11 not in query:
        assert soup(response).select_one('[data-testid="trend-errors"]')
    assert client.get(f"/pemantauan/tren.csv?{query}").status_code == status


def test_a_target_list_made_today_shows_progress_since_any_date(client, db, progress):
    from tests.web.test_monitoring_targets_routes import make_list

    client.login_as(db, "pemantau", ("36.04",))
    target_id = make_list(client, db, "Kantong Tirtayasa")
    added = client.post(
        f"/pemantauan/sasaran/{target_id}/wilayah", {"wilayah": "36.04.13", "q": ""}
    )
    assert added.status_code in (200, 303)
    detail = soup(client.get(f"/pemantauan/sasaran/{target_id}"))
    link = detail.select_one('[data-testid="target-trend-link"]')["href"]
    since = "2025-12-15"  # Susukan's Perdes is dated 5 January 2026 (set_state)
    page = soup(client.get(f"{link}?sejak={since}"))
    total = [
        td.get_text(" ", strip=True)
        for td in page.select('[data-testid="target-trend-table"] tr[data-code="total"] td')
    ]
    # December 2025: nothing yet; January 2026: Susukan; this month: Lontar too.
    assert total[2].startswith("0") and total[3].startswith("1")
    assert total[-2].startswith("1") and total[-1].startswith("2")
    assert page.select_one('[data-testid="target-trend-chart"] svg title')
    assert client.get(f"{link}?sejak=2999-01-01").status_code == 422
    assert client.get(f"{link}?sejak=bukan").status_code == 422
    other = client.login_as(db, "pemantau", ("36.04",))
    assert other and client.get(link).status_code == 404  # another monitor's list

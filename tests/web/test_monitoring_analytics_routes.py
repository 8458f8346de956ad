"""The monitor's map page and downloads (Kab. Serang monitor's walkthrough), scope, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from perdes.config import Settings
from perdes.monitoring.maps import ATTRIBUTION
from perdes.tracking.stages import Stage
from tests.factories import LONTAR, PONTANG, SUKRA, SUSUKAN
from tests.monitoring.geo import needs_geo, write_subset
from tests.monitoring.helpers import set_state

pytestmark = pytest.mark.skipif(not needs_geo, reason="region boundaries not installed")


@pytest.fixture(scope="module")
def geo_subset(tmp_path_factory) -> Path:
    return write_subset(tmp_path_factory.mktemp("geo"), ["36.04", "32.12", "36.71"])


@pytest.fixture()
def settings(tmp_path: Path, database_url: str, geo_subset: Path) -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key",
        upload_path=tmp_path / "uploads",
        geo_path=geo_subset,
    )


@pytest.fixture()
def progress(db, regions):
    set_state(db, LONTAR, stage=Stage.DISERAHKAN, waiting=1)
    set_state(db, SUSUKAN, stage=Stage.DIUNDANGKAN, score=80.0, qualified=True)
    set_state(db, PONTANG, stage=Stage.PENYUSUNAN, score=40.0)
    set_state(db, SUKRA, stage=Stage.DISEBARLUASKAN, score=100.0, qualified=True)


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def test_serang_monitor_sees_his_kecamatan_coloured_by_share_promulgated(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    dashboard = soup(client.get("/pemantauan/wilayah/36.04"))
    link = dashboard.select_one('[data-testid="analytics-links"] a')["href"]
    response = client.get(link + "&indikator=diundangkan")
    assert response.status_code == 200
    page = soup(response)
    svg = page.select_one('[data-testid="map"] svg')
    paths = svg.select("path[data-code]")
    assert len(paths) == 29  # every kecamatan of Kab. Serang in the boundary file
    linked = {a.select_one("path")["data-code"]: a for a in svg.select("a")}
    # Only kecamatan with villages loaded have figures and a link to their dashboard.
    assert set(linked) == {"36.04.12", "36.04.13", "36.04.14"}
    assert linked["36.04.13"]["href"] == "/pemantauan/wilayah/36.04.13"
    rows = {tr["data-code"]: tr for tr in page.select('[data-testid="map-table"] tbody tr')}
    tirtayasa = rows["36.04.13"].get_text(" ", strip=True)
    share = float(tirtayasa.split()[2].replace(",", "."))  # name, desa, share
    low = min(int(share // 20) * 20, 80)
    expected = f"{low}–<{low + 20} %" if low < 80 else "80–100 %"
    assert share > 0 and tirtayasa.endswith(expected)
    # The fill of the path is the fill of the swatch in the same region's table row.
    swatch = rows["36.04.13"].select_one("svg.swatch rect")["fill"]
    assert linked["36.04.13"].select_one("path")["fill"] == swatch
    assert ATTRIBUTION in page.select_one('[data-testid="map"] figcaption').get_text()
    assert ATTRIBUTION in svg.get_text()
    assert svg.select_one("title").get_text().startswith("Peta Kabupaten Serang")
    assert "style=" not in response.text.split("<body", 1)[1]


def test_a_kecamatan_page_shows_its_own_kecamatan(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    page = soup(client.get("/pemantauan/peta?wilayah=36.04.13&indikator=skor"))
    paths = page.select('[data-testid="map"] svg path[data-code]')
    assert [p["data-code"] for p in paths] == ["36.04.13"]
    assert page.select_one("#indikator option[selected]")["value"] == "skor"


def test_national_map_for_a_regional_monitor_links_only_his_province(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    page = soup(client.get("/pemantauan/peta"))
    svg = page.select_one('[data-testid="map"] svg')
    assert len(svg.select("path[data-code]")) == 38
    assert [a.select_one("path")["data-code"] for a in svg.select("a")] == ["36"]
    assert page.select_one('[data-testid="partial"]')


def test_map_downloads_as_svg_and_png(client, db, progress):
    client.login_as(db, "pemantau", ("36.04",))
    svg = client.get("/pemantauan/peta.svg?wilayah=36.04&indikator=diundangkan")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert 'filename="peta-3604-diundangkan.svg"' in svg.headers["content-disposition"]
    assert ATTRIBUTION in svg.text and svg.text.startswith("<svg")
    png = client.get("/pemantauan/peta.png?wilayah=36.04")
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/pemantauan/peta.gif?wilayah=36.04").status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("wilayah=32.12", 404),  # another monitor's region
        ("wilayah=99.99", 404),
        ("wilayah=<script>", 404),
        ("wilayah=" + "3" * 14, 422),
        ("indikator=" + "x" * 21, 422),
        ("wilayah=" + LONTAR, 404),  # villages are not mapped
    ],
)
def test_bad_or_foreign_regions_are_refused(client, db, progress, query, status):
    client.login_as(db, "pemantau", ("36.04",))
    assert client.get(f"/pemantauan/peta?{query}").status_code == status
    assert client.get(f"/pemantauan/peta.svg?{query}").status_code == status


def test_unknown_indicator_falls_back_to_share_promulgated(client, db, progress):
    client.login_as(db, "admin")
    page = soup(client.get("/pemantauan/peta?wilayah=36&indikator=apa"))
    assert page.select_one("#indikator option[selected]")["value"] == "diundangkan"


def test_without_boundaries_the_page_says_the_map_is_unavailable(client, db, progress, app):
    from perdes.monitoring.maps import GeoStore

    app.state.geo = GeoStore(Path("/nonexistent-geo"))
    client.login_as(db, "admin")
    response = client.get("/pemantauan/peta?wilayah=36.04")
    assert response.status_code == 200
    page = soup(response)
    assert page.select_one('[data-testid="map-unavailable"]')
    assert not page.select('[data-testid="map"]')
    assert page.select('[data-testid="map-table"] tr[data-code="36.04.13"]')
    assert client.get("/pemantauan/peta.svg?wilayah=36.04").status_code == 404

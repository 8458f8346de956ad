"""Real-browser journey of the Kab. Serang monitor: map, trend, league table, map download,
all readable on a 360 px phone with the strict CSP (a violation is a console error)."""

from __future__ import annotations

from playwright.sync_api import expect

from perdes.monitoring.maps import ATTRIBUTION
from tests.browser.conftest import login

WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
            && !e.closest('.table-wrap'))
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5)"""


def fits_the_phone(page) -> bool:  # type: ignore[no-untyped-def]
    wide = page.evaluate(WIDEST)
    assert not wide, wide
    # (one pixel of sub-pixel rounding allowed)
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_serang_monitor_map_trend_league_and_download(page, live_server):
    login(page, live_server, "pemantau")  # scope: Kabupaten Serang
    page.goto("/pemantauan/wilayah/36.04")
    page.click("[data-testid=analytics-links] >> text=Peta")
    svg = page.locator("[data-testid=map] svg.map")
    expect(svg).to_be_visible(timeout=30_000)  # the first map reads the boundary file
    assert svg.locator("path[data-code]").count() == 29
    expect(page.locator("[data-testid=map] figcaption")).to_contain_text(ATTRIBUTION)
    assert fits_the_phone(page)
    box = svg.bounding_box()
    assert box is not None and box["width"] <= 360
    with page.expect_download() as info:
        page.click("[data-testid=map-png]")
    assert info.value.path().read_bytes()[:4] == b"\x89PNG"
    page.locator("[data-testid=map] svg a").first.click()
    expect(page.locator("h1")).to_contain_text("Pemantauan")
    page.goto("/pemantauan/peta?wilayah=36.04")
    page.click("[data-testid=analytics-tabs] >> text=Tren")
    expect(page.locator("[data-testid=trend-chart-diundangkan] svg")).to_be_visible()
    expect(page.locator("[data-testid=trend-table]")).to_be_visible()
    assert fits_the_phone(page)
    page.click("[data-testid=analytics-tabs] >> text=Peringkat")
    expect(page.locator("[data-testid=league-table]")).to_be_visible()
    assert fits_the_phone(page)
    page.click("[data-testid=league-table] th a >> text=Menunggu")
    expect(page.locator("[data-testid=league-table] th[aria-sort]")).to_contain_text("Menunggu")

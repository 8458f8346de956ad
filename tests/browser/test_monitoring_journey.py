"""Real-browser journey: a monitor drills down from Indonesia to a village and exports."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import LONTAR


def test_drill_down_to_a_village_and_download_an_export(page, live_server):
    login(page, live_server, "pemantau")  # scope: Kabupaten Serang
    page.click("header nav >> text=Pemantauan")
    expect(page.locator("h1")).to_contain_text("Kabupaten Serang")  # his region first
    expect(page.locator(".crumbs a[aria-current=page]")).to_have_text("Kabupaten Serang")
    page.wait_for_load_state("networkidle")  # htmx is ready: the click is not lost under load
    page.click(".crumbs >> text=Indonesia")
    expect(page).to_have_url(re.compile(r"/pemantauan$"))
    expect(page.locator("[data-testid=region-table]")).to_be_visible()
    expect(page.locator("[data-testid=partial]")).to_be_visible()
    expect(page.locator("svg[role=img]").first).to_be_visible()
    assert page.locator("[data-testid=region-table] tr[data-code='32']").count() == 0
    page.click("tr[data-code='36'] a")
    page.click("tr[data-code='36.04'] a")
    expect(page.locator("h1")).to_contain_text("Serang")
    page.click("tr[data-code='36.04.13'] a")
    expect(page.locator("[data-testid=village-table]")).to_be_visible()
    with page.expect_download() as info:
        page.click("[data-testid=export-xlsx] >> nth=0")
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kode"
    assert {r[0] for r in rows[1:]} >= {LONTAR}
    assert len(rows) - 1 == page.locator("[data-testid=village-table] tr[data-code]").count()
    page.click(f"tr[data-code='{LONTAR}'] a")
    expect(page).to_have_url(re.compile(rf"/desa/{re.escape(LONTAR)}$"))
    expect(page.locator("h1")).to_contain_text("Desa Lontar")

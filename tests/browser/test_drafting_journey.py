"""Real-browser journey through the drafting workspace."""

from __future__ import annotations

import io
import re

import docx
from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import LONTAR


def pasal_count(page) -> int:  # type: ignore[no-untyped-def]
    return page.locator("#preview section[id^=pasal-]").count()


def test_draft_preview_save_compare_download(page, live_server):
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    page.click("text=Rancangan Perdes PMI")
    page.click("button:has-text('Buat rancangan')")
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA LONTAR")
    before = pasal_count(page)
    last_before = page.locator("#preview section.pasal .judul-pasal").last.inner_text()
    page.uncheck("#f-o_pengasuhan_anak")  # live preview: one Pasal fewer, numbers shift
    expect(page.locator("#preview section[id^=pasal-]")).to_have_count(before - 1)
    last_after = page.locator("#preview section.pasal .judul-pasal").last.inner_text()
    assert last_before != last_after
    page.fill("#f-message", "Rancangan awal tanpa pengasuhan")
    page.click("text=Simpan rancangan")
    expect(page.locator("[data-testid=revision-1]")).to_be_visible()
    page.fill("#f-v_nama_balai", "BP3MI Banten")
    page.fill("#f-message", "Nama balai diperbarui")
    page.click("text=Simpan revisi")
    expect(page.locator("[data-testid=revision-2]")).to_be_visible()
    page.click("[data-testid=revision-2] >> text=Perubahan")
    expect(page.locator("ins", has_text="BP3MI").first).to_be_visible()
    page.goto(re.sub(r"/bandingkan.*$", "", page.url))
    with page.expect_download() as info:
        page.click("[data-testid=revision-2] >> text=Word >> nth=0")
    data = info.value.path().read_bytes()
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert "PERATURAN DESA LONTAR" in text and "BP3MI Banten" in text

"""Real-browser journeys: find and edit a village; sign in, be refused, sign out."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login


def test_search_open_and_edit_a_village_on_a_phone(page, live_server):
    login(page, live_server, "operator")
    page.goto("/desa")
    page.fill("#f-q", "lontar")  # live search: no button press
    expect(page.locator("#village-results a.name")).to_have_text(["Desa Lontar"])
    expect(page).to_have_url(re.compile(r"/desa\?q=lontar"))
    page.click("text=Desa Lontar")
    expect(page.locator("h1")).to_contain_text("Desa Lontar")
    page.click("text=Ubah profil")
    expect(page.locator("#f-kepala_desa_name")).to_be_visible()
    page.fill("#f-pmi_active_count", "banyak")
    page.click("text=Simpan profil")
    expect(page.locator("#e-pmi_active_count")).to_contain_text("bilangan bulat")  # 422 swapped
    page.fill("#f-pmi_active_count", "412")
    page.fill("#f-kepala_desa_name", "Ahmad Sobari")
    page.click("text=Simpan profil")
    expect(page.locator("[data-field=kepala_desa_name]")).to_have_text("Ahmad Sobari")
    expect(page.locator("text=Profil tersimpan.")).to_be_visible()
    page.reload()
    expect(page.locator("[data-field=pmi_active_count]")).to_have_text("412")


def test_login_denied_page_and_logout(page, live_server):
    page.goto("/desa")
    expect(page).to_have_url(re.compile(r"/masuk\?next=%2Fdesa"))
    page.fill("#f-username", live_server.users["pendamping"])
    page.fill("#f-password", "kata-sandi-salah-1")
    page.click("button[type=submit]")
    expect(page.locator("[data-testid=login-error]")).to_have_text(
        "Nama pengguna atau kata sandi salah."
    )
    login(page, live_server, "pendamping")
    expect(page.locator("[data-testid=user-menu]")).to_contain_text("Pendamping")
    response = page.goto("/admin/pengguna")
    assert response is not None and response.status == 403
    expect(page.locator("h1")).to_have_text("Akses ditolak")
    page.click("text=Keluar")
    expect(page).to_have_url(re.compile(r"/masuk$"))
    page.goto("/desa")
    expect(page).to_have_url(re.compile(r"/masuk\?next="))

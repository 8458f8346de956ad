"""Desa Lontar's petugas pendataan on a 360×740 phone records a resident from consultation
to a case referral: consultation → document verification → family-permission letter (DOCX)
→ departure → return → case referred to BP3MI. Every page fits the screen and has no serious
accessibility violation; a monitor then gets 404 for the same record."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import docx
from playwright.sync_api import expect

from perdes.tracking.deadlines import local_today
from tests.browser.conftest import check_page, login
from tests.factories import LONTAR


def day(offset: int) -> str:
    return (local_today() - timedelta(days=offset)).isoformat()


def test_petugas_records_a_resident_from_consultation_to_case_referral(page, browser, live_server):
    login(page, live_server, "petugas")
    page.goto(f"/desa/{LONTAR}")
    page.get_by_role("link", name="Buka register PMI").click()
    expect(page.locator("h1")).to_contain_text("Register PMI")
    check_page(page)
    page.get_by_role("link", name="Catat orang baru").click()
    check_page(page)
    page.fill("#f-nik", "3604136107980003")
    page.fill("#f-name", "Nurjanah Peramban")
    page.fill("#f-rt", "2")
    page.fill("#f-rw", "4")
    page.fill("#f-phone", "0812 3456 7890")
    page.fill("#f-family_contact_name", "Ujang Peramban")
    page.fill("#f-family_contact_relation", "suami")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("[data-testid=person-name]")).to_have_text("Nurjanah Peramban")
    assert "3604136107980003" not in page.url
    expect(page.locator("[data-testid=nik]")).to_have_text("3604136107980003")
    check_page(page)

    # consultation (its form is open while there is none)
    page.fill("#k-held_on", day(20))
    page.select_option("#k-channel", "p3mi")
    page.fill("#k-information", "Prosedur resmi, biaya penempatan, daftar P3MI resmi")
    page.get_by_role("button", name="Simpan konsultasi").click()
    expect(page.locator("#konsultasi li").first).to_contain_text("Melalui P3MI")

    # document verification: the KTP-el checked and matching
    page.locator("#dokumen summary", has_text="KTP-el").click()
    page.select_option("#d-ktp_el-status", "sesuai")
    page.fill("#d-ktp_el-checked_on", day(15))
    page.locator("#dokumen li", has_text="KTP-el").get_by_role("button", name="Simpan").click()
    expect(page.locator("[data-testid=verified-count]")).to_have_text(re.compile(r"^1/"))
    check_page(page)

    # the family-permission letter, for the Kepala Desa
    page.locator("#surat summary").click()
    page.fill("#s-issued_on", day(14))
    page.fill("#s-number", "474/15/2026")
    page.fill("#s-granted_by_name", "Ujang Peramban")
    page.select_option("#s-granted_by_relation", "suami")
    page.fill("#s-destination_country", "Taiwan")
    page.get_by_role("button", name="Buat surat").click()
    with page.expect_download() as info:
        page.locator("#surat a[download]").first.click()
    letter = docx.Document(io.BytesIO(info.value.path().read_bytes()))
    assert "SURAT IZIN KELUARGA" in "\n".join(p.text for p in letter.paragraphs)
    cells = [c.text for t in letter.tables for c in t._cells]
    assert "Nurjanah Peramban" in cells and "Ahmad Sobari" in cells

    # departure, then return
    page.locator("#berangkat summary").click()
    page.fill("#b-departed_on", day(10))
    page.fill("#b-country", "Taiwan")
    page.select_option("#b-channel", "p3mi")
    page.fill("#b-p3mi_name", "PT Maju Bersama")
    page.select_option("#b-procedural", "ya")
    page.get_by_role("button", name="Simpan keberangkatan").click()
    expect(page.locator("#berangkat li").first).to_contain_text("prosedural")
    page.locator("#kembali summary").click()
    page.fill("#r-returned_on", day(3))
    page.select_option("#r-condition", "sakit")
    page.locator("#kembali").get_by_label("Kesehatan").check()
    page.get_by_role("button", name="Simpan kepulangan").click()
    expect(page.locator("#kembali li").first).to_contain_text("perlu layanan kesehatan")

    # a complaint, referred to BP3MI
    page.locator("#kasus > details > summary").click()
    page.fill("#c-opened_on", day(2))
    page.fill("#c-summary", "Gaji dua bulan terakhir belum dibayar")
    page.select_option("#c-referral", "bp3mi")
    page.fill("#c-referred_on", day(1))
    page.get_by_role("button", name="Simpan kasus").click()
    expect(page.locator("#kasus")).to_contain_text("rujukan: BP3MI")
    expect(page.locator(".badge")).to_have_text("PMI purna")
    check_page(page)
    record_url = page.url.split("#")[0]

    # the monitor of Kabupaten Serang never sees the record (its own browser: the 404 it
    # gets on purpose is not a console error of the journey)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    monitor = context.new_page()
    login(monitor, live_server, "pemantau")
    response = monitor.goto(record_url)
    assert response is not None and response.status == 404
    assert "Nurjanah" not in monitor.content()
    context.close()


def test_no_copy_of_a_register_page_stays_in_the_browser_after_sign_out(page, live_server):
    """htmx keeps copies of pages it navigated away from (sessionStorage) and shows them on
    Back without asking the server: a register page with a person's NIK would outlive the
    session on a shared office computer. Back must ask the server, which sends /masuk."""
    login(page, live_server, "petugas")
    page.goto(f"/desa/{LONTAR}/pmi")
    page.get_by_role("link", name="Catat orang baru").click()
    name = "Sulastri Sesitu"
    page.fill("#f-nik", "3604134408990002")
    page.fill("#f-name", name)
    page.fill("#f-rt", "1")
    page.fill("#f-rw", "3")
    page.fill("#f-family_contact_name", "Karta Sesitu")
    page.fill("#f-family_contact_relation", "ayah")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("[data-testid=person-name]")).to_have_text(name)
    page.get_by_role("link", name="Tenggat").click()  # away, by a boosted link
    expect(page.locator("h1")).to_contain_text("Tenggat")
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage))")
    assert name not in stored
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url(lambda url: "/masuk" in url or url.endswith("/"))
    page.go_back()
    page.go_back()
    page.wait_for_load_state()
    assert name not in page.content()

"""A village secretary on a 360×740 phone: home → draft → Word → print in few taps, a visible
result after every save, failures that say so, pages no wider than the screen, and no serious
accessibility violation (axe-core) on any page of the journeys."""

from __future__ import annotations

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_fits,
    assert_outcome_shown,
    assert_tap_targets,
    check_page,
    login,
)
from tests.factories import LONTAR

LONG = "x" * 200  # one unbroken 200-character word


def test_first_time_operator_gets_a_word_file_and_a_print_in_under_ten_taps(page, live_server):
    taps = 0

    def tap(locator):  # type: ignore[no-untyped-def]
        nonlocal taps
        taps += 1
        locator.click()

    page.goto("/masuk")
    check_page(page)
    taps += 2  # the two fields
    page.fill("#f-username", live_server.users["operator_susukan"])
    page.fill("#f-password", live_server.password)
    tap(page.locator("button[type=submit]"))
    expect(page.locator("h1")).to_have_text("Desa saya")
    check_page(page)
    tap(page.get_by_role("link", name="Buat rancangan Perdes"))
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA SUSUKAN")
    check_page(page)
    tap(page.locator(".action-bar [data-testid=save]"))
    assert_outcome_shown(page, "[data-testid=saved-notice]")
    expect(page.locator("[data-testid=saved-notice]")).to_contain_text("Revisi 1 tersimpan")
    check_page(page)
    # the sticky save-and-download bar leaves the form most of the screen (it took 38 %)
    bar = page.locator(".action-bar").bounding_box()
    assert bar is not None and bar["height"] <= 0.2 * 740, bar
    with page.expect_download() as info:
        tap(page.locator(".action-bar [data-testid=download-word]"))
    assert info.value.suggested_filename == "Rancangan-Perdes-PMI-Susukan-revisi-1.docx"
    text = "\n".join(
        p.text for p in docx.Document(io.BytesIO(info.value.path().read_bytes())).paragraphs
    )
    assert "PERATURAN DESA SUSUKAN" in text
    tap(page.locator(".action-bar [data-testid=print]"))
    expect(page.locator("[data-testid=print-button]")).to_be_visible()
    check_page(page)
    page.evaluate("() => { window.print = () => { window.__printed = true; }; }")
    tap(page.locator("[data-testid=print-button]"))
    assert page.evaluate("() => window.__printed === true")
    assert taps < 10, taps
    # the print view numbers lists once (the numbers are text, the lists draw no markers)
    marker = page.evaluate(
        "() => getComputedStyle(document.querySelector('.perdes ol.menimbang')).listStyleType"
    )
    assert marker == "none"
    align = page.evaluate(
        "() => getComputedStyle(document.querySelector('.perdes .judul-pasal')).textAlign"
    )
    assert align == "center"
    # headings never skip a level (axe "heading-order", a moderate rule check_page ignores),
    # and a Pasal heading looks the same at h4 (under a BAB) as at h5 (inside a Bagian)
    skipped = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['heading-order']})).violations"
        ".map(v => v.nodes.map(n => n.target.join(' ')))"
    )
    assert skipped == [], skipped
    looks = page.evaluate(
        "() => ['h4', 'h5'].map(h => { const s = getComputedStyle("
        "document.querySelector('.perdes ' + h + '.judul-pasal'));"
        " return [s.fontSize, s.fontWeight, s.textAlign, s.marginTop]; })"
    )
    assert looks[0] == looks[1], looks


def test_the_header_leaves_the_phone_screen_to_the_page(page, live_server):
    """At 360 px the operator's header is two rows: the brand, who is signed in (cut) and
    Keluar, then the menu (it was five rows, 216 px, 29 % of the screen)."""
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    header = page.locator("header.site")
    rows = header.evaluate(
        "h => new Set([...h.querySelectorAll('.brand, .who, button, nav a')]"
        ".map(e => Math.round(e.getBoundingClientRect().top))).size"
    )
    assert rows == 2, rows
    who = page.locator("header.site .who")
    assert who.evaluate("e => e.scrollWidth >= e.clientWidth")  # cut with "…", not wrapped
    expect(who).to_have_attribute("href", "/akun")


def test_errors_are_shown_where_the_user_is_and_long_words_wrap(page, live_server):
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}/rancangan/baru")
    for field in page.locator("#draft-form input[type=text]:not([readonly])").all():
        field.fill(LONG)
    page.fill("#f-v_batas_lapor_hari", "-5")
    page.locator(".action-bar [data-testid=save]").click()
    assert_outcome_shown(page, "[data-testid=form-errors]")
    expect(
        page.locator("[data-testid=form-errors] a[href='#f-v_batas_lapor_hari']")
    ).to_be_visible()
    invalid = page.locator("#f-v_batas_lapor_hari")
    expect(invalid).to_have_attribute("aria-invalid", "true")
    border = invalid.evaluate("el => getComputedStyle(el).borderTopColor")
    assert border == "rgb(180, 35, 24)", border  # the error colour wins over the input rule
    check_page(page)

    page.goto(f"/desa/{LONTAR}")
    page.get_by_role("link", name="Ubah profil").click()
    page.fill("#f-address", LONG)
    page.fill("#f-contact_email", "")
    page.get_by_role("button", name="Simpan profil").click()
    assert_outcome_shown(page, "#village-profile .notice")
    check_page(page)


def test_an_expired_session_and_a_lost_connection_say_so(page, live_server):
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    page.get_by_role("link", name="Ubah profil").click()
    page.context.set_offline(True)
    page.get_by_role("button", name="Simpan profil").click()
    flash = page.locator("#flash")
    expect(flash).to_contain_text("Tidak ada sambungan; data belum tersimpan")
    expect(flash).to_be_focused()
    expect(flash).to_be_in_viewport()
    page.context.set_offline(False)
    expect(page.get_by_role("button", name="Simpan profil")).to_be_enabled()

    page.context.clear_cookies()
    page.get_by_role("button", name="Simpan profil").click()
    expect(flash).to_contain_text("Sesi berakhir — silakan masuk lagi")
    expect(flash.get_by_role("link", name="Masuk lagi")).to_have_attribute(
        "href", f"/masuk?next=%2Fdesa%2F{LONTAR.replace('.', '.')}"
    )
    check_page(page)


def test_back_and_forward_after_htmx_navigation_show_whole_pages(page, live_server):
    login(page, live_server, "operator")
    page.goto("/desa")
    # the search answers 300 ms after typing: wait for it, or (under load) its answer lands on
    # the village page already opened and finds no #region-filters there
    with page.expect_response(lambda response: "q=lontar" in response.url):
        page.fill("input[name=q]", "lontar")
    expect(page.locator("a", has_text="Lontar").first).to_be_visible()
    page.locator("a", has_text="Lontar").first.click()
    expect(page.locator("h1")).to_contain_text("Lontar")
    for cache in ("kept", "cleared"):
        if cache == "cleared":  # a history-cache miss: htmx asks the server for the page
            page.evaluate("() => localStorage.clear()")
        page.go_back()
        expect(page.locator("header.site")).to_have_count(1)
        expect(page.locator("main#isi h1")).to_be_visible()
        page.go_forward()
        expect(page.locator("header.site")).to_have_count(1)
        expect(page.locator("main#isi h1")).to_contain_text("Lontar")
    assert_fits(page)


def test_a_refused_form_keeps_the_address_of_its_page_so_a_reload_works(page, live_server):
    """A new draft saved with a bad value says why, and the address bar still shows the
    new-draft page: before, htmx put the form's POST address there, so a reload showed another
    page (here the list of drafts; for a revision's save, "Metode tidak diizinkan")."""
    login(page, live_server, "operator")
    new_draft = f"/desa/{LONTAR}/rancangan/baru?template=pelindungan-pmi"
    page.goto(f"/desa/{LONTAR}")
    page.click("text=Rancangan Perdes PMI")
    page.click("button:has-text('Buat rancangan')")  # by htmx navigation, as a user gets there
    expect(page.locator("#f-v_batas_lapor_hari")).to_be_attached()
    page.fill("#f-v_batas_lapor_hari", "-5")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("text=Simpan rancangan")
    assert answer.value.status == 422
    expect(page.locator("[data-testid=form-errors]")).to_be_visible()
    assert page.url.endswith(new_draft), page.url
    response = page.reload()
    assert response is not None and response.status == 200
    expect(page.locator("#f-v_batas_lapor_hari")).to_be_attached()


def test_a_file_over_the_limit_is_refused_when_chosen_not_after_sending_it(page, live_server):
    """On a slow connection a 12 MB scan would take minutes to be refused: app.js refuses it as
    soon as it is chosen, saying the limit, which the field's hint states too."""
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}/ceklis/desa-pmi-prosedural/penggerak-terlatih")
    field = page.locator("input[type=file][data-max-bytes]").first
    expect(page.locator(f"label[for='{field.get_attribute('id')}']")).to_contain_text(
        "paling besar 10 MB"
    )
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    big = {
        "name": "pindaian.pdf",
        "mimeType": "application/pdf",
        "buffer": b"%PDF" + bytes(12 << 20),
    }
    field.set_input_files(big)
    expect(page.locator("#flash")).to_contain_text("terlalu besar (12 MB): paling besar 10 MB")
    assert field.evaluate("el => el.files.length") == 0
    assert not posts
    small = {"name": "sk.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 small"}
    field.set_input_files(small)
    assert field.evaluate("el => el.files.length") == 1
    # the scans of one form are sent together: 6 MB each is fine alone, not together
    page.goto(f"/desa/{LONTAR}/perdes/tercatat")
    scans = page.locator("form input[type=file][data-max-bytes]")
    assert scans.count() >= 2
    six = {"name": "ba.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + bytes(6 << 20)}
    scans.nth(0).set_input_files(six)
    scans.nth(1).set_input_files({**six, "name": "perdes.pdf"})
    expect(page.locator("#flash")).to_contain_text("bersama-sama 12 MB: paling besar 10 MB")
    assert scans.nth(0).evaluate("el => el.files.length") == 1
    assert scans.nth(1).evaluate("el => el.files.length") == 0
    assert not posts


def test_the_accessibility_check_does_find_violations(page):
    """The axe-core check is real: an image without alt text and an unlabelled field fail."""
    page.set_content('<html lang="id"><body><main><img src="data:,"><input></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        check_page(page)


def test_the_tap_target_check_does_find_small_targets(page):
    page.set_content(
        '<html lang="id"><body><nav><a href="/a" style="font-size:9px">Daftar</a></nav>'
        '<main><input type="checkbox" aria-label="Pilih"></main></body></html>'
    )
    with pytest.raises(AssertionError, match=r'a "Daftar" \d+x1\d.*input "" 13x13'):
        assert_tap_targets(page)


PAGES = {
    "operator": [
        "/",
        "/desa?q=lontar",
        f"/desa/{LONTAR}",
        f"/desa/{LONTAR}/rancangan",
        f"/desa/{LONTAR}/perdes/tercatat",
        f"/desa/{LONTAR}/register",
        "/perdes/tenggat",
        "/akun",
        "/akun/kata-sandi",
        "/api/v1/docs",
    ],
    "pendamping": ["/"],
    "petugas": [f"/desa/{LONTAR}/pmi", f"/desa/{LONTAR}/pmi/baru"],
    "pemantau": [
        "/pemantauan/mulai",
        "/pemantauan/wilayah/36.04.13",
        "/pemantauan/desa",
        "/pemantauan/sasaran",
        "/verifikasi",
        "/audit",
    ],
    "admin": ["/admin/pengguna", "/audit", "/admin/tenggat", "/pemantauan"],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_fits_a_phone_and_passes_axe(page, live_server, role):
    login(page, live_server, role)
    for url in PAGES[role]:
        response = page.goto(url)
        assert response is not None and response.status < 400, url
        check_page(page)


def test_monitor_makes_a_target_list_on_a_phone(page, live_server):
    login(page, live_server, "pemantau")
    expect(page.locator("main h1")).to_contain_text("Kabupaten Serang")  # his region, not Indonesia
    page.goto("/pemantauan/sasaran")
    page.fill("#f-name", "Kantong PMI " + LONG)
    page.get_by_role("button", name="Buat daftar").click()
    expect(page.locator("header.site")).to_have_count(1)  # a whole page, not a bare fragment
    expect(page.locator("main h1")).to_contain_text("Kantong PMI")
    check_page(page)
    page.fill("#f-wilayah", "Kecamatan Tirtayasa, Kabupaten Serang (36.04.13)")
    page.get_by_role("button", name="Tambahkan").click()
    assert_outcome_shown(page, "#target-page .notice[data-outcome]")
    expect(page.locator("#target-page .notice[data-outcome]")).to_contain_text("desa ditambahkan")
    check_page(page)
    page.go_back()
    expect(page.locator("header.site")).to_have_count(1)
    expect(page.locator("main h1")).to_be_visible()


def test_the_monitoring_tabs_follow_the_region_typed_in_a_list_filter(page, live_server):
    """The filter swaps only the results; the tabs come along, so "Dasbor" and the other
    lists open the region just typed, not the one the list was first opened on."""
    login(page, live_server, "pemantau")
    page.goto("/pemantauan/desa?daftar=belum_mulai")
    page.fill("#f-wilayah", "36.04.13")
    with page.expect_response(lambda r: "wilayah=36.04.13" in r.url):
        page.get_by_role("button", name="Tampilkan").click()
    tabs = page.locator("nav.mon-tabs")
    expect(tabs).to_have_count(1)
    expect(tabs.get_by_role("link", name="Dasbor")).to_have_attribute(
        "href", "/pemantauan/wilayah/36.04.13"
    )
    expect(tabs.get_by_role("link", name="Terlambat")).to_have_attribute(
        "href", re.compile(r"wilayah=36\.04\.13$")
    )
    check_page(page)

"""Village directory and village page through the HTTP client: pages and htmx fragments."""

import pytest
from bs4 import BeautifulSoup

from perdes.regions.models import VillageProfile
from tests.factories import LONTAR, PONTANG, SUKRA


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def test_directory_search_full_page_and_fragment(client, db, regions):
    client.login_as(db, "pemantau")
    page = client.get("/desa?q=lontar")
    assert page.status_code == 200
    html = soup(page)
    assert html.select_one("html") is not None and html.select_one("form[role=search]")
    links = [a.get_text(" ", strip=True) for a in html.select("#village-results a.name")]
    assert links == ["Desa Lontar"]
    assert "Kec. Tirtayasa, Kabupaten Serang, Banten" in html.select_one("#village-results").text
    fragment = client.get("/desa?q=lontar", htmx=True)
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    frag = soup(fragment)
    assert frag.select_one("#village-results a.name").get_text(strip=True) == "Desa Lontar"
    assert frag.select_one("#region-filters[hx-swap-oob]"), "filters are refreshed out of band"
    assert "HX-Request" in page.headers["vary"].split(", ")


def test_cascading_filters_offer_children_of_the_chosen_region(client, db, regions):
    client.login_as(db, "admin")
    html = soup(client.get("/desa?provinsi=36&kabupaten=36.04"))
    regencies = [o["value"] for o in html.select("#f-kabupaten option") if o["value"]]
    assert "36.04" in regencies and "32.12" not in regencies
    districts = {o.get_text() for o in html.select("#f-kecamatan option") if o["value"]}
    assert {"Pontang", "Tirtayasa", "Tanara"} <= districts
    assert html.select_one("[data-testid=result-count]").get_text().startswith("34 ")
    mismatched = soup(client.get("/desa?provinsi=32&kabupaten=36.04"))
    assert mismatched.select_one("#f-kabupaten option[selected]") is None


def test_filter_options_are_kept_per_scope_and_not_asked_again(client, db, regions, connection):
    from sqlalchemy import event

    statements: list[str] = []
    event.listen(connection, "before_cursor_execute", lambda *a: statements.append(a[2]))
    client.login_as(db, "pemantau", ("36.04",))
    first = soup(client.get("/desa?provinsi=36"))
    assert [o["value"] for o in first.select("#f-provinsi option") if o["value"]] == ["36"]
    asked = len(statements)
    again = soup(client.get("/desa?provinsi=36&q=lon"))
    assert [o["value"] for o in again.select("#f-kabupaten option") if o["value"]] == ["36.04"]
    later = statements[asked:]
    assert not any(
        "region.level = " in s and "ORDER BY region.name" in s and "LIMIT" not in s for s in later
    )
    client.login_as(db, "admin")  # another scope: its own options, not the pemantau's
    every = soup(client.get("/desa"))
    assert {"32", "36"} <= {o["value"] for o in every.select("#f-provinsi option")}


def test_pagination_links_keep_the_filters(client, db, regions):
    client.login_as(db, "admin")
    html = soup(client.get("/desa?kabupaten=36.04&provinsi=36"))
    nxt = html.select_one("nav.pager a")
    assert "halaman=2" in nxt["href"] and "kabupaten=36.04" in nxt["href"]
    second = soup(client.get(nxt["href"]))
    assert "halaman 2 dari 2" in second.select_one("[data-testid=result-count]").text


def test_bad_page_number_is_a_clear_422(client, db, regions):
    client.login_as(db, "admin")
    response = client.get("/desa?halaman=abc")
    assert response.status_code == 422
    assert "Isian tidak valid" in response.text


def test_village_page_shows_profile_and_edit_only_to_editors(client, db, regions):
    client.login_as(db, "operator")
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert html.select_one("h1").get_text(" ", strip=True).startswith("Desa Lontar")
    assert "Kecamatan Tirtayasa" in html.select_one(".breadcrumbs").text
    assert html.select_one(f"a[href='/desa/{LONTAR}/profil']")


def test_monitor_reads_but_is_not_offered_editing(client, db, regions):
    client.login_as(db, "pemantau")
    html = soup(client.get(f"/desa/{LONTAR}"))
    assert html.select_one("h1") and not html.select_one(f"a[href='/desa/{LONTAR}/profil']")
    assert client.get(f"/desa/{LONTAR}/profil").status_code == 403


def test_profile_edit_with_htmx_swaps_the_widget(client, db, regions):
    client.login_as(db, "operator")
    form = client.get(f"/desa/{LONTAR}/profil", htmx=True)
    assert form.status_code == 200 and "<html" not in form.text
    assert soup(form).select_one("form input[name=csrf_token]")
    data = {
        "sebutan_desa": "Desa",
        "sebutan_kepala_desa": "Kepala Desa",
        "sebutan_bpd": "Badan Permusyawaratan Desa",
        "kepala_desa_name": "Ahmad Sobari",
        "pmi_active_count": "412",
        "version": soup(form).select_one("form input[name=version]")["value"],
    }
    saved = client.post(f"/desa/{LONTAR}/profil", data, htmx=True)
    assert saved.status_code == 200
    widget = soup(saved)
    assert widget.select_one("[data-field=kepala_desa_name]").text == "Ahmad Sobari"
    assert widget.select_one("[data-field=pmi_active_count]").text == "412"
    assert "Profil tersimpan." in saved.text


def test_profile_edit_without_javascript_redirects_after_save(client, db, regions):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}/profil")
    assert soup(page).select_one("html") is not None
    data = {
        "sebutan_desa": "Desa",
        "sebutan_kepala_desa": "Kepala Desa",
        "sebutan_bpd": "BPD",
        "ketua_bpd_name": "Yasin",
        "version": "0",
    }
    saved = client.post(f"/desa/{LONTAR}/profil", data)
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"/desa/{LONTAR}")
    assert "Yasin" in client.get(f"/desa/{LONTAR}").text


def test_invalid_profile_rerenders_with_field_errors_and_422(client, db, regions):
    client.login_as(db, "operator")
    data = {
        "sebutan_desa": "",
        "sebutan_kepala_desa": "Kepala Desa",
        "sebutan_bpd": "BPD",
        "pmi_active_count": "banyak",
        "kepala_desa_name": "<b>Ahmad</b>",
    }
    response = client.post(f"/desa/{LONTAR}/profil", data, htmx=True)
    assert response.status_code == 422
    html = soup(response)
    assert html.select_one("#f-sebutan_desa")["aria-invalid"] == "true"
    assert "Wajib diisi." in html.select_one("#e-sebutan_desa").text
    assert "bilangan bulat" in html.select_one("#e-pmi_active_count").text
    assert html.select_one("#f-kepala_desa_name")["value"] == "<b>Ahmad</b>"
    assert "<b>Ahmad</b>" not in response.text
    assert "belum pernah" in client.get(f"/desa/{LONTAR}").text, "nothing was saved"


def test_other_villages_are_404_for_reading_and_writing(client, db, regions):
    client.login_as(db, "operator")
    assert client.get(f"/desa/{PONTANG}").status_code == 404
    response = client.post(f"/desa/{PONTANG}/profil", {"sebutan_desa": "X"})
    assert response.status_code == 404
    assert "tidak ditemukan" in response.text.lower()
    client2_scope_page = client.get("/desa?q=sukra")
    assert "Sukra" not in soup(client2_scope_page).select_one("#village-results").text
    assert client.get(f"/desa/{SUKRA}").status_code == 404


def test_unknown_pages_get_an_indonesian_404(client, db, regions):
    client.login_as(db, "admin")
    response = client.get("/desa/99.99.99.9999")
    assert response.status_code == 404
    assert "tidak ditemukan" in response.text.lower() and '<html lang="id">' in response.text
    assert client.get("/tidak-ada").status_code == 404


def test_kelurahan_page_says_it_cannot_make_a_perdes(client, db, regions):
    client.login_as(db, "admin")
    response = client.get("/desa/36.71.01.1001")
    assert "tidak membentuk Peraturan Desa" in response.text


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize("htmx", [True, False])
def test_a_stale_profile_form_gets_409_with_the_input_kept_and_changes_nothing(
    client, db, regions, htmx
):
    """An admin opened the form; the operator saved meanwhile: the admin's save is refused,
    the admin's input stays in the form and the stored values are listed."""
    client.login_as(db, "admin")
    opened = soup(client.get(f"/desa/{LONTAR}/profil", htmx=True))
    version = opened.select_one("form input[name=version]")["value"]
    assert version == "0"
    base = {"sebutan_desa": "Desa", "sebutan_kepala_desa": "Kepala Desa", "sebutan_bpd": "BPD"}
    operator_save = {**base, "kepala_desa_name": "Ahmad Sobari", "version": version}
    assert client.post(f"/desa/{LONTAR}/profil", operator_save).status_code == 303
    stale = {**base, "kepala_desa_name": "Nama <i>lama</i>", "version": version}
    response = client.post(f"/desa/{LONTAR}/profil", stale, htmx=htmx)
    assert response.status_code == 409
    html = soup(response)
    assert "disimpan oleh pengguna lain" in html.select_one("[data-testid=conflict]").text
    assert html.select_one("#f-kepala_desa_name")["value"] == "Nama <i>lama</i>"
    stored = html.select_one("[data-testid=stored]").text
    assert "Nama kepala desa: Ahmad Sobari" in stored
    assert html.select_one("form input[name=version]")["value"] == "1"
    db.expire_all()
    row = db.get(VillageProfile, LONTAR)
    assert (row.kepala_desa_name, row.version) == ("Ahmad Sobari", 1)
    # saving again from the refreshed form is a deliberate overwrite
    again = {**stale, "version": "1"}
    assert client.post(f"/desa/{LONTAR}/profil", again).status_code == 303


@pytest.mark.parametrize("version", [None, "", "x", "²", "-1", "1e3", "0\x00"])
def test_a_profile_form_without_a_valid_version_is_refused(client, db, regions, version):
    client.login_as(db, "operator")
    data = {"sebutan_desa": "Desa", "sebutan_kepala_desa": "Kepala Desa", "sebutan_bpd": "BPD"}
    if version is not None:
        data["version"] = version
    assert client.post(f"/desa/{LONTAR}/profil", data).status_code == 409
    assert db.get(VillageProfile, LONTAR) is None

"""CSRF, security headers, XSS escaping, ids changed in URLs and forms."""

import pytest
from bs4 import BeautifulSoup

from perdes.web.security import CSP
from tests.factories import LONTAR, PONTANG, SUSUKAN

# a first save: the form carries version 0 (no profile stored yet)
PROFILE = {
    "sebutan_desa": "Desa",
    "sebutan_kepala_desa": "Kepala Desa",
    "sebutan_bpd": "BPD",
    "version": "0",
}


@pytest.mark.parametrize("token", [None, "", "0" * 64, "salah"])
def test_unsafe_requests_without_a_matching_csrf_token_get_403_and_change_nothing(
    client, db, regions, token
):
    client.login_as(db, "operator")
    data = {**PROFILE, "kepala_desa_name": "Penyusup"}
    if token is not None:
        data["csrf_token"] = token
    response = client.post(f"/desa/{LONTAR}/profil", data, csrf=False)
    assert response.status_code == 403
    assert "Token keamanan" in response.text
    assert "Penyusup" not in client.get(f"/desa/{LONTAR}").text


def test_the_htmx_header_carries_the_token(client, db, regions):
    client.login_as(db, "operator")
    page = client.get(f"/desa/{LONTAR}")
    body = BeautifulSoup(page.text, "html.parser").select_one("body")
    assert client.token() in body["hx-headers"]
    response = client.post(
        f"/desa/{LONTAR}/profil",
        PROFILE,
        csrf=False,
        htmx=True,
        headers={"X-CSRF-Token": client.token()},
    )
    assert response.status_code == 200


def test_login_form_is_csrf_protected_too(client, db, regions):
    response = client.post("/masuk", {"username": "x", "password": "y"}, csrf=False)
    assert response.status_code == 403


def test_security_headers_on_pages_and_errors(client, db, regions):
    for response in (client.get("/masuk"), client.get("/tidak-ada")):
        assert response.headers["content-security-policy"] == CSP
        assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
        assert "frame-ancestors 'none'" in CSP
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_pages_have_no_inline_script_or_style(client, db, regions):
    client.login_as(db, "admin")
    for url in (
        "/",
        "/desa",
        f"/desa/{LONTAR}",
        f"/desa/{LONTAR}/profil",
        "/admin/pengguna",
        "/audit",
    ):
        html = BeautifulSoup(client.get(url).text, "html.parser")
        assert all(s.get("src") for s in html.select("script")), url
        assert not html.select("[style]") and not html.select("style"), url
        assert not [t for t in html.find_all(True) if any(a.startswith("on") for a in t.attrs)], url


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_xss_payloads_in_every_profile_text_field_come_back_escaped(client, db, regions):
    client.login_as(db, "operator")
    fields = [
        "sebutan_desa",
        "sebutan_kepala_desa",
        "kepala_desa_name",
        "sekretaris_desa_name",
        "ketua_bpd_name",
        "address",
    ]
    data = {**PROFILE, **{f: XSS[:40] for f in fields}, "sebutan_bpd": XSS}
    response = client.post(f"/desa/{LONTAR}/profil", data)
    assert response.status_code == 303, response.text[:300]
    page = client.get(f"/desa/{LONTAR}").text
    assert "<script>alert" not in page and "onerror=alert(1)>" not in page
    assert "&lt;script&gt;" in page


def test_xss_in_search_and_user_names_is_escaped(client, db, regions):
    client.login_as(db, "admin")
    page = client.get("/desa", params={"q": XSS[:90]})
    assert "<script>alert" not in page.text
    created = client.post(
        "/admin/pengguna",
        {
            "username": "penyusup",
            "full_name": XSS[:90],
            "role": "pendamping",
            "scopes": LONTAR,
            "password": "kata-sandi-uji-123",
        },
    )
    assert created.status_code == 303
    listing = client.get("/admin/pengguna").text
    assert "<script>alert" not in listing and "&lt;script&gt;" in listing


def test_changing_ids_in_urls_and_forms_does_not_reach_other_villages(client, db, regions):
    client.login_as(db, "pendamping")  # Lontar and Susukan
    assert client.get(f"/desa/{SUSUKAN}").status_code == 200
    assert client.get(f"/desa/{PONTANG}").status_code == 404
    assert client.post(f"/desa/{SUSUKAN}/profil", PROFILE).status_code == 403
    # a form field naming another village is ignored: the URL decides, and the scope filter applies
    client.raw.cookies.clear()
    client.login_as(db, "operator")
    response = client.post(
        f"/desa/{LONTAR}/profil", {**PROFILE, "region_code": PONTANG, "kepala_desa_name": "X"}
    )
    assert response.status_code == 303
    client.raw.cookies.clear()
    client.login_as(db, "admin")
    assert "belum pernah" in client.get(f"/desa/{PONTANG}").text

"""The admin daerah's pages: only the roles it may grant, only the users it manages."""

from bs4 import BeautifulSoup

from perdes.accounts.principal import Principal
from perdes.tracking import rules
from tests.factories import LONTAR, PASSWORD, SUKRA, make_user


def test_admin_daerah_pages_offer_only_what_it_may_do(client, db, regions):
    admin = make_user(db, "admin", username="admin.pusat")
    make_user(db, "operator", (SUKRA,), username="operator.sukra")
    make_user(db, "operator", (LONTAR,), username="operator.lontar")
    client.login_as(db, "admin_daerah", ("36.04",))
    page = BeautifulSoup(client.get("/admin/pengguna").text, "html.parser")
    names = [a.text for a in page.select("tbody a")]
    assert names == ["operator.lontar"]
    options = [o["value"] for o in page.select("#f-role option") if o["value"]]
    assert options == ["pemantau", "operator", "pendamping", "petugas"]
    assert client.get(f"/admin/pengguna/{admin.id}").status_code == 404
    refused = client.post(
        "/admin/pengguna",
        {
            "username": "admin.palsu",
            "full_name": "Admin Palsu",
            "role": "admin",
            "scopes": "",
            "password": PASSWORD,
        },
        htmx=True,
    )
    assert refused.status_code == 422
    assert "tidak dapat memberikan" in BeautifulSoup(refused.text, "html.parser").text
    outside = client.post(
        "/admin/pengguna",
        {
            "username": "op.sukra2",
            "full_name": "Op",
            "role": "operator",
            "scopes": SUKRA,
            "password": PASSWORD,
        },
        htmx=True,
    )
    assert outside.status_code == 422 and "Di luar wilayah tugas Anda" in outside.text


def test_admin_daerah_deadline_page_keeps_national_rules_read_only(client, db, regions):
    rules.set_rule(
        db, actor=Principal.system(), kind="penyerahan", regency_code="", days=9, legal_basis="N"
    )
    client.login_as(db, "admin_daerah", ("36.04",))
    page = BeautifulSoup(client.get("/admin/tenggat").text, "html.parser")
    row = page.select_one("[data-testid=rules] tbody tr")
    assert "Nasional" in row.text and row.select_one("form") is None
    saved = client.post(
        "/admin/tenggat",
        {"kind": "penyerahan", "regency_code": "3604", "days": "10", "legal_basis": "Perbup"},
    )  # typed without the dot, as it is often written
    assert saved.status_code == 200 and "Kabupaten Serang" in saved.text
    assert rules.list_rules(db, actor=Principal.system())[-1].rule.regency_code == "36.04"
    national = client.post(
        "/admin/tenggat",
        {"kind": "penetapan", "regency_code": "", "days": "10", "legal_basis": "x"},
    )
    assert national.status_code == 422 and "aturan nasional hanya diatur admin" in national.text

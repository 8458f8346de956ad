"""Admin user pages and the audit log."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, User
from perdes.accounts.principal import Principal
from perdes.profiles import services as profiles
from tests.factories import LONTAR, PASSWORD, SUKRA, make_user

PROFILE = {"sebutan_desa": "Desa", "sebutan_kepala_desa": "Kepala Desa", "sebutan_bpd": "BPD"}


def test_admin_creates_a_user_who_can_then_sign_in(client, db, regions):
    client.login_as(db, "admin")
    response = client.post(
        "/admin/pengguna",
        {
            "username": "sekdes.lontar",
            "full_name": "Sekdes Lontar",
            "role": "operator",
            "scopes": LONTAR,
            "password": PASSWORD,
        },
    )
    assert response.status_code == 303
    detail = client.get(response.headers["location"])
    assert "Sekdes Lontar" in detail.text and "Operator desa" in detail.text
    client.raw.cookies.clear()
    client.login("sekdes.lontar")
    assert client.get(f"/desa/{LONTAR}").status_code == 200


def test_create_user_form_reports_every_bad_field_with_422(client, db, regions):
    client.login_as(db, "admin")
    response = client.post(
        "/admin/pengguna",
        {
            "username": "A",
            "full_name": "",
            "role": "operator",
            "scopes": "36.04",
            "password": "pendek",
        },
        htmx=True,
    )
    assert response.status_code == 422
    html = BeautifulSoup(response.text, "html.parser")
    for field in ("username", "full_name", "password", "scopes"):
        assert html.select_one(f"#e-{field}"), field
    assert html.select_one("#f-password")["value"] == "", "passwords are never echoed back"


def form_version(client, url: str) -> str:
    """The account version the user page's forms carry (one value for all of them)."""
    page = BeautifulSoup(client.get(url).text, "html.parser")
    (version,) = {field["value"] for field in page.select("form input[name=version]")}
    return version


def test_admin_sets_scopes_resets_passwords_and_disables(client, db, regions):
    target = make_user(db, "pemantau", username="pemantau.x")
    client.login_as(db, "admin")
    base = f"/admin/pengguna/{target.id}"
    saved = client.post(f"{base}/wilayah", {"scopes": "36.04 32.12", "version": "1"})
    assert saved.status_code == 200
    db.expire_all()
    assert [s.region_code for s in db.get(User, target.id).scopes] == ["32.12", "36.04"]
    bad = client.post(f"{base}/wilayah", {"scopes": LONTAR, "version": form_version(client, base)})
    assert bad.status_code == 422 and "Pemantau ditugaskan" in bad.text
    short = {"password": "pendek", "version": form_version(client, base)}
    assert client.post(f"{base}/sandi", short).status_code == 422
    new = {"password": "sandi-baru-yang-panjang", "version": form_version(client, base)}
    assert client.post(f"{base}/sandi", new).status_code == 200
    db.expire_all()
    assert accounts.authenticate(
        db, username="pemantau.x", password="sandi-baru-yang-panjang", client_addr="t"
    )
    off = {"active": "0", "version": form_version(client, base)}
    assert "Akun dinonaktifkan." in client.post(f"{base}/status", off).text
    db.expire_all()
    assert db.get(User, target.id).is_active is False


def test_non_admins_cannot_reach_admin_pages(client, db, regions):
    client.login_as(db, "pemantau")
    assert client.get("/admin/pengguna").status_code == 403
    assert "tidak berhak" in client.get("/admin/pengguna").text
    assert client.post("/admin/pengguna", {"username": "x"}).status_code == 403


def test_each_kind_of_write_leaves_an_audit_entry(client, db, regions):
    admin = make_user(db, "admin", username="kepala.admin")
    client.login(admin.username)
    client.post(
        "/admin/pengguna",
        {
            "username": "op.baru",
            "full_name": "Op",
            "role": "operator",
            "scopes": LONTAR,
            "password": PASSWORD,
        },
    )
    user_id = accounts.find_user(db, username="op.baru").id
    base = f"/admin/pengguna/{user_id}"
    new = {"password": "sandi-baru-yang-panjang", "version": form_version(client, base)}
    assert client.post(f"{base}/sandi", new).status_code == 200
    off = {"active": "0", "version": form_version(client, base)}
    assert client.post(f"{base}/status", off).status_code == 200
    on = {"active": "1", "version": form_version(client, base)}
    assert client.post(f"{base}/status", on).status_code == 200
    client.post(f"/desa/{LONTAR}/profil", {**PROFILE, "kepala_desa_name": "Ahmad", "version": "0"})
    second = {**PROFILE, "kepala_desa_name": "Ahmad Sobari", "version": "1"}
    client.post(f"/desa/{LONTAR}/profil", second)
    entries = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    kinds = [(e.entity, e.action) for e in entries if e.username == admin.username]
    assert kinds == [
        ("user", "create"),
        ("user", "set_password"),
        ("user", "disable"),
        ("user", "enable"),
        ("village_profile", "create"),
        ("village_profile", "update"),
    ]
    assert entries[-1].changes == {"kepala_desa_name": ["Ahmad", "Ahmad Sobari"]}
    assert "***" in str(entries[-5].changes) and "sandi-baru" not in str(entries[-5].changes)


def test_audit_page_filters_and_scope(client, db, regions):
    system = Principal.system()

    profiles.update_profile(db, actor=system, code=LONTAR, data=PROFILE)
    profiles.update_profile(db, actor=system, code=SUKRA, data=PROFILE)
    client.login_as(db, "pemantau")  # Kabupaten Serang only
    page = BeautifulSoup(client.get("/audit").text, "html.parser")
    text = page.select_one("#audit-results").text
    assert LONTAR in text and SUKRA not in text
    filtered = client.get("/audit", params={"desa": SUKRA}, htmx=True)
    assert "<html" not in filtered.text and "0 catatan" in filtered.text
    client.raw.cookies.clear()
    client.login_as(db, "admin")
    assert SUKRA in client.get("/audit").text
    assert "1 catatan" in client.get("/audit", params={"desa": SUKRA}).text


def test_operators_and_pendamping_cannot_read_the_audit_log(client, db, regions):
    client.login_as(db, "operator")
    assert client.get("/audit").status_code == 403


def test_nothing_in_the_app_edits_or_deletes_audit_entries(app):
    for route in app.routes:
        path = getattr(route, "path", "")
        if path.startswith("/audit"):
            assert getattr(route, "methods", set()) <= {"GET", "HEAD"}, path

"""Ganti kata sandi: every user changes his own password; other sessions end; audited."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, LoginSession
from perdes.tracking.deadlines import local_today
from tests.factories import PASSWORD, make_user

NEW = "kata-sandi-baru-456"


def soup(response):
    return BeautifulSoup(response.text, "html.parser")


def test_change_own_password_ends_other_sessions_but_not_this_one(client, db, regions):
    user = make_user(db, "pendamping")
    other = accounts.start_session(db, user=user, client_addr="hp", user_agent="hp", days=1)
    client.login(user.username)
    page = soup(client.get("/akun/kata-sandi"))
    assert page.select_one("h1").text == "Ganti kata sandi"
    assert page.select_one("form").has_attr("novalidate")
    response = client.post(
        "/akun/kata-sandi", {"current": PASSWORD, "new": NEW, "repeated": NEW}, htmx=True
    )
    assert response.status_code == 200
    assert soup(response).select_one("[data-testid=password-saved]")
    db.expire_all()
    assert db.get(LoginSession, other.record.id).revoked_at is not None
    assert client.get("/akun").status_code == 200  # still signed in here
    assert accounts.authenticate(db, username=user.username, password=NEW, client_addr="t")
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "change_own_password")).one()
    assert entry.entity_id == str(user.id) and NEW not in str(entry.changes)


def test_wrong_current_password_or_mismatch_is_refused_with_messages(client, db, regions):
    user = make_user(db, "operator")
    client.login(user.username)
    cases = [
        ({"current": "salah-sekali-123", "new": NEW, "repeated": NEW}, "current"),
        ({"current": PASSWORD, "new": NEW, "repeated": NEW + "x"}, "repeated"),
        ({"current": PASSWORD, "new": "pendek", "repeated": "pendek"}, "new"),
        ({"current": PASSWORD, "new": "a\x01" * 6, "repeated": "a\x01" * 6}, "new"),
        ({"current": PASSWORD, "new": "1234567890", "repeated": "1234567890"}, "new"),
        ({"current": PASSWORD, "new": PASSWORD, "repeated": PASSWORD}, "new"),
        ({}, "current"),
    ]
    for data, field in cases:
        response = client.post("/akun/kata-sandi", data)
        assert response.status_code == 422, data
        html = soup(response)
        assert html.select_one(f"#f-{field}")["aria-invalid"] == "true", data
        assert html.select_one(f".error-summary a[href='#f-{field}']"), data
        if data.get("new") == "1234567890":
            assert "mudah ditebak" in html.select_one("#e-new").text
    assert accounts.authenticate(db, username=user.username, password=PASSWORD, client_addr="t")


def test_account_page_names_regions_in_words(client, db, regions):
    client.login_as(db, "pemantau", ("36.04",))
    html = soup(client.get("/akun"))
    assert html.select_one("[data-testid=scope]").text == "Kabupaten Serang"
    assert html.select_one("a[href='/akun/kata-sandi']")


def test_audit_log_is_in_words(client, db, regions):
    from datetime import timedelta

    from perdes.accounts.principal import Principal
    from perdes.tracking import services as tracking
    from tests.factories import LONTAR

    system = Principal.system()
    adoption = tracking.start_adoption(db, actor=system, village_code=LONTAR)
    tracking.record_step(
        db,
        actor=system,
        adoption_id=adoption.id,
        data={
            "stage": "direncanakan",
            "occurred_on": (local_today() - timedelta(days=3)).isoformat(),
        },
    )
    client.login_as(db, "admin")
    table = soup(client.get("/audit")).select_one("#audit-results table").get_text(" ")
    assert "mencatat langkah" in table and "Tahapan Perdes" in table and "Desa Lontar" in table
    assert "record_step" not in table and "adoption " not in table
    assert "direncanakan" not in table.replace("Direncanakan (RKP Desa)", "")


def test_new_user_form_has_no_role_preselected(client, db, regions):
    client.login_as(db, "admin")
    page = soup(client.get("/admin/pengguna"))
    selected = page.select_one("#f-role option[selected]")
    assert selected is not None and selected["value"] == ""
    data = {"username": "baru.satu", "full_name": "Baru", "password": "kata-sandi-uji-999"}
    response = client.post("/admin/pengguna", data)
    assert response.status_code == 422
    assert "Pilih peran." in soup(response).select_one("#e-role").text


def test_admin_gives_regions_by_name_and_sees_names(client, db, regions):
    from perdes.accounts.models import User

    client.login_as(db, "admin")
    page = soup(client.get("/admin/pengguna"))
    assert page.select("datalist#region-choices option")
    data = {
        "username": "pendamping.nama",
        "full_name": "Pendamping Nama",
        "role": "pendamping",
        "password": "kata-sandi-uji-999",
        "scopes": "Desa Lontar, Desa Susukan (36.04.13.2008)",
    }
    created = client.post("/admin/pengguna", data)
    assert created.status_code == 303, created.text[:300]
    user = db.scalars(select(User).where(User.username == "pendamping.nama")).one()
    assert sorted(s.region_code for s in user.scopes) == ["36.04.13.2007", "36.04.13.2008"]
    detail = soup(client.get(created.headers["location"]))
    assert "Desa Lontar (36.04.13.2007)" in detail.select_one("#f-scopes")["value"]
    bad = client.post("/admin/pengguna", {**data, "username": "lain.satu", "scopes": "Gotham"})
    assert bad.status_code == 422 and "Gotham" in soup(bad).select_one("#e-scopes").text

"""The user admin page's forms carry the account's version: of two saves made on the same
opened page, the first wins and the second gets 409 with its input kept and what is stored
now shown, never a silent overwrite. Sign-in and session bookkeeping never make an open form
stale; a bad version writes nothing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, LoginSession, User
from perdes.db import utcnow
from tests.factories import LONTAR, PASSWORD, PONTANG, SUSUKAN, make_user


def _page(client, user_id: int) -> BeautifulSoup:
    response = client.get(f"/admin/pengguna/{user_id}")
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def _version(client, user_id: int) -> str:
    (version,) = {f["value"] for f in _page(client, user_id).select("form input[name=version]")}
    return version


def _scopes(db, user_id: int) -> list[str]:
    db.expire_all()
    return [s.region_code for s in db.get(User, user_id).scopes]


# Each edit as posted from the page (its own fields), and what it leaves stored.
EDITS = {
    "wilayah": {"scopes": SUSUKAN},
    "sandi": {"password": "sandi-baru-yang-panjang"},
    "status": {"active": "0"},
}


@pytest.mark.parametrize(
    ("first", "second"), [("wilayah", "wilayah"), ("status", "wilayah"), ("sandi", "status")]
)
def test_second_save_on_a_stale_page_gets_409_with_input_kept_and_stored_shown(
    client, db, regions, first, second
):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    opened = _version(client, target.id)  # two tabs (or two admins) open the page
    won = client.post(f"/admin/pengguna/{target.id}/{first}", {**EDITS[first], "version": opened})
    assert won.status_code == 200
    stored_before = (_scopes(db, target.id), db.get(User, target.id).is_active)
    entries = db.scalar(select(func.count(AuditEntry.id)))
    kept = {"scopes": PONTANG, "active": "0", "password": "x" * 12}
    field = next(iter(EDITS[second]))
    stale = client.post(
        f"/admin/pengguna/{target.id}/{second}", {field: kept[field], "version": opened}
    )
    assert stale.status_code == 409
    page = BeautifulSoup(stale.text, "html.parser")
    conflict = page.select_one("[data-testid=conflict]")
    assert "diubah orang lain" in conflict.text
    stored = page.select_one("[data-testid=stored]").text
    assert ("nonaktif" if first == "status" else "aktif") in stored
    if first == "wilayah":
        assert SUSUKAN in stored
    if second == "wilayah":  # the typed regions are in the form again, unsaved
        assert page.select_one("#f-scopes")["value"] == kept["scopes"]
    # the forms now carry the stored version: saving again applies the input
    assert {f["value"] for f in page.select("form input[name=version]")} == {str(int(opened) + 1)}
    assert (_scopes(db, target.id), db.get(User, target.id).is_active) == stored_before
    assert db.scalar(select(func.count(AuditEntry.id))) == entries, "nothing written"


def test_saving_again_after_the_409_applies_the_input(client, db, regions):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    opened = _version(client, target.id)
    client.post(f"/admin/pengguna/{target.id}/wilayah", {"scopes": SUSUKAN, "version": opened})
    stale = client.post(
        f"/admin/pengguna/{target.id}/wilayah", {"scopes": LONTAR, "version": opened}
    )
    assert stale.status_code == 409 and _scopes(db, target.id) == [SUSUKAN]
    form = BeautifulSoup(stale.text, "html.parser").select_one("form:has(#f-scopes)")
    posted = {i["name"]: i.get("value", "") for i in form.select("input")}
    assert client.post(f"/admin/pengguna/{target.id}/wilayah", posted).status_code == 200
    assert _scopes(db, target.id) == [LONTAR]


def test_sign_in_and_session_bookkeeping_leave_open_forms_valid(client, db, regions):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    opened = _version(client, target.id)
    # meanwhile the user signs in (a failed attempt first), works, and is noted as seen
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(db, username="pendamping.x", password="salah-sekali", client_addr="t")
    user = accounts.authenticate(db, username="pendamping.x", password=PASSWORD, client_addr="t")
    login = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
    db.get(LoginSession, login.record.id).last_seen_at = utcnow().replace(year=2020)
    db.flush()
    accounts.touch_session(db, session_id=login.record.id)
    saved = client.post(
        f"/admin/pengguna/{target.id}/wilayah", {"scopes": SUSUKAN, "version": opened}
    )
    assert saved.status_code == 200 and _scopes(db, target.id) == [SUSUKAN]


def test_a_change_from_elsewhere_makes_the_open_form_stale(client, db, regions):
    """The user changes his own password while an admin has the reset form open: the admin's
    reset is refused, not laid over the user's new password."""
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    opened = _version(client, target.id)
    accounts.change_own_password(
        db,
        actor=accounts.principal_for(target),
        current=PASSWORD,
        new="sandi-milik-sendiri",
        repeated="sandi-milik-sendiri",
    )
    stale = client.post(
        f"/admin/pengguna/{target.id}/sandi",
        {"password": "sandi-dari-admin-123", "version": opened},
    )
    assert stale.status_code == 409
    db.expire_all()
    assert accounts.authenticate(
        db, username="pendamping.x", password="sandi-milik-sendiri", client_addr="t"
    )


@pytest.mark.parametrize("bad", ["", "abc", "-1", "1.0", "99999999999999999999", "\x00"])
@pytest.mark.parametrize("edit", ["wilayah", "status", "sandi"])
def test_a_missing_or_bad_version_writes_nothing(client, db, regions, bad, edit):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    entries = db.scalar(select(func.count(AuditEntry.id)))
    answer = client.post(f"/admin/pengguna/{target.id}/{edit}", {**EDITS[edit], "version": bad})
    assert answer.status_code in (409, 422)
    missing = client.post(f"/admin/pengguna/{target.id}/{edit}", EDITS[edit])
    assert missing.status_code in (409, 422)
    assert _scopes(db, target.id) == [LONTAR] and db.get(User, target.id).is_active
    assert db.scalar(select(func.count(AuditEntry.id))) == entries
    assert accounts.authenticate(db, username="pendamping.x", password=PASSWORD, client_addr="t")


def test_a_stale_invitation_issues_no_link(client, db, regions):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    db.get(User, target.id).password_hash = ""
    db.flush()
    client.login_as(db, "admin")
    opened = _version(client, target.id)
    first = client.post(f"/admin/pengguna/{target.id}/undangan", {"version": opened})
    assert first.status_code == 200 and "invitation-url" in first.text
    again = client.post(f"/admin/pengguna/{target.id}/undangan", {"version": opened})
    assert again.status_code == 409 and "invitation-url" not in again.text


def test_the_version_does_not_open_anything_to_those_without_the_right(client, db, regions):
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    other = make_user(db, "pendamping", ("32.12.31.2001",), username="pendamping.jabar")
    client.login_as(db, "admin")
    version = _version(client, target.id)
    client.raw.cookies.clear()
    client.login_as(db, "admin_daerah", ("36.04",))
    url = f"/admin/pengguna/{other.id}/wilayah"
    assert client.post(url, {"scopes": LONTAR, "version": version}).status_code == 404
    client.raw.cookies.clear()
    client.login_as(db, "pemantau", ("36.04",))
    url = f"/admin/pengguna/{target.id}/status"
    assert client.post(url, {"active": "0", "version": version}).status_code == 403
    assert _scopes(db, other.id) == ["32.12.31.2001"] and db.get(User, target.id).is_active


def test_the_operator_deactivating_a_petugas_makes_the_admin_form_stale(client, db, regions):
    from perdes.register import staff

    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.x")
    operator = make_user(db, "operator", (LONTAR,), username="operator.x")
    client.login_as(db, "admin")
    opened = _version(client, petugas.id)
    staff.set_petugas_active(
        db,
        actor=accounts.principal_for(operator),
        village_code=LONTAR,
        user_id=petugas.id,
        active=False,
        seen_active=True,
    )
    stale = client.post(
        f"/admin/pengguna/{petugas.id}/wilayah", {"scopes": SUSUKAN, "version": opened}
    )
    assert stale.status_code == 409
    assert (
        "nonaktif"
        in BeautifulSoup(stale.text, "html.parser").select_one("[data-testid=stored]").text
    )
    assert _scopes(db, petugas.id) == [LONTAR]


@pytest.mark.parametrize(
    ("edit", "typo"), [("wilayah", {"scopes": "Desa Tidak Ada"}), ("sandi", {"password": "x"})]
)
def test_a_stale_form_with_a_typo_is_409_not_422_so_its_next_save_cannot_overwrite(
    client, db, regions, edit, typo
):
    """Refused as invalid first, a stale form came back carrying the newer version, and the
    corrected save then overwrote the other admin's change unseen."""
    target = make_user(db, "pendamping", (LONTAR,), username="pendamping.x")
    client.login_as(db, "admin")
    opened = _version(client, target.id)
    won = client.post(
        f"/admin/pengguna/{target.id}/wilayah", {"scopes": SUSUKAN, "version": opened}
    )
    assert won.status_code == 200
    stale = client.post(f"/admin/pengguna/{target.id}/{edit}", {**typo, "version": opened})
    assert stale.status_code == 409
    page = BeautifulSoup(stale.text, "html.parser")
    assert "diubah orang lain" in page.select_one("[data-testid=conflict]").text
    if edit == "wilayah":
        assert page.select_one("#f-scopes")["value"] == typo["scopes"]
    assert _scopes(db, target.id) == [SUSUKAN]


def test_a_refusal_that_is_not_staleness_is_not_shown_as_someone_elses_change(client, db, regions):
    admin = client.login_as(db, "admin")
    opened = _version(client, admin.id)
    response = client.post(f"/admin/pengguna/{admin.id}/status", {"active": "0", "version": opened})
    assert response.status_code == 409
    assert "tidak dapat menonaktifkan akun Anda sendiri" in response.text
    assert "Yang tersimpan sekarang" not in response.text  # no "changed meanwhile" box
    db.expire_all()
    assert db.get(User, admin.id).is_active

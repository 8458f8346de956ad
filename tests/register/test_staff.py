"""The operator designates its village's petugas pendataan, who then works in that desa."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, LoginSession, User
from perdes.accounts.permissions import ROLE_LABELS, Role
from tests.factories import LONTAR, SUSUKAN, make_user


def test_operator_designates_a_petugas_who_gets_an_invitation(client, db, regions):
    client.login_as(db, "operator", (LONTAR,))
    url = f"/desa/{LONTAR}/pmi/petugas"
    bad = client.post(url, {"username": "X Y", "full_name": ""})
    assert bad.status_code == 422 and "Wajib diisi" in bad.text
    done = client.post(url, {"username": "petugas.baru", "full_name": "Dedi Petugas"})
    assert done.status_code == 200
    page = BeautifulSoup(done.text, "html.parser")
    assert "/undangan/" in page.select_one("[data-testid=invitation]").get_text()
    assert "Dedi Petugas" in page.select_one("[data-testid=petugas]").get_text()
    user = db.scalar(select(User).where(User.username == "petugas.baru"))
    assert user is not None and user.role is Role.PETUGAS and not user.password_hash
    assert [s.region_code for s in user.scopes] == [LONTAR]
    assert client.get(f"/desa/{SUSUKAN}/pmi/petugas").status_code == 404
    assert client.get("/admin/pengguna").status_code == 403  # still no user management


def test_only_the_operator_and_admins_designate(client, db, regions):
    for role in ("pemantau", "admin_daerah", "petugas", "pendamping"):
        client.raw.cookies.clear()
        client.login_as(db, role)
        response = client.post(
            f"/desa/{LONTAR}/pmi/petugas", {"username": f"x.{role}", "full_name": "X"}
        )
        assert response.status_code == 403, role


def test_operator_deactivates_and_reactivates_its_petugas(client, db, regions):
    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.lontar")
    session = accounts.start_session(db, user=petugas, client_addr="t", user_agent="t", days=1)
    other = make_user(db, "petugas", (SUSUKAN,), username="petugas.susukan")
    operator = client.login_as(db, "operator", (LONTAR,))
    url = f"/desa/{LONTAR}/pmi/petugas/{petugas.id}/status"
    page = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/petugas").text, "html.parser")
    form = page.select_one(f"[data-user='{petugas.id}'] form")
    assert form["action"] == url
    assert form.select_one("[name=seen_active]")["value"] == "1"

    done = client.post(url, {"active": "0", "seen_active": "1"})
    assert done.status_code == 200 and "dinonaktifkan" in done.text
    db.expire_all()
    assert not petugas.is_active
    assert db.get(LoginSession, session.record.id).revoked_at is not None  # signed out at once
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity == "user", AuditEntry.entity_id == str(petugas.id)
        )
    ).all()[-1]
    assert entry.action == "disable" and entry.user_id == operator.id

    # a second operator's form, shown while the petugas was still active: 409, nothing changed
    stale = client.post(url, {"active": "0", "seen_active": "1"})
    assert stale.status_code == 409 and "sudah diubah orang lain" in stale.text
    assert client.post(url, {"active": "0"}).status_code == 409  # no version
    assert form.select_one("[name=seen_deactivated_by]")["value"] == ""
    again = client.post(url, {"active": "1", "seen_active": "0", "seen_deactivated_by": "operator"})
    assert again.status_code == 200 and "diaktifkan kembali" in again.text
    db.expire_all()
    assert petugas.is_active

    # another village's petugas and a user who is no petugas: 404, untouched
    for user_id in (other.id, operator.id, 999999):
        response = client.post(
            f"/desa/{LONTAR}/pmi/petugas/{user_id}/status", {"active": "0", "seen_active": "1"}
        )
        assert response.status_code == 404, user_id
    assert (
        client.post(
            f"/desa/{SUSUKAN}/pmi/petugas/{other.id}/status", {"active": "0", "seen_active": "1"}
        ).status_code
        == 404
    )  # the operator's scope is Lontar only
    db.expire_all()
    assert other.is_active and operator.is_active


# --- who deactivated: only that level or higher reactivates -------------------------------

RANK = {"operator": 1, "admin_daerah": 2, "admin": 3}


def _set_status(client, db, role, petugas, active):  # type: ignore[no-untyped-def]
    """As ``role``, through the page that role uses: the operator its village's Petugas page
    (the form it was shown), the admin daerah and the admin the user page in Pengguna."""
    client.raw.cookies.clear()
    client.login_as(db, role)
    if role != "operator":
        page = BeautifulSoup(client.get(f"/admin/pengguna/{petugas.id}").text, "html.parser")
        version = page.select_one("form input[name=version]")["value"]
        return client.post(
            f"/admin/pengguna/{petugas.id}/status", {"active": active, "version": version}
        )
    page = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/petugas").text, "html.parser")
    form = page.select_one(f"[data-user='{petugas.id}'] form")
    version = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    return client.post(form["action"], {**version, "active": active})


@pytest.mark.parametrize("by", ["operator", "admin_daerah", "admin"])
@pytest.mark.parametrize("then", ["operator", "admin_daerah", "admin"])
def test_only_the_level_that_deactivated_or_a_higher_one_reactivates(client, db, regions, by, then):
    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.lontar")
    assert _set_status(client, db, by, petugas, "0").status_code == 200
    db.expire_all()
    assert not petugas.is_active and petugas.deactivated_by_role == by
    entry = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(petugas.id))
        .order_by(AuditEntry.id)
    ).all()[-1]
    assert entry.action == "disable" and entry.changes["deactivated_by_role"] == [None, by]

    allowed = RANK[then] >= RANK[by]
    client.raw.cookies.clear()
    client.login_as(db, then)
    if then == "operator":
        page = BeautifulSoup(client.get(f"/desa/{LONTAR}/pmi/petugas").text, "html.parser")
        row = page.select_one(f"[data-user='{petugas.id}']")
        assert bool(row.select("button[name=active][value='1']")) is allowed
        reason = row.select_one("[data-testid=reactivation-refused]")
        assert (reason is None) is allowed
        if not allowed:  # why the button is missing, and a forged form still refused
            assert "hanya" in reason.text and ROLE_LABELS[Role(by)].lower() in reason.text
            forged = client.post(
                f"/desa/{LONTAR}/pmi/petugas/{petugas.id}/status",
                {"active": "1", "seen_active": "0", "seen_deactivated_by": by},
            )
            assert forged.status_code == 403 and "hanya" in forged.text
    else:
        page = BeautifulSoup(client.get(f"/admin/pengguna/{petugas.id}").text, "html.parser")
        assert bool(page.select("form button[type=submit]:-soup-contains('Aktifkan akun')")) is (
            allowed
        )
        if not allowed:
            assert "hanya admin" in page.select_one("[data-testid=reactivation-refused]").text
            version = page.select_one("form input[name=version]")["value"]
            posted = {"active": "1", "version": version}
            assert client.post(f"/admin/pengguna/{petugas.id}/status", posted).status_code == 403
    if allowed:
        assert _set_status(client, db, then, petugas, "1").status_code == 200
    db.expire_all()
    assert petugas.is_active is allowed
    assert petugas.deactivated_by_role == (None if allowed else by)
    if allowed:
        entry = db.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "user", AuditEntry.entity_id == str(petugas.id))
            .order_by(AuditEntry.id)
        ).all()[-1]
        assert entry.action == "enable" and entry.user_id is not None


def test_a_form_shown_before_an_admin_deactivated_again_is_stale(client, db, regions):
    """The operator's page showed the petugas deactivated by itself; meanwhile an admin
    reactivated and deactivated them again: the operator's click is 409, nothing changed."""
    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.lontar")
    assert _set_status(client, db, "operator", petugas, "0").status_code == 200
    url = f"/desa/{LONTAR}/pmi/petugas/{petugas.id}/status"
    shown = {"active": "1", "seen_active": "0", "seen_deactivated_by": "operator"}
    assert _set_status(client, db, "admin", petugas, "1").status_code == 200
    assert _set_status(client, db, "admin", petugas, "0").status_code == 200
    client.raw.cookies.clear()
    client.login_as(db, "operator")
    response = client.post(url, shown)
    assert response.status_code == 409 and "sudah diubah orang lain" in response.text
    db.expire_all()
    assert not petugas.is_active and petugas.deactivated_by_role == "admin"


@pytest.mark.parametrize(
    ("role", "scopes"), [("operator", (SUSUKAN,)), ("admin_daerah", ("32.12",))]
)
def test_another_villages_staff_cannot_reactivate_or_deactivate(client, db, regions, role, scopes):
    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.lontar")
    assert _set_status(client, db, "operator", petugas, "0").status_code == 200
    client.raw.cookies.clear()
    client.login_as(db, role, scopes)
    if role == "operator":
        for code in (LONTAR, SUSUKAN):
            response = client.post(
                f"/desa/{code}/pmi/petugas/{petugas.id}/status",
                {"active": "1", "seen_active": "0", "seen_deactivated_by": "operator"},
            )
            assert response.status_code == 404, code
    else:
        assert client.get(f"/admin/pengguna/{petugas.id}").status_code == 404
        assert (
            client.post(f"/admin/pengguna/{petugas.id}/status", {"active": "1"}).status_code == 404
        )
    db.expire_all()
    assert not petugas.is_active and petugas.deactivated_by_role == "operator"


def test_a_status_save_that_changes_nothing_leaves_the_admins_forms_current(client, db, regions):
    petugas = make_user(db, "petugas", (LONTAR,), username="petugas.lontar")
    version = petugas.version
    client.login_as(db, "operator", (LONTAR,))
    url = f"/desa/{LONTAR}/pmi/petugas/{petugas.id}/status"
    assert client.post(url, {"active": "1", "seen_active": "1"}).status_code == 200
    db.expire_all()
    assert db.get(User, petugas.id).version == version
    assert client.post(url, {"active": "0", "seen_active": "1"}).status_code == 200
    db.expire_all()
    assert db.get(User, petugas.id).version == version + 1

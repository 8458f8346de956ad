"""The operator designates its village's petugas pendataan, who then works in that desa."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, LoginSession, User
from perdes.accounts.permissions import Role
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
    again = client.post(url, {"active": "1", "seen_active": "0"})
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

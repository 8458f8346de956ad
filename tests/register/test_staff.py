"""The operator designates its village's petugas pendataan, who then works in that desa."""

from __future__ import annotations

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from tests.factories import LONTAR, SUSUKAN


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

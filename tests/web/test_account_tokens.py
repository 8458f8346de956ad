"""API tokens: created and revoked by their owner, stored hashed, used as Bearer."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import ApiToken
from tests.factories import LONTAR, PONTANG


def create_token(client, name="OpenSID"):
    response = client.post("/akun/token", {"name": name}, htmx=True)
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser").select_one("[data-testid=new-token]").text


def test_token_is_shown_once_stored_hashed_and_works_as_bearer(client, db, regions):
    client.login_as(db, "operator")
    secret = create_token(client)
    assert secret.startswith("pdp_")
    stored = db.scalars(select(ApiToken)).one()
    assert stored.token_hash != secret and secret not in client.get("/akun").text
    client.raw.cookies.clear()
    bearer = {"Authorization": f"Bearer {secret}"}
    page = client.get(f"/api/v1/villages/{LONTAR}/adoptions", headers=bearer)
    assert page.status_code == 200
    assert client.get(f"/api/v1/villages/{PONTANG}/adoptions", headers=bearer).status_code == 404, (
        "token carries the scope"
    )
    html = client.get(f"/desa/{LONTAR}", headers=bearer)
    assert html.status_code == 303, "pages ignore API tokens"
    db.expire_all()
    assert db.scalars(select(ApiToken)).one().last_used_at is not None


def test_bearer_tokens_are_refused_on_page_forms_and_bad_tokens_get_401(client, db, regions):
    client.login_as(db, "operator")
    secret = create_token(client)
    client.raw.cookies.clear()
    data = {"sebutan_desa": "Desa", "sebutan_kepala_desa": "Kepala Desa", "sebutan_bpd": "BPD"}
    refused = client.post(
        f"/desa/{LONTAR}/profil", data, csrf=False, headers={"Authorization": f"Bearer {secret}"}
    )
    assert refused.status_code == 403, "a page form needs a session and its CSRF token"
    bad = client.get(
        f"/api/v1/villages/{LONTAR}/adoptions", headers={"Authorization": "Bearer pdp_salah"}
    )
    assert bad.status_code == 401


def test_revoked_tokens_stop_working_and_others_tokens_are_not_found(client, db, regions):
    client.login_as(db, "operator")
    secret = create_token(client)
    token_id = db.scalars(select(ApiToken)).one().id
    client.raw.cookies.clear()
    client.login_as(db, "pendamping")
    assert client.post(f"/akun/token/{token_id}/cabut").status_code == 404
    client.raw.cookies.clear()
    api = client.get("/api/v1/regions", headers={"Authorization": f"Bearer {secret}"})
    assert api.status_code == 200


def test_owner_revokes_a_token(client, db, regions):
    user = client.login_as(db, "operator")
    secret = create_token(client)
    token_id = db.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).one().id
    response = client.post(f"/akun/token/{token_id}/cabut", htmx=True)
    assert "dicabut" in response.text
    client.raw.cookies.clear()
    assert (
        client.get("/api/v1/regions", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )


def test_token_name_is_validated(client, db, regions):
    client.login_as(db, "operator")
    response = client.post("/akun/token", {"name": ""}, htmx=True)
    assert response.status_code == 422 and "Wajib diisi." in response.text

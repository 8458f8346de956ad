"""API tokens: Bearer only, the owner's scope, revocation at once, 401 (never a redirect)."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts import tokens
from perdes.accounts.models import ApiToken
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from tests.api.conftest import ApiClient, assert_error
from tests.factories import LONTAR, SUSUKAN, make_user


def test_missing_or_bad_tokens_get_401_json(client, regions):
    client.raw.cookies.clear()
    for headers in ({}, {"Authorization": "Bearer pdp_salah"}, {"Authorization": "Basic eDp5"}):
        response = client.raw.get("/api/v1/villages", headers=headers)
        assert_error(response, 401, "unauthorized")
        assert "location" not in response.headers
        assert response.headers["www-authenticate"] == "Bearer"
    posted = client.raw.post(f"/api/v1/villages/{LONTAR}/drafts/docx", json={})
    assert_error(posted, 401, "unauthorized")


def test_revoked_token_stops_working_at_once(client, db, regions):
    user = make_user(db, "operator")
    new = tokens.create_token(db, actor=principal_for(user), name="OpenSID")
    api = ApiClient(client, new.secret)
    assert api.get(f"/api/v1/villages/{LONTAR}").status_code == 200
    db.expire_all()
    assert db.get(ApiToken, new.record.id).last_used_at is not None
    tokens.revoke_token(db, actor=principal_for(user), token_id=new.record.id)
    assert_error(api.get(f"/api/v1/villages/{LONTAR}"), 401)


def test_revoking_from_the_account_page_stops_the_token(client, db, regions):
    client.login_as(db, "operator")
    created = client.post("/akun/token", {"name": "SID"}, htmx=True)
    secret = BeautifulSoup(created.text, "html.parser").select_one("[data-testid=new-token]").text
    cookies = dict(client.raw.cookies)
    api = ApiClient(client, secret)
    assert api.get("/api/v1/villages").status_code == 200
    client.raw.cookies.update(cookies)
    token_id = db.scalars(select(ApiToken)).one().id
    assert client.post(f"/akun/token/{token_id}/cabut", htmx=True).status_code == 200
    assert_error(api.get("/api/v1/villages"), 401)


def test_token_carries_only_its_owners_scope_and_role(client, db, regions):
    user = make_user(db, "pendamping", (SUSUKAN,))
    api = ApiClient(client, tokens.create_token(db, actor=principal_for(user), name="x").secret)
    codes = [v["code"] for v in api.get("/api/v1/villages").json()["items"]]
    assert codes == [SUSUKAN]
    assert_error(api.get(f"/api/v1/villages/{LONTAR}"), 404)
    body = {"template": "pelindungan-pmi", "values": {}}
    assert_error(api.post(f"/api/v1/villages/{SUSUKAN}/drafts/docx", json=body), 403)


def test_deactivated_users_tokens_stop_working(client, db, regions):
    user = make_user(db, "operator")
    api = ApiClient(client, tokens.create_token(db, actor=principal_for(user), name="x").secret)
    user.is_active = False
    db.flush()
    assert_error(api.get("/api/v1/villages"), 401)
    assert Principal.system().can("users.manage")


def test_account_page_explains_the_api(client, db, regions):
    client.login_as(db, "operator")
    page = BeautifulSoup(client.get("/akun").text, "html.parser")
    section = page.select_one("#api-tokens")
    assert "Authorization: Bearer" in section.text
    assert section.select_one("a[href='/api/v1/docs']") is not None

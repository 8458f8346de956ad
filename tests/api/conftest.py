"""API fixtures: a token per role, and a client that sends it."""

from __future__ import annotations

from typing import Any

import httpx2 as httpx
import pytest

from perdes.accounts import tokens
from perdes.accounts.services import principal_for
from tests.factories import WebClient, make_user


class ApiClient:
    """Bearer-token requests only: no cookies, so no CSRF either (as an integrator sends)."""

    def __init__(self, web: WebClient, secret: str) -> None:
        self.web = web
        self.secret = secret

    def _headers(self, kw: dict[str, Any]) -> dict[str, str]:
        headers = dict(kw.pop("headers", {}))
        headers.setdefault("Authorization", f"Bearer {self.secret}")
        return headers

    def get(self, url: str, **kw: Any) -> httpx.Response:
        self.web.raw.cookies.clear()
        return self.web.raw.get(url, headers=self._headers(kw), **kw)

    def request(self, method: str, url: str, **kw: Any) -> httpx.Response:
        self.web.raw.cookies.clear()
        return self.web.raw.request(method, url, headers=self._headers(kw), **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("POST", url, **kw)

    def put(self, url: str, **kw: Any) -> httpx.Response:
        return self.request("PUT", url, **kw)


def token_for(db, role: str, scopes: tuple[str, ...] = (), name: str = "uji") -> str:
    user = make_user(db, role, scopes)
    return tokens.create_token(db, actor=principal_for(user), name=name).secret


@pytest.fixture()
def api(client, db, regions):
    """Make an ApiClient for a role: ``api("operator")`` or ``api("pemantau", ("36.04",))``."""

    def make(role: str, scopes: tuple[str, ...] = ()) -> ApiClient:
        return ApiClient(client, token_for(db, role, scopes))

    return make


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text[:800]
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"status", "code", "message", "fields", "detail"}
    assert error["status"] == status and isinstance(error["message"], str)
    if code is not None:
        assert error["code"] == code, error
    return error

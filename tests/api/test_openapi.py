"""The OpenAPI document covers every API route and no page; errors have one shape."""

import pytest
from bs4 import BeautifulSoup
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from perdes.exchange import status
from perdes.web.app import API_MODULES, ROUTE_MODULES
from tests.api.conftest import assert_error

API_ROUTES = [r for m in API_MODULES for r in m.router.routes if isinstance(r, APIRoute)]
PAGE_ROUTES = [
    r
    for m in ROUTE_MODULES
    if m not in API_MODULES
    for r in m.router.routes
    if isinstance(r, APIRoute)
]


@pytest.fixture()
def document(client):
    response = client.raw.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_every_api_route_is_documented_and_no_page_is(document):
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    expected = {(m, r.path) for r in API_ROUTES for m in r.methods - {"HEAD"}}
    assert operations == expected
    assert all(r.path.startswith("/api/v1/") for r in API_ROUTES)
    outside = {r.path for r in PAGE_ROUTES if r.path.startswith("/api/")}
    assert outside == {"/api/v1/openapi.json", "/api/v1/docs"}
    assert not outside & set(document["paths"])
    assert all(not path.startswith(("/desa", "/akun", "/masuk")) for path in document["paths"])


def test_every_operation_declares_its_errors_with_the_error_body(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            codes = set(op["responses"])
            if op.get("security") == []:  # a public operation: no token, no role
                assert {"400", "404", "422", "500"} <= codes, (method, path)
                assert path.startswith("/api/v1/public/"), path
            else:
                assert {"400", "401", "403", "404", "422", "500"} <= codes, (method, path)
            if method in ("post", "put"):
                assert {"409", "413"} <= codes, (method, path)
            for code, response in op["responses"].items():
                if code.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorBody"}
            assert op["operationId"].startswith("api_")
    assert document["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    assert document["security"] == [{"bearerToken": []}]


def test_request_bodies_are_strict(document):
    schemas = document["components"]["schemas"]
    step = schemas["Step_diundangkan"]
    assert step["additionalProperties"] is False
    assert step["properties"]["occurred_on"]["format"] == "date"
    assert step["properties"]["occurred_on"]["type"] == "string"
    assert set(step["required"]) == {"stage", "occurred_on", "lembaran_year", "lembaran_number"}
    values = schemas["PelindunganPmiValues"]
    assert values["additionalProperties"] is False
    assert values["properties"]["nama_dinas"]["anyOf"][0]["maxLength"] == 200


def test_docs_page_lists_every_operation(client, document):
    response = client.raw.get("/api/v1/docs")
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    listed = {a.text.strip() for a in page.select(".api-toc a")}
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in listed
    assert page.select_one("#schema-ErrorBody") is not None
    targets = {a["href"] for a in page.select("a[href^='#schema-']")}
    assert "#schema-ErrorBody" in targets and "#schema-Step_diundangkan" in targets
    assert all(page.select_one(t) is not None for t in targets), "every schema link resolves"
    assert not page.select("script:not([src])"), "no inline script (CSP)"
    assert page.select_one("h1").get_text().startswith("Dokumentasi API v1")
    intro = page.select_one(".api-text")
    assert intro.select_one("strong") is not None and "**" not in intro.get_text(), "Markdown"


def test_docs_page_shows_the_signed_in_user(client, db, regions):
    from tests.factories import make_user

    user = make_user(db, "operator")
    client.login(user.username)
    page = BeautifulSoup(client.get("/api/v1/docs").text, "html.parser")
    assert page.select_one("[data-testid=user-menu]") is not None
    assert not page.select("header nav a[href='/masuk']")


def test_unknown_paths_and_methods_use_the_error_shape(api):
    admin = api("admin")
    assert_error(admin.get("/api/v1/tidak-ada"), 404, "not_found")
    response = admin.request("DELETE", "/api/v1/villages")
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "GET"


def test_unexpected_errors_are_500_in_the_one_shape(app, client, db, regions, monkeypatch):
    from tests.api.conftest import token_for

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(status, "village_statuses", broken)
    secret = token_for(db, "admin")
    with TestClient(app, raise_server_exceptions=False) as raw:
        response = raw.get("/api/v1/villages", headers={"Authorization": f"Bearer {secret}"})
    error = assert_error(response, 500, "internal_error")
    assert "boom" not in response.text and error["fields"] == {}

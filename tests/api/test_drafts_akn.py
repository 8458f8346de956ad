"""GET a saved revision as Akoma Ntoso 3.0 XML through the API (issue #17, point 6)."""

from tests.api.conftest import assert_error
from tests.factories import LONTAR, PONTANG
from tests.web.test_drafts_akn import validates
from tests.web.test_drafts_routes import create, lontar_profile  # noqa: F401  (fixture)


def test_api_serves_the_akn_only_in_its_village(client, db, lontar_profile, api):  # noqa: F811
    client.login_as(db, "operator")
    draft_id = create(client)
    url = f"/api/v1/villages/{LONTAR}/drafts/{draft_id}/revisions/1/akn"
    response = api("operator", (LONTAR,)).get(url)
    assert response.status_code == 200, response.text[:300]
    assert validates(response.content)
    assert_error(api("operator", (LONTAR,)).get(f"{url}?kind=naskah"), 409, "rule_violation")
    other = f"/api/v1/villages/{PONTANG}/drafts/{draft_id}/revisions/1/akn"
    assert_error(api("operator", (PONTANG,)).get(other), 404)
    assert_error(api("operator", (PONTANG,)).get(url), 404)
    assert_error(api("admin").get(other), 404)

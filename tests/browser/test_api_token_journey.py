"""Real-browser journey: create an API token, read the API docs, use and revoke the token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import LONTAR


def api_status(base: str, token: str) -> int:
    request = urllib.request.Request(
        f"{base}/api/v1/villages/{LONTAR}", headers={"Authorization": f"Bearer {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.loads(response.read())
            assert body["code"] == LONTAR
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_token_created_documented_used_and_revoked(page, live_server):
    login(page, live_server, "operator")
    page.click("[data-testid=user-menu]")
    page.fill("#api-tokens input[name=name]", "OpenSID Desa Lontar")
    page.click("#api-tokens button:has-text('Buat token')")
    secret = page.locator("[data-testid=new-token]").inner_text().strip()
    assert secret.startswith("pdp_")
    assert api_status(live_server.url, secret) == 200
    page.click("summary:has-text('Cara memakai token')")
    page.click("text=dokumentasi API v1")
    expect(page.locator(".api-toc a").first).to_be_visible()
    page.go_back()
    # revoking asks first: one tap on a phone must not cut a village's system off
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#api-tokens button:has-text('Cabut')")
    assert asked and "OpenSID Desa Lontar" in asked[0]
    assert api_status(live_server.url, secret) == 200  # declined: still valid
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#api-tokens button:has-text('Cabut')")
    expect(page.locator("#api-tokens .badge", has_text="dicabut")).to_be_visible()
    assert api_status(live_server.url, secret) == 401

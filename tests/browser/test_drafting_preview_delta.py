"""Real Chromium: the live preview after option changes, sent as what changed, equals the full
preview the server would send (numbering and cross-references included)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import LONTAR

FULL_PREVIEW = """async (url) => {
  const form = document.getElementById("draft-form");
  const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
  const response = await fetch(url, {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    headers: {"HX-Request": "true", "X-CSRF-Token": token},
  });
  const box = document.createElement("div");
  box.innerHTML = await response.text();
  const shown = document.createElement("div");
  shown.innerHTML = document.getElementById("preview").innerHTML;
  return [box.innerHTML.trim(), shown.innerHTML.trim()];
}"""


def test_live_preview_sends_what_changed_and_shows_the_full_preview(page, live_server):
    login(page, live_server, "operator")
    answers: list[tuple[str, str]] = []

    def record(response) -> None:  # type: ignore[no-untyped-def]
        request = response.request
        if request.method == "POST" and request.url.endswith("/rancangan/pratinjau"):
            answers.append((request.post_data or "", response.text()))

    page.on("response", record)
    page.goto(f"/desa/{LONTAR}/rancangan/baru")
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA LONTAR")
    url = f"/desa/{LONTAR}/rancangan/pratinjau"
    steps = [
        lambda: page.uncheck("#f-o_pengasuhan_anak"),  # a Pasal fewer: later numbers shift
        lambda: page.select_option("#f-o_lembaga", "komunitas"),
        lambda: page.uncheck("#f-o_bagian"),
        lambda: page.fill("#f-v_nama_kepala_desa", "Budi Santoso"),
    ]
    for number, step in enumerate(steps, start=1):
        with page.expect_response(lambda r: r.url.endswith("/rancangan/pratinjau")):
            step()
        page.wait_for_function("() => !document.querySelector('#preview .htmx-settling')")
        page.wait_for_timeout(100)  # the swap and settle after the answer
        posted, answer = answers[-1]
        assert "pratinjau_punya=" in posted and "data-keep" in answer, number
        full, shown = page.evaluate(FULL_PREVIEW, url)
        assert "data-keep" not in full and "<template" not in shown
        # the browser's fingerprints match the server's: most parts were not sent again
        assert len(answer) < len(full) * 0.75, (number, len(answer), len(full))
        assert shown == full, number
    expect(page.locator("#preview")).to_contain_text("BUDI SANTOSO")

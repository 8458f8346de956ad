"""Real Chromium: each page loads only the static files it needs, and the drafting pages' own
stylesheet and script also work when they are reached by htmx navigation (which swaps only
the body and drops <script> tags): the live preview still sends only what changed, the Pasal
editor still inserts a clause reference, and the village page gets its styles back after."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import login
from tests.factories import LONTAR

STATIC = re.compile(r"/static/(?:.+/)?([\w-]+(?:\.\d+)*(?:\.min)?)\.[0-9a-f]{10}\.(\w+)$")


def loaded(requests: list[str]) -> list[str]:
    """``app.css``, ``drafting.js``… for each static file requested, in order."""
    names = []
    for url in requests:
        found = STATIC.search(url)
        if found:
            names.append(f"{found[1]}.{found[2]}")
    return names


def style(page, selector: str, prop: str) -> str:  # type: ignore[no-untyped-def]
    return str(
        page.evaluate(
            "([sel, prop]) => getComputedStyle(document.querySelector(sel))[prop]",
            [selector, prop],
        )
    )


def test_pages_load_only_their_own_files_and_drafting_works_after_htmx_navigation(
    page, live_server
):
    failed: list[str] = []
    page.on(
        "response",
        lambda r: (
            failed.append(f"{r.url} {r.status} {r.headers.get('content-type')}")
            if "/static/" in r.url and r.status not in (200, 304)
            else None
        ),
    )
    login(page, live_server, "operator")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    posts: list[tuple[str, str]] = []
    page.on(
        "response",
        lambda r: (
            posts.append((r.request.post_data or "", r.text()))
            if r.request.method == "POST" and r.url.endswith("/rancangan/pratinjau")
            else None
        ),
    )

    # a full load of the village page: no drafting stylesheet, no drafting script
    page.goto(f"/desa/{LONTAR}")
    expect(page.locator(".page-nav")).to_be_visible()
    files = loaded(requests)
    assert {"app.css", "pages.css", "app.js", "htmx-2.0.11.min.js"} <= set(files), files
    assert "drafting.css" not in files and "drafting.js" not in files, files
    assert style(page, ".page-nav", "display") == "flex"  # pages.css applies

    # to the new-draft page by htmx navigation (links and a GET form, as a user clicks)
    requests.clear()
    page.click("text=Rancangan Perdes PMI")
    page.click("button:has-text('Buat rancangan')")
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA LONTAR")
    # app.js adds drafting.js as an async script once htmx has swapped the page in: it runs
    # soon after, not necessarily before the preview shows (a slow machine saw the gap)
    page.wait_for_function("() => window.perdesDrafting === true", timeout=10_000)
    files = loaded(requests)
    assert files.count("drafting.css") == 1 and files.count("drafting.js") == 1, files
    assert "app.js" not in files and "pages.css" not in files, files  # kept, or not needed
    assert style(page, ".workspace", "display") == "grid"
    assert "Bookman" in style(page, "#preview .perdes", "fontFamily")
    assert page.locator("link[href*='/pages.']").count() == 0

    # the live preview sends only what changed (drafting.js fingerprints the parts shown)
    with page.expect_response(lambda r: r.url.endswith("/rancangan/pratinjau")):
        page.uncheck("#f-o_pengasuhan_anak")
    posted, answer = posts[-1]
    assert "pratinjau_punya=" in posted and "data-keep" in answer

    # save, then the Pasal editor, still by htmx navigation: the reference button works
    page.fill("#f-message", "Rancangan awal")
    page.click("text=Simpan rancangan")
    expect(page.locator("[data-testid=revision-1]")).to_be_visible()
    page.click("[data-testid=edit-pasal]")
    box = page.locator("textarea[data-ref-target]").first
    expect(box).to_be_visible()
    box.fill("Lihat ")
    page.click("button[data-insert-ref]")
    expect(box).to_have_value(re.compile(r"^Lihat \[\[ref:[^\]]+\]\]"))
    assert loaded(requests).count("drafting.js") == 1, "run once, not once per page"

    # back to the village page: its own stylesheet again, the drafting one gone
    page.click(f".breadcrumbs a[href='/desa/{LONTAR}']")
    expect(page.locator(".page-nav")).to_be_visible()
    assert style(page, ".page-nav", "display") == "flex"
    assert page.locator("link[href*='/drafting.']").count() == 0
    assert not failed, failed


def test_a_page_reached_by_htmx_stays_hidden_until_its_own_stylesheet_has_loaded(page, live_server):
    """On a slow connection the drafting page's stylesheet arrives after the page: the
    secretary sees no unstyled workspace in between, and the page shows once it has come."""
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    expect(page.locator(".page-nav")).to_be_visible()

    held = []  # the stylesheet's request, answered only when the test says so
    page.route(
        re.compile(r"/static/css/drafting\.[0-9a-f]+\.css$"), lambda route: held.append(route)
    )
    page.click("text=Rancangan Perdes PMI")
    page.click("button:has-text('Buat rancangan')")
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA LONTAR")
    page.wait_for_function("() => document.querySelector('link[href*=\"/drafting.\"]')")
    assert len(held) == 1
    assert style(page, "main", "opacity") == "0"  # transparent, its focus still works
    assert style(page, "header.site", "opacity") == "1"  # the header stays

    held[0].continue_()
    page.wait_for_function("() => getComputedStyle(document.querySelector('main')).opacity === '1'")
    assert style(page, ".workspace", "display") == "grid"


def test_a_stylesheet_that_never_comes_does_not_hide_the_page_for_good(page, live_server):
    login(page, live_server, "operator")
    page.goto(f"/desa/{LONTAR}")
    never = []  # the stylesheet's request, never answered
    page.route(re.compile(r"/static/css/drafting\.[0-9a-f]+\.css$"), lambda r: never.append(r))
    page.click("text=Rancangan Perdes PMI")
    page.click("button:has-text('Buat rancangan')")
    expect(page.locator("#preview")).to_contain_text("PERATURAN DESA LONTAR")
    assert len(never) == 1
    assert style(page, "main", "opacity") == "0"
    # after app.js's 4 s wait the page shows unstyled: better than nothing
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('main')).opacity === '1'", timeout=8_000
    )

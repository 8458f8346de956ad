"""A live server on 127.0.0.1 with its own SQLite database, and a real Chromium.

Browser tests are skipped when /usr/bin/chromium is missing, unless PERDES_REQUIRE_BROWSER=1
(set by CI), in which case they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from perdes import migrate
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.config import Settings
from perdes.db import engine_from_settings, session_scope
from perdes.pipeline import make_session_factory
from perdes.profiles import services as profiles
from perdes.web.app import create_app
from tests.factories import LONTAR, PASSWORD, SUSUKAN, load_sample_regions, make_user

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Console lines the browser prints for outcomes the journeys cause on purpose (a refused or
# invalid form, a stale form, an expired session, a request while offline); each is asserted
# on screen.
EXPECTED_NOISE = (
    "status of 422",
    "status of 409",
    "status of 403",
    "status of 401",
    "ERR_INTERNET_DISCONNECTED",
    "htmx:sendError",
    "htmx:afterRequest",
    "Response Status Error Code 401",
)
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"  # MPL-2.0, see its LICENSE file


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class LiveServer:
    url: str
    settings: Settings
    users: dict[str, str]
    password: str = PASSWORD


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root: Path = tmp_path_factory.mktemp("live")
    port = _free_port()
    settings = Settings(
        instance_path=root,
        secret_key="browser-test-key",
        upload_path=root / "up",
        base_url=f"http://127.0.0.1:{port}",
    )
    engine = engine_from_settings(settings)
    migrate.upgrade(engine)
    users: dict[str, str] = {}
    with session_scope(make_session_factory(engine)) as session:
        load_sample_regions(session)
        for role in ("admin", "pemantau", "operator", "pendamping", "petugas"):
            users[role] = make_user(session, role, username=f"{role}.uji").username
        # a first-time operator of a village with no draft yet (the phone journey)
        users["operator_susukan"] = make_user(
            session, "operator", (SUSUKAN,), username="operator.susukan"
        ).username
        load_bundled(session, actor=Principal.system())
        profiles.update_profile(
            session,
            actor=Principal.system(),
            code=LONTAR,
            data={
                "sebutan_desa": "Desa",
                "sebutan_kepala_desa": "Kepala Desa",
                "sebutan_bpd": "Badan Permusyawaratan Desa",
                "kepala_desa_name": "Ahmad Sobari",
                "sekretaris_desa_name": "Junaedi",
            },
        )
        profiles.update_profile(
            session,
            actor=Principal.system(),
            code=SUSUKAN,
            data={
                "sebutan_desa": "Desa",
                "sebutan_kepala_desa": "Kepala Desa",
                "sebutan_bpd": "Badan Permusyawaratan Desa",
                "kepala_desa_name": "Siti Aminah",
                "sekretaris_desa_name": "Rahmat",
            },
        )
    engine.dispose()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        ws="none",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", settings=settings, users=users)
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("PERDES_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{CHROMIUM} is required (PERDES_REQUIRE_BROWSER=1) but missing")
        pytest.skip(f"{CHROMIUM} not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server: LiveServer, errors: list[str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda msg: (
            errors.append(f"{msg.text} at {msg.location.get('url')}")
            if msg.type == "error" and not any(noise in msg.text for noise in EXPECTED_NOISE)
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page


@pytest.fixture()
def page(browser, live_server: LiveServer):  # type: ignore[no-untyped-def]
    """A phone-sized page; any console error (other than expected 403/422) fails the test."""
    errors: list[str] = []
    context, page = _new_page(browser, live_server, errors)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


@pytest.fixture()
def second_page(browser, live_server: LiveServer):  # type: ignore[no-untyped-def]
    """Another user's browser, at the same time."""
    errors: list[str] = []
    context, page = _new_page(browser, live_server, errors)
    yield page
    context.close()
    assert not errors, f"browser console errors: {errors}"


def login(page, live_server: LiveServer, role: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/masuk")
    page.fill("#f-username", live_server.users[role])
    page.fill("#f-password", live_server.password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/masuk" not in url)


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core (vendored, pinned) finds no serious or critical violation on the page.

    Evaluated through the DevTools protocol, so the page's CSP (no inline script) stays on.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {" + AXE.read_text(encoding="utf-8") + "\n}")
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.help + ' @ ' + v.nodes.slice(0, 3)"
        ".map(n => n.target.join(' ')).join(' | '))"
    )
    assert not result, f"{page.url}: axe violations {result}"


def assert_fits(page) -> None:  # type: ignore[no-untyped-def]
    """The page is no wider than the viewport (tables scroll inside their own box)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{page.url}: page is {width} px wide in a {viewport} px viewport"


def assert_outcome_shown(page, selector: str) -> None:  # type: ignore[no-untyped-def]
    """The result of a save (notice or first error) is on screen and has the focus."""
    from playwright.sync_api import expect

    outcome = page.locator(selector).first
    expect(outcome).to_be_focused()
    expect(outcome).to_be_in_viewport()


TAP_MINIMUM_PX = 24  # WCAG 2.2 "Target Size (Minimum)", AA


def assert_tap_targets(page) -> None:  # type: ignore[no-untyped-def]
    """Menu links, buttons and check boxes are at least 24 px high and wide (WCAG 2.2 AA), so
    a thumb on a cheap phone hits the one it means (links inside sentences are exempt)."""
    small = page.evaluate(
        """(min) => [...document.querySelectorAll(
              'nav a, button, input[type=checkbox], input[type=radio], .button')]
            .filter(el => el.offsetParent !== null && !el.closest('.sr-only, .skip'))
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.width > 0 && (r.height < min || r.width < min))
            .map(([el, r]) => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || '')
              .trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`)""",
        TAP_MINIMUM_PX,
    )
    assert not small, f"{page.url}: tap targets under {TAP_MINIMUM_PX} px: {small}"


def check_page(page) -> None:  # type: ignore[no-untyped-def]
    assert_fits(page)
    assert_accessible(page)
    assert_tap_targets(page)

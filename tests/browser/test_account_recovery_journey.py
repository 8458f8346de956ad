"""Real-browser journeys with real mail: an admin invites a user by e-mail, the user sets a
password from the link; later the user resets it with "Lupa kata sandi"."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from perdes.db import engine_from_settings, make_session_factory
from perdes.mail.sender import send_due
from tests.browser.conftest import login
from tests.factories import LONTAR
from tests.smtp import Inbox, SmtpServer


@pytest.fixture()
def mail_server():  # type: ignore[no-untyped-def]
    server = SmtpServer().start()
    yield server
    server.stop()


def _deliver(live_server, server: SmtpServer) -> None:
    """What the worker does every minute: send the outbox to the (in-process) SMTP server."""
    settings = live_server.settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_tls": "none"}
    )
    engine = engine_from_settings(settings)
    try:
        send_due(make_session_factory(engine), settings=settings)
    finally:
        engine.dispose()


def _link(server: SmtpServer, to: str, path: str) -> str:
    text = Inbox.text_of(server.inbox.to(to)[-1])
    match = re.search(rf"http://127\.0\.0\.1:\d+{path}[A-Za-z0-9_-]+", text)
    assert match, text
    return match.group(0)


def test_invitation_by_email_then_password_reset(page, second_page, live_server, mail_server):
    login(page, live_server, "admin")
    page.goto("/admin/pengguna")
    page.fill("#f-username", "sekdes.undangan")
    page.fill("#f-full_name", "Sekdes Undangan")
    page.select_option("#f-role", "operator")
    page.fill("#f-scopes", LONTAR)
    page.fill("#f-email", "sekdes.undangan@example.id")
    page.click("#create-user button[type=submit]")
    expect(page.locator("[data-testid=invitation]")).to_contain_text("Undangan dikirim")

    _deliver(live_server, mail_server)
    [invitation] = mail_server.inbox.to("sekdes.undangan@example.id")
    assert invitation["Subject"].startswith("Undangan ke Perdes PMI")
    url = _link(mail_server, "sekdes.undangan@example.id", "/undangan/")

    user = second_page
    user.goto(url)
    expect(user.locator("[data-testid=target-username]")).to_have_text("sekdes.undangan")
    user.fill("#f-password", "kata-sandi-pertama-1")
    user.fill("#f-password_confirm", "kata-sandi-lain-2")
    user.click("button:has-text('Simpan kata sandi')")
    expect(user.locator("#e-password_confirm")).to_be_visible()
    user.fill("#f-password", "kata-sandi-pertama-1")
    user.fill("#f-password_confirm", "kata-sandi-pertama-1")
    user.click("button:has-text('Simpan kata sandi')")
    expect(user.locator("[data-testid=password-done]")).to_be_visible()

    user.goto("/masuk")
    user.click("text=Lupa kata sandi?")
    user.fill("#f-email", "sekdes.undangan@example.id")
    user.click("button:has-text('Kirim tautan')")
    expect(user.locator("[data-testid=forgot-sent]")).to_be_visible()
    _deliver(live_server, mail_server)
    reset_url = _link(mail_server, "sekdes.undangan@example.id", "/atur-sandi/")
    user.goto(reset_url)
    user.fill("#f-password", "kata-sandi-kedua-22")
    user.fill("#f-password_confirm", "kata-sandi-kedua-22")
    user.click("button:has-text('Simpan kata sandi')")
    expect(user.locator("[data-testid=password-done]")).to_be_visible()
    user.click("a:has-text('Masuk')")
    user.fill("#f-username", "sekdes.undangan")
    user.fill("#f-password", "kata-sandi-kedua-22")
    user.click("button[type=submit]")
    user.wait_for_url(lambda u: "/masuk" not in u)
    expect(user.locator("[data-testid=user-menu]")).to_contain_text("Sekdes Undangan")

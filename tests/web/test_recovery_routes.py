"""Lupa kata sandi, invitation and reset pages, address verification, admin invitations."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from sqlalchemy import select

from perdes.accounts.models import User
from perdes.accounts.selfservice import LINK_PATHS, RESETS_PER_ADDRESS
from perdes.db import utcnow
from perdes.mail.models import OutboxMessage
from perdes.web.app import ROUTE_MODULES
from tests.factories import LONTAR, make_user


def _text(response) -> str:
    page = BeautifulSoup(response.text, "html.parser")
    for tag in page.select("input[name=csrf_token]"):
        tag.decompose()
    return str(page.select_one("main") or page)


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_link_paths_are_the_routes():
    paths = {getattr(r, "path", "") for m in ROUTE_MODULES for r in m.router.routes}
    for purpose, path in LINK_PATHS.items():
        assert path + "{token}" in paths, purpose


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, db, regions):
    user = make_user(db, "operator", username="operator.surel")
    user.email, user.email_verified_at = "operator@example.id", utcnow()
    db.flush()
    known = client.post("/lupa-sandi", {"email": "operator@example.id"})
    unknown = client.post("/lupa-sandi", {"email": "siapa@example.id"})
    assert known.status_code == unknown.status_code == 200
    assert _text(known) == _text(unknown)
    assert [m.to_address for m in db.scalars(select(OutboxMessage))] == ["operator@example.id"]
    bad = client.post("/lupa-sandi", {"email": "<script>@x"})
    assert bad.status_code == 422 and "<script>@x" not in bad.text
    for _ in range(RESETS_PER_ADDRESS):
        client.post("/lupa-sandi", {"email": "lain@example.id"})
    assert client.post("/lupa-sandi", {"email": "operator@example.id"}).status_code == 429


def test_admin_invites_without_email_and_the_link_works_once(client, db, regions):
    client.login_as(db, "admin")
    created = client.post(
        "/admin/pengguna",
        {
            "username": "operator.cetak",
            "full_name": "Operator Cetak",
            "role": "operator",
            "scopes": LONTAR,
            "password": "",
            "email": "",
            "phone": "0812 3456 7890",
        },
    )
    assert created.status_code == 200
    html = BeautifulSoup(created.text, "html.parser")
    url = html.select_one("[data-testid=invitation-url]").text.strip()
    assert "Undangan dikirim" not in created.text  # no address: the link is for printing
    # the link is made from PERDES_BASE_URL (127.0.0.1:8000 here), the page was opened at
    # "testserver": the admin is told before handing out a link that may not open
    warning = html.select_one("[data-testid=link-host]").text
    assert "127.0.0.1:8000" in warning and "testserver" in warning
    assert "PERDES_BASE_URL" in warning
    assert db.scalar(select(OutboxMessage.id)) is None
    client.raw.cookies.clear()
    form = client.get(_path(url))
    assert form.status_code == 200 and "operator.cetak" in form.text
    assert client.get(_path(url)).status_code == 200, "showing the form does not use the link"
    mismatch = client.post(
        _path(url), {"password": "sandi-panjang-1", "password_confirm": "sandi-panjang-2"}
    )
    assert mismatch.status_code == 422
    assert "sandi-panjang-1" not in mismatch.text, "passwords are never echoed"
    done = client.post(
        _path(url), {"password": "sandi-panjang-1", "password_confirm": "sandi-panjang-1"}
    )
    assert done.status_code == 200 and "sudah disimpan" in done.text
    again = client.get(_path(url))
    assert again.status_code == 404 and "tidak berlaku lagi" in again.text
    client.login("operator.cetak", "sandi-panjang-1")


def test_admin_invitation_by_email_and_a_fresh_link_replaces_it(client, db, regions):
    client.login_as(db, "admin")
    created = client.post(
        "/admin/pengguna",
        {
            "username": "operator.surel",
            "full_name": "Operator Surel",
            "role": "operator",
            "scopes": LONTAR,
            "email": "Operator@Example.id",
        },
    )
    assert "Undangan dikirim ke operator@example.id" in created.text
    first = BeautifulSoup(created.text, "html.parser").select_one("[data-testid=invitation-url]")
    user = db.scalar(select(User).where(User.username == "operator.surel"))
    version = BeautifulSoup(created.text, "html.parser").select_one("input[name=version]")["value"]
    again = client.post(f"/admin/pengguna/{user.id}/undangan", {"version": version})
    second = BeautifulSoup(again.text, "html.parser").select_one("[data-testid=invitation-url]")
    assert first.text != second.text
    client.raw.cookies.clear()
    assert client.get(_path(first.text.strip())).status_code == 404
    assert client.get(_path(second.text.strip())).status_code == 200
    assert len(db.scalars(select(OutboxMessage)).all()) == 2


def test_bad_contact_fields_are_refused_with_422(client, db, regions):
    client.login_as(db, "admin")
    response = client.post(
        "/admin/pengguna",
        {
            "username": "operator.x",
            "full_name": "X",
            "role": "operator",
            "scopes": LONTAR,
            "email": "bukan surel",
            "phone": "<b>",
        },
        htmx=True,
    )
    assert response.status_code == 422
    html = BeautifulSoup(response.text, "html.parser")
    assert html.select_one("#e-email") and html.select_one("#e-phone")


def test_user_changes_address_after_verifying_it(client, db, regions):
    client.login_as(db, "operator")
    page = client.get("/akun/surel")
    assert "belum ada" in page.text
    bad = client.post("/akun/surel", {"email": "a@b"}, htmx=True)
    assert bad.status_code == 422
    sent = client.post("/akun/surel", {"email": "op.baru@example.id"}, htmx=True)
    assert sent.status_code == 200 and "Tautan verifikasi dikirim" in sent.text
    [mail] = db.scalars(select(OutboxMessage)).all()
    url = re.search(r"https?://\S+/verifikasi-surel/\S+", mail.body_text).group(0)
    confirm = client.get(_path(url))
    assert confirm.status_code == 200 and "op.baru@example.id" in confirm.text
    assert "belum ada" in client.get("/akun/surel").text, "a GET verifies nothing"
    assert client.post(_path(url)).status_code == 200
    current = BeautifulSoup(client.get("/akun/surel").text, "html.parser")
    assert "op.baru@example.id" in current.select_one("[data-testid=current-email]").text
    assert "terverifikasi" in current.select_one("[data-testid=current-email]").text


def test_no_host_warning_when_the_link_matches_the_address_in_use():
    from types import SimpleNamespace

    from perdes.web.templating import other_host

    def context(netloc: str) -> dict[str, object]:
        return {"request": SimpleNamespace(url=SimpleNamespace(netloc=netloc))}

    link = "https://perdes.example.id/undangan/abc"
    assert other_host(context("perdes.example.id"), link) == ""
    assert other_host(context("PERDES.example.id"), link) == ""
    assert other_host(context("10.0.0.5:8000"), link) == "perdes.example.id"

"""The signed-in user's own page: profile, API tokens, password."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts import services as accounts
from perdes.accounts import tokens
from perdes.accounts.principal import Principal
from perdes.home.services import scope_labels
from perdes.web.deps import DB, FormData
from perdes.web.forms import submit
from perdes.web.htmx import render
from perdes.web.permissions import requires

router = APIRouter()

Me = Annotated[Principal, Depends(requires("account.self"))]


def _page(
    request: Request,
    db: DB,
    user: Principal,
    *,
    new_secret: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "account/account.html",
        {
            "user": user,
            "tokens": tokens.list_tokens(db, actor=user),
            "scope_labels": scope_labels(db, actor=user),
            "new_secret": new_secret,
            "errors": errors or {},
            "values": {},
        },
        block="tokens",
        status_code=status_code,
    )


@router.get("/akun", name="account")
def account(request: Request, db: DB, user: Me) -> Response:
    return _page(request, db, user)


@router.post("/akun/token", name="account_token_create")
def token_create(request: Request, db: DB, user: Me, form: FormData) -> Response:
    """Create a token and show its secret once."""
    return submit(
        db,
        lambda: tokens.create_token(db, actor=user, name=form.get("name", "")),
        invalid=lambda errors: _page(request, db, user, errors=errors),
        done=lambda new: _page(request, db, user, new_secret=new.secret),
    )


@router.post("/akun/token/{token_id}/cabut", name="account_token_revoke")
def token_revoke(request: Request, token_id: int, db: DB, user: Me) -> Response:
    tokens.revoke_token(db, actor=user, token_id=token_id)
    return _page(request, db, user)


def _password_page(
    request: Request,
    user: Principal,
    *,
    errors: dict[str, str] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "account/password.html",
        {"user": user, "errors": errors or {}, "values": {}, "saved": saved},
        block="password_form",
        status_code=status_code,
    )


@router.get("/akun/kata-sandi", name="account_password_form")
def password_form(request: Request, user: Me) -> Response:
    return _password_page(request, user)


@router.post("/akun/kata-sandi", name="account_password_change")
def password_change(request: Request, db: DB, user: Me, form: FormData) -> Response:
    """Current password + the new one twice; other sessions end, this one stays."""
    return submit(
        db,
        lambda: accounts.change_own_password(
            db,
            actor=user,
            current=form.get("current", ""),
            new=form.get("new", ""),
            repeated=form.get("repeated", ""),
        ),
        invalid=lambda errors: _password_page(request, user, errors=errors),
        done=lambda _: _password_page(request, user, saved=True),
    )

"""The signed-in user's e-mail address: see it, change it (verified by a link)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from perdes.accounts import selfservice
from perdes.accounts.principal import Principal
from perdes.web.deps import DB, AppSettings, FormData
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
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    message: str = "",
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "account/email.html",
        {
            "user": user,
            "status": selfservice.email_status(db, actor=user),
            "values": values or {},
            "errors": errors or {},
            "message": message,
        },
        block="email_form",
        status_code=status_code,
    )


@router.get("/akun/surel", name="account_email")
def email_page(request: Request, db: DB, user: Me) -> Response:
    return _page(request, db, user)


@router.post("/akun/surel", name="account_email_change")
def email_change(
    request: Request, db: DB, settings: AppSettings, user: Me, form: FormData
) -> Response:
    values = {"email": form.get("email", "")[:254]}
    return submit(
        db,
        lambda: selfservice.request_email_change(
            db, actor=user, new_email=form.get("email", ""), base_url=settings.base_url
        ),
        invalid=lambda errors: _page(request, db, user, values=values, errors=errors),
        done=lambda address: _page(
            request,
            db,
            user,
            message=(
                f"Tautan verifikasi dikirim ke {address}. Alamat berganti setelah tautan dibuka."
            ),
        ),
    )

"""Pages reached from a link in an e-mail or from the sign-in page, without signing in:
"Lupa kata sandi", setting a password from an invitation or reset link, verifying an address.

GET shows the form and never uses the link; only the POST does.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from perdes.accounts import selfservice
from perdes.accounts.models import TokenPurpose
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.forms import submit
from perdes.web.htmx import render
from perdes.web.permissions import MaybeUser

router = APIRouter()

FORGOT_SENT = (
    "Jika alamat itu terdaftar dan sudah diverifikasi, tautan untuk mengatur ulang kata sandi "
    "telah dikirim ke sana. Periksa kotak masuk (dan folder spam) Anda; tautan berlaku 1 jam."
)
TITLES = {
    TokenPurpose.INVITATION: "Terima undangan",
    TokenPurpose.PASSWORD_RESET: "Atur ulang kata sandi",
}


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/lupa-sandi", name="password_forgot_form")
def forgot_form(request: Request, user: MaybeUser) -> Response:
    return render(request, "auth/forgot.html", {"user": user, "values": {}, "errors": {}})


@router.post("/lupa-sandi", name="password_forgot")
def forgot(
    request: Request, db: DB, settings: AppSettings, user: MaybeUser, form: FormData
) -> Response:
    """The same answer whether or not the address belongs to someone."""
    email = form.get("email", "")
    context = {"user": user, "values": {"email": email[:254]}, "errors": {}}
    try:
        return submit(
            db,
            lambda: selfservice.request_password_reset(
                db, email=email, client_addr=_client(request), base_url=settings.base_url
            ),
            invalid=lambda errors: render(
                request, "auth/forgot.html", {**context, "errors": errors}
            ),
            done=lambda _: render(request, "auth/forgot.html", {**context, "sent": FORGOT_SENT}),
        )
    except selfservice.ResetThrottled as exc:
        return render(
            request, "auth/forgot.html", {**context, "error": exc.message}, status_code=429
        )


def _password_page(
    request: Request,
    db: DB,
    user: MaybeUser,
    purpose: TokenPurpose,
    token: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    _, target = selfservice.peek(db, purpose=purpose, secret=token)
    return render(
        request,
        "auth/set_password.html",
        {
            "user": user,
            "title": TITLES[purpose],
            "target": target,
            "action": request.url.path,
            "errors": errors or {},
            "invitation": purpose is TokenPurpose.INVITATION,
        },
        status_code=status_code,
    )


def _complete(
    request: Request, db: DB, user: MaybeUser, form: FormData, purpose: TokenPurpose, token: str
) -> Response:
    return submit(
        db,
        lambda: selfservice.complete_password(
            db,
            purpose=purpose,
            secret=token,
            password=form.get("password", ""),
            password_confirm=form.get("password_confirm", ""),
        ),
        invalid=lambda errors: _password_page(request, db, user, purpose, token, errors=errors),
        done=lambda done: render(
            request,
            "auth/password_done.html",
            {"user": user, "target": done, "title": TITLES[purpose]},
        ),
    )


@router.get("/undangan/{token}", name="invitation_form")
def invitation_form(request: Request, token: str, db: DB, user: MaybeUser) -> Response:
    return _password_page(request, db, user, TokenPurpose.INVITATION, token)


@router.post("/undangan/{token}", name="invitation_accept")
def invitation_accept(
    request: Request, token: str, db: DB, user: MaybeUser, form: FormData
) -> Response:
    return _complete(request, db, user, form, TokenPurpose.INVITATION, token)


@router.get("/atur-sandi/{token}", name="password_reset_form")
def reset_form(request: Request, token: str, db: DB, user: MaybeUser) -> Response:
    return _password_page(request, db, user, TokenPurpose.PASSWORD_RESET, token)


@router.post("/atur-sandi/{token}", name="password_reset")
def reset(request: Request, token: str, db: DB, user: MaybeUser, form: FormData) -> Response:
    return _complete(request, db, user, form, TokenPurpose.PASSWORD_RESET, token)


@router.get("/verifikasi-surel/{token}", name="email_verify_form")
def verify_form(request: Request, token: str, db: DB, user: MaybeUser) -> Response:
    record, target = selfservice.peek(db, purpose=TokenPurpose.EMAIL_VERIFY, secret=token)
    return render(
        request,
        "auth/verify_email.html",
        {"user": user, "target": target, "email": record.email, "action": request.url.path},
    )


@router.post("/verifikasi-surel/{token}", name="email_verify")
def verify(request: Request, token: str, db: DB, user: MaybeUser) -> Response:
    target = selfservice.confirm_email(db, secret=token)
    return render(
        request,
        "auth/verify_email.html",
        {"user": user, "target": target, "email": target.email, "done": True},
    )

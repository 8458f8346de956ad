"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from perdes.accounts import services as accounts
from perdes.web.deps import DB, AppSettings, FormData
from perdes.web.htmx import render
from perdes.web.permissions import SESSION_COOKIE, MaybeUser, cookie_secure

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never redirect to another host after sign-in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    return target


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/masuk", name="login_form")
def login_form(request: Request, user: MaybeUser, next: str = "/") -> Response:
    if user.is_authenticated:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "auth/login.html", {"user": user, "next": _safe_next(next), "error": ""})


@router.post("/masuk", name="login")
def login(
    request: Request, db: DB, settings: AppSettings, user: MaybeUser, form: FormData
) -> Response:
    """Check the password; on success start a new session (new id) and go where asked."""
    next_url = _safe_next(form.get("next"))
    username = form.get("username", "")
    try:
        account = accounts.authenticate(
            db,
            username=username,
            password=form.get("password", ""),
            client_addr=_client(request),
            publish_attempt=db.commit,  # parallel guesses see each other's attempts
        )
    except accounts.LoginThrottled as exc:
        return render(
            request,
            "auth/login.html",
            {"user": user, "next": next_url, "error": exc.message, "username": username[:40]},
            status_code=429,
        )
    except accounts.LoginRefused as exc:
        return render(
            request,
            "auth/login.html",
            {"user": user, "next": next_url, "error": exc.message, "username": username[:40]},
            status_code=422,
        )
    old = request.cookies.get(SESSION_COOKIE)
    if old:
        accounts.end_session(db, token=old)
    new = accounts.start_session(
        db,
        user=account,
        client_addr=_client(request),
        user_agent=request.headers.get("user-agent", ""),
        days=settings.session_days,
    )
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path="/",
    )
    return response


@router.get("/keluar", name="logout_form")
def logout_form(request: Request, user: MaybeUser) -> Response:
    """Without JavaScript a link cannot POST: show a one-button confirmation."""
    if not user.is_authenticated:
        return RedirectResponse("/masuk", status_code=303)
    return render(request, "auth/logout.html", {"user": user})


@router.post("/keluar", name="logout")
def logout(request: Request, db: DB, user: MaybeUser) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(db, token=token)
    response = RedirectResponse("/masuk", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response

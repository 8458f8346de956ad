"""Who is asking: session cookie → Principal; per-route permission rules; CSRF.

Every route declares its rule with ``requires(action)`` or ``public``; the authorization
matrix test reads these declarations and fails for a route that has none.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perdes.accounts import services as accounts
from perdes.accounts import tokens
from perdes.accounts.principal import Principal
from perdes.accounts.principal_cache import PrincipalCache
from perdes.db import utcnow
from perdes.errors import DomainError
from perdes.regions.scope import Scope as RegionScope
from perdes.web.deps import DB, brief_write

SESSION_COOKIE = "perdes_session"
ANON_COOKIE = "perdes_anon"
NO_ANON_COOKIE_PATHS = ("/static/", "/publik/", "/api/v1/public/", "/favicon.ico")
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
PUBLIC = "public"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

ANONYMOUS = Principal(user_id=None, username="", full_name="", role=None, scope=RegionScope())


class LoginRequired(DomainError):
    """No valid session: pages redirect to /masuk, API-style requests get 401."""

    def __init__(self) -> None:
        super().__init__("Silakan masuk terlebih dahulu.")


class CsrfFailed(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Token keamanan formulir tidak valid atau kedaluwarsa. "
            "Muat ulang halaman lalu coba lagi."
        )


def _resolve(request: Request, db: Session, key: str) -> Principal | None:
    """The principal for a credential (``key`` is a session cookie or "Bearer …"), or None."""
    if key.startswith("bearer "):
        token = tokens.resolve_api_token(db, secret=key[7:])
        if token is None:
            return None
        principal = token.principal
        if token.touch_due:
            brief_write(request, db, lambda s: tokens.touch_token(s, token_id=token.token_id))
    else:
        cache: PrincipalCache = request.app.state.principals
        login = cache.get(key)
        if login is None:
            epoch = cache.epoch()  # before the lookup: a change committing now invalidates it
            login = accounts.resolve_login(db, token=key)
            if login is None:
                return None
            cache.put(key, login, epoch=epoch)
        principal = login.principal
        session_id = principal.session_id or ""
        if accounts.touch_due(login.last_seen_at):
            brief_write(request, db, lambda s: accounts.touch_session(s, session_id=session_id))
            # Touched, or skipped while the database was busy: either way not again at once.
            cache.replace(key, replace(login, last_seen_at=utcnow()))
    return principal


def _principal(request: Request, db: DB) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    authorization = request.headers.get("authorization", "")
    # API tokens are for the JSON API only: an HTML route ignores the header (its forms need
    # a session and a CSRF token), so a token cannot mint tokens or create users there.
    if authorization[:7].lower() == "bearer " and _is_api_path(request):
        principal = _resolve(request, db, "bearer " + authorization[7:].strip())
        if principal is None:
            raise LoginRequired()
    else:
        token = request.cookies.get(SESSION_COOKIE, "")
        principal = _resolve(request, db, token) if 0 < len(token) <= 100 else None
    resolved = principal or ANONYMOUS
    request.state.principal = resolved
    return resolved


def _is_api_path(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _cached_principal(request: Request) -> Principal | None:
    """The principal when it is known without the database: already resolved for this
    request, no session cookie at all, or a session cookie in the cache whose "last seen"
    needs no touch. None when only ``_principal`` (which may query and write) can tell."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if request.headers.get("authorization", "")[:7].lower() == "bearer " and _is_api_path(request):
        return None
    token = request.cookies.get(SESSION_COOKIE, "")
    if not 0 < len(token) <= 100:
        principal = ANONYMOUS
    else:
        cache: PrincipalCache = request.app.state.principals
        login = cache.get(token)
        if login is None or accounts.touch_due(login.last_seen_at):
            return None
        principal = login.principal
    request.state.principal = principal
    return principal


async def current_principal(request: Request, db: Session) -> Principal:
    """Who is asking. ``async``: on the event loop when the cache knows (the usual case), in
    the thread pool only when the database must be asked."""
    known = _cached_principal(request)
    if known is not None:
        return known
    return await run_in_threadpool(_principal, request, db)


def requires(action: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets in only signed-in users whose role may do ``action``."""

    async def dependency(request: Request, db: DB) -> Principal:
        principal = await current_principal(request, db)
        if not principal.is_authenticated:
            raise LoginRequired()
        principal.require(action)
        return principal

    dependency.action = action  # type: ignore[attr-defined]  # the authorization-matrix test reads a route's action from its dependency
    dependency.__name__ = f"requires_{action.replace('.', '_')}"
    return dependency


async def optional_user(request: Request, db: DB) -> Principal:
    """Public routes: the signed-in user if any, else the anonymous principal."""
    return await current_principal(request, db)


optional_user.action = PUBLIC  # type: ignore[attr-defined]  # the authorization-matrix test reads a route's action from its dependency


async def public_route() -> None:
    """Marks a route that needs no user at all (health checks); ``async``, so FastAPI does not
    send this no-op to the thread pool."""


public_route.action = PUBLIC  # type: ignore[attr-defined]  # the authorization-matrix test reads a route's action from its dependency

MaybeUser = Annotated[Principal, Depends(optional_user)]
Viewer = Annotated[Principal, Depends(requires("village.view"))]
Monitor = Annotated[Principal, Depends(requires("monitoring.view"))]


def _csrf_secret_material(request: Request) -> str:
    return request.cookies.get(SESSION_COOKIE) or request.scope.get("perdes_anon", "")


def csrf_token_for(secret_key: str, material: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf|{material}".encode(), hashlib.sha256).hexdigest()


async def csrf_protect(request: Request) -> AsyncIterator[None]:
    """App-wide: expose the form token, and refuse unsafe requests without a matching one.

    The token is an HMAC of the session cookie (or of an anonymous cookie before sign-in),
    sent back as a hidden form field or, by htmx, as the X-CSRF-Token header. Whoever parsed
    the form (this check or a route), its uploaded files are closed when the request ends.
    """
    try:
        await _check_csrf(request)
        yield
    finally:
        await request.close()


async def _check_csrf(request: Request) -> None:
    secret = request.app.state.settings.effective_secret_key
    expected = csrf_token_for(secret, _csrf_secret_material(request))
    request.state.csrf_token = expected
    if request.method not in UNSAFE_METHODS:
        return
    if _is_api_path(request) and not request.cookies.get(SESSION_COOKIE):
        # Token-authenticated API calls carry no ambient credentials; without any, the API
        # route answers 401 and there is nothing to forge. Elsewhere a Bearer header is no
        # credential at all, so it exempts nothing.
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else ""
    if not sent or not hmac.compare_digest(sent, expected):
        raise CsrfFailed()


def cookie_secure(request: Request) -> bool:
    forced: bool | None = request.app.state.settings.secure_cookies
    return forced if forced is not None else request.url.scheme == "https"


class AnonymousCookieMiddleware:
    """Give every browser a random anonymous id before sign-in, to bind the login form's token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Public listings are the same for everyone and cacheable: they set no cookie.
        if scope["type"] != "http" or scope["path"].startswith(NO_ANON_COOKIE_PATHS):
            await self.app(scope, receive, send)
            return
        cookies = _cookie_header(scope)
        anon = cookies.get(ANON_COOKIE, "")
        fresh = not (0 < len(anon) <= 64)
        if fresh:
            anon = secrets.token_urlsafe(24)
        scope["perdes_anon"] = anon

        async def send_wrapper(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                secure = "; Secure" if scope.get("scheme") == "https" else ""
                cookie = f"{ANON_COOKIE}={anon}; Path=/; HttpOnly; SameSite=Lax{secure}"
                message.setdefault("headers", []).append((b"set-cookie", cookie.encode()))
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _cookie_header(scope: Scope) -> dict[str, str]:
    from http.cookies import SimpleCookie

    raw: Any = dict(scope.get("headers", [])).get(b"cookie", b"")
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # a malformed Cookie header is treated as no cookies
        return {}
    return {k: v.value for k, v in jar.items()}

"""Security headers on every response, error pages included.

The middleware wraps the whole application, outside Starlette's server-error middleware, so
even a 500 page carries them. Responses to a signed-in request (session cookie or API token)
are never stored by a browser or a proxy (``Cache-Control: no-store``): pages, downloads and
the page that shows a new API token's secret. ``Strict-Transport-Security`` is sent when the
app is configured for HTTPS (``PERDES_SECURE_COOKIES``).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
NO_STORE = (b"cache-control", b"no-store")
# A response may opt out of no-store with exactly this (kept privately, revalidated each use).
REVALIDATE_PRIVATE = (b"cache-control", b"private, no-cache")
SESSION_COOKIE = b"perdes_session="


def _signed_in(scope: Scope) -> bool:
    for name, value in scope.get("headers") or []:
        if name == b"authorization" or (name == b"cookie" and SESSION_COOKIE in value):
            return True
    return False


class SecurityHeadersMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware, so streaming responses stay streamed)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.extra = [*HEADERS, HSTS] if hsts else HEADERS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = _signed_in(scope) and not scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if private and REVALIDATE_PRIVATE not in headers:
                    headers = [h for h in headers if h[0].lower() != b"cache-control"]
                    headers.append(NO_STORE)
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in self.extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

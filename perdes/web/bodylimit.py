"""Request body size, enforced on the bytes as they stream in (pure ASGI middleware).

A declared ``Content-Length`` over the limit is refused before the app runs; a chunked body
is counted while it is read, and the read stops one chunk past the limit. So a huge body is
never held in memory, whoever sends it and whatever its credentials: the 413 comes before
parsing and before authentication. Limits: the JSON API 256 KiB, multipart forms (uploads)
the upload limit plus room for the other fields, other forms 1 MiB.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from perdes.files import megabytes
from perdes.web.api.common import MAX_BODY_BYTES
from perdes.web.api.errors import api_error_response

FORM_BYTES = 1024 * 1024
MULTIPART_OVERHEAD = 256 * 1024
TOO_LARGE_API = "The request body is too large."
TOO_LARGE_PAGE = "Isian terlalu besar."


def too_large_upload(max_upload_bytes: int) -> str:
    """The 413 message of an upload form: the limit, and what to do."""
    return (
        f"Berkas terlalu besar: paling besar {megabytes(max_upload_bytes)} MB. "
        "Perkecil berkasnya (mis. pindai dengan resolusi lebih rendah) lalu coba lagi."
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` past the limit; the app's handler renders the 413 page.

    An HTTPException, so FastAPI passes it on instead of calling it a body parse error.
    """

    def __init__(self, api: bool, message: str = TOO_LARGE_PAGE) -> None:
        super().__init__(status_code=413, detail=TOO_LARGE_API if api else message)


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_upload_bytes: int) -> None:
        self.app = app
        self.upload_limit = max_upload_bytes + MULTIPART_OVERHEAD
        self.upload_message = too_large_upload(max_upload_bytes)

    def limit_for(self, path: str, content_type: str) -> int:
        if path.startswith("/api/"):
            return MAX_BODY_BYTES
        if content_type.startswith("multipart/form-data"):
            return self.upload_limit
        return FORM_BYTES

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        path: str = scope.get("path", "")
        api = path.startswith("/api/")
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        limit = self.limit_for(path, content_type)
        upload = content_type.startswith("multipart/form-data")
        refusal = self.upload_message if upload else TOO_LARGE_PAGE
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await self._refuse(api, refusal, scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(api, refusal)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(api, refusal, scope, receive, send)

    @staticmethod
    async def _refuse(api: bool, message: str, scope: Scope, receive: Receive, send: Send) -> None:
        response: Response
        if api:
            response = api_error_response(413, detail=TOO_LARGE_API)
        else:  # plain text: app.js shows it as it is in the notice at the top
            response = PlainTextResponse(message, status_code=413)
        response.headers["connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)

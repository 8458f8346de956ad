"""Static files under content-hashed names, cached for a year; compression of text responses.

``static_url("css/app.css")`` gives ``/static/css/app.1a2b3c4d5e.css``: the name changes
whenever the content does, so browsers may keep the file forever (``immutable``) and a new
release is fetched at once. A plain or outdated name still answers, with ``no-cache`` (the
browser revalidates with the ETag) so old pages keep working.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Scope

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")

# Formats that are compressed already (or streamed): sending them through gzip wastes CPU.
# Exact media types (Starlette compares them whole).
NOT_COMPRESSED = (
    "text/event-stream",
    "application/pdf",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/octet-stream",
    "image/png",
    "image/jpeg",
    "image/webp",
)
GZIP_MINIMUM_BYTES = 500
# zlib level 5: the village page (124 kB of HTML) compresses to 13.5 kB in about a third of
# the CPU of level 9 (13.1 kB); Starlette's default is 9.
GZIP_LEVEL = 5
URL_CACHE_SIZE = 1000


class Compression(GZipMiddleware):
    """gzip for HTML, CSS, JS, JSON, SVG and CSV when the client accepts it; never for the
    formats in ``NOT_COMPRESSED`` nor bodies under ``GZIP_MINIMUM_BYTES``."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(
            app,
            minimum_size=GZIP_MINIMUM_BYTES,
            compresslevel=GZIP_LEVEL,
            exclude_content_types=NOT_COMPRESSED,
        )


class FingerprintedStaticFiles(StaticFiles):
    """StaticFiles that also answers ``name.<digest>.ext`` for ``name.ext``."""

    def __init__(self, *, directory: Path, watch: bool = True) -> None:
        """``watch``: notice a file changed while the app runs (development); without it each
        name's URL is computed once (a page links five files: no stat, no hashing)."""
        super().__init__(directory=str(directory))
        self.root = directory
        self.watch = watch
        self._digests: dict[str, tuple[int, str]] = {}
        self._urls: dict[str, str] = {}

    def digest(self, path: str) -> str | None:
        """The content hash of a file under the root (None if there is no such file)."""
        file = (self.root / path).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return None
        mtime = file.stat().st_mtime_ns
        known = self._digests.get(path)
        if known is None or known[0] != mtime:
            known = (mtime, hashlib.sha256(file.read_bytes()).hexdigest()[:10])
            self._digests[path] = known
        return known[1]

    def url(self, path: str) -> str:
        url = self._urls.get(path)
        if url is None:
            url = self._url(path)
            if not self.watch and len(self._urls) < URL_CACHE_SIZE:
                self._urls[path] = url
        return url

    def _url(self, path: str) -> str:
        digest = self.digest(path)
        if digest is None:
            return STATIC_PREFIX + path
        stem, dot, suffix = path.rpartition(".")
        if not dot or "/" in suffix:
            return STATIC_PREFIX + path
        return f"{STATIC_PREFIX}{stem}.{digest}.{suffix}"

    async def get_response(self, path: str, scope: Scope) -> Response:
        match = _FINGERPRINTED.match(path)
        if match:
            plain = match["stem"] + match["suffix"]
            response = await super().get_response(plain, scope)
            fresh = self.digest(plain) == match["digest"]
            if response.status_code in (200, 304):
                response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
            return response
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = REVALIDATE
        return response

"""Static files under content-hashed names, cached for a year; compression of text responses.

Text responses are compressed with Brotli for clients that accept ``br`` (every current
browser) and gzip for the others (``starlette-compress``). Static text files (CSS, JS, SVG)
are minified (our own CSS: comments and spaces out, ``rcssmin``; our own JavaScript also with
its local names shortened, ``calmjs.parse``) and
compressed once, at the strongest settings (Brotli quality 11, zopfli gzip), and kept in
memory per content hash; each request gets the best variant its Accept-Encoding allows (a
client that takes neither gets the file as it is).

``static_url("css/app.css")`` gives ``/static/css/app.1a2b3c4d5e.css``: the name changes
whenever the content does, so browsers may keep the file forever (``immutable``) and a new
release is fetched at once. A plain or outdated name still answers, with ``no-cache`` (the
browser revalidates with the ETag) so old pages keep working.
"""

from __future__ import annotations

import hashlib
import logging
import re
from importlib.metadata import version
from pathlib import Path

import brotli
import rcssmin
import zopfli.gzip
from calmjs.parse import es5
from calmjs.parse.exceptions import ECMASyntaxError, ProductionError
from calmjs.parse.unparsers.es5 import minify_print
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette_compress import CompressMiddleware, add_compress_type, remove_compress_type

logger = logging.getLogger(__name__)

STATIC_PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_FINGERPRINTED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")

GZIP_MINIMUM_BYTES = 500
# zlib level 7, for gzip-only clients (browsers over HTTPS take Brotli). A drafting preview
# of 70 kB: level 5 13.5 kB in 1.0 ms of CPU, level 6 13.1 kB in 1.5 ms, level 7 13.0 kB in
# 1.8 ms, level 9 13.0 kB in 2.3 ms; the village page (73 kB) 8.3 / 8.2 / 8.2 / 8.2 kB in
# 0.6 / 0.8 / 0.9 / 1.2 ms (README "Transfer"). Brotli quality 5 costs about as much CPU as
# gzip 5 and gives pages 10-15 % smaller.
GZIP_LEVEL = 7
BROTLI_QUALITY = 5
URL_CACHE_SIZE = 1000
# Static files worth compressing (by suffix) and the media types sent for them.
PRECOMPRESSED_SUFFIXES = (".css", ".js", ".svg", ".txt", ".json")

# starlette-compress compresses an allow-list of media types (HTML, CSS, JS, JSON, SVG, XML,
# plain text...); CSV is added, the event stream left alone (each event is flushed as is).
# DOCX/XLSX/PDF/ZIP/images are not in the list: they are compressed already.
add_compress_type("text/csv")
remove_compress_type("text/event-stream")


# What the minified output depends on besides the file: bump MINIFY_REVISION when
# ``minified`` changes what it sends. Part of the content hash of the files it minifies, so
# a minifier upgrade or change renames them and browsers holding the old output ("immutable")
# fetch the new one.
MINIFY_REVISION = 1
MINIFIER = (
    f"minify {MINIFY_REVISION}; rcssmin {version('rcssmin')}; "
    f"calmjs.parse {version('calmjs.parse')}\n"
).encode()


def is_minified_by_us(path: str) -> bool:
    return path.endswith((".css", ".js")) and ".min." not in path


def minified(path: str, raw: bytes) -> bytes:
    """Our CSS or JavaScript without comments and needless spaces, the JavaScript's local
    names shortened (``*.min.*`` and other files as they are). Our scripts are ES5 (what
    ``calmjs.parse`` reads; tests hold them to it): one it cannot parse is sent as it is."""
    if not is_minified_by_us(path):
        return raw
    if path.endswith(".css"):
        return str(rcssmin.cssmin(raw.decode("utf-8"))).encode("utf-8")
    if path.endswith(".js"):
        try:
            program = es5(raw.decode("utf-8"))
        except (ECMASyntaxError, ProductionError):
            logger.warning("static/%s is not ES5: sent without minifying", path)
            return raw
        try:
            return str(minify_print(program, obfuscate=True, obfuscate_globals=False)).encode(
                "utf-8"
            )
        except Exception:  # a minifier bug must not cost the page its script
            logger.exception("static/%s could not be minified: sent as it is", path)
            return raw
    return raw


def accepted_encodings(header: str) -> set[str]:
    """The codings an Accept-Encoding header allows (``q=0`` excluded), lower-case."""
    allowed = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
        try:
            weight = float(q)
        except ValueError:
            weight = 0.0
        if name and weight > 0:
            allowed.add(name.strip().lower())
    return allowed


class Compression:
    """Brotli (``br``) or gzip for text responses when the client accepts it; never for
    bodies under ``GZIP_MINIMUM_BYTES``, nor for a response that is encoded already (the
    precompressed static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = CompressMiddleware(
            app,
            minimum_size=GZIP_MINIMUM_BYTES,
            zstd=False,
            brotli_quality=BROTLI_QUALITY,
            gzip_level=GZIP_LEVEL,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


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
        self._encoded: dict[tuple[str, str, str], bytes] = {}

    def digest(self, path: str) -> str | None:
        """The content hash of a file under the root (None if there is no such file): of
        what is sent, that is of the file and, for those minified, of the minifier."""
        file = (self.root / path).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return None
        mtime = file.stat().st_mtime_ns
        known = self._digests.get(path)
        if known is None or known[0] != mtime:
            hashed = hashlib.sha256(file.read_bytes())
            if is_minified_by_us(path):
                hashed.update(MINIFIER)
            known = (mtime, hashed.hexdigest()[:10])
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

    def encoded(self, path: str, coding: str) -> tuple[str, bytes] | None:
        """The file compressed with ``coding`` ("br" or "gzip") and its digest, computed once
        per content (None for a file that is not text)."""
        if not path.endswith(PRECOMPRESSED_SUFFIXES):
            return None
        digest = self.digest(path)
        if digest is None:
            return None
        key = (path, digest, coding)
        body = self._encoded.get(key)
        if body is None:
            raw = minified(path, (self.root / path).read_bytes())
            if coding == "br":
                body = brotli.compress(raw, mode=brotli.MODE_TEXT, quality=11)
            else:
                body = zopfli.gzip.compress(raw)
            if len(self._encoded) < URL_CACHE_SIZE:
                self._encoded[key] = body
        return digest, body

    def _precompressed(self, path: str, scope: Scope, response: Response) -> Response:
        """The Brotli or gzip variant of a whole-file 200 answer, when the client takes one,
        and the variant's validator on a 304 that Starlette answered from the date alone.
        Compressing (the first time per content) takes up to 0.3 s: run in the thread pool."""
        request_headers = Headers(scope=scope)
        accepted = accepted_encodings(request_headers.get("accept-encoding", ""))
        coding = "br" if "br" in accepted else "gzip" if "gzip" in accepted else None
        if (
            response.status_code == 304
            and coding is not None
            and path.endswith(PRECOMPRESSED_SUFFIXES)
            and "if-none-match" not in request_headers  # answered by If-Modified-Since
            and (digest := self.digest(path)) is not None
        ):
            return Response(
                status_code=304,
                headers={"ETag": f'"{digest}-{coding}"', "Vary": "Accept-Encoding"},
            )
        if not isinstance(response, FileResponse) or "range" in request_headers:
            return response
        found = self.encoded(path, coding) if coding else None
        if coding is None or found is None:
            return response
        digest, body = found
        etag = f'"{digest}-{coding}"'
        headers = {
            "Content-Type": response.headers.get("content-type", "application/octet-stream"),
            "Content-Encoding": coding,
            "Vary": "Accept-Encoding",
            "ETag": etag,
            "Last-Modified": response.headers.get("last-modified", ""),
        }
        if etag in request_headers.get("if-none-match", ""):
            return Response(status_code=304, headers={"ETag": etag, "Vary": "Accept-Encoding"})
        return Response(body, headers=headers)

    async def get_response(self, path: str, scope: Scope) -> Response:
        match = _FINGERPRINTED.match(path)
        if match:
            plain = match["stem"] + match["suffix"]
            response = await super().get_response(plain, scope)
            fresh = self.digest(plain) == match["digest"]
            if response.status_code in (200, 304):
                response = await run_in_threadpool(self._precompressed, plain, scope, response)
            if response.status_code in (200, 304):
                response.headers["Cache-Control"] = IMMUTABLE if fresh else REVALIDATE
            return response
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response = await run_in_threadpool(self._precompressed, path, scope, response)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = REVALIDATE
        return response

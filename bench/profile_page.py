"""Per-request CPU of a page, in-process, and where it goes (cProfile).

Usage:
    .venv/bin/python bench/profile_page.py DATABASE_URL [PATH ...] [--runs N] [--profile]
        [--gzip [--gzip-level N]]

The app (and, for comparison, the bare app of bench/bare_app.py) is driven directly through
ASGI in one event loop, with no server, socket or test client: what is measured is the app's
own work per request (middleware, dependencies, session, SQL, templates). Signed in as the
benchmark admin. Prints the mean CPU milliseconds per request of each path, and with
``--profile`` the 30 functions with the most cumulative time for each path.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_monitoring import session_token  # noqa: E402

from perdes.config import Settings  # noqa: E402
from perdes.pipeline import make_session_factory  # noqa: E402
from perdes.web import assets  # noqa: E402
from perdes.web.app import create_app  # noqa: E402

DEFAULT_PATHS = [
    "/pemantauan/desa?wilayah=33.06",
    "/desa?q=sari",
    "/desa/33.06.01.2001",
    "/pemantauan",
]


GZIP = [False]  # --gzip: ask for a compressed answer, as a browser does (wrk does not)


async def get(app: Any, path: str, cookie: str, *, gzip: bool = False) -> tuple[int, bytes]:
    """One GET through the ASGI app, no server or socket: status and body."""
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            *([(b"accept-encoding", b"gzip")] if gzip else []),
            (b"cookie", cookie.encode()),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status = 0
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(body)


async def request(app: Any, path: str, cookie: str) -> int:
    """One GET through the ASGI app (gzip with ``--gzip``); returns the status."""
    status, _ = await get(app, path, cookie, gzip=GZIP[0])
    return status


async def cpu_per_request(app: Any, path: str, cookie: str, runs: int) -> float:
    for _ in range(3):  # warm-up
        status = await request(app, path, cookie)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    start = time.process_time()
    for _ in range(runs):
        await request(app, path, cookie)
    return (time.process_time() - start) * 1000 / runs


def same_work(path: str) -> str:
    """The bare app's same-work yardstick of a page (bench/bare_app.py), if it has one."""
    if path.startswith("/pemantauan/desa?wilayah="):
        return "/table"  # the bare table is this list for the region given to bare_app.py
    if path.startswith("/desa") or path == "/pemantauan":  # the bare app has no region dashboard
        return "/same" + path
    return ""


def inline_threads() -> None:
    """Run "threadpool" work inline, so that cProfile (main thread only) sees all of it."""
    import anyio.to_thread

    async def run_sync(func: Any, *args: Any, **_: Any) -> Any:
        return func(*args)

    anyio.to_thread.run_sync = run_sync  # type: ignore[assignment]


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("PERDES_DATABASE_URL", args.url)
        settings = Settings(instance_path=Path(tmp), database_url=args.url, secret_key="profile")
        app = create_app(settings)
        token = session_token(make_session_factory(app.state.engine))
        cookie = f"perdes_session={token}"
        async with app.router.lifespan_context(app):
            if args.freeze:
                import gc

                gc.collect()
                gc.freeze()
            bare = None
            if args.bare:
                os.environ["BARE_REGION"] = args.bare
                import bare_app

                bare = bare_app.app
                ms = await cpu_per_request(bare, "/table", "", args.runs)
                print(f"{'bare app /table':45} {ms:7.2f} ms CPU per request")
            for path in args.paths or DEFAULT_PATHS:
                ms = await cpu_per_request(app, path, cookie, args.runs)
                line = f"{path:45} {ms:7.2f} ms CPU per request"
                same = same_work(path)
                if bare is not None and same:
                    bare_ms = await cpu_per_request(bare, same, "", args.runs)
                    line += f"; same work in the bare app {bare_ms:.2f} ms ({bare_ms / ms:.2f}×)"
                print(line, flush=True)
                if args.profile:
                    inline_threads()
                    profiler = cProfile.Profile()
                    profiler.enable()
                    for _ in range(args.runs):
                        await request(app, path, cookie)
                    profiler.disable()
                    out = io.StringIO()
                    stats = pstats.Stats(profiler, stream=out)
                    stats.sort_stats(args.sort).print_stats(args.top)
                    if args.callers:
                        stats.print_callers(args.callers)
                    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url", metavar="DATABASE_URL")
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--callers", metavar="REGEX", help="with --profile: who calls these")
    parser.add_argument(
        "--gzip", action="store_true", help="ask for gzip (the load test's wrk does not)"
    )
    parser.add_argument(
        "--gzip-level",
        type=int,
        metavar="N",
        help=f"with --gzip: zlib level of the app's pages (default {assets.GZIP_LEVEL})",
    )
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() before timing")
    parser.add_argument("--bare", metavar="REGION", help="also time bench/bare_app.py's table")
    args = parser.parse_args()
    GZIP[0] = args.gzip
    if args.gzip_level is not None:
        assets.GZIP_LEVEL = args.gzip_level  # read when the app is built
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()

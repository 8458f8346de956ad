"""Load test: the app's signed-in pages against a bare FastAPI app, in the same run.

Usage:
    .venv/bin/python bench/load_test.py DATABASE_URL [DATABASE_URL ...] [--seconds N]
        [--rounds N] [--connections N] [--port N] [--only LABEL ...]

Each DATABASE_URL is a database made by bench/generate_national.py. For each one, the bare app
(bench/bare_app.py: the monitoring list's two statements and table in an ``async def`` route, and
a same-work yardstick of each other page) and the app itself are served by uvicorn with 2
workers; then, round after round, wrk (-t2 -cN) loads the bare app's table, and for each page its
same-work yardstick and the page, in turn. Per page it prints the median requests/s, the median
ratio to the bare table's requests/s measured in the same round (the issue's yardstick), the
median ratio to the page's same-work yardstick in the same round, p50/p99 latency, and every
non-2xx response or socket error. Only the servers this script starts are stopped.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from bench_monitoring import biggest, session_token  # noqa: E402
from sqlalchemy import select  # noqa: E402

from perdes.db import make_engine, session_scope  # noqa: E402
from perdes.pipeline import make_session_factory  # noqa: E402
from perdes.regions.models import RegionLevel  # noqa: E402
from perdes.tracking.models import Adoption  # noqa: E402


@dataclass
class Run:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # non-2xx responses plus socket errors


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: int, connections: int, headers: list[str]) -> Run:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    for header in headers:
        args += ["-H", header]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket:
        bad += sum(int(n) for n in socket.groups())
    return Run(rps, p50, p99, bad)


def serve(target: str, port: int, env: dict[str, str], factory: bool) -> subprocess.Popen[bytes]:
    args = [str(ROOT / ".venv/bin/uvicorn"), target, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", "2", "--log-level", "warning", "--no-access-log"]
    if factory:
        args.insert(2, "--factory")
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def wait_up(url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 90  # two workers importing the app on a busy machine
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers=headers)
            with urllib.request.urlopen(request, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer 200")


def stop(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=20)


def pages(url: str) -> tuple[str, list[tuple[str, str]]]:
    """The benchmark admin's session token and the pages to load."""
    factory = make_session_factory(make_engine(url))
    token = session_token(factory)
    province = biggest(factory, RegionLevel.PROVINSI)
    regency = biggest(factory, RegionLevel.KABUPATEN, province)
    with session_scope(factory) as session:
        village = session.scalar(
            select(Adoption.village_code)
            .where(Adoption.village_code.startswith(regency + "."))
            .order_by(Adoption.village_code)
            .limit(1)
        )
    return token, [  # (label, the app's page, its same-work yardstick in the bare app)
        ("bare app (same list, async, no layout)", "/table", ""),
        (f"monitoring list ({regency})", f"/pemantauan/desa?wilayah={regency}", "/table"),
        ("directory search (q=sari)", "/desa?q=sari", "/same/desa?q=sari"),
        (f"village page ({village})", f"/desa/{village}", f"/same/desa/{village}"),
        ("national dashboard", "/pemantauan", "/same/pemantauan"),
    ]


def bench(url: str, args: argparse.Namespace) -> None:
    load_before = os.getloadavg()[0]
    token, targets = pages(url)
    regency = targets[1][1].rsplit("=", 1)[1]
    if args.only:  # the bare table always runs: every ratio is to it
        targets = [targets[0], *(t for t in targets[1:] if t[0].startswith(tuple(args.only)))]
    bare_label = targets[0][0]
    bare_port, app_port = args.port, args.port + 1
    cookie = {"Cookie": f"perdes_session={token}"}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "PERDES_DATABASE_URL": url,
            "PERDES_SECRET_KEY": "load-test-secret",
            "PERDES_INSTANCE_PATH": tmp,
            "BARE_REGION": regency,
        }
        servers = [
            serve("bench.bare_app:app", bare_port, env, factory=False),
            serve("perdes.web.app:create_app", app_port, env, factory=True),
        ]
        try:
            base = {0: f"http://127.0.0.1:{bare_port}", 1: f"http://127.0.0.1:{app_port}"}
            for index, (_, path, same) in enumerate(targets):
                wait_up(base[min(index, 1)] + path, cookie)
                if same:
                    wait_up(base[0] + same, cookie)
            runs: dict[str, list[Run]] = {label: [] for label, _, _ in targets}
            ratios: dict[str, list[float]] = {label: [] for label, _, _ in targets}
            same_ratios: dict[str, list[float]] = {label: [] for label, _, _ in targets}
            headers = [f"Cookie: perdes_session={token}"]

            def load(url: str) -> Run:
                wrk(url, 2, 16, headers)  # warm-up
                return wrk(url, args.seconds, args.connections, headers)

            for _ in range(args.rounds):
                bare_rps = 0.0
                for index, (label, path, same) in enumerate(targets):
                    if index == 0:
                        run = load(base[0] + path)
                        bare_rps = same_rps = run.rps
                    else:
                        same_rps = bare_rps if same == "/table" else load(base[0] + same).rps
                        run = load(base[1] + path)
                    runs[label].append(run)
                    ratios[label].append(run.rps / bare_rps)
                    same_ratios[label].append(run.rps / same_rps)
        finally:
            for server in servers:
                stop(server)
    engine = make_engine(url).dialect.name
    print(
        f"\n{engine}: wrk -t2 -c{args.connections} -d{args.seconds}s, 2 uvicorn workers each, "
        f"{args.rounds} rounds; medians; load average before the run {load_before:.1f} "
        "(the ratios hold only on a quiet machine: a busy one slows the bare table more)"
    )
    print(
        "| page | req/s | ratio to bare table | ratio to same work "
        "| p50 ms | p99 ms | p99 / bare p99 | non-2xx |"
    )
    print("|---|---|---|---|---|---|---|---|")
    bare_p99 = statistics.median(r.p99_ms for r in runs[bare_label])
    for label, _, _ in targets:
        rs = runs[label]
        p99 = statistics.median(r.p99_ms for r in rs)
        print(
            f"| {label} | {statistics.median(r.rps for r in rs):.0f} "
            f"| {statistics.median(ratios[label]):.2f} "
            f"| {statistics.median(same_ratios[label]):.2f} "
            f"| {statistics.median(r.p50_ms for r in rs):.1f} | {p99:.1f} "
            f"| {p99 / bare_p99:.1f} | {sum(r.bad for r in rs)} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("urls", nargs="+", metavar="DATABASE_URL")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        action="append",
        metavar="LABEL",
        help='only pages whose label starts so ("village")',
    )
    args = parser.parse_args()
    for url in args.urls:
        bench(url, args)


if __name__ == "__main__":
    main()

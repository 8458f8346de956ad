"""Benchmark the monitoring pages on a national database (see bench/generate_national.py).

Usage:
    .venv/bin/python bench/bench_monitoring.py DATABASE_URL [--runs N]

Requests go through the real app in-process (routing, services, SQL, Jinja, streaming), signed
in as an admin, so the times are server time without the network. Each page gets one warm-up
and N timed runs; the median and range are printed in milliseconds.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from perdes.accounts import services as accounts
from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.config import Settings
from perdes.db import session_scope
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region, RegionLevel
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE

BENCH_USER = "bench.admin"


def session_token(  # type: ignore[no-untyped-def]
    factory,
    username: str = BENCH_USER,
    *,
    role: Role = Role.ADMIN,
    scope_codes: tuple[str, ...] = (),
) -> str:
    """A login session for a benchmark user (the admin unless told; created on first use)."""
    with session_scope(factory) as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user = accounts.create_user(
                session,
                actor=Principal.system(),
                username=username,
                full_name="Admin benchmark" if role is Role.ADMIN else f"Benchmark {role.value}",
                role=role,
                password=secrets.token_urlsafe(16),
                scope_codes=scope_codes,
            )
        new = accounts.start_session(
            session, user=user, client_addr="127.0.0.1", user_agent="bench", days=1
        )
        return str(new.token)


def biggest(factory, level: RegionLevel, parent: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """The region of ``level`` with the most villages (under ``parent``)."""
    column = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
    }[level]
    with session_scope(factory) as session:
        stmt = select(column, func.count()).where(Region.level == RegionLevel.DESA)
        if parent:
            stmt = stmt.where(Region.province_code == parent)
        rows = session.execute(stmt.group_by(column).order_by(func.count().desc()).limit(1)).all()
        return str(rows[0][0])


def timed(client: TestClient, url: str, runs: int) -> tuple[list[float], int, int]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.text[:300])
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        _ = response.content
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    return times, len(response.content), runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--export-runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            instance_path=Path(tmp), database_url=args.url, secret_key="bench-secret-key"
        )
        app = create_app(settings)
        factory = make_session_factory(app.state.engine)
        token = session_token(factory)
        province = biggest(factory, RegionLevel.PROVINSI)
        regency = biggest(factory, RegionLevel.KABUPATEN, province)
        pages = [
            ("national dashboard", "/pemantauan", args.runs),
            (f"provinsi drill-down ({province})", f"/pemantauan/wilayah/{province}", args.runs),
            (f"kabupaten dashboard ({regency})", f"/pemantauan/wilayah/{regency}", args.runs),
            (
                f"kabupaten village list ({regency})",
                f"/pemantauan/desa?wilayah={regency}",
                args.runs,
            ),
            ("national overdue list", "/pemantauan/desa?daftar=terlambat", args.runs),
            ("national village list", "/pemantauan/desa", args.runs),
            ("directory search (q=sari)", "/desa?q=sari", args.runs),
            ("directory, all villages", "/desa", args.runs),
            ("national XLSX export (all villages)", "/pemantauan/desa.xlsx", args.export_runs),
            ("national CSV export (all villages)", "/pemantauan/desa.csv", args.export_runs),
        ]
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, token)
            print(f"{app.state.engine.dialect.name}: median ms (min–max), n runs")
            for label, url, runs in pages:
                times, size, n = timed(client, url, runs)
                print(
                    f"| {label} | {statistics.median(times):.1f} "
                    f"({min(times):.1f}–{max(times):.1f}) | n={n} | {size / 1024:.0f} kB |"
                )
        app.state.engine.dispose()


if __name__ == "__main__":
    main()

"""Benchmark the monitor's analytics on a national database (see bench/generate_national.py).

Usage:
    .venv/bin/python bench/bench_analytics.py DATABASE_URL [--runs N]

Requests go through the real app in-process, signed in as an admin, so the times are server
time without the network. The first request of each map reads and simplifies the boundaries
(printed apart as "first load"); then N timed runs, median and range in milliseconds. The
national map's size is also printed gzip-compressed (what a phone downloads).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from bench_monitoring import biggest, session_token  # type: ignore[import-not-found]
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from perdes.config import Settings
from perdes.db import make_session_factory
from perdes.regions.models import RegionLevel
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=10)
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
        start = date(date.today().year - 2, date.today().month, 1).isoformat()
        pages = [
            ("national dashboard (reference, not new)", "/pemantauan"),
            ("national map (provinsi)", "/pemantauan/peta"),
            (f"province map ({province}, by kabupaten)", f"/pemantauan/peta?wilayah={province}"),
            (f"kabupaten map ({regency}, by kecamatan)", f"/pemantauan/peta?wilayah={regency}"),
            ("national map SVG download", "/pemantauan/peta.svg"),
            ("national map PNG download", "/pemantauan/peta.png"),
            ("national league table", "/pemantauan/peringkat"),
            ("national trend, 24 months", f"/pemantauan/tren?dari={start}"),
            ("national trend CSV, 24 months", f"/pemantauan/tren.csv?dari={start}"),
        ]
        with TestClient(app, base_url="http://127.0.0.1") as client:
            client.cookies.set(SESSION_COOKIE, token)
            print(f"{app.state.engine.dialect.name}: median ms (min–max) of {args.runs} runs")
            for label, url in pages:
                t0 = time.perf_counter()
                first = client.get(url)
                first_ms = (time.perf_counter() - t0) * 1000
                assert first.status_code == 200, (url, first.status_code, first.text[:300])
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    response = client.get(url)
                    _ = response.content
                    times.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200
                print(
                    f"| {label} | {statistics.median(times):.1f} "
                    f"({min(times):.1f}–{max(times):.1f}) | first load {first_ms:.0f} | "
                    f"{len(response.content) / 1024:.0f} kB |"
                )
            page = client.get("/pemantauan/peta")
            svg = str(BeautifulSoup(page.text, "html.parser").select_one("svg.map"))
            print(
                f"national map: SVG {len(svg.encode()) / 1024:.1f} kB, gzip "
                f"{len(gzip.compress(svg.encode())) / 1024:.1f} kB; whole page gzip "
                f"{len(gzip.compress(page.content)) / 1024:.1f} kB"
            )
        app.state.engine.dispose()


if __name__ == "__main__":
    main()

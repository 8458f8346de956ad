"""Benchmark: the public listing and the JDIHN feed over many published products.

Usage: .venv/bin/python bench/bench_public.py [--per-village N] [--runs N]

A fresh SQLite database with the bundled Serang extract; every village gets N Peraturan
Kepala Desa recorded after the fact, each with its scan, and every second one repeals the one
before (so statuses need the links). Then, through the real app in-process and without
signing in, it times the JDIHN feed (first and a middle page of 50, and a 304 answer to
If-None-Match), the kabupaten page and a village page: median of the runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from perdes import migrate
from perdes.accounts.principal import Principal
from perdes.config import Settings
from perdes.db import make_engine, session_scope
from perdes.demo import FALLBACK_CSV
from perdes.pipeline import make_session_factory
from perdes.regions.importer import import_regions, read_region_csv
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import links
from perdes.tracking.after_the_fact import record_after_the_fact
from perdes.tracking.stages import Stage
from perdes.web.app import create_app

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def seed(settings: Settings, per_village: int) -> tuple[int, str, str]:
    engine = make_engine(settings.effective_database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    actor = Principal.system()
    with session_scope(factory) as session:
        import_regions(session, read_region_csv(FALLBACK_CSV.read_bytes()))
    with session_scope(factory) as session:
        villages = list(
            session.scalars(
                select(Region.code).where(
                    Region.level == RegionLevel.DESA, Region.regency_code == "36.04"
                )
            )
        )
        villages = [v for v in villages if v[9] != "1"]  # desa, not kelurahan
        count = 0
        for code in villages:
            previous = None
            for n in range(1, per_village + 1):
                scan = (f"{n}.pdf", PDF.replace(b"trailer", f"% {code} {n}\ntrailer".encode()))
                a = record_after_the_fact(
                    session, actor=actor, village_code=code,
                    data={"kind": "perkades", "title": f"Perkades {n}", "enacted_on": "2024-02-01",
                          "perdes_number": str(n), "promulgated_on": "2024-02-02",
                          "berita_desa_number": str(n)},
                    scans={Stage.DIUNDANGKAN: scan}, upload_root=settings.effective_upload_path,
                )  # fmt: skip
                if previous is not None and n % 2 == 0:
                    links.add_link(
                        session, actor=actor, village_code=code, source_id=a.id,
                        data={"target_id": previous, "kind": "mencabut"},
                    )  # fmt: skip
                previous = a.id
                count += 1
    engine.dispose()
    return count, "36.04", villages[0]


def timed(client: TestClient, url: str, runs: int, **kw: object) -> tuple[float, int, int]:
    times, status, size = [], 0, 0
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url, **kw)  # type: ignore[arg-type]
        times.append(time.perf_counter() - t0)
        status, size = response.status_code, len(response.content)
    return statistics.median(times) * 1000, status, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-village", type=int, default=20)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            instance_path=Path(tmp),
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            secret_key="bench-secret-key",
            upload_path=Path(tmp) / "up",
        )
        t0 = time.perf_counter()
        products, regency, village = seed(settings, args.per_village)
        print(f"products: {products:,} published ({time.perf_counter() - t0:.1f} s to seed)")
        client = TestClient(create_app(settings))
        feed = f"/api/v1/public/jdihn/{regency}"
        first = client.get(feed)
        etag = first.headers["etag"]
        middle = max(1, products // 100)
        for label, url, extra in (
            ("JDIHN feed, page 1 (50 records)", feed, {}),
            (f"JDIHN feed, page {middle} (50 records)", f"{feed}?page={middle}", {}),
            ("JDIHN feed, 304 (If-None-Match)", feed, {"headers": {"If-None-Match": etag}}),
            ("kabupaten page (50 rows)", f"/publik/kabupaten/{regency}", {}),
            (f"village page ({args.per_village} rows)", f"/publik/desa/{village}", {}),
        ):
            ms, status, size = timed(client, url, args.runs, **extra)
            print(f"{label:40s} {ms:7.1f} ms  [{status}, {size:,} bytes]")


if __name__ == "__main__":
    main()

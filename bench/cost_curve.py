"""Server time of the national pages as the country grows: 1k, 10k, 40k and all villages.

Usage:
    .venv/bin/python bench/cost_curve.py DIRECTORY [--runs N] [--sizes 1000,10000,40000,0]

For each size, bench/generate_national.py --villages N writes a fresh SQLite database into
DIRECTORY (0 means every village), then the national dashboard, the national overdue list and
the directory search are timed in-process (median of N runs after a warm-up), signed in as an
admin: wall-clock milliseconds and, in brackets, the process's CPU milliseconds per request
(every thread; steadier than the wall clock on a shared machine). A flat column means the page
costs the same whatever the size of the country.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_monitoring import session_token
from fastapi.testclient import TestClient

from perdes.config import Settings
from perdes.pipeline import make_session_factory
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE

PAGES = [
    ("national dashboard", "/pemantauan"),
    ("national overdue list", "/pemantauan/desa?daftar=terlambat"),
    ("directory search (q=sari)", "/desa?q=sari"),
]


def timed(client: TestClient, path: str, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``runs`` requests after a warm-up."""
    assert client.get(path).status_code == 200, path
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        response = client.get(path)
        _ = response.content
        cpu.append((time.process_time() - c0) * 1000)
        wall.append((time.perf_counter() - w0) * 1000)
        assert response.status_code == 200, path
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sizes", default="1000,10000,40000,0")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    print("| villages | " + " | ".join(label for label, _ in PAGES) + " |")
    print("|---" * (len(PAGES) + 1) + "|")
    for size in (int(s) for s in args.sizes.split(",")):
        db = args.directory / f"curve-{size or 'all'}.sqlite3"
        db.unlink(missing_ok=True)
        url = f"sqlite:///{db}"
        extra = ["--villages", str(size)] if size else []
        subprocess.run(
            [sys.executable, str(here / "generate_national.py"), url, *extra],
            check=True,
            capture_output=True,
        )
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(instance_path=Path(tmp), database_url=url, secret_key="curve")
            app = create_app(settings)
            token = session_token(make_session_factory(app.state.engine))
            cells = []
            with TestClient(app, base_url="http://127.0.0.1") as client:
                client.cookies.set(SESSION_COOKIE, token)
                for _, path in PAGES:
                    wall, cpu = timed(client, path, args.runs)
                    cells.append(f"{wall:.1f} ms ({cpu:.1f} ms CPU)")
            app.state.engine.dispose()
        print(f"| {size or 'all (83,762)'} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark: import the whole national region file (91,599 rows) into a fresh SQLite database.

Usage: .venv/bin/python bench/bench_import.py [PATH_TO_wilayah.csv] [--runs N]
Prints the time of a first import (all rows new) and of a re-import (all unchanged), median of N.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from perdes import migrate
from perdes.config import PROJECT_ROOT
from perdes.db import make_engine, session_scope
from perdes.pipeline import make_session_factory
from perdes.regions.importer import import_regions, read_region_csv

DEFAULT_CSV = PROJECT_ROOT.parent / "shared" / "data" / "wilayah.csv"


def run_once(csv_bytes: bytes) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        t0 = time.perf_counter()
        rows = read_region_csv(csv_bytes)
        t1 = time.perf_counter()
        with session_scope(factory) as session:
            report = import_regions(session, rows)
        t2 = time.perf_counter()
        with session_scope(factory) as session:
            again = import_regions(session, read_region_csv(csv_bytes))
        t3 = time.perf_counter()
        engine.dispose()
        assert report.written and not report.bad_rows
        assert sum(c.unchanged for c in again.levels.values()) == report.rows_read
        return t1 - t0, t2 - t0, t3 - t2, report.rows_read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("csv", nargs="?", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data = args.csv.read_bytes()
    results = [run_once(data) for _ in range(args.runs)]
    parse = statistics.median(r[0] for r in results)
    first = statistics.median(r[1] for r in results)
    again = statistics.median(r[2] for r in results)
    print(f"rows: {results[0][3]:,}  runs: {args.runs}")
    print(f"parse + validate CSV:         {parse:6.2f} s")
    print(
        f"first import (parse + write): {first:6.2f} s  (all runs: "
        + ", ".join(f"{r[1]:.2f}" for r in results)
        + ")"
    )
    print(f"re-import, nothing changed:   {again:6.2f} s")


if __name__ == "__main__":
    main()

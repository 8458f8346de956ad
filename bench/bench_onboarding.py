"""Benchmark: onboard 10,000 users from one CSV file into a fresh SQLite database.

Usage: .venv/bin/python bench/bench_onboarding.py [--users N] [--runs N] [--url URL]
Regions: the bundled Kabupaten Serang extract. Half the rows have an e-mail address (an
invitation is rendered into the outbox), half get a printable link. Prints reading, checking
and writing times (one transaction), median of the runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select, text

from perdes import migrate
from perdes.accounts import onboarding
from perdes.accounts.models import User
from perdes.accounts.principal import Principal
from perdes.db import make_engine, session_scope
from perdes.demo import FALLBACK_CSV
from perdes.pipeline import make_session_factory
from perdes.regions.importer import import_regions, read_region_csv


def make_file(n: int, villages: list[str]) -> bytes:
    lines = ["username,full name,email,phone,role,regions"]
    for i in range(n):
        email = f"operator{i}@desa.example.id" if i % 2 else ""
        lines.append(
            f"operator.{i:05d},Operator Desa {i},{email},0812{i:08d},operator,"
            f"{villages[i % len(villages)]}"
        )
    return ("\n".join(lines) + "\n").encode()


def run_once(url: str | None, data: bytes) -> tuple[float, float, float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        with session_scope(factory) as session:
            import_regions(session, read_region_csv(FALLBACK_CSV.read_bytes()))
        actor = Principal.system()
        t0 = time.perf_counter()
        rows = onboarding.read_user_file(data)
        t1 = time.perf_counter()
        with session_scope(factory) as session:
            plan = onboarding.check_rows(session, actor=actor, rows=rows)
            assert not plan.errors, plan.errors[:3]
        t2 = time.perf_counter()
        with session_scope(factory) as session:
            done = onboarding.import_users(session, actor=actor, rows=rows, base_url="https://x")
        t3 = time.perf_counter()
        with factory() as session:
            assert session.scalar(select(func.count()).select_from(User)) == len(done)
        engine.dispose()
        return t1 - t0, t2 - t1, t3 - t2, len(done)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--url", default=None, help="a scratch database URL (wiped)")
    args = parser.parse_args()
    villages = [
        r.code
        for r in read_region_csv(FALLBACK_CSV.read_bytes())
        if len(r.code) == 13 and r.code[9] == "2"
    ]
    data = make_file(args.users, villages)
    results = [run_once(args.url, data) for _ in range(args.runs)]
    read, check, write, n = (statistics.median(col) for col in zip(*results, strict=True))
    print(f"{int(n):,} users, {len(data) / 1e6:.1f} MB file, median of {args.runs}:")
    print(f"  read file      {read:6.2f} s")
    print(f"  check rows     {check:6.2f} s  (dry run / preview)")
    print(
        f"  import (check + write users, tokens, invitations, audit; one transaction) "
        f"{write:6.2f} s"
    )
    print(f"  end to end     {read + write:6.2f} s  (target < 30 s)")


if __name__ == "__main__":
    main()

"""Benchmark: one weekly digest run for 500 monitors over the national data set.

Usage:
    .venv/bin/python bench/generate_national.py sqlite:////tmp/national.sqlite3
    .venv/bin/python bench/bench_digest.py sqlite:////tmp/national.sqlite3 [--monitors 500]

Creates the monitors (each on a random kabupaten, every tenth on a whole province), times
``send_weekly_digests`` in one transaction, and rolls everything back.
"""

from __future__ import annotations

import argparse
import random
import time

from sqlalchemy import func, insert, select

from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.db import make_engine
from perdes.notifications.digests import send_weekly_digests
from perdes.notifications.models import Notification
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region, RegionLevel


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--monitors", type=int, default=500)
    args = parser.parse_args()
    engine = make_engine(args.url)
    factory = make_session_factory(engine)
    rng = random.Random(19)
    with factory() as session:
        regencies = list(
            session.scalars(select(Region.code).where(Region.level == RegionLevel.KABUPATEN))
        )
        provinces = list(
            session.scalars(select(Region.code).where(Region.level == RegionLevel.PROVINSI))
        )
        session.execute(
            insert(User),
            [
                {
                    "username": f"bench.pemantau.{i}",
                    "full_name": f"Pemantau {i}",
                    "role": Role.PEMANTAU,
                    "password_hash": "",
                    "is_active": True,
                }
                for i in range(args.monitors)
            ],
        )
        ids = dict(
            session.execute(
                select(User.username, User.id).where(User.username.like("bench.pemantau.%"))
            ).all()
        )
        session.execute(
            insert(UserScope),
            [
                {
                    "user_id": ids[f"bench.pemantau.{i}"],
                    "region_code": rng.choice(provinces if i % 10 == 0 else regencies),
                }
                for i in range(args.monitors)
            ],
        )
        t0 = time.perf_counter()
        added = send_weekly_digests(session)
        session.flush()
        elapsed = time.perf_counter() - t0
        notes = session.scalar(select(func.count()).select_from(Notification))
        session.rollback()
    engine.dispose()
    print(
        f"weekly digest for {args.monitors} monitors ({added} digests, {notes} rows): "
        f"{elapsed:.1f} s (target < 60 s)"
    )


if __name__ == "__main__":
    main()

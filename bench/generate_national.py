"""Load all of Indonesia (83,762 villages) with synthetic adoptions, events and checklist totals.

Usage:
    .venv/bin/python bench/generate_national.py DATABASE_URL [--regions PATH] [--seed N]

DATABASE_URL is e.g. ``sqlite:////tmp/national.sqlite3`` or
``postgresql+psycopg://postgres@127.0.0.1:55441/national``; the database is migrated first and
must not hold adoptions yet. PATH defaults to ``../shared/data/wilayah.csv`` next to the project.
Regions go through the real importer; the rest is written with bulk Core inserts. The stored
read model (``Adoption.current_stage``, ``current_stage_on``, ``next_deadline_*``, legal dates)
is written from the same generated steps as the event log, as the tracker would keep it.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import Engine

from perdes import migrate
from perdes.accounts.principal import Principal
from perdes.checklist.loading import load_bundled
from perdes.checklist.models import ChecklistFramework, ChecklistVillageTotal
from perdes.config import PROJECT_ROOT
from perdes.db import make_engine, session_scope
from perdes.monitoring import rollup
from perdes.monitoring.figures import FRAMEWORK
from perdes.pipeline import make_session_factory
from perdes.regions.importer import import_regions, read_region_csv
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.tracking.deadlines import DEFAULTS, KIND_AFTER
from perdes.tracking.models import Adoption, AdoptionEvent, EventKind
from perdes.tracking.stages import STAGE_ORDER, ClarificationResult, Stage

DEFAULT_CSV = PROJECT_ROOT.parent / "shared" / "data" / "wilayah.csv"
BATCH = 10_000
TODAY = date(2026, 11, 27)


def load_regions(engine: Engine, path: str, villages: int | None = None) -> int:
    """Import the region file; with ``villages``, only every n-th village (spread over the
    whole country, for cost curves) and the regions above them."""
    factory = make_session_factory(engine)
    rows = read_region_csv(Path(path).read_bytes())
    if villages is not None:
        desa = [r for r in rows if r.code.count(".") == 3]
        step = max(1, len(desa) // villages)
        kept = {r.code for r in desa[::step][:villages]}
        parents = {c.rsplit(".", k)[0] for c in kept for k in (1, 2, 3)}
        rows = [r for r in rows if r.code in kept or r.code in parents]
    with session_scope(factory) as session:
        report = import_regions(session, rows)
        assert report.written, report.bad_rows[:5]
        load_bundled(session, actor=Principal.system())
    return report.rows_read


def step_fields(stage: Stage, n: int) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if stage is Stage.DISEPAKATI:
        fields["berita_acara_number"] = f"BA/{n}/2026"
    elif stage is Stage.DITETAPKAN:
        fields["perdes_number"] = str(n % 20 + 1)
    elif stage is Stage.DIUNDANGKAN:
        fields["lembaran_year"] = 2026
        fields["lembaran_number"] = str(n % 20 + 1)
    elif stage is Stage.DILAPORKAN:
        fields["letter_number"] = f"140/{n}/2026"
    elif stage is Stage.KLARIFIKASI:
        fields["clarification_result"] = ClarificationResult.SESUAI
    return fields


def generate(rng: random.Random, villages: list[tuple[str, Any]], framework_id: int):  # type: ignore[no-untyped-def]
    """Yield (adoptions, events, totals) row dicts for every desa; kelurahan get none."""
    adoptions: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    adoption_id = event_id = 0
    now = datetime.now(UTC)
    for code, kind in villages:
        if kind == VillageKind.KELURAHAN or kind == VillageKind.KELURAHAN.value:
            continue
        if rng.random() < 0.6:
            score = round(rng.uniform(0, 100), 1)
            qualified = score >= 85 and rng.random() < 0.7
            totals.append(
                {
                    "village_code": code,
                    "framework_slug": FRAMEWORK,
                    "framework_id": framework_id,
                    "score": score,
                    "verified_count": int(score // 10),
                    "mandatory_missing_count": 0 if qualified else rng.randint(1, 5),
                    "waiting_count": rng.choice((0, 0, 0, 1, 2)),
                    "rejected_count": rng.choice((0, 0, 0, 0, 1)),
                    "qualified": qualified,
                    "updated_at": now,
                }
            )
        if rng.random() < 0.35:
            continue  # not started
        adoption_id += 1
        last = min(int(rng.triangular(0, len(STAGE_ORDER), 3)), len(STAGE_ORDER) - 1)
        on = date(2025, 1, 1) + timedelta(days=rng.randint(0, 500))
        row: dict[str, Any] = {
            "id": adoption_id,
            "village_code": code,
            "title": "Pelindungan Pekerja Migran Indonesia",
            "summary": "",
            "recorded_after_the_fact": False,
            "version": last + 2,
            "created_at": now,
            "updated_at": now,
            "berita_acara_number": "",
            "perdes_number": "",
            "lembaran_number": "",
            "report_letter_number": "",
        }
        for index, stage in enumerate(STAGE_ORDER[: last + 1]):
            if index:
                on = min(on + timedelta(days=rng.randint(2, 25)), TODAY)
            event_id += 1
            fields = step_fields(stage, adoption_id)
            events.append(
                {
                    "id": event_id,
                    "adoption_id": adoption_id,
                    "kind": EventKind.LANGKAH,
                    "stage": stage,
                    "occurred_on": on,
                    "reason": "",
                    "after_the_fact": False,
                    "berita_acara_number": fields.get("berita_acara_number", ""),
                    "perdes_number": fields.get("perdes_number", ""),
                    "lembaran_year": fields.get("lembaran_year"),
                    "lembaran_number": fields.get("lembaran_number", ""),
                    "berita_desa_number": "",
                    "letter_number": fields.get("letter_number", ""),
                    "clarification_result": fields.get("clarification_result"),
                    "decision_number": "",
                    "notes": "",
                    "recorded_at": datetime.combine(on, dtime(9, 0), UTC)
                    + timedelta(minutes=event_id % 600),
                    "recorded_by_name": "generator",
                }
            )
            if stage is Stage.DISEPAKATI:
                row.update(agreed_on=on, berita_acara_number=fields["berita_acara_number"])
            elif stage is Stage.DITETAPKAN:
                row.update(enacted_on=on, perdes_number=fields["perdes_number"])
            elif stage is Stage.DIUNDANGKAN:
                row.update(
                    promulgated_on=on, lembaran_year=2026, lembaran_number=fields["lembaran_number"]
                )
            elif stage is Stage.DILAPORKAN:
                row.update(reported_on=on, report_letter_number=fields["letter_number"])
        stage = STAGE_ORDER[last]
        row["current_stage"] = stage
        row["current_stage_on"] = on
        deadline_kind = KIND_AFTER.get(stage)
        row["next_deadline_kind"] = deadline_kind
        row["next_deadline_on"] = (
            on + timedelta(days=DEFAULTS[deadline_kind].days) if deadline_kind else None
        )
        adoptions.append(row)
    return adoptions, events, totals


def bulk(engine: Engine, model: Any, rows: list[dict[str, Any]]) -> None:
    keys = sorted({k for r in rows for k in r})
    with engine.begin() as conn:
        for start in range(0, len(rows), BATCH):
            chunk = [{k: r.get(k) for k in keys} for r in rows[start : start + BATCH]]
            conn.execute(insert(model), chunk)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="SQLAlchemy database URL")
    parser.add_argument("--regions", default=str(DEFAULT_CSV), help="wilayah.csv (kode,nama)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--villages", type=int, default=None, help="only this many villages (cost curves)"
    )
    args = parser.parse_args()
    engine = make_engine(args.url)
    migrate.upgrade(engine)
    t0 = time.perf_counter()
    rows_read = load_regions(engine, args.regions, args.villages)
    t1 = time.perf_counter()
    with engine.connect() as conn:
        if conn.scalar(select(func.count()).select_from(Adoption)):
            raise SystemExit("the database already holds adoptions; use an empty one")
        framework_id = conn.scalar(
            select(func.max(ChecklistFramework.id)).where(ChecklistFramework.slug == FRAMEWORK)
        )
        villages = conn.execute(
            select(Region.code, Region.village_kind)
            .where(Region.level == RegionLevel.DESA)
            .order_by(Region.code)
        ).all()
    assert framework_id is not None
    adoptions, events, totals = generate(
        random.Random(args.seed), [(c, k) for c, k in villages], framework_id
    )
    t2 = time.perf_counter()
    bulk(engine, Adoption, adoptions)
    bulk(engine, AdoptionEvent, events)
    bulk(engine, ChecklistVillageTotal, totals)
    with session_scope(make_session_factory(engine)) as session:
        rollup.rebuild(session)  # bulk rows bypass the services: recompute the kecamatan rollup
    t3 = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for table in ("adoption", "adoption_event"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    t4 = time.perf_counter()
    print(
        f"regions: {rows_read} rows in {t1 - t0:.1f} s; villages: {len(villages)}; "
        f"adoptions: {len(adoptions)}; events: {len(events)}; checklist totals: {len(totals)}; "
        f"generate {t2 - t1:.1f} s, insert + rollup {t3 - t2:.1f} s, analyze {t4 - t3:.1f} s"
    )


if __name__ == "__main__":
    main()

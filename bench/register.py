"""Benchmark the village PMI register at national scale.

Usage:
    .venv/bin/python bench/register.py DATABASE_URL [--persons N] [--runs N] [--regions PATH]

Loads the national region list (``../shared/data/wilayah.csv``) into an empty, migrated
database, then N persons (default 100,000) with 2.5 episodes each on average (consultations,
departures, returns, cases), each person's NIK and phone really sealed (AES-256-GCM) and the
NIK hashed, bulk-loaded (COPY on PostgreSQL, executemany on SQLite). The register's figures
are then rebuilt with the app's own ``figures.rebuild``. Timed, in-process through the real
app (routing, services, SQL, Jinja) as in bench/bench_monitoring.py:

* the register page of the village with the most persons, as its petugas;
* a NIK look-up (the keyed hash, ``services.find_by_nik``), and the posted search route;
* the national register figures from the kecamatan rollup (page and service).

The data set is left in the database; run it against a scratch database only.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine

from perdes import migrate
from perdes.accounts import services as accounts
from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.config import PROJECT_ROOT, Settings
from perdes.db import session_scope, utcnow
from perdes.monitoring import register as register_monitoring
from perdes.pipeline import make_session_factory
from perdes.regions.importer import import_regions, read_region_csv
from perdes.regions.models import Region, RegionLevel
from perdes.regions.scope import Scope
from perdes.register import figures, services
from perdes.register.crypto import keyring_from_settings, lookup_hash, seal
from perdes.register.models import PmiPerson
from perdes.web.app import create_app
from perdes.web.permissions import SESSION_COOKIE

DEFAULT_CSV = PROJECT_ROOT.parent / "shared" / "data" / "wilayah.csv"
BASIS = "pendataan"
COUNTRIES = ("Malaysia", "Taiwan", "Hong Kong", "Arab Saudi", "Korea Selatan", "Jepang")
CHANNELS = ("p3mi", "pemerintah", "perusahaan_sendiri", "perseorangan")


def log(message: str) -> None:
    print(message, flush=True)


def load_regions(engine: Engine, factory: Any, csv_path: Path) -> list[str]:
    with session_scope(factory) as session:
        if not session.scalar(select(func.count()).select_from(Region)):
            t0 = time.perf_counter()
            import_regions(session, read_region_csv(csv_path.read_bytes()), skip_invalid=True)
            log(f"regions imported in {time.perf_counter() - t0:.0f} s")
        return list(
            session.scalars(
                select(Region.code)
                .where(Region.level == RegionLevel.DESA, Region.village_kind.is_not(None))
                .order_by(Region.code)
            )
        )


def person_rows(villages: list[str], n: int, keyring: Any, rng: random.Random) -> Iterator[tuple]:
    now = utcnow()
    # skewed: a few villages (kantong PMI) hold many persons, as in Indramayu or Lombok Timur
    weights = [min(rng.paretovariate(1.2), 50.0) for _ in villages]
    chosen = rng.choices(villages, weights=weights, k=n)
    used: set[str] = set()
    for i, village in enumerate(chosen, start=1):
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 40))
        female = rng.random() < 0.6
        day = born.day + (40 if female else 0)
        prefix = f"{village[:2]}{village[3:5]}{village[6:8]}{day:02d}{born:%m%y}"
        serial = 1
        while f"{prefix}{serial:04d}" in used:
            serial += 1
        nik = f"{prefix}{serial:04d}"
        used.add(nik)
        yield (
            i,
            f"b{i:011d}",
            village,
            seal(nik, keyring=keyring),
            lookup_hash(nik, keyring=keyring),
            f"Warga {i}",
            "P" if female else "L",
            born,
            "",
            "",
            "",
            seal(f"08{rng.randrange(10**9, 10**10)}", keyring=keyring),
            "",
            "",
            None,
            False,
            None,
            now,
            now,
            None,
            1,
        )


PERSON_COLUMNS = (
    "id, public_id, village_code, nik_sealed, nik_hash, name, sex, birth_on, address, rt, rw, "
    "phone_sealed, family_contact_name, family_contact_relation, family_contact_phone_sealed, "
    "share_with_pendamping, consent_recorded_on, created_at, updated_at, anonymised_at, version"
)


def _person_plan(pid: int, seed: int) -> tuple[random.Random, date, bool, bool]:
    """The same choices for a person in every table's pass (no table held in memory)."""
    rng = random.Random(seed * 10_000_019 + pid)
    start = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
    departed = rng.random() < 0.8
    returned = departed and rng.random() < 0.625
    return rng, start, departed, returned


def episode_rows(kind: str, n_persons: int, seed: int) -> Iterator[tuple]:
    """2.5 episodes per person on average: consultation 1.0, departure 0.8, return 0.5,
    case 0.1, document check 0.1."""
    now = utcnow()
    for pid in range(1, n_persons + 1):
        rng, start, departed, returned = _person_plan(pid, seed)
        gone = start + timedelta(days=30 + pid % 170)
        if kind == "c":
            yield (pid, start, CHANNELS[pid % 4], "", BASIS, None, now)
        elif kind == "d" and departed:
            yield (pid, gone, COUNTRIES[pid % 6], CHANNELS[pid % 4], "", rng.random() < 0.7,
                   BASIS, now)  # fmt: skip
        elif kind == "r" and returned:
            back = gone + timedelta(days=300 + pid % 900)
            yield (pid, back, "sehat", False, False, False, BASIS, now)
        elif kind == "k" and pid % 10 == 3:
            yield (pid, start, "Aduan", "dinas", None, "dibuka", "", None, BASIS, 1)
        elif kind == "doc" and pid % 10 == 7:
            yield (pid, "paspor", "sesuai", start, "", None, BASIS, 1)


EPISODES = {
    "c": ("pmi_consultation", "person_id, held_on, channel, information, legal_basis, "
          "recorded_by_id, created_at"),
    "d": ("pmi_departure", "person_id, departed_on, country, channel, p3mi_name, procedural, "
          "legal_basis, created_at"),
    "r": ("pmi_return", "person_id, returned_on, condition, needs_health, needs_legal, "
          "needs_economic, legal_basis, created_at"),
    "k": ("pmi_case", "person_id, opened_on, summary, referral, referred_on, status, outcome, "
          "closed_on, legal_basis, version"),
    "doc": ("pmi_document_check", "person_id, kind, status, checked_on, note, stored_file_id, "
            "legal_basis, version"),
}  # fmt: skip


def bulk_insert(engine: Engine, table: str, columns: str, rows: Any) -> int:
    """COPY on PostgreSQL, executemany on SQLite; returns the rows written."""
    count = 0
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[attr-defined]  # psycopg 3
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            marks = ", ".join("?" for _ in columns.split(","))
            batch: list[tuple] = []
            for row in rows:
                batch.append(tuple(_sqlite_value(v) for v in row))
                if len(batch) == 10_000:
                    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", batch)
                count += len(batch)
        raw.commit()
    finally:
        raw.close()
    return count


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value.isoformat()
    if hasattr(value, "hour"):
        return value.isoformat(sep=" ")
    return value


def timed(call: Callable[[], Any], runs: int) -> list[float]:
    call()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        call()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(label: str, times: list[float]) -> None:
    log(f"  {label}: {statistics.median(times):.1f} ms ({min(times):.1f}–{max(times):.1f}), "
        f"n={len(times)}")  # fmt: skip


def session_for(factory: Any, role: Role, scope: tuple[str, ...], name: str) -> str:
    with session_scope(factory) as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            user = accounts.create_user(
                session, actor=Principal.system(), username=name, full_name=name, role=role,
                password=secrets.token_urlsafe(16), scope_codes=scope,
            )  # fmt: skip
        new = accounts.start_session(
            session, user=user, client_addr="127.0.0.1", user_agent="bench", days=1
        )
        return str(new.token)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--regions", default=str(DEFAULT_CSV))
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the persons already loaded (no new load)"
    )
    parser.add_argument(
        "--incremental",
        action="store_true",
        help="also time the incremental path over every village (500 a batch), rolled back",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            instance_path=Path(tmp), database_url=args.url, secret_key="bench-secret-key"
        )
        app = create_app(settings)
        engine = app.state.engine
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        keyring = keyring_from_settings(settings)
        villages = load_regions(engine, factory, Path(args.regions))
        with engine.connect() as conn:
            existing = conn.scalar(text("SELECT count(*) FROM pmi_person"))
        if existing and not args.reuse:
            raise SystemExit("pmi_person is not empty: use a scratch database (or --reuse)")
        if existing:
            args.persons = existing
            log(f"reusing the {existing:,} persons already loaded")
        else:
            load_persons(engine, villages, keyring, rng, args)
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("ANALYZE"))
        t0 = time.perf_counter()
        with session_scope(factory) as session:
            rebuilt = figures.rebuild(session)
        log(
            f"figures of {rebuilt:,} villages rebuilt set-based in {time.perf_counter() - t0:.1f} s"
        )
        if args.incremental:
            time_incremental(factory)
        measure(app, factory, keyring, args)


def time_incremental(factory: Any) -> None:
    """The incremental path (a write's own recomputation) over every village, as the rebuild
    did before it was set-based; rolled back."""
    session = factory()
    try:
        codes = sorted(set(session.scalars(select(PmiPerson.village_code).distinct())))
        t0 = time.perf_counter()
        for start in range(0, len(codes), 500):
            figures.refresh_villages(session, codes[start : start + 500])
        log(
            f"incremental path over {len(codes):,} villages: {time.perf_counter() - t0:.1f} s"
            " (rolled back)"
        )
    finally:
        session.rollback()
        session.close()


def load_persons(
    engine: Engine, villages: list[str], keyring: Any, rng: random.Random, args: Any
) -> None:
    t0 = time.perf_counter()
    n = bulk_insert(
        engine, "pmi_person", PERSON_COLUMNS,
        person_rows(villages, args.persons, keyring, rng),
    )  # fmt: skip
    log(f"{n:,} persons sealed and loaded in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    total = 0
    for key, (table, columns) in EPISODES.items():
        total += bulk_insert(engine, table, columns, episode_rows(key, args.persons, args.seed))
    log(f"{total:,} episodes loaded in {time.perf_counter() - t0:.0f} s")
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(
                text("SELECT setval('pmi_person_id_seq', (SELECT max(id) FROM pmi_person))")
            )
            conn.execute(text("ANALYZE"))


def measure(app: Any, factory: Any, keyring: Any, args: Any) -> None:
    engine = app.state.engine
    with session_scope(factory) as session:
        village, count = session.execute(
            select(PmiPerson.village_code, func.count())
            .group_by(PmiPerson.village_code)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        probe = session.get(PmiPerson, args.persons // 2)
        assert probe is not None
        probe_hash, probe_village = probe.nik_hash, probe.village_code
    petugas = Principal(
        user_id=None, username="bench.petugas", full_name="", role=Role.PETUGAS,
        scope=Scope.of(probe_village),
    )  # fmt: skip
    log(f"{engine.dialect.name}, {args.persons:,} persons: median ms (min–max)")
    with TestClient(app, base_url="http://127.0.0.1") as client:
        client.cookies.set(
            SESSION_COOKIE, session_for(factory, Role.PETUGAS, (village,), "bench.petugas")
        )
        page = f"/desa/{village}/pmi"
        report(f"register page of the largest village ({count} persons)",
               timed(lambda: _ok(client.get(page)), args.runs))  # fmt: skip
        client.cookies.set(SESSION_COOKIE, session_for(factory, Role.ADMIN, (), "bench.admin"))
        report("national register figures page (rollup)",
               timed(lambda: _ok(client.get("/pemantauan/register")), args.runs))  # fmt: skip
    with session_scope(factory) as session:

        def lookup() -> None:
            # services.find_by_nik: the keyed hash of the typed NIK, then the indexed query
            # (the probe's stored hash stands in for the NIK, whose keys a --reuse run lacks)
            lookup_hash("3604134506950001", keyring=keyring)
            found = session.scalar(
                select(PmiPerson.public_id).where(
                    PmiPerson.nik_hash == probe_hash,
                    PmiPerson.village_code == probe_village,
                    services.visible_clause(petugas),
                )
            )
            assert found is not None

        report("NIK look-up (keyed hash + indexed query)", timed(lookup, args.runs * 10))
        admin = Principal.system()
        report(
            "national aggregates, service only",
            timed(lambda: register_monitoring.region_table(session, actor=admin, code=None),
                  args.runs),
        )  # fmt: skip


def _ok(response: Any) -> None:
    assert response.status_code == 200, (response.status_code, response.text[:300])
    _ = response.content


if __name__ == "__main__":
    main()

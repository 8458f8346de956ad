"""32 signed-in readers and writers at once, for a few seconds, against a real engine (its own
SQLite file, or its own PostgreSQL schema): no server error, and every write that was answered
as saved is there afterwards.

Requests run through the ASGI app with httpx's ASGITransport, so the route functions run
concurrently in the thread pool with a pool of real connections, as under uvicorn.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select

from perdes import migrate
from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry
from perdes.config import Settings
from perdes.db import make_engine, session_scope, utcnow
from perdes.pipeline import make_session_factory
from perdes.regions.models import Region, RegionLevel, VillageProfile
from perdes.web.app import create_app
from perdes.web.permissions import CSRF_HEADER, SESSION_COOKIE, csrf_token_for
from tests.factories import load_sample_regions, make_user
from tests.factories import own_database as shared_own_database

SECONDS = 3.0
READERS = 24
WRITERS = 8
SECRET = "concurrency-secret"
SCHEMA = "perdes_concurrency"


@pytest.fixture()
def own_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    with shared_own_database(database_url, tmp_path, name=SCHEMA) as url:
        yield url


def test_parallel_readers_and_writers_get_no_server_error_and_lose_no_write(
    own_database: str, tmp_path: Path
) -> None:
    engine = make_engine(own_database)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with session_scope(factory) as db:
        load_sample_regions(db)
        villages = list(
            db.scalars(
                select(Region.code)
                .where(
                    Region.level == RegionLevel.DESA,
                    Region.village_kind != "kelurahan",
                    Region.code.startswith("36."),
                )
                .order_by(Region.code)
                .limit(WRITERS)
            )
        )
        tokens = {}
        for role in ("admin", "pemantau"):
            user = make_user(db, role, ("36",) if role == "pemantau" else ())
            login = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
            login.record.last_seen_at = utcnow() - timedelta(hours=1)  # due to be noted in use
            tokens[role] = login.token
    assert len(villages) == WRITERS
    engine.dispose()

    settings = Settings(
        instance_path=tmp_path / "instance",
        database_url=own_database,
        secret_key=SECRET,
        upload_path=tmp_path / "uploads",
    )
    app = create_app(settings)
    statuses: Counter[int] = Counter()
    saved: dict[str, int] = {}
    reads = [
        "/pemantauan",
        "/pemantauan/desa?wilayah=36.04",
        "/desa?q=sari",
        f"/desa/{villages[0]}",
    ]

    def client(role: str) -> httpx.AsyncClient:
        token = tokens[role]
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver.local",
            cookies={SESSION_COOKIE: token},
            headers={CSRF_HEADER: csrf_token_for(SECRET, token), "HX-Request": "true"},
        )

    async def reader(n: int, deadline: float) -> None:
        async with client("pemantau") as http:
            i = n
            while time.monotonic() < deadline:
                response = await http.get(reads[i % len(reads)])
                statuses[response.status_code] += 1
                i += 1

    async def writer(code: str, deadline: float) -> None:
        async with client("admin") as http:
            count = 0
            while time.monotonic() < deadline:
                count += 1
                data = {
                    "sebutan_desa": "Desa",
                    "sebutan_kepala_desa": "Kepala Desa",
                    "sebutan_bpd": "Badan Permusyawaratan Desa",
                    "pmi_active_count": str(count),
                    "version": str(count - 1),  # one writer per village: its own last save
                }
                response = await http.post(f"/desa/{code}/profil", data=data)
                statuses[response.status_code] += 1
                if response.status_code == 200:
                    saved[code] = count

    async def run() -> None:
        deadline = time.monotonic() + SECONDS
        await asyncio.gather(
            *(reader(n, deadline) for n in range(READERS)),
            *(writer(code, deadline) for code in villages),
        )

    # A loop of its own in a thread of its own: another test (Playwright) may have left one
    # running in this thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(lambda: asyncio.run(run())).result()
    app.state.engine.dispose()

    assert not [s for s in statuses if s >= 500], statuses
    assert set(statuses) <= {200}, statuses
    assert sum(statuses.values()) > READERS + WRITERS  # everyone got answers, repeatedly
    check = make_engine(own_database)
    with check.connect() as conn:
        for code, last in saved.items():
            stored = conn.scalar(
                select(VillageProfile.pmi_active_count).where(VillageProfile.region_code == code)
            )
            assert stored == last, code
            audited = conn.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.entity == "village_profile", AuditEntry.entity_id == code)
            )
            assert audited == last, f"{code}: {last} saves answered, {audited} recorded"
    assert len(saved) == WRITERS
    check.dispose()

"""The busiest read pages run on the event loop on SQLite and in the thread pool elsewhere
(``deps.quick_read``); a signed-in read makes no trip to the thread pool at all on SQLite, and
nothing on the event loop can wait: not a read's COMMIT on PostgreSQL, not a scan of every name,
not a pooled connection held by a request in the thread pool."""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
import time
from types import SimpleNamespace

import anyio
import anyio.to_thread
import httpx2 as httpx
import pytest
from cachetools import TTLCache
from fastapi.routing import APIRoute
from sqlalchemy import event

from perdes import migrate
from perdes.accounts import services as accounts
from perdes.config import Settings
from perdes.db import make_engine, session_scope
from perdes.monitoring import services as monitoring
from perdes.pipeline import make_session_factory
from perdes.regions.scope import Scope
from perdes.web import deps
from perdes.web.app import ROUTE_MODULES, create_app
from perdes.web.permissions import SESSION_COOKIE
from perdes.web.routes import monitoring as monitoring_routes
from perdes.web.routes import regions as region_routes
from tests.factories import LONTAR, load_sample_regions, make_user
from tests.web.test_read_requests import sign_in

LIST = "/pemantauan/desa?wilayah=36.04"
EXPORTS = 15  # SQLAlchemy's usual pool: 5 connections and 10 more


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def test_only_plain_reading_pages_are_quick_reads():
    quick = [
        route
        for module in ROUTE_MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and getattr(route.endpoint, "quick_read", False)
    ]
    assert {r.name for r in quick} >= {"monitoring_villages", "village_detail"}
    for route in quick:
        assert route.methods <= {"GET", "HEAD"}, route.name
        assert "request" in inspect.signature(route.endpoint).parameters, route.name
        assert not route.name.endswith("_export"), route.name


@pytest.mark.parametrize("on_loop", [True, False], ids=["sqlite-loop", "thread-pool"])
def test_a_quick_read_runs_where_its_database_wants_it(
    client, db, regions, app, monkeypatch, on_loop
):
    sign_in(client, db)
    app.state.reads_on_loop = on_loop
    seen: list[bool] = []
    list_villages = monitoring.list_villages

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(_on_event_loop())
        return list_villages(*args, **kwargs)

    monkeypatch.setattr(monitoring, "list_villages", spy)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "desa/kelurahan" in response.text
    assert seen == [on_loop]


def test_a_signed_in_read_on_sqlite_makes_no_trip_to_the_thread_pool(
    client, db, regions, app, monkeypatch
):
    sign_in(client, db)
    app.state.reads_on_loop = True
    assert client.get(LIST).status_code == 200  # the session is resolved (and cached) once
    trips: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(getattr(getattr(func, "func", func), "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    for path in (LIST, f"/desa/{LONTAR}", "/pemantauan"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert trips == []
    app.state.reads_on_loop = False  # PostgreSQL: the route, and ending its transaction
    assert client.get(LIST).status_code == 200
    assert sorted(trips) == ["close", "commit", "monitoring_villages"]


def test_a_name_fragment_too_short_for_the_index_is_searched_in_the_thread_pool(
    client, db, regions, app, monkeypatch
):
    sign_in(client, db)
    app.state.reads_on_loop = True
    seen: list[tuple[str, bool]] = []
    list_villages = monitoring.list_villages

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append((kwargs["filters"].query, _on_event_loop()))
        return list_villages(*args, **kwargs)

    monkeypatch.setattr(monitoring, "list_villages", spy)
    for q in ("lo", "lon", ""):
        assert client.get(f"{LIST}&q={q}").status_code == 200
    assert seen == [("lo", False), ("lon", True), ("", True)]


@pytest.mark.parametrize("on_loop", [True, False], ids=["sqlite-loop", "thread-pool"])
def test_a_read_ends_its_transaction_where_its_database_wants_it(
    client, db, regions, app, connection, on_loop
):
    sign_in(client, db)
    assert client.get(LIST).status_code == 200  # the principal is cached
    app.state.reads_on_loop = on_loop
    ended: list[bool] = []
    for name in ("commit", "rollback", "release_savepoint", "rollback_savepoint"):
        event.listen(connection, name, lambda *args: ended.append(_on_event_loop()))
    for path in (LIST, f"/desa/{LONTAR}", "/akun"):
        assert client.get(path).status_code == 200, path
    assert ended and set(ended) == {on_loop}


def test_region_options_survive_many_threads_at_once(monkeypatch):
    """On PostgreSQL the directory runs in the thread pool: its options cache is shared."""
    monkeypatch.setattr(
        region_routes.services,
        "list_children",
        lambda db, parent_code, scope: [SimpleNamespace(code=f"{parent_code}.01", name="A")],
    )
    state = SimpleNamespace(
        region_choices=TTLCache(maxsize=8, ttl=0.001), region_choices_lock=threading.Lock()
    )
    request = SimpleNamespace(app=SimpleNamespace(state=state))
    errors: list[BaseException] = []
    stop = time.monotonic() + 1.5

    def worker(n: int) -> None:
        i = 0
        try:
            while time.monotonic() < stop:
                parent = f"{(n * 7 + i) % 40:02d}"
                assert (
                    region_routes._choices(request, None, parent, Scope.all())[0].code
                    == f"{parent}.01"
                )
                i += 1
        except BaseException as error:  # any failure in a thread is the finding
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show at once
    try:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []


def test_a_read_on_the_event_loop_never_waits_for_a_pooled_connection(tmp_path, monkeypatch):
    """A request in the thread pool holds a connection that only the event loop hands back
    (its session ends there): a read on the loop waiting for the pool would wait forever.
    SQLite engines therefore never make a request wait for a connection (no overflow limit)."""
    url = f"sqlite:///{tmp_path / 'own.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as setup:
        load_sample_regions(setup)
        user = make_user(setup, "pemantau", ("36",))
        token = accounts.start_session(
            setup, user=user, client_addr="t", user_agent="t", days=1
        ).token
    engine.dispose()
    app = create_app(Settings(instance_path=tmp_path / "i", database_url=url, secret_key="s"))
    app.state.engine.dispose()
    busy = make_engine(url, pool_timeout=1)  # the usual pool, made to wait briefly when empty
    app.state.engine, app.state.session_factory = busy, make_session_factory(busy)
    export_response = monitoring_routes.export_response
    exporting = threading.Semaphore(0)

    def slow_export(*args, **kwargs):  # type: ignore[no-untyped-def]
        exporting.release()
        time.sleep(0.5)  # still holding its session's connection, in the thread pool
        return export_response(*args, **kwargs)

    monkeypatch.setattr(monitoring_routes, "export_response", slow_export)
    statuses: dict[str, int] = {}

    async def main() -> None:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local", cookies={SESSION_COOKIE: token}
        ) as http:
            assert (await http.get(LIST)).status_code == 200  # the principal is cached

            async def export(n: int) -> None:
                response = await http.get("/pemantauan/tabel.csv?wilayah=36")
                statuses[f"export {n}"] = response.status_code

            async def page() -> None:
                for _ in range(EXPORTS):  # every export holds a connection: the pool's 5 + 10
                    while not exporting.acquire(blocking=False):
                        await asyncio.sleep(0.005)
                statuses["list"] = (await http.get(LIST)).status_code

            await asyncio.gather(*(export(n) for n in range(EXPORTS)), page())

    asyncio.run(main())
    busy.dispose()
    assert app.state.reads_on_loop
    assert statuses == {"list": 200} | {f"export {n}": 200 for n in range(EXPORTS)}


def test_quick_reads_in_the_thread_pool_share_a_few_threads():
    """On PostgreSQL a process runs at most QUICK_READ_THREADS quick reads at once: 16 pooled
    threads per worker under 32 connections fought over the GIL and oversubscribed the
    database (bench/load_test.py: the monitoring list 100-107 -> 127-130 requests/s)."""
    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(reads_on_loop=False)))
    inside, most = 0, 0
    lock = threading.Lock()

    def page(request):  # type: ignore[no-untyped-def]
        nonlocal inside, most
        with lock:
            inside += 1
            most = max(most, inside)
        time.sleep(0.05)
        with lock:
            inside -= 1
        return "ok"

    quick = deps.quick_read(page)

    async def many() -> list[object]:
        results: list[object] = []

        async def one() -> None:
            results.append(await quick(request=request))

        async with anyio.create_task_group() as group:
            for _ in range(3 * deps.QUICK_READ_THREADS):
                group.start_soon(one)
        return results

    assert anyio.run(many) == ["ok"] * 3 * deps.QUICK_READ_THREADS
    assert most == deps.QUICK_READ_THREADS

"""The busiest read pages run on the event loop on SQLite and in the thread pool elsewhere
(``deps.quick_read``); a signed-in read makes no trip to the thread pool at all on SQLite."""

from __future__ import annotations

import asyncio
import inspect

import anyio.to_thread
import pytest
from fastapi.routing import APIRoute

from perdes.monitoring import services as monitoring
from perdes.web.app import ROUTE_MODULES
from tests.factories import LONTAR
from tests.web.test_read_requests import sign_in

LIST = "/pemantauan/desa?wilayah=36.04"


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
        trips.append(getattr(func, "__name__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    for path in (LIST, f"/desa/{LONTAR}", "/pemantauan"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert trips == []
    app.state.reads_on_loop = False  # PostgreSQL: the route's own trip, and only that
    assert client.get(LIST).status_code == 200
    assert len(trips) == 1

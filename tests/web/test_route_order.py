"""The route modules' order (``ROUTE_MODULES``) puts the busiest pages first; it must never
make a route unreachable: for every route, the first route in matching order that matches its
URL (same method) is the route itself."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute
from starlette.routing import Match

from perdes.web.app import ROUTE_MODULES

ROUTES = [r for m in ROUTE_MODULES for r in m.router.routes if isinstance(r, APIRoute)]


def sample_urls(path: str) -> list[str]:
    """The route's URL with each path parameter filled by a digit and by a word."""
    return [re.sub(r"{[^}]+}", value, path) for value in ("1", "x")]


def first_match(url: str, method: str) -> APIRoute | None:
    scope = {"type": "http", "path": url, "method": method, "root_path": ""}
    for route in ROUTES:
        if route.matches(scope)[0] is Match.FULL:
            return route
    return None


def test_every_route_is_reached_by_its_own_urls():
    shadowed = [
        (route.name, url, getattr(first_match(url, method), "name", None))
        for route in ROUTES
        for method in sorted(route.methods)
        for url in sample_urls(route.path)
        if first_match(url, method) is not route
    ]
    assert shadowed == []


def test_a_literal_path_before_a_parameter_is_still_found():
    # The one overlap between modules: /admin/pengguna/impor would also match
    # /admin/pengguna/{user_id}; admin_import comes before admin.
    route = first_match("/admin/pengguna/impor", "GET")
    assert route is not None and route.path == "/admin/pengguna/impor"
    assert first_match("/pemantauan/desa", "GET").name == "monitoring_villages"  # type: ignore[union-attr]

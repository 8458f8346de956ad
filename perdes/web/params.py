"""Strict parameters on every HTML route, found from the route table (not a hand list).

FastAPI turns ``"99999999999999999999"`` into a Python int that overflows the database and
lets a date such as ``9999-12-31`` through to arithmetic that overflows. This app-wide
dependency checks, before anything else runs, every integer path parameter (ASCII digits,
at most 2**31 - 1; else 404, as for an unknown id) and every integer or date query parameter
(else 422) with the helpers of ``perdes.validation``. The JSON API declares its own bounds.
"""

from __future__ import annotations

import types
from datetime import date
from typing import Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from perdes.errors import NotFound, ValidationFailed
from perdes.validation import parse_int, parse_iso_date

NOT_FOUND = "Halaman atau data yang Anda cari tidak ada, atau Anda tidak berhak melihatnya."
_cache: dict[int, tuple[dict[str, type], dict[str, type]]] = {}


def _base_type(annotation: Any) -> Any:
    """``int`` for ``int``, ``int | None`` and ``Annotated[int, …]``; else the annotation."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return _base_type(args[0]) if len(args) == 1 else annotation
    return annotation


def typed_params(route: APIRoute) -> tuple[dict[str, type], dict[str, type]]:
    """The route's integer/date path and query parameters, by name (cached per route)."""
    found = _cache.get(id(route))
    if found is None:
        path: dict[str, type] = {}
        query: dict[str, type] = {}

        def walk(dependant: Dependant) -> None:
            for fields, out in ((dependant.path_params, path), (dependant.query_params, query)):
                for f in fields:
                    base = _base_type(f.field_info.annotation)
                    if base in (int, date):
                        out[f.alias] = base
            for sub in dependant.dependencies:
                walk(sub)

        walk(route.dependant)
        found = (path, query)
        _cache[id(route)] = found
    return found


def _valid(kind: type, raw: str) -> bool:
    if kind is int:
        return parse_int(raw) is not None
    return parse_iso_date(raw) is not None


async def strict_params(request: Request) -> None:
    """Refuse out-of-range or non-ASCII numbers and dates in paths (404) and queries (422).

    ``async``: plain CPU work, so FastAPI runs it on the event loop instead of sending it to
    the thread pool (a round trip per request)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or request.url.path.startswith("/api/"):
        return
    path, query = typed_params(route)
    for name, kind in path.items():
        if not _valid(kind, str(request.path_params.get(name, ""))):
            raise NotFound(NOT_FOUND)
    errors = {
        name: "Bilangan atau tanggal tidak valid."
        for name, kind in query.items()
        for raw in request.query_params.getlist(name)
        if raw.strip() and not _valid(kind, raw)
    }
    if errors:
        raise ValidationFailed(errors, "Parameter alamat tidak valid.")

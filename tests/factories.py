"""Plain factory functions and a test client that knows the CSRF rules."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from perdes import pipeline
from perdes.accounts import services as accounts
from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.demo import FALLBACK_CSV
from perdes.regions.importer import import_regions, read_region_csv
from perdes.web.permissions import ANON_COOKIE, SESSION_COOKIE, csrf_token_for

DATA = Path(__file__).parent / "data"
LONTAR = "36.04.13.2007"
SUSUKAN = "36.04.13.2008"
PONTANG = "36.04.12.2001"
SUKRA = "32.12.31.2001"
KELURAHAN = "36.71.01.1001"
PASSWORD = "kata-sandi-uji-123"
_USER_NUMBERS = itertools.count(1)


def load_sample_regions(db: Session) -> None:
    rows = read_region_csv(FALLBACK_CSV.read_bytes())
    extra = read_region_csv((DATA / "sample_regions.csv").read_bytes())
    report = import_regions(db, [*rows, *extra])
    assert report.written, report.bad_rows
    pipeline.settle(db)  # the kecamatan rollup, as at the end of the import's transaction


def make_user(
    db: Session,
    role: Role | str,
    scopes: tuple[str, ...] | list[str] = (),
    *,
    username: str | None = None,
    password: str = PASSWORD,
) -> User:
    role = Role(role)
    defaults = {
        Role.ADMIN: (),
        Role.ADMIN_DAERAH: ("36.04",),
        Role.PEMANTAU: ("36.04",),
        Role.OPERATOR: (LONTAR,),
        Role.PENDAMPING: (LONTAR, SUSUKAN),
        Role.PETUGAS: (LONTAR,),
    }
    codes = tuple(scopes) or defaults[role]
    return accounts.create_user(
        db,
        actor=Principal.system(),
        username=username or f"{role.value}.{next(_USER_NUMBERS)}",
        full_name=f"Uji {role.value}",
        role=role,
        password=password,
        scope_codes=codes,
    )


class WebClient:
    """TestClient plus sign-in and automatic CSRF tokens (computed as the browser would get)."""

    def __init__(self, raw: TestClient, *, secret_key: str) -> None:
        self.raw = raw
        self.secret_key = secret_key

    def token(self) -> str:
        material = self.raw.cookies.get(SESSION_COOKIE) or self.raw.cookies.get(ANON_COOKIE) or ""
        if not material:
            self.raw.get("/masuk")
            material = self.raw.cookies.get(ANON_COOKIE) or ""
        return csrf_token_for(self.secret_key, material)

    def get(self, url: str, *, htmx: bool = False, **kw: Any) -> httpx.Response:
        headers = kw.pop("headers", {})
        if htmx:
            headers["HX-Request"] = "true"
        return self.raw.get(url, headers=headers, **kw)

    def post(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        htmx: bool = False,
        csrf: bool = True,
        **kw: Any,
    ) -> httpx.Response:
        headers = kw.pop("headers", {})
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        if htmx:
            headers["HX-Request"] = "true"
        return self.raw.post(url, data=data, headers=headers, **kw)

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        response = self.post("/masuk", {"username": username, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response

    def login_as(self, db: Session, role: Role | str, scopes: tuple[str, ...] = ()) -> User:
        user = make_user(db, role, scopes)
        self.login(user.username)
        return user


def csrf_from_html(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no csrf_token field in page"
    return match.group(1)


@contextmanager
def own_database(database_url: str, tmp_path: Path, *, name: str) -> Iterator[str]:
    """A database of a test's own, whose committed rows every connection sees (for requests
    running concurrently through the app): the SQLite file ``name``.sqlite3, or on the
    PostgreSQL lane the schema ``name``, dropped afterwards."""
    if not database_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / name}.sqlite3"
        return
    from perdes.db import make_engine

    admin = make_engine(database_url)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options=-csearch_path%3D{name}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()

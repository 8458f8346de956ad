"""Shared fixtures: one migrated database per run, a rolled-back transaction per test.

Set PERDES_TEST_DATABASE_URL (postgresql+psycopg://…) to run the whole suite on PostgreSQL;
otherwise a temporary SQLite file is used. Under pytest-xdist (``-n 2``) each worker has a
database of its own: a SQLite file in the worker's temporary folder, or ``<name>_gw0``,
``<name>_gw1``… created next to the given PostgreSQL database and dropped at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from perdes import migrate, pipeline
from perdes.accounts import services as accounts
from perdes.config import Settings
from perdes.db import make_engine
from perdes.web.app import create_app
from tests.factories import WebClient, load_sample_regions
from tests.smtp import SmtpServer

TEST_DB_ENV = "PERDES_TEST_DATABASE_URL"


def _reaches_a_database(item: pytest.Item, reads_url: dict[Path, bool]) -> bool:
    """A test reaches the database under test through the ``database_url`` fixture (every
    engine, session, app and client fixture depends on it), or by reading the URL itself."""
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    path = Path(str(item.fspath))
    if path not in reads_url:
        reads_url[path] = TEST_DB_ENV in path.read_text(encoding="utf-8")
    return reads_url[path]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL lane (``PERDES_TEST_DATABASE_URL`` set) runs only the tests that reach a
    database: the others (pure drafting, parsing, conventions) behave the same on either and
    already ran in the SQLite lane. They are reported as deselected."""
    if not os.environ.get(TEST_DB_ENV):
        return
    reads_url: dict[Path, bool] = {}
    keep = [item for item in items if _reaches_a_database(item, reads_url)]
    kept = set(keep)
    dropped = [item for item in items if item not in kept]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Real Argon2, with cheap parameters so that hundreds of test logins stay fast."""
    original = accounts._hasher
    accounts._hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=8192, parallelism=1),))
    yield
    accounts._hasher = original


def _reset_postgres(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def _sqlite_savepoint_hooks(engine: Engine) -> None:
    """pysqlite's own transaction handling breaks SAVEPOINT (Python < 3.12): take it over.

    This is SQLAlchemy's documented recipe ("Serializable isolation / Savepoints / Transactional
    DDL"); without it rows leak between tests.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")


@pytest.fixture(scope="session", autouse=True)
def _derived_data_pipeline() -> None:
    """As the app and the CLI do: derived work is settled before every commit."""
    pipeline.install()


def _recreate_postgres_database(url: str, name: str) -> str:
    """A fresh database ``name`` on the server of ``url`` (dropped first if a run left it)."""
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str, name: str) -> None:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get(TEST_DB_ENV)
    if not url:
        # per worker under xdist: tmp_path_factory is the worker's own folder
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        yield url
        return
    name = f"{make_url(url).database}_{worker}"
    yield _recreate_postgres_database(url, name)
    _drop_postgres_database(url, name)


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    if engine.dialect.name == "postgresql":
        _reset_postgres(engine)
    migrate.upgrade(engine)
    if engine.dialect.name == "sqlite":
        _sqlite_savepoint_hooks(engine)
    yield engine
    engine.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture()
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture()
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    session = session_factory()
    yield session
    session.close()


@pytest.fixture()
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        instance_path=tmp_path / "instance",
        database_url=database_url,
        secret_key="test-secret-key",
        upload_path=tmp_path / "uploads",
    )


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by the apps of a test process: each test makes an app of its
    own, whose template environment would otherwise compile every page it renders again
    (a sixth of the suite's time). Keyed by Jinja on the template's name and source."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_BYTECODE = _SharedBytecode()


@pytest.fixture()
def app(settings: Settings, session_factory: sessionmaker[Session]) -> FastAPI:
    app = create_app(settings)
    app.state.engine.dispose()
    app.state.session_factory = session_factory
    app.state.templates.env.bytecode_cache = _TEMPLATE_BYTECODE
    return app


@pytest.fixture()
def client(app: FastAPI) -> Iterator[WebClient]:
    with TestClient(app, follow_redirects=False) as raw:
        yield WebClient(raw, secret_key="test-secret-key")


@pytest.fixture()
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1, without TLS."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture()
def smtp_settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": smtp_server.port, "smtp_tls": "none"}
    )


@pytest.fixture()
def regions(db: Session) -> None:
    """A small real region tree: Kab. Serang (3 kecamatan), plus a kelurahan and Jawa Barat."""
    load_sample_regions(db)

"""Typed declarative base, engine creation (SQLite pragmas) and the unit-of-work scope."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from perdes.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every model, with a constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


BUSY_TIMEOUT_MS = 5000
SQLITE_CACHE_KIB = 64 * 1024  # per connection, allocated as pages are read
SQLITE_MMAP_BYTES = 256 * 1024 * 1024


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Sized for the national file (84k villages, ~100 MB): the default 2 MiB page cache makes
    # national aggregates re-read pages from the OS on every query.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    if url.startswith("sqlite"):
        if ":memory:" not in url and url.rstrip("/") not in ("sqlite:", "sqlite+pysqlite:"):
            # Never wait for a pooled connection: a page that reads on the event loop
            # (web/deps.quick_read) would wait for connections only the loop can hand back.
            # A SQLite connection is a file handle; the overflow ones are closed on return.
            kwargs.setdefault("max_overflow", -1)
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_pre_ping=True, **kwargs)


def engine_from_settings(settings: Settings) -> Engine:
    if settings.effective_database_url.startswith("sqlite"):
        settings.instance_path.mkdir(parents=True, exist_ok=True)
    return make_engine(settings.effective_database_url)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Plain sessions for ``engine``. Processes that write use
    ``perdes.pipeline.make_session_factory``, which also installs the derived-data pipeline."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


BRIEF_LOCK_WAIT_MS = 250


@contextmanager
def brief_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A short unit of work of its own that gives up after a brief lock wait instead of queueing
    (SQLite busy timeout, PostgreSQL ``lock_timeout``); for bookkeeping that may be skipped,
    such as noting that a session is in use. Errors propagate for the caller to ignore."""
    session = factory()
    try:
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BRIEF_LOCK_WAIT_MS}")
        else:
            connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{BRIEF_LOCK_WAIT_MS}ms'")
        try:
            yield session
            session.flush()
        finally:
            if sqlite:  # the pooled connection keeps its usual patience
                connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()

"""Request dependencies: the unit of work, settings, loading-or-404."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from perdes.config import Settings
from perdes.db import brief_scope

log = logging.getLogger(__name__)


async def _db(request: Request) -> AsyncIterator[Session]:
    """The request is the unit of work: commit when the route returns, roll back on error.

    Scoped to the route function, so the commit happens before the response leaves.

    A reading request (GET, HEAD) opens and ends its session on the event loop: opening
    connects nothing, and ending a transaction that only read waits for no lock, so the
    route's own function is the request's one trip to the thread pool (each trip costs about
    a quarter of a millisecond of CPU). A writing request takes the write lock and commits
    in the thread pool, since both may wait (for the lock, for the disk).
    """
    session: Session = request.app.state.session_factory()
    writing = request.method in UNSAFE_METHODS
    try:
        if writing:
            await run_in_threadpool(take_write_lock, session)
            request.state.write_session = session  # ``render`` commits it before rendering
        yield session
        if writing:
            await run_in_threadpool(session.commit)
        else:
            session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def take_write_lock(session: Session) -> None:
    """SQLite: a writing request takes the database's write lock when it starts (BEGIN
    IMMEDIATE), waiting its turn under the busy timeout. Otherwise a transaction that read
    first could not upgrade to writing once another writer committed ("database is locked").
    PostgreSQL needs nothing: rows are locked as they are written.

    Also called again before a form's savepoint (``forms.submit``): a bookkeeping write
    (``brief_write``) may have committed the request's transaction, and a SAVEPOINT would
    then open a deferred one whose reads pin a snapshot that cannot be upgraded to writing
    once another writer commits."""
    if session.get_bind().dialect.name != "sqlite":
        return
    connection = session.connection()
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:  # tests run inside an outer transaction
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def commit_before_rendering(request: Request) -> None:
    """Commit a writing request's work before its page is rendered, so no lock is held
    while templates run; reads during rendering start a fresh, read-only transaction."""
    session: Session | None = getattr(request.state, "write_session", None)
    if session is not None and session.in_transaction():
        session.commit()


def brief_write(request: Request, db: Session, write: Callable[[Session], object]) -> bool:
    """Run an occasional bookkeeping write of a read request (noting that a session is in use,
    the weekly snapshot of a target list) in a brief transaction of its own, never in the
    request's: the page holds no write lock while it renders, and when the database is busy
    the write is skipped (False) and retried by a later request.

    The request's session ``db`` (which has only read) first hands its connection back, so a
    request never holds two pooled connections at once: under load that exhausts the pool.
    """
    db.commit()
    try:
        with brief_scope(request.app.state.session_factory) as session:
            write(session)
    except SQLAlchemyError as error:
        log.info("bookkeeping write skipped: %s", error)
        return False
    return True


def quick_read(endpoint: Callable[..., Response]) -> Callable[..., Awaitable[Response]]:
    """For a GET page that reads a handful of indexed rows and renders them: on SQLite it runs
    on the event loop, elsewhere in the thread pool, as any ``def`` route does.

    SQLite answers in-process and, in WAL mode, a reader never waits for a lock, so the page's
    work is all CPU and the hop to the thread pool (and the GIL handoffs among the pool's
    threads under load) costs more than it saves: measured with bench/load_test.py on the
    monitoring list, 32 connections, 2 workers, 0.34 -> 0.43 of the bare table's requests/s.
    On PostgreSQL a query waits on the network, which must not stall the event loop.

    The endpoint must take ``request: Request``; only for GET routes that neither export nor
    write (a test holds every decorated route to GET, see tests/web/test_quick_read.py).
    """

    @functools.wraps(endpoint)
    async def run(**kwargs: Any) -> Response:
        request: Request = kwargs["request"]
        if request.app.state.reads_on_loop:
            return endpoint(**kwargs)
        return await run_in_threadpool(endpoint, **kwargs)

    run.quick_read = True  # type: ignore[attr-defined]  # the route-table test reads it
    return run


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DB = Annotated[Session, Depends(_db, scope="function")]
AppSettings = Annotated[Settings, Depends(_settings)]


async def _form(request: Request) -> dict[str, str]:
    """The posted form as plain strings (first value of each field; files are ignored)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormData = Annotated[dict[str, str], Depends(_form)]

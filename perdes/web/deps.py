"""Request dependencies: the unit of work, settings, loading-or-404."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, overload

import anyio
import anyio.to_thread
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from perdes.config import Settings
from perdes.db import brief_scope
from perdes.regions.services import MIN_INDEXED_FRAGMENT

log = logging.getLogger(__name__)


async def _db(request: Request) -> AsyncIterator[Session]:
    """The request is the unit of work: commit when the route returns, roll back on error.

    Scoped to the route function, so the commit happens before the response leaves.

    Opening a session connects nothing, so it is opened on the event loop. On SQLite a reading
    request (GET, HEAD) also ends it there: ending a transaction that only read waits for no
    lock, and the route's own function is then the request's one trip to the thread pool (each
    trip costs about a quarter of a millisecond of CPU). Elsewhere, and for every writing
    request, the end runs in the thread pool: taking SQLite's write lock and committing may
    wait (for the lock, for the disk), and PostgreSQL's COMMIT is a round trip on the network.
    """
    session: Session = request.app.state.session_factory()
    writing = request.method in UNSAFE_METHODS
    on_loop = not writing and request.app.state.reads_on_loop

    async def end(step: Callable[[], object]) -> None:
        if on_loop:
            step()
        else:
            await run_in_threadpool(step)

    try:
        if writing:
            await run_in_threadpool(take_write_lock, session)
            request.state.write_session = session  # ``render`` commits it before rendering
        yield session
        await end(session.commit)
    except BaseException:
        await end(session.rollback)
        raise
    finally:
        await end(session.close)


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


Page = Callable[..., Response]
QuickPage = Callable[..., Awaitable[Response]]


@overload
def quick_read(endpoint: Page, *, slow_when: None = None) -> QuickPage: ...
@overload
def quick_read(
    endpoint: None = None, *, slow_when: Callable[[dict[str, Any]], bool]
) -> Callable[[Page], QuickPage]: ...
def quick_read(
    endpoint: Page | None = None,
    *,
    slow_when: Callable[[dict[str, Any]], bool] | None = None,
) -> QuickPage | Callable[[Page], QuickPage]:
    """For a GET page that reads a handful of indexed rows and renders them: on SQLite it runs
    on the event loop, elsewhere in the thread pool, as any ``def`` route does.

    SQLite answers in-process and, in WAL mode, a reader never waits for a lock, so the page's
    work is all CPU and the hop to the thread pool (and the GIL handoffs among the pool's
    threads under load) costs more than it saves: measured with bench/load_test.py on the
    monitoring list, 32 connections, 2 workers, 0.34 -> 0.43 of the bare table's requests/s.
    On PostgreSQL a query waits on the network, which must not stall the event loop; there
    at most ``QUICK_READ_THREADS`` of them run at once in a process (a 16-thread pool per
    worker under 32 connections fought over the GIL and oversubscribed the database's two
    cores: the monitoring list went from 100-107 to 127-130 requests/s with the limit, same
    runs, bench/load_test.py).
    ``slow_when(arguments)`` sends a request to the thread pool anyway when its query cannot
    use an index (a name fragment too short for the trigram index scans every name).

    The endpoint must take ``request: Request``; only for GET routes that neither export nor
    write (a test holds every decorated route to GET, see tests/web/test_quick_read.py).
    """
    if endpoint is None:
        return lambda page: _quick(page, slow_when)
    return _quick(endpoint, slow_when)


# Threads a process gives quick reads on PostgreSQL at once (see ``quick_read``).
QUICK_READ_THREADS = 4


def _quick_limiter(request: Request) -> anyio.CapacityLimiter:
    limiter: anyio.CapacityLimiter | None = getattr(request.app.state, "quick_limiter", None)
    if limiter is None:
        limiter = request.app.state.quick_limiter = anyio.CapacityLimiter(QUICK_READ_THREADS)
    return limiter


def _quick(page: Page, slow_when: Callable[[dict[str, Any]], bool] | None) -> QuickPage:
    @functools.wraps(page)
    async def run(**kwargs: Any) -> Response:
        request: Request = kwargs["request"]
        if request.app.state.reads_on_loop and not (slow_when and slow_when(kwargs)):
            return page(**kwargs)
        if request.app.state.reads_on_loop:
            return await run_in_threadpool(page, **kwargs)
        return await anyio.to_thread.run_sync(
            functools.partial(page, **kwargs), limiter=_quick_limiter(request)
        )

    run.quick_read = True  # type: ignore[attr-defined]  # the route-table test reads it
    return run


def unindexed_name_search(arguments: dict[str, Any]) -> bool:
    """A name fragment of 1-2 characters: the trigram name index needs 3 (``quick_read``)."""
    return 0 < len(str(arguments.get("q", "")).strip()) < MIN_INDEXED_FRAGMENT


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

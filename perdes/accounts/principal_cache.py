"""A brief cache of resolved sign-in sessions, forgotten as soon as an account changes.

Resolving a session cookie costs a query joining the session and its user (and one more for
a scoped user's regions) on every request. The web app keeps what it resolved for
``TTL_SECONDS`` in a per-process ``PrincipalCache``, keyed by the token, and drops it
all when anything that decides who may do what changes:

- any transaction that flushed a ``User``, ``UserScope`` or ``LoginSession``
  (deactivation, a role or scope change, a new password, a revoked session, a new sign-in),
  or ran a bulk UPDATE/DELETE on their tables other than the "last seen" touch, empties every
  cache of this process, at once and again when it commits (SQLAlchemy session events,
  installed by ``install``);
- each of these rewrites the *epoch file* (``accounts.epoch`` in the instance folder),
  which every cache reads before answering: the other worker processes of the same host
  drop their entries on their next request. A change made by another host (or by a process
  that has no cache of its own, such as the CLI) is seen within ``TTL_SECONDS``.

An entry taken while a change was committing is stored under the epoch read *before* the
session was looked up, so it is never used once that change's epoch is written.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from perdes.accounts.models import LoginSession, User, UserScope

TTL_SECONDS = 10.0
MAX_ENTRIES = 10_000
EPOCH_FILE = "accounts.epoch"
# Bulk updates of these columns alone are bookkeeping, not a change of rights.
TOUCH_COLUMNS = frozenset({"last_seen_at"})
_WATCHED = (User, UserScope, LoginSession)
_WATCHED_TABLES = frozenset(m.__tablename__ for m in _WATCHED)
_FLAG = "perdes_accounts_changed"


@dataclass(frozen=True, slots=True)
class _Entry:
    value: Any
    epoch: tuple[int, str]
    stored_at: float


class PrincipalCache:
    """Resolved sessions by token hash, for ``ttl`` seconds, dropped on any account change."""

    def __init__(self, *, instance_path: Path | None, ttl: float = TTL_SECONDS) -> None:
        self.ttl = ttl
        self.epoch_file = instance_path / EPOCH_FILE if instance_path is not None else None
        self._entries: dict[str, _Entry] = {}
        self._generation = 0  # bumped by changes committed in this process
        self._lock = threading.Lock()
        _CACHES.add(self)

    def epoch(self) -> tuple[int, str]:
        """What an entry must have been stored under to be used now."""
        shared = ""
        if self.epoch_file is not None:
            try:
                shared = self.epoch_file.read_text(encoding="ascii")
            except OSError:
                shared = ""
        return (self._generation, shared)

    def get(self, key: str) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if time.monotonic() - entry.stored_at > self.ttl or entry.epoch != self.epoch():
            self._entries.pop(key, None)
            return None
        return entry.value

    def put(self, key: str, value: Any, *, epoch: tuple[int, str]) -> None:
        """Store ``value`` as it was read after ``epoch()`` returned ``epoch``."""
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()
            self._entries[key] = _Entry(value, epoch, time.monotonic())

    def replace(self, key: str, value: Any) -> None:
        """Update an entry in place (a touched session's "last seen"), keeping its age."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries[key] = _Entry(value, entry.epoch, entry.stored_at)

    def invalidate(self) -> None:
        """Forget everything, here and (through the epoch file) in the other processes."""
        with self._lock:
            self._generation += 1
            self._entries.clear()
        if self.epoch_file is not None:
            try:
                temporary = self.epoch_file.with_name(f".{EPOCH_FILE}.{os.getpid()}")
                temporary.write_text(secrets.token_hex(8), encoding="ascii")
                os.replace(temporary, self.epoch_file)
            except OSError:  # the instance folder is read-only: other processes wait the TTL
                pass


_CACHES: weakref.WeakSet[PrincipalCache] = weakref.WeakSet()


def invalidate_all() -> None:
    """Every cache of this process forgets (called after an account change commits)."""
    for cache in list(_CACHES):
        cache.invalidate()


def _changed(session: Session) -> None:
    """Forget now (a reader on the same connection, as in tests, sees the change already)
    and again when the change commits (a reader may have cached the old state meanwhile)."""
    session.info[_FLAG] = True
    invalidate_all()


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if any(isinstance(i, _WATCHED) for i in (*session.new, *session.dirty, *session.deleted)):
        _changed(session)


def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) not in _WATCHED_TABLES:
        return
    values = getattr(state.statement, "_values", None) or {}
    columns = {getattr(k, "key", str(k)) for k in values}
    if state.is_update and columns and columns <= TOUCH_COLUMNS:
        return
    _changed(state.session)


def _after_commit(session: Session) -> None:
    if session.info.pop(_FLAG, False):
        invalidate_all()


def _after_rollback(session: Session) -> None:
    # A savepoint's rollback leaves the outer transaction's changes pending: keep the flag
    # then; they are forgotten when the outermost transaction ends without committing.
    if not session.in_transaction():
        session.info.pop(_FLAG, None)


def install() -> None:
    """Listen for account changes on every session (idempotent)."""
    if event.contains(Session, "after_commit", _after_commit):
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _on_execute)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)

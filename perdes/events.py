"""Changes a write leaves for the derived-data pipeline, collected per transaction.

A service that changes something other data is derived from calls ``publish``; nothing runs
then. The changed codes wait on the session until ``perdes.pipeline.settle`` (called once
before the transaction commits) hands them to the subscribers in its table. Publishing from a
process that never installed the pipeline is an error, so derived data cannot silently lag.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import Session


class Change(StrEnum):
    """What changed; each carries codes (village codes unless noted)."""

    ADOPTION = "adoption"  # a village's adoption moved (stage, dates, deadline, evidence)
    VILLAGE_PROFILE = "village_profile"  # a village profile was saved
    CHECKLIST = "checklist"  # a village's stored checklist totals moved
    REGIONS = "regions"  # regions imported or renamed: kecamatan (district) codes
    FRAMEWORK = "framework"  # a checklist framework version became current: no codes
    ITEM_REJECTED = "item_rejected"  # a monitor rejected checklist answers: answer ids
    REGISTER = "register"  # a village's PMI register rows were written (any person/episode)


Pending = dict[Change, set[str]]

_PENDING = "perdes.pending_changes"
_AT_SAVEPOINT = "perdes.pending_at_savepoint"  # savepoint transaction -> what was pending then
_installed: list[bool] = []


def mark_installed() -> None:
    """Called by ``perdes.pipeline.install``: someone settles what is published."""
    if not _installed:
        _installed.append(True)


def publish(session: Session, change: Change, *codes: str) -> None:
    """Note that ``change`` happened to ``codes`` in this session's transaction."""
    if not _installed:
        raise RuntimeError("perdes.pipeline.install() was not called in this process")
    pending: Pending = session.info.setdefault(_PENDING, {})
    pending.setdefault(change, set()).update(c for c in codes if c)


def has_pending(session: Session) -> bool:
    return bool(session.info.get(_PENDING))


def take(session: Session) -> Pending:
    """Remove and return what was published since the last ``take``."""
    pending: Pending = session.info.pop(_PENDING, {})
    return pending


def discard(session: Session) -> None:
    """Forget what was published (the transaction was rolled back)."""
    session.info.pop(_PENDING, None)


def remember(session: Session, savepoint: object) -> None:
    """A savepoint began: note what is pending, for ``roll_back_to`` if it is rolled back."""
    pending: Pending = session.info.get(_PENDING, {})
    saved = session.info.setdefault(_AT_SAVEPOINT, {})
    saved[savepoint] = {change: set(codes) for change, codes in pending.items()}


def roll_back_to(session: Session, savepoint: object) -> None:
    """The savepoint was rolled back: what was published inside it is forgotten, what was
    published before it in the transaction stays pending."""
    pending = session.info.get(_AT_SAVEPOINT, {}).get(savepoint)
    if pending:
        session.info[_PENDING] = pending
    else:
        session.info.pop(_PENDING, None)


def forget(session: Session, savepoint: object) -> None:
    """The savepoint ended (released or rolled back)."""
    session.info.get(_AT_SAVEPOINT, {}).pop(savepoint, None)

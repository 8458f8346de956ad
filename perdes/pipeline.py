"""The derived-data pipeline: the one table of what follows a write, run once per transaction.

Services publish what they changed (``perdes.events.publish``: a ``Change`` and the codes it
touched); nothing runs then. Just before the transaction commits, ``settle`` hands the
collected codes to each subscriber of ``SUBSCRIBERS`` in table order: a subscriber sees
what was published before its turn, including by subscribers above it, so each runs at most
once per transaction with every code at once. The app, the CLI and the tests call
``install()`` explicitly; nothing registers by being imported.

    register person / episode written ─── REGISTER ──▶ register figures ──▶ PROFILE (counts)
    tracker step / correction / evidence ─┐ ADOPTION
    village profile saved ────────────────┤ PROFILE       ┌─ checklist derived items ─┐
    framework version loaded ─────────────┤ FRAMEWORK ───▶│  (facts from             │ CHECKLIST
    checklist answer / verification ──────┤ CHECKLIST     │  tracking.standing)      │
    region import ────────────────────────┘ REGIONS       └──────────────────────────┘
    checklist item rejected ──── ITEM_REJECTED ──▶ notice to the village's operators
                                                                  │
                                            ADOPTION, CHECKLIST, REGIONS
                                                                  ▼
                                                      kecamatan rollup (dashboards)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from perdes import db, events, models
from perdes.checklist import derived
from perdes.events import Change, Pending
from perdes.monitoring import rollup
from perdes.notifications import subscribers
from perdes.register import figures as register_figures

MAX_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Subscriber:
    """One consequence of a write: which changes it follows and the work it does."""

    name: str
    on: frozenset[Change]
    run: Callable[[Session, Pending], None]


def _register_figures(session: Session, changes: Pending) -> None:
    moved = register_figures.refresh_villages(session, changes.get(Change.REGISTER, set()))
    if moved:
        events.publish(session, Change.VILLAGE_PROFILE, *moved)


def _checklist_facts(session: Session, changes: Pending) -> None:
    if Change.FRAMEWORK in changes:
        derived.refresh_all(session)
        return
    for change in (Change.ADOPTION, Change.VILLAGE_PROFILE, Change.REGISTER):
        codes = changes.get(change)
        if codes:
            derived.refresh_villages(session, village_codes=codes, changes=(change,))


def _district_rollup(session: Session, changes: Pending) -> None:
    villages = changes.get(Change.ADOPTION, set()) | changes.get(Change.CHECKLIST, set())
    districts = {code[:8] for code in villages} | changes.get(Change.REGIONS, set())
    rollup.refresh_many(session, districts)


SUBSCRIBERS: tuple[Subscriber, ...] = (
    Subscriber(
        "register figures and profile PMI counts",
        frozenset({Change.REGISTER}),
        _register_figures,
    ),
    Subscriber(
        "checklist derived items",
        frozenset({Change.ADOPTION, Change.VILLAGE_PROFILE, Change.REGISTER, Change.FRAMEWORK}),
        _checklist_facts,
    ),
    Subscriber(
        "kecamatan rollup",
        frozenset({Change.ADOPTION, Change.CHECKLIST, Change.REGIONS}),
        _district_rollup,
    ),
    Subscriber(
        "rejection notices to the village",
        frozenset({Change.ITEM_REJECTED}),
        subscribers.rejection_notices,
    ),
)


def _merge(into: Pending, more: Pending) -> None:
    for change, codes in more.items():
        into.setdefault(change, set()).update(codes)


def settle(session: Session) -> None:
    """Do the derived work for everything published in this transaction, once.

    A subscriber that publishes a change only a subscriber *above* it follows would need a
    second round; the table is ordered so that none does, and more than ``MAX_ROUNDS`` is an
    error rather than a loop.
    """
    for _ in range(MAX_ROUNDS):
        if not events.has_pending(session):
            return
        seen: Pending = {}
        for subscriber in SUBSCRIBERS:
            _merge(seen, events.take(session))
            relevant = {c: codes for c, codes in seen.items() if c in subscriber.on}
            if relevant:
                subscriber.run(session, relevant)
    if events.has_pending(session):
        raise RuntimeError("derived data did not settle: a subscriber feeds one above it")


def _before_commit(session: Session) -> None:
    settle(session)  # also when a savepoint is released (harmless: the work is in it)


def _after_transaction_create(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        events.remember(session, transaction)


def _after_rollback(session: Session) -> None:
    # A savepoint rolled back (e.g. a lost race caught and handled) forgets only what was
    # published inside it; the transaction's other changes still settle when it commits.
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        events.roll_back_to(session, savepoint)
    else:
        events.discard(session)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        events.forget(session, transaction)


def install() -> None:
    """Settle every session's derived work before it commits (idempotent; once per process).

    Also loads every model (``perdes.models``) so mappers are complete in any process."""
    assert models.Base is db.Base
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        event.listen(Session, "after_transaction_create", _after_transaction_create)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        event.listen(Session, "before_flush", register_figures.track_register_writes)
    events.mark_installed()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for ``engine`` with the pipeline installed and every model loaded."""
    install()
    return db.make_session_factory(engine)

"""Re-encryption after a key rotation: every sealed value moved to the current key.

Resumable by construction: each batch commits on its own, and what is left is found again
from the tokens themselves (their key id is not the current one), so a stop, a crash or a
second key change half-way just means the next run picks up what is still under an older
key. Values are swapped with a compare-and-set on the old token, so a person edited by a
user meanwhile keeps the user's value; the row's version is not bumped (the content did not
change), and neither are the register's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from perdes.register.crypto import TOKEN_VERSION, Keyring, SealError, needs_reseal, reseal
from perdes.register.models import PmiPerson

SEALED = (PmiPerson.nik_sealed, PmiPerson.phone_sealed, PmiPerson.family_contact_phone_sealed)
BATCH = 500


@dataclass(frozen=True, slots=True)
class RekeyReport:
    resealed: int
    unreadable: int
    batches: int
    done: bool


def _stale(keyring: Keyring) -> ColumnElement[bool]:
    """Some sealed value of the row is not under the current key (found by its prefix)."""
    current = f"{TOKEN_VERSION}.{keyring.current_id}."
    return or_(
        *(
            and_(column.is_not(None), ~column.startswith(current, autoescape=True))
            for column in SEALED
        )
    )


def reseal_batch(
    session: Session, *, keyring: Keyring, after_id: int, limit: int = BATCH
) -> tuple[int | None, int, int]:
    """Move one batch of persons (id > ``after_id``) to the current key.

    Returns (last id seen or None when nothing is left, values resealed, values unreadable).
    A value sealed with a key no longer in the ring is counted as unreadable and left as is.
    """
    rows = session.execute(
        select(PmiPerson.id, *SEALED)
        .where(PmiPerson.id > after_id, _stale(keyring))
        .order_by(PmiPerson.id)
        .limit(limit)
    ).all()
    if not rows:
        return None, 0, 0
    resealed = unreadable = 0
    for row in rows:
        person_id, *tokens = row
        for column, token in zip(SEALED, tokens, strict=True):
            if token is None or not needs_reseal(token, keyring=keyring):
                continue
            try:
                fresh = reseal(token, keyring=keyring)
            except SealError:
                unreadable += 1
                continue
            result = session.execute(
                update(PmiPerson)
                .where(PmiPerson.id == person_id, column == token)
                .values({column.key: fresh})
                .execution_options(synchronize_session=False)
            )
            resealed += result.rowcount or 0  # type: ignore[attr-defined]  # a CursorResult
    return rows[-1][0], resealed, unreadable


def reencrypt(
    factory: sessionmaker[Session],
    *,
    keyring: Keyring,
    batch: int = BATCH,
    max_batches: int | None = None,
) -> RekeyReport:
    """Run batches (each its own committed transaction) until none is left or the cap."""
    after, resealed, unreadable, batches = 0, 0, 0, 0
    while max_batches is None or batches < max_batches:
        with factory() as session, session.begin():
            last, moved, bad = reseal_batch(session, keyring=keyring, after_id=after, limit=batch)
        if last is None:
            return RekeyReport(resealed, unreadable, batches, done=True)
        after, resealed, unreadable, batches = last, resealed + moved, unreadable + bad, batches + 1
    return RekeyReport(resealed, unreadable, batches, done=False)

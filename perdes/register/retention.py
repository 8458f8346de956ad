"""Retention of the register (UU 27/2022 Pasal 16: delete or destroy after the retention period).

Per status of the person, counted from their own dates (``local_today`` in WIB):

* back home (the last departure has a later return): anonymised ``years_after_return``
  years after the last return;
* never departed (a consultation, a letter, but no departure): anonymised
  ``years_inactive`` years after the last thing recorded for them;
* abroad, or with a case still open: kept (the village's duties continue).

Anonymising blanks what identifies the person — NIK (sealed value and look-up hash), name,
birth date, address, phone, family contact, free-text notes, the family member named in the
letter, document scans — and keeps the dated episodes without them, so the counts of past
years do not change. It is final and runs as the daily job ``register-retention``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Date, and_, cast, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from perdes.config import Settings
from perdes.db import utcnow
from perdes.files import StoredFile, stored_path
from perdes.register.models import (
    Case,
    CaseStatus,
    Consultation,
    Departure,
    DocumentCheck,
    FamilyLetter,
    PmiPerson,
    Return,
)
from perdes.tracking.deadlines import local_today

ANONYMOUS_NAME = "(dianonimkan)"
BATCH = 500


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long the register keeps identifying data, per status, in whole years."""

    years_after_return: int
    years_inactive: int

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            years_after_return=settings.register_retention_years_after_return,
            years_inactive=settings.register_retention_years_inactive,
        )


@dataclass(frozen=True, slots=True)
class RetentionReport:
    anonymised: int
    files_removed: list[Path]


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def due_ids(session: Session, *, policy: RetentionPolicy, today: date) -> list[int]:
    """Ids of persons whose identifying data is due for anonymisation on ``today``."""
    after_return = years_before(today, policy.years_after_return)
    inactive = years_before(today, policy.years_inactive)
    person = PmiPerson.id
    last_out = (
        select(func.max(Departure.departed_on))
        .where(Departure.person_id == person)
        .scalar_subquery()
    )
    last_back = (
        select(func.max(Return.returned_on)).where(Return.person_id == person).scalar_subquery()
    )
    postgres = session.get_bind().dialect.name == "postgresql"
    touched = cast(PmiPerson.updated_at, Date) if postgres else func.date(PmiPerson.updated_at)
    dates = [
        touched,
        *(
            func.coalesce(
                select(func.max(column)).where(model.person_id == person).scalar_subquery(),
                touched,
            )
            for model, column in (
                (Consultation, Consultation.held_on),
                (FamilyLetter, FamilyLetter.issued_on),
                (Case, Case.closed_on),
            )
        ),
    ]
    # the latest of them: GREATEST on PostgreSQL, the many-argument MAX on SQLite
    last_seen = func.greatest(*dates) if postgres else func.max(*dates)
    open_case = exists().where(Case.person_id == person, Case.status != CaseStatus.SELESAI)
    home = and_(last_back.is_not(None), or_(last_out.is_(None), last_back >= last_out))
    stmt = (
        select(person)
        .where(
            PmiPerson.anonymised_at.is_(None),
            ~open_case,
            or_(
                and_(home, last_back <= after_return),
                and_(last_out.is_(None), last_back.is_(None), last_seen <= inactive),
            ),
        )
        .order_by(person)
    )
    return list(session.scalars(stmt))


def anonymise(session: Session, *, person_ids: list[int]) -> list[Path]:
    """Blank the identifying fields of these persons and their episodes (final).

    Returns the stored document scans whose rows were removed; their files are deleted by
    the caller after the commit (``remove_files``), never before.
    """
    if not person_ids:
        return []
    now = utcnow()
    for person in session.scalars(select(PmiPerson).where(PmiPerson.id.in_(person_ids))):
        person.nik_sealed = None
        person.nik_hash = None
        person.name = ANONYMOUS_NAME
        person.birth_on = None
        person.address = ""
        person.rt = ""
        person.rw = ""
        person.phone_sealed = None
        person.family_contact_name = ""
        person.family_contact_relation = ""
        person.family_contact_phone_sealed = None
        person.share_with_pendamping = False
        person.anonymised_at = now
        person.updated_at = now
    session.execute(
        update(Consultation).where(Consultation.person_id.in_(person_ids)).values(information="")
    )
    session.execute(
        update(FamilyLetter)
        .where(FamilyLetter.person_id.in_(person_ids))
        .values(granted_by_name="", granted_by_relation="", number="")
    )
    session.execute(
        update(Case).where(Case.person_id.in_(person_ids)).values(summary="", outcome="")
    )
    file_ids = set(
        session.scalars(
            select(DocumentCheck.stored_file_id).where(
                DocumentCheck.person_id.in_(person_ids), DocumentCheck.stored_file_id.is_not(None)
            )
        )
    )
    session.execute(
        update(DocumentCheck)
        .where(DocumentCheck.person_id.in_(person_ids))
        .values(note="", stored_file_id=None)
    )
    session.flush()
    return _drop_unused_files(session, file_ids)


def _drop_unused_files(session: Session, file_ids: set[int | None]) -> list[Path]:
    removed: list[Path] = []
    for file_id in sorted(i for i in file_ids if i is not None):
        still_used = session.scalar(
            select(func.count()).where(DocumentCheck.stored_file_id == file_id)
        )
        record = session.get(StoredFile, file_id)
        if still_used or record is None:
            continue
        name = record.storage_name
        try:
            with session.begin_nested():  # referenced elsewhere (same bytes as evidence): keep
                session.delete(record)
                session.flush()
        except IntegrityError:
            continue
        removed.append(Path(name))
    return removed


def remove_files(upload_root: Path, names: list[Path]) -> None:
    """Delete the scans ``anonymise`` released, once its transaction is committed."""
    for name in names:
        record = StoredFile(storage_name=str(name))
        try:
            stored_path(upload_root, record).unlink(missing_ok=True)
        except ValueError:
            continue


def run_retention(
    session: Session, *, policy: RetentionPolicy, today: date | None = None
) -> RetentionReport:
    """Anonymise every person due on ``today`` (default: today in WIB), in batches."""
    ids = due_ids(session, policy=policy, today=today or local_today())
    files: list[Path] = []
    for start in range(0, len(ids), BATCH):
        files.extend(anonymise(session, person_ids=ids[start : start + BATCH]))
    return RetentionReport(anonymised=len(ids), files_removed=files)

"""Validity periods: a verified answer stands for the period its item declares, then it needs
renewing ("perlu diperbarui") and no longer counts towards the score or the qualification.

The period runs from the day of the monitor's verification, in WIB (Asia/Jakarta), the
zone of the regional offices this was built for:
- ``{months: N}``: verified on 15 March 2026 with 12 months → counts through 14 March 2027;
  from 15 March 2027 it needs renewing (a 31st becomes the last day of a shorter month).
- ``budget_year``: counts from the verification through 31 December of the budget year the
  answer states (the APB Desa year is the calendar year; an answer verified in December for
  next year's APB Desa counts through the end of that year; a year already over cannot be
  verified); answers from before the year was a field count through the end of the year
  they were verified. From 1 January after it the answer needs renewing.
- ``none`` and derived items never expire (derived items follow their fact instead), except
  those derived from the register (``conditional_rule``): a monitor countersigns them, and
  the countersignature runs out like any verification.

Expiry is computed from the date, so pages and scores are right on the day; the stored
per-village totals are brought up to date by ``refresh_expired`` (``perdes checklist
refresh``, run daily), which also writes one history line per expired answer. The village
renews by adding evidence or saving "terpenuhi" again, which sends it back to the monitor.
"""

from __future__ import annotations

import calendar
from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import clock
from perdes.accounts.principal import Principal
from perdes.checklist import registry
from perdes.checklist.figures import BUDGET_YEAR
from perdes.checklist.framework import ItemDef
from perdes.checklist.instrument import MONTHS, Validity
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistItemEvent,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.scoring import ItemState

ZONE = ZoneInfo("Asia/Jakarta")
SYSTEM = replace(Principal.system(), full_name="Sistem (otomatis)")


def today() -> date:
    """Today in WIB: the day on which validity is judged."""
    return clock.local_today()


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expires_on(
    validity: Validity, verified_at: datetime | None, budget_year: int | None = None
) -> date | None:
    """The first day on which an answer verified at ``verified_at`` needs renewing.

    A budget item counts from its verification through the end of the budget year its answer
    states (``budget_year``; verification refuses a year already over), or, for an answer
    from before that number was asked, through the end of the year it was verified.
    """
    if validity.kind == "none":
        return None
    if verified_at is None:
        return date.min  # verified with no date: cannot show that it is current
    verified_on = verified_at.astimezone(ZONE).date()
    if validity.kind == "budget_year":
        return date((budget_year or verified_on.year) + 1, 1, 1)
    return add_months(verified_on, validity.months)


def answer_expires_on(item: ItemDef, answer: ChecklistAnswer | None) -> date | None:
    """When this verified item needs renewing; None if it never does (a system-derived one)."""
    if (
        answer is None
        or (answer.derived and item.conditional is None)
        or answer.status is not ItemStatus.TERPENUHI
        or answer.verification is not Verification.DIVERIFIKASI
    ):
        return None
    year = (answer.figures or {}).get(BUDGET_YEAR)
    return expires_on(item.validity, answer.verified_at, year if isinstance(year, int) else None)


def is_expired(item: ItemDef, answer: ChecklistAnswer | None, on: date) -> bool:
    ends = answer_expires_on(item, answer)
    return ends is not None and on >= ends


def state_of(item: ItemDef, answer: ChecklistAnswer | None, on: date) -> ItemState:
    """The item's state for scoring on a given day."""
    if answer is None:
        return ItemState()
    return ItemState(answer.status, answer.verification, expired=is_expired(item, answer, on))


def refresh_expired(session: Session, *, on: date | None = None) -> tuple[int, int]:
    """Bring stored totals in line with the answers that expired by ``on`` (default today).

    Writes one "kedaluwarsa" history line per expired answer (once per verification) and
    recomputes the totals of the assessments concerned. Returns the number of assessments
    recomputed and of answers newly expired; a second run on the same day finds none.
    """
    from perdes.checklist.store import record_event, refresh_total

    on = on or today()
    rows = session.execute(
        select(ChecklistAnswer, ChecklistAssessment)
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .where(
            ChecklistAssessment.superseded_at.is_(None),
            ChecklistAnswer.archived_at.is_(None),
            ChecklistAnswer.status == ItemStatus.TERPENUHI,
            ChecklistAnswer.verification == Verification.DIVERIFIKASI,
        )
    ).all()
    newly: dict[int, tuple[ChecklistAssessment, list[tuple[ChecklistAnswer, date]]]] = {}
    for answer, assessment in rows:
        item = registry.parsed(assessment.framework).item(answer.item_key)
        ends = answer_expires_on(item, answer) if item is not None else None
        if ends is None or on < ends:
            continue
        newly.setdefault(assessment.id, (assessment, []))[1].append((answer, ends))
    marked = _already_marked(session, [a for _, found in newly.values() for a, _ in found])
    count = refreshed = 0
    for assessment, found in newly.values():
        fresh = [(a, ends) for a, ends in found if a.id not in marked]
        if not fresh:
            continue
        refreshed += 1
        for answer, ends in fresh:
            record_event(
                session,
                actor=SYSTEM,
                answer=answer,
                kind=ItemEventKind.KEDALUWARSA,
                detail=f"berlaku sampai {last_valid_day(ends)}",
            )
        count += len(fresh)
        framework = registry.parsed(assessment.framework)
        refresh_total(session, assessment=assessment, framework=framework, on=on)
    return refreshed, count


def _already_marked(session: Session, answers: list[ChecklistAnswer]) -> set[int]:
    """Answers that already have a "kedaluwarsa" line since their last verification."""
    since = {a.id: a.verified_at for a in answers}
    marked: set[int] = set()
    for answer_id, at in session.execute(
        select(ChecklistItemEvent.answer_id, ChecklistItemEvent.at).where(
            ChecklistItemEvent.answer_id.in_(list(since)),
            ChecklistItemEvent.kind == ItemEventKind.KEDALUWARSA,
        )
    ):
        verified_at = since[answer_id]
        if verified_at is None or at >= verified_at:
            marked.add(answer_id)
    return marked


def last_valid_day(ends: date | None) -> str:
    """The last day an answer counts, in Indonesian ("14 Maret 2027"); "" if it never ends."""
    if ends is None:
        return ""
    if ends == date.min:
        return "tanggal verifikasi tidak tercatat"
    last = date.fromordinal(ends.toordinal() - 1)
    return f"{last.day} {MONTHS[last.month - 1]} {last.year}"

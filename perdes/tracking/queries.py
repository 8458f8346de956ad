"""Reading adoptions within a scope: the effective history (after corrections), the
village's tracker, the deadline list, and the deadline rules in force.

Lists read the columns stored on the adoption (indexed); only one village's page folds its
own events, to draw the timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import Region, RegionLevel
from perdes.tracking import deadlines
from perdes.tracking.deadlines import DEFAULTS, DeadlineKind, EffectiveRule
from perdes.tracking.fold import State, Step, fold, next_steps
from perdes.tracking.kinds import ProductKind
from perdes.tracking.models import (
    Adoption,
    AdoptionEvent,
    DeadlineRule,
    EventKind,
    WorkdayRule,
)
from perdes.tracking.records import AdoptionRecord, EventRecord, village_products
from perdes.tracking.stages import (
    PROMULGATED,
    REASON_KELURAHAN,
    Stage,
)

NOT_FOUND = "Data tahapan Perdes tidak ditemukan."

# A product as an ORM entity (services, which write) or as a read-only record (pages).
AnyAdoption = Adoption | AdoptionRecord
AnyEvent = AdoptionEvent | EventRecord


@dataclass(slots=True)
class TimelineEntry:
    """One step on the timeline: the event as recorded, its corrections and evidence."""

    event: AnyEvent
    step: Step | None  # as it stands after corrections; None when retracted
    corrections: list[AnyEvent] = field(default_factory=list)


def effective_steps(adoption: AnyAdoption) -> tuple[list[Step], list[TimelineEntry]]:
    """The steps after applying corrections and retractions, in order, and the timeline."""
    entries: dict[int, TimelineEntry] = {}
    for event in adoption.events:
        if event.kind is EventKind.LANGKAH:
            entries[event.id] = TimelineEntry(event=event, step=_step_of(event, event.id))
        elif event.corrects_event_id in entries:
            entry = entries[event.corrects_event_id]
            entry.corrections.append(event)
            entry.step = (
                None
                if event.kind is EventKind.PEMBATALAN
                else _step_of(event, entry.event.id, after_the_fact=entry.event.after_the_fact)
            )
    timeline = list(entries.values())
    return [e.step for e in timeline if e.step is not None], timeline


def _step_of(event: AnyEvent, event_id: int, *, after_the_fact: bool | None = None) -> Step:
    return Step(
        stage=event.stage,
        occurred_on=event.occurred_on,
        berita_acara_number=event.berita_acara_number,
        perdes_number=event.perdes_number,
        lembaran_year=event.lembaran_year,
        lembaran_number=event.lembaran_number,
        berita_desa_number=event.berita_desa_number,
        letter_number=event.letter_number,
        clarification_result=event.clarification_result,
        decision_number=event.decision_number,
        after_the_fact=event.after_the_fact if after_the_fact is None else after_the_fact,
        event_id=event_id,
    )


def state_of(adoption: Adoption) -> State:
    """Fold the adoption's events (for checks and tests; lists read the stored columns)."""
    return fold(effective_steps(adoption)[0])


def effective_rules(session: Session, *, regency_code: str) -> dict[DeadlineKind, EffectiveRule]:
    """The deadline rules in force in a kabupaten: its override, else national, else default."""
    rows = session.scalars(
        select(DeadlineRule).where(
            (DeadlineRule.regency_code == regency_code) | DeadlineRule.regency_code.is_(None)
        )
    ).all()
    return _rules_from(rows)


def _rules_from(rows: Sequence[DeadlineRule]) -> dict[DeadlineKind, EffectiveRule]:
    rules = {
        kind: EffectiveRule(kind=kind, days=d.days, legal_basis=d.legal_basis, source="bawaan")
        for kind, d in DEFAULTS.items()
    }
    for row in sorted(rows, key=lambda r: r.regency_code is not None):
        rules[row.kind] = EffectiveRule(
            kind=row.kind,
            days=row.days,
            legal_basis=row.legal_basis,
            source=row.regency_code or "nasional",
        )
    return rules


# Built once (the village page reads them on every visit; building a statement and its cache
# key costs SQLAlchemy more than running it); codes and ids are bound parameters.
_RULES_IN_FORCE = (
    select(WorkdayRule.skip_joint_leave, DeadlineRule)
    .select_from(Region)
    .outerjoin(WorkdayRule, WorkdayRule.regency_code == Region.code)
    .outerjoin(
        DeadlineRule,
        (DeadlineRule.regency_code == Region.code) | DeadlineRule.regency_code.is_(None),
    )
    .where(Region.code == bindparam("regency_code"))
)


def rules_in_force(
    session: Session, *, regency_code: str
) -> tuple[dict[DeadlineKind, EffectiveRule], bool]:
    """``effective_rules`` and ``skips_joint_leave`` of a kabupaten in one statement: its
    region row, outer-joined to its workday rule and to the deadline rules that apply."""
    found = session.execute(_RULES_IN_FORCE, {"regency_code": regency_code}).all()
    if not found:  # not a kabupaten of the region table: read the rules apart
        rules = effective_rules(session, regency_code=regency_code)
        return rules, skips_joint_leave(session, regency_code=regency_code)
    rows = [row for _, row in found if row is not None]
    return _rules_from(rows), bool(found[0][0])


def skips_joint_leave(session: Session, *, regency_code: str) -> bool:
    """Whether the kabupaten's rule skips cuti bersama days (default: they are working days)."""
    return bool(
        session.scalar(
            select(WorkdayRule.skip_joint_leave).where(WorkdayRule.regency_code == regency_code)
        )
    )


def joint_leave_regencies(session: Session) -> set[str]:
    """The kabupaten whose rule skips cuti bersama days."""
    return set(
        session.scalars(
            select(WorkdayRule.regency_code).where(WorkdayRule.skip_joint_leave.is_(True))
        )
    )


def compute_deadline(
    adoption: Adoption,
    rules: dict[DeadlineKind, EffectiveRule],
    *,
    skip_joint_leave: bool,
    stage: Stage | None = None,
    stage_on: date | None = None,
) -> tuple[DeadlineKind | None, date | None]:
    """The next deadline of an adoption (its stored stage, unless given) under ``rules``."""
    found = deadlines.next_deadline(
        stage=stage if stage is not None else adoption.current_stage,
        stage_on=stage_on if stage is not None else adoption.current_stage_on,
        perdes_type=adoption.perdes_type or deadlines.PerdesType.LAINNYA,
        evaluation_received_on=adoption.evaluation_received_on,
        evaluation_result_on=adoption.evaluation_result_on,
    )
    if found is None:
        return None, None
    kind, start = found
    return kind, deadlines.due_on(start, rules[kind].days, skip_joint_leave=skip_joint_leave)


def village_region(session: Session, *, actor: Principal, village_code: str) -> Region:
    if not is_valid_code(village_code):
        raise NotFound("Desa tidak ditemukan.")
    region = session.scalar(
        select(Region).where(
            Region.code == village_code,
            Region.level == RegionLevel.DESA,
            actor.scope.region_clause(),
        )
    )
    if region is None:
        raise NotFound("Desa tidak ditemukan.")
    return region


def get_adoption(
    session: Session, *, actor: Principal, adoption_id: int, village_code: str | None = None
) -> Adoption:
    """An adoption inside the actor's scope (and of ``village_code`` if given); else NotFound."""
    stmt = (
        select(Adoption)
        .join(Region, Region.code == Adoption.village_code)
        .where(Adoption.id == adoption_id, actor.scope.region_clause())
    )
    if village_code is not None:
        stmt = stmt.where(Adoption.village_code == village_code)
    adoption = session.scalar(stmt)
    if adoption is None:
        raise NotFound(NOT_FOUND)
    return adoption


def get_event(
    session: Session, *, actor: Principal, event_id: int, village_code: str | None = None
) -> AdoptionEvent:
    """A recorded step (not a correction) inside the actor's scope; else NotFound."""
    stmt = (
        select(AdoptionEvent)
        .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
        .join(Region, Region.code == Adoption.village_code)
        .where(
            AdoptionEvent.id == event_id,
            AdoptionEvent.kind == EventKind.LANGKAH,
            actor.scope.region_clause(),
        )
    )
    if village_code is not None:
        stmt = stmt.where(Adoption.village_code == village_code)
    event = session.scalar(stmt)
    if event is None:
        raise NotFound(NOT_FOUND)
    return event


@dataclass(slots=True)
class AdoptionView:
    """An adoption with its timeline, the steps that may come next and its deadline."""

    adoption: AdoptionRecord
    timeline: list[TimelineEntry]
    next_steps: tuple[Stage, ...]
    links: list[Any] = field(default_factory=list)  # links.LinkView, both directions
    deadline_text: str = ""
    deadline_tone: str = ""
    deadline_rule: EffectiveRule | None = None


@dataclass(slots=True)
class VillageTracker:
    """What the village page shows about the village's Perdes."""

    village: Region
    adoptions: list[AdoptionView]
    can_start: bool
    refusal: str = ""


def village_tracker(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    today: date | None = None,
    region: Region | None = None,
) -> VillageTracker:
    """The village's adoptions, newest first, with timelines and deadlines.

    ``region``: the village as the caller just loaded it inside ``actor.scope`` (the village
    page has it already), which spares looking it up again."""
    actor.require("adoption.view")
    if region is not None and region.code == village_code and region.level is RegionLevel.DESA:
        village = region
    else:
        village = village_region(session, actor=actor, village_code=village_code)
    today = today or deadlines.local_today()
    rows = village_products(session, village_code=village_code)
    due = any(a.next_deadline_on is not None and a.next_deadline_kind is not None for a in rows)
    rules, skip = rules_in_force(session, regency_code=village_code[:5]) if due else ({}, False)
    from perdes.tracking.links import links_of  # lazily: links imports this module

    linked = links_of(session, [a.id for a in rows if a.has_links], known={a.id: a for a in rows})
    views = []
    for adoption in rows:
        steps, timeline = effective_steps(adoption)
        state = fold(steps)
        after_the_fact = adoption.recorded_after_the_fact and not state.steps
        view = AdoptionView(
            adoption=adoption,
            timeline=timeline,
            next_steps=next_steps(state, after_the_fact=after_the_fact, kind=adoption.kind),
            links=linked.get(adoption.id, []),
        )
        if adoption.next_deadline_on is not None and adoption.next_deadline_kind is not None:
            view.deadline_text, view.deadline_tone = deadlines.describe(
                adoption.next_deadline_on, today, skip_joint_leave=skip
            )
            view.deadline_rule = rules[adoption.next_deadline_kind]
        views.append(view)
    unfinished = any(
        v.adoption.current_stage is None or v.adoption.current_stage not in PROMULGATED
        for v in views
        if v.adoption.kind is ProductKind.PERDES
    )
    can_start = village.can_make_perdes and not unfinished
    return VillageTracker(
        village=village,
        adoptions=views,
        can_start=can_start,
        refusal="" if village.can_make_perdes else REASON_KELURAHAN,
    )


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    adoption: Adoption
    village_name: str
    text: str
    tone: str


def list_deadlines(
    session: Session,
    *,
    actor: Principal,
    overdue_only: bool = True,
    today: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[DeadlineRow]:
    """Adoptions in the actor's scope with a pending deadline (or only overdue), soonest first.

    Reads the stored ``next_deadline_on`` column (indexed), never the event log.
    """
    actor.require("adoption.view")
    today = today or deadlines.local_today()
    stmt = (
        select(Adoption, Region.name)
        .join(Region, Region.code == Adoption.village_code)
        .where(Adoption.next_deadline_on.is_not(None), actor.scope.region_clause())
    )
    if overdue_only:
        stmt = stmt.where(Adoption.next_deadline_on < today)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(page, 1)
    rows = session.execute(
        stmt.order_by(Adoption.next_deadline_on, Adoption.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = []
    skipping = joint_leave_regencies(session) if rows else set()
    for adoption, name in rows:
        assert adoption.next_deadline_on is not None
        text, tone = deadlines.describe(
            adoption.next_deadline_on, today, skip_joint_leave=adoption.village_code[:5] in skipping
        )
        items.append(DeadlineRow(adoption=adoption, village_name=name, text=text, tone=tone))
    return Page(items=items, total=total, page=page, per_page=per_page)

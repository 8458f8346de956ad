"""Derived items follow their facts: evaluated by the derived-data pipeline once per
transaction for the villages whose facts may have moved, or on demand.

A derived item whose fact holds is "terpenuhi" and *verified by the system* (no monitor
reviews a fact the app itself recorded: the tracker's promulgation event already carries its
own evidence); when the fact stops holding it drops back to "belum". Evidence and notes can
still be added to it, but nobody sets its status by hand.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import facts, registry, store
from perdes.checklist.framework import Framework, ItemDef, Rule
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.db import utcnow
from perdes.events import Change
from perdes.regions.models import VillageProfile
from perdes.register.figures import RegisterVillageFigure
from perdes.tracking import standing

SYSTEM = replace(Principal.system(), full_name="Sistem (otomatis)")


@dataclass(frozen=True, slots=True)
class _Derived:
    row: ChecklistFramework
    framework: Framework
    items: tuple[tuple[ItemDef, Rule, facts.Fact], ...]


def _derived_items(session: Session, changes: Collection[Change] | None) -> list[_Derived]:
    out = []
    for row in registry.current_versions(session):
        framework = registry.parsed(row)
        items = tuple(
            (item, item.rule, facts.FACTS[item.rule.fact])
            for item in framework.items()
            if item.rule is not None
            and (changes is None or set(facts.FACTS[item.rule.fact].events) & set(changes))
        )
        if items:
            out.append(_Derived(row, framework, items))
    return out


def refresh_villages(
    session: Session, *, village_codes: Iterable[str], changes: Collection[Change] | None = None
) -> int:
    """Re-evaluate the derived items of these villages (only those whose fact is fed by one of
    ``changes``, when given); returns the number of items changed.

    Writes only when a state changes; an item whose fact does not hold and that nobody ever
    touched stays unwritten. Each village's totals are recomputed once, after its items.
    """
    derived = _derived_items(session, changes)
    if not derived:
        return 0
    changed = 0
    for code in sorted(set(village_codes)):
        for entry in derived:
            changed += _refresh_one(session, village_code=code, entry=entry)
    return changed


def _refresh_one(session: Session, *, village_code: str, entry: _Derived) -> int:
    assessment = store.current_assessment(session, village_code=village_code, slug=entry.row.slug)
    answers: dict[str, ChecklistAnswer] = {}
    if assessment is not None:
        answers = {
            a.item_key: a
            for a in session.scalars(
                select(ChecklistAnswer).where(ChecklistAnswer.assessment_id == assessment.id)
            )
        }
    changed = 0
    for item, rule, fact in entry.items:
        holds = fact.evaluate(session, village_code, rule.params)
        target = (
            (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)
            if holds
            else (ItemStatus.BELUM, Verification.BELUM)
        )
        existing = answers.get(item.id)
        if existing is None and not holds:
            continue
        same = existing is not None and (existing.status, existing.verification) == target
        if same and existing is not None and (existing.derived or not holds):
            continue
        if assessment is None:
            assessment = store.assessment_for_write(
                session, actor=SYSTEM, village_code=village_code, row=entry.row
            )
        answer = existing or store.answer_for_write(
            session, assessment=assessment, item_key=item.id
        )
        before = (answer.status, answer.verification)
        answer.status, answer.verification = target
        answer.derived = True
        answer.not_applicable_reason = ""
        answer.rejection_reason = ""
        answer.verified_by_id = None
        answer.verified_at = utcnow() if holds else None
        answer.submitted_at = None
        store.record_event(
            session,
            actor=SYSTEM,
            answer=answer,
            kind=ItemEventKind.OTOMATIS,
            detail=facts.describe(rule.fact, rule.params)
            + (": terpenuhi" if holds else ": belum terpenuhi"),
        )
        store.audit_answer(
            session,
            actor=SYSTEM,
            answer=answer,
            action="derive",
            village_code=village_code,
            changes={"status": (before[0], target[0]), "verification": (before[1], target[1])},
        )
        changed += 1
    if changed and assessment is not None:
        store.refresh_total(session, assessment=assessment, framework=entry.framework)
    return changed


def refresh_village(session: Session, *, village_code: str) -> int:
    """Re-evaluate every derived item of one village; returns the number changed."""
    return refresh_villages(session, village_codes=[village_code])


def villages_with_facts(session: Session) -> list[str]:
    """Every village a fact could hold for: with an assessment, a profile or an adoption."""
    return list(
        session.scalars(
            union(
                select(ChecklistAssessment.village_code),
                select(VillageProfile.region_code),
                select(RegisterVillageFigure.village_code),
                standing.villages_with_adoptions(),
            )
        )
    )


def refresh_all(session: Session) -> tuple[int, int]:
    """Re-evaluate every village a fact could hold for: (villages, changes). Idempotent.

    Needed for facts that change with time alone (``profile.pmi_data_recent``): run daily;
    also the repair tool ``perdes checklist refresh``.
    """
    codes = villages_with_facts(session)
    return len(codes), refresh_villages(session, village_codes=codes)

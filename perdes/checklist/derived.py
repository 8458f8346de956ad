"""Derived items follow their facts: evaluated when a fact's event is published, or on demand.

A derived item whose fact holds is "terpenuhi" and *verified by the system* (no monitor
reviews a fact the app itself recorded: the tracker's promulgation event already carries its
own evidence); when the fact stops holding it drops back to "belum". Evidence and notes can
still be added to it, but nobody sets its status by hand.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts.principal import Principal
from perdes.checklist import facts, registry, services, store
from perdes.checklist.models import (
    ChecklistAssessment,
    EventKind,
    ItemStatus,
    Verification,
)
from perdes.db import utcnow
from perdes.regions.models import VillageProfile

SYSTEM = replace(Principal.system(), full_name="Sistem (otomatis)")


def refresh_village(session: Session, *, village_code: str, event: str | None = None) -> int:
    """Re-evaluate the derived items of one village (only those fed by ``event`` if given).

    Writes only when a state changes; an item whose fact does not hold and that nobody ever
    touched stays unwritten. Returns the number of items changed.
    """
    changed = 0
    for row in registry.current_versions(session):
        framework = registry.parsed(row)
        for item in framework.items():
            rule = item.rule
            if rule is None:
                continue
            fact = facts.FACTS[rule.fact]
            if event is not None and event not in fact.events:
                continue
            holds = fact.evaluate(session, village_code, rule.params)
            target = (
                (ItemStatus.TERPENUHI, Verification.DIVERIFIKASI)
                if holds
                else (ItemStatus.BELUM, Verification.BELUM)
            )
            existing = store.existing_answer(
                session, village_code=village_code, framework_slug=row.slug, item_key=item.id
            )
            if existing is None and not holds:
                continue
            same = existing is not None and (existing.status, existing.verification) == target
            if same and existing is not None and (existing.derived or not holds):
                continue
            assessment, current, answer = services.open_answer(
                session,
                actor=SYSTEM,
                village_code=village_code,
                framework_slug=row.slug,
                item_key=item.id,
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
                kind=EventKind.DERIVED,
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
            store.refresh_total(session, assessment=assessment, framework=current)
            changed += 1
    return changed


def refresh_all(session: Session) -> tuple[int, int]:
    """Re-evaluate every village that has an assessment or a profile: (villages, changes).

    Needed for facts that change with time alone (``profile.pmi_data_recent``): run daily.
    """
    codes = session.scalars(
        union(
            select(ChecklistAssessment.village_code),
            select(VillageProfile.region_code),
        )
    ).all()
    changed = sum(refresh_village(session, village_code=code) for code in codes)
    return len(codes), changed


def _on_adoption_changed(session: Session, *, village_code: str, **_: object) -> None:
    refresh_village(session, village_code=village_code, event=events.ADOPTION_CHANGED)


def _on_profile_changed(session: Session, *, village_code: str, **_: object) -> None:
    refresh_village(session, village_code=village_code, event=events.PROFILE_CHANGED)


def subscribe() -> None:
    """Follow the tracker and the village profile (idempotent)."""
    events.subscribe(events.ADOPTION_CHANGED, _on_adoption_changed)
    events.subscribe(events.PROFILE_CHANGED, _on_profile_changed)


subscribe()

"""Moving a village's assessment to a newer framework version."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.checklist import registry
from perdes.checklist.framework import Framework
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistEvidence,
    ChecklistFramework,
    ChecklistItemEvent,
    ItemEventKind,
    ItemStatus,
    Verification,
)
from perdes.checklist.store import record_event, refresh_total, submit
from perdes.db import utcnow


@dataclass(frozen=True, slots=True)
class UpgradePlan:
    """What moving from one version to another does to a village's answers, by item id."""

    kept: tuple[str, ...]  # answers carry over as they are
    recheck: tuple[str, ...]  # carried over, but a verified answer goes back to the monitor
    archived: tuple[str, ...]  # not in the new version: stay on the old assessment
    added: tuple[str, ...]  # new items, starting empty


def plan(old: Framework, new: Framework) -> UpgradePlan:
    """Pure: compare two versions item by item (``requirement_changed`` marks a recheck)."""
    new_items = {i.id: i for i in new.items()}
    kept = tuple(i for i in old.item_ids if i in new_items)
    return UpgradePlan(
        kept=tuple(i for i in kept if not new_items[i].extras.requirement_changed),
        recheck=tuple(i for i in kept if new_items[i].extras.requirement_changed),
        archived=tuple(i for i in old.item_ids if i not in new_items),
        added=tuple(i for i in new.item_ids if i not in set(old.item_ids)),
    )


def upgrade_assessment(
    session: Session,
    *,
    actor: Principal,
    old: ChecklistAssessment,
    new_row: ChecklistFramework,
) -> ChecklistAssessment:
    """Move a village to a newer framework version.

    Answers (with evidence and history) carry over for item ids the new version keeps; new
    items start empty; answers of dropped items stay on the old, superseded assessment,
    marked archived. A carried "tidak berlaku" on an item that became mandatory is reset; a
    carried verified answer to an item marked ``requirement_changed`` goes back to the
    monitor's queue. Validity periods keep running from the original verification.
    """
    framework = registry.parsed(new_row)
    now = utcnow()
    new = ChecklistAssessment(
        village_code=old.village_code, framework_id=new_row.id, created_at=now
    )
    session.add(new)
    old.superseded_at = now
    session.flush()
    for answer in session.scalars(
        select(ChecklistAnswer).where(
            ChecklistAnswer.assessment_id == old.id, ChecklistAnswer.archived_at.is_(None)
        )
    ):
        item = framework.item(answer.item_key)
        if item is None:
            answer.archived_at = now
            record_event(session, actor=actor, answer=answer, kind=ItemEventKind.DIARSIPKAN)
            continue
        copy = ChecklistAnswer(
            assessment_id=new.id,
            item_key=answer.item_key,
            status=answer.status,
            not_applicable_reason=answer.not_applicable_reason,
            note=answer.note,
            verification=answer.verification,
            rejection_reason=answer.rejection_reason,
            submitted_at=answer.submitted_at,
            verified_at=answer.verified_at,
            verified_by_id=answer.verified_by_id,
            derived=answer.derived and (item.rule is not None or item.conditional is not None),
            figures=dict(answer.figures or {}),  # the outcome's counts, a budget year
            basis=answer.basis if item.conditional is not None else None,
            updated_at=answer.updated_at,
        )
        if item.mandatory and copy.status is ItemStatus.TIDAK_BERLAKU:
            copy.status, copy.verification = ItemStatus.BELUM, Verification.BELUM
            copy.not_applicable_reason = ""
        session.add(copy)
        session.flush()
        for link in session.scalars(
            select(ChecklistEvidence).where(ChecklistEvidence.answer_id == answer.id)
        ):
            session.add(
                ChecklistEvidence(
                    answer_id=copy.id,
                    stored_file_id=link.stored_file_id,
                    added_at=link.added_at,
                    added_by_id=link.added_by_id,
                )
            )
        for event in session.scalars(
            select(ChecklistItemEvent)
            .where(ChecklistItemEvent.answer_id == answer.id)
            .order_by(ChecklistItemEvent.id)
        ):
            session.add(
                ChecklistItemEvent(
                    answer_id=copy.id,
                    at=event.at,
                    actor_id=event.actor_id,
                    actor_name=event.actor_name,
                    kind=event.kind,
                    status=event.status,
                    verification=event.verification,
                    detail=event.detail,
                )
            )
        session.flush()
        record_event(
            session,
            actor=actor,
            answer=copy,
            kind=ItemEventKind.DIBAWA,
            detail=f"versi {old.framework.version} → versi {new_row.version}",
        )
        if (
            item.extras.requirement_changed
            and not copy.derived
            and copy.verification in (Verification.DIVERIFIKASI, Verification.DITOLAK)
        ):
            submit(copy)
            record_event(session, actor=actor, answer=copy, kind=ItemEventKind.PERIKSA_ULANG)
    audit.record(
        session,
        actor=actor,
        entity="checklist_assessment",
        entity_id=new.id,
        action="upgrade",
        changes={
            "framework": (
                f"{old.framework.slug} v{old.framework.version}",
                f"{new_row.slug} v{new_row.version}",
            )
        },
        village_code=old.village_code,
    )
    refresh_total(session, assessment=new, framework=framework)
    return new


def upgrade_all(session: Session, *, actor: Principal, new_row: ChecklistFramework) -> list[str]:
    """Upgrade every current assessment of an older version of this framework.

    Returns the codes of the villages moved.
    """
    olds = list(
        session.scalars(
            select(ChecklistAssessment)
            .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
            .where(
                ChecklistFramework.slug == new_row.slug,
                ChecklistFramework.version < new_row.version,
                ChecklistAssessment.superseded_at.is_(None),
            )
        )
    )
    for old in olds:
        upgrade_assessment(session, actor=actor, old=old, new_row=new_row)
    return [old.village_code for old in olds]

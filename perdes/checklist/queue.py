"""The monitor's queue: submitted items waiting for verification across the monitor's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import registry
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ItemStatus,
    Verification,
)
from perdes.pagination import Page
from perdes.regions.models import Region


@dataclass(frozen=True, slots=True)
class QueueRow:
    village_code: str
    village_name: str
    framework_slug: str
    framework_title: str
    item_key: str
    item_title: str
    status: ItemStatus
    submitted_at: datetime | None


def list_waiting(
    session: Session, *, actor: Principal, page: int = 1, per_page: int = 25
) -> Page[QueueRow]:
    """Items waiting for verification in the actor's scope, oldest submission first.

    Raises OutOfScope unless the actor may verify.
    """
    actor.require("checklist.verify")
    stmt = (
        select(ChecklistAnswer, ChecklistFramework, Region.code, Region.name)
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .join(Region, Region.code == ChecklistAssessment.village_code)
        .where(
            ChecklistAnswer.verification == Verification.MENUNGGU,
            ChecklistAnswer.archived_at.is_(None),
            ChecklistAssessment.superseded_at.is_(None),
            actor.scope.region_clause(),
        )
    )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(ChecklistAnswer.submitted_at, ChecklistAnswer.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = []
    for answer, row, code, name in rows:
        item = registry.parsed(row).item(answer.item_key)
        items.append(
            QueueRow(
                village_code=code,
                village_name=name,
                framework_slug=row.slug,
                framework_title=row.title,
                item_key=answer.item_key,
                item_title=item.title if item else answer.item_key,
                status=answer.status,
                submitted_at=answer.submitted_at,
            )
        )
    return Page(items=items, total=total, page=page, per_page=per_page)

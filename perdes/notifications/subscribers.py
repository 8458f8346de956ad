"""What notifies someone after a write; run by the derived-data pipeline
(``perdes.pipeline.SUBSCRIBERS``) once per transaction, before it commits."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.checklist import registry
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    Verification,
)
from perdes.db import utcnow
from perdes.events import Change, Pending
from perdes.notifications.services import notify


def rejection_notices(session: Session, changes: Pending) -> None:
    """Tell the operators of each village which checklist item a monitor rejected, and why."""
    ids = sorted(int(code) for code in changes.get(Change.ITEM_REJECTED, set()))
    if not ids:
        return
    now = utcnow()
    rows = session.execute(
        select(ChecklistAnswer, ChecklistAssessment, ChecklistFramework)
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .where(ChecklistAnswer.id.in_(ids), ChecklistAnswer.verification == Verification.DITOLAK)
    ).all()
    for answer, assessment, stored in rows:
        village = assessment.village_code
        item = registry.parsed(stored).item(answer.item_key)
        title = item.title if item else answer.item_key
        operators = session.scalars(
            select(User.id)
            .join(UserScope, UserScope.user_id == User.id)
            .where(
                UserScope.region_code == village,
                User.role == Role.OPERATOR,
                User.is_active.is_(True),
            )
        ).all()
        notify(
            session,
            user_ids=operators,
            kind="item_rejected",
            title=f"Butir ceklis ditolak: {title}",
            body=f'Pemantau menolak butir "{title}". Alasan: {answer.rejection_reason}\n'
            "Perbaiki jawaban atau buktinya, lalu ajukan kembali.",
            path=f"/desa/{village}/ceklis/{stored.slug}/{answer.item_key}",
            dedupe_key=f"rejected:{answer.id}:{now.isoformat()}",
            now=now,
        )

"""Domain events that notify someone. Kept apart from the packages that publish them; when
the event subscriber table lands (branch ``pipeline``), these move into it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.db import utcnow
from perdes.notifications.services import notify


def _on_item_rejected(
    session: Session,
    *,
    village_code: str,
    framework_slug: str,
    item_key: str,
    item_title: str,
    reason: str,
) -> None:
    """Tell the village's operators which item was rejected and why."""
    operators = session.scalars(
        select(User.id)
        .join(UserScope, UserScope.user_id == User.id)
        .where(
            UserScope.region_code == village_code,
            User.role == Role.OPERATOR,
            User.is_active.is_(True),
        )
    ).all()
    now = utcnow()
    notify(
        session,
        user_ids=operators,
        kind="item_rejected",
        title=f"Butir ceklis ditolak: {item_title}",
        body=f'Pemantau menolak butir "{item_title}". Alasan: {reason}\n'
        "Perbaiki jawaban atau buktinya, lalu ajukan kembali.",
        path=f"/desa/{village_code}/ceklis/{framework_slug}/{item_key}",
        dedupe_key=f"rejected:{village_code}:{framework_slug}:{item_key}:{now.isoformat()}",
        now=now,
    )


def register() -> None:
    events.subscribe(events.CHECKLIST_ITEM_REJECTED, _on_item_rejected)


register()

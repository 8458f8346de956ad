"""The audit log: written by services on every change, read within the reader's scope."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.accounts.models import AuditEntry
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.pagination import Page
from perdes.regions.models import Region


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return str(value)


# Entities of the PMI register: their entries keep the changed field names, never the values
# (UU 27/2022: the audit log is read by monitors and admins, who never see a person's data).
MASKED_PREFIX = "pmi_"
MASK = "•••"


def _values(entity: str, before: Any, after: Any) -> list[Any]:
    if entity.startswith(MASKED_PREFIX):
        return [None if before is None else MASK, None if after is None else MASK]
    return [_jsonable(before), _jsonable(after)]


def entry_values(
    *,
    actor: Principal,
    entity: str,
    entity_id: str | int,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    village_code: str | None = None,
) -> dict[str, Any]:
    """The column values of one entry (for bulk writers that insert many at once)."""
    return {
        "at": utcnow(),
        "user_id": actor.user_id,
        "username": actor.username,
        "entity": entity,
        "entity_id": str(entity_id),
        "action": action,
        "village_code": village_code,
        "changes": {k: _values(entity, b, a) for k, (b, a) in (changes or {}).items()},
    }


def record(
    session: Session,
    *,
    actor: Principal,
    entity: str,
    entity_id: str | int,
    action: str,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    village_code: str | None = None,
) -> AuditEntry:
    """Append one entry; ``changes`` maps a field to (before, after)."""
    entry = AuditEntry(
        **entry_values(
            actor=actor,
            entity=entity,
            entity_id=entity_id,
            action=action,
            changes=changes,
            village_code=village_code,
        )
    )
    session.add(entry)
    session.flush()
    return entry


def list_entries(
    session: Session,
    *,
    actor: Principal,
    username: str = "",
    village_code: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    page: int = 1,
    per_page: int = 50,
) -> Page[AuditEntry]:
    """Entries the actor may read, newest first: admins all, monitors their villages' only."""
    actor.require("audit.view")
    stmt = select(AuditEntry)
    if not actor.scope.everything:
        stmt = stmt.join(Region, Region.code == AuditEntry.village_code).where(
            actor.scope.region_clause()
        )
    if username:
        stmt = stmt.where(AuditEntry.username == username.strip().lower())
    if village_code:
        stmt = stmt.where(AuditEntry.village_code == village_code.strip())
    if date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(date_from, time.min, tzinfo=UTC))
    if date_to and date_to < date.max:
        stmt = stmt.where(
            AuditEntry.at < datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
        )
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(
        session.scalars(
            stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .limit(per_page)
            .offset((max(page, 1) - 1) * per_page)
        )
    )
    return Page(items=items, total=total, page=max(page, 1), per_page=per_page)

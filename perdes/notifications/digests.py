"""For monitors: a weekly digest of their scope, and a daily note when items wait in their
verification queue. Every query goes through the monitor's scope filter, so a digest never
names a village outside it."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from perdes.accounts.models import User
from perdes.accounts.permissions import Role
from perdes.accounts.services import principal_for
from perdes.db import utcnow
from perdes.notifications.reminders import WIB, _tanggal
from perdes.notifications.services import notify
from perdes.regions.models import Region
from perdes.tracking.models import Adoption, AdoptionEvent

LISTED = 20


def _monitors(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role == Role.PEMANTAU, User.is_active.is_(True))
            .order_by(User.id)
        )
    )


def _waiting(session: Session, scope_clause: ColumnElement[bool]) -> list[tuple[str, str, int]]:
    from perdes.checklist.models import ChecklistVillageTotal

    rows = session.execute(
        select(Region.code, Region.name, func.sum(ChecklistVillageTotal.waiting_count))
        .join(ChecklistVillageTotal, ChecklistVillageTotal.village_code == Region.code)
        .where(scope_clause, ChecklistVillageTotal.waiting_count > 0)
        .group_by(Region.code, Region.name)
        .order_by(Region.code)
    ).all()
    return [(code, name, int(n)) for code, name, n in rows]


def send_queue_notes(session: Session, *, now: datetime | None = None) -> int:
    """Daily: each monitor with items waiting for verification in scope gets one note."""
    now = now or utcnow()
    today = now.astimezone(WIB).date()
    added = 0
    for monitor in _monitors(session):
        scope = principal_for(monitor).scope
        waiting = _waiting(session, scope.region_clause())
        if not waiting:
            continue
        items = sum(n for *_, n in waiting)
        names = ", ".join(f"{name} ({n})" for _, name, n in waiting[:LISTED])
        more = f" dan {len(waiting) - LISTED} desa lain" if len(waiting) > LISTED else ""
        added += notify(
            session,
            user_ids=[monitor.id],
            kind="queue_waiting",
            title=f"{items} butir ceklis menunggu verifikasi Anda",
            body=f"Desa: {names}{more}.",
            path="/verifikasi",
            dedupe_key=f"queue:{today.isoformat()}",
            now=now,
        )
    return added


def send_weekly_digests(session: Session, *, now: datetime | None = None) -> int:
    """Weekly: per monitor, steps recorded in the last 7 days, villages newly overdue, and
    items waiting for verification, all inside the monitor's scope."""
    now = now or utcnow()
    today: date = now.astimezone(WIB).date()
    week_ago = today - timedelta(days=7)
    year, week, _ = today.isocalendar()
    added = 0
    for monitor in _monitors(session):
        clause = principal_for(monitor).scope.region_clause()
        steps = session.scalar(
            select(func.count(AdoptionEvent.id))
            .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
            .join(Region, Region.code == Adoption.village_code)
            .where(clause, AdoptionEvent.recorded_at >= now - timedelta(days=7))
        )
        overdue = session.execute(
            select(Region.code, Region.name, Adoption.next_deadline_on)
            .join(Adoption, Adoption.village_code == Region.code)
            .where(clause, Adoption.next_deadline_on.between(week_ago, today - timedelta(days=1)))
            .order_by(Adoption.next_deadline_on, Region.code)
        ).all()
        waiting = _waiting(session, clause)
        lines = [f"Tahapan Perdes yang dicatat 7 hari terakhir: {steps or 0}."]
        if overdue:
            lines.append(f"Desa yang baru melewati tenggat ({len(overdue)}):")
            lines += [
                f"- {name} ({code}), tenggat {_tanggal(due)}"
                for code, name, due in overdue[:LISTED]
            ]
        else:
            lines.append("Tidak ada desa yang baru melewati tenggat.")
        items = sum(n for *_, n in waiting)
        lines.append(f"Butir ceklis menunggu verifikasi: {items} di {len(waiting)} desa.")
        added += notify(
            session,
            user_ids=[monitor.id],
            kind="weekly_digest",
            title=f"Ringkasan mingguan wilayah Anda, minggu {week} tahun {year}",
            body="\n".join(lines),
            path="/pemantauan",
            dedupe_key=f"digest:{year}-W{week:02d}",
            now=now,
        )
    return added

"""Deadline reminders to the village: N days before the stored next deadline, and on the day
it becomes overdue, each on the right day in the village's own time zone.

The tracker's stored ``adoption.next_deadline_on`` is used as it is (whatever unit the rules
count in). The job runs hourly; a village is reminded from 07:00 its local time, once per
(adoption, due date, kind of reminder).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.db import utcnow
from perdes.notifications.services import notify
from perdes.regions.models import Region
from perdes.tracking.deadlines import DEFAULTS
from perdes.tracking.models import Adoption

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
# Province codes (Kemendagri) by time zone; everything else is WIB.
_WITA = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT = {"81", "82", "91", "92", "93", "94", "95", "96"}
SEND_FROM = time(7, 0)


def village_zone(code: str) -> ZoneInfo:
    province = code[:2]
    if province in _WIT:
        return WIT
    if province in _WITA:
        return WITA
    return WIB


def zone_label(zone: ZoneInfo) -> str:
    return {WIB: "WIB", WITA: "WITA", WIT: "WIT"}[zone]


def send_deadline_reminders(
    session: Session, *, days_before: int, now: datetime | None = None
) -> int:
    """Notify the operators of each village whose deadline is ``days_before`` days away, or
    passed yesterday, in the village's local date; returns how many notifications were added."""
    now = now or utcnow()
    utc_today = now.date()
    # Local dates differ from UTC by at most one day: a window wide enough for every zone.
    window = (utc_today - timedelta(days=2), utc_today + timedelta(days=days_before + 1))
    rows = session.execute(
        select(Adoption, Region.name)
        .join(Region, Region.code == Adoption.village_code)
        .where(Adoption.next_deadline_on.between(*window))
    ).all()
    due: list[tuple[Adoption, str, str]] = []
    for adoption, name in rows:
        zone = village_zone(adoption.village_code)
        local = now.astimezone(zone)
        if local.time() < SEND_FROM:
            continue
        deadline = adoption.next_deadline_on
        assert deadline is not None
        if deadline - timedelta(days=days_before) == local.date():
            due.append((adoption, name, "segera"))
        elif deadline + timedelta(days=1) == local.date():
            due.append((adoption, name, "terlambat"))
    if not due:
        return 0
    operators: dict[str, list[int]] = defaultdict(list)
    codes = sorted({a.village_code for a, _, _ in due})
    for code, user_id in session.execute(
        select(UserScope.region_code, User.id)
        .join(User, User.id == UserScope.user_id)
        .where(
            UserScope.region_code.in_(codes),
            User.role == Role.OPERATOR,
            User.is_active.is_(True),
        )
    ):
        operators[code].append(user_id)
    added = 0
    for adoption, name, which in due:
        deadline = adoption.next_deadline_on
        assert deadline is not None
        step = DEFAULTS[adoption.next_deadline_kind].label if adoption.next_deadline_kind else ""
        when = _tanggal(deadline)
        if which == "segera":
            title = f"Tenggat {when}: {step}"
            body = (
                f'Desa {name}: tahapan "{step}" harus selesai paling lambat {when} '
                f"({days_before} hari lagi). Catat tahapan itu di aplikasi setelah dilakukan."
            )
        else:
            title = f"Terlambat sejak {when}: {step}"
            body = (
                f'Desa {name}: tenggat tahapan "{step}" sudah lewat ({when}). Segera '
                "lakukan dan catat tahapan itu, atau catat koreksi bila sudah dilakukan."
            )
        added += notify(
            session,
            user_ids=operators.get(adoption.village_code, []),
            kind="deadline_reminder",
            title=title,
            body=body,
            path=f"/desa/{adoption.village_code}",
            dedupe_key=f"deadline:{adoption.id}:{deadline.isoformat()}:{which}",
            now=now,
        )
    return added


def _tanggal(value: date | None) -> str:
    if value is None:
        return ""
    return format_date(value, "d MMMM y", locale="id")

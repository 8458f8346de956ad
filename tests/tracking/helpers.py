"""Helpers for tracker tests: valid step data, and walking an adoption through its stages."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.tracking import services
from perdes.tracking.models import Adoption
from perdes.tracking.stages import STAGE_ORDER, Stage

TODAY = date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17

FIELDS: dict[Stage, dict[str, str]] = {
    Stage.DISEPAKATI: {"berita_acara_number": "BA/01/2026"},
    Stage.DITETAPKAN: {"perdes_number": "5"},
    Stage.DIUNDANGKAN: {"lembaran_year": "2026", "lembaran_number": "5"},
    Stage.DILAPORKAN: {"letter_number": "140/12/2026"},
    Stage.KLARIFIKASI: {"clarification_result": "sesuai"},
}


def step_data(stage: Stage, on: date) -> dict[str, str]:
    return {"stage": stage.value, "occurred_on": on.isoformat(), **FIELDS.get(stage, {})}


def walk(
    db: Session,
    actor: Principal,
    adoption: Adoption,
    until: Stage,
    *,
    start: date = date(2026, 1, 5),
    gap: int = 3,
) -> date:
    """Record every step from the current one up to ``until``; return the last date."""
    on = adoption.current_stage_on or start
    begin = 0 if adoption.current_stage is None else STAGE_ORDER.index(adoption.current_stage) + 1
    for stage in STAGE_ORDER[begin : STAGE_ORDER.index(until) + 1]:
        on = on + timedelta(days=gap) if adoption.current_stage else on
        # The real clock: helpers also serve web tests, which date steps relative to today.
        services.record_step(db, actor=actor, adoption_id=adoption.id, data=step_data(stage, on))
    return on


def plus_working_days(start: date, days: int) -> date:
    """An independent oracle for web tests dated from the real clock: weekdays that are not
    public holidays in the ``holidays`` package (cuti bersama counted, the default rule)."""
    import holidays

    off = holidays.country_holidays("ID", years=range(start.year, start.year + 3))
    day = start
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5 and day not in off
    return day


def working_days_after(start: date, until: date) -> int:
    """Working days in (start, until], by the same oracle."""
    import holidays

    off = holidays.country_holidays("ID", years=range(start.year, until.year + 1))
    span = (until - start).days
    days = (start + timedelta(days=i) for i in range(1, span + 1))
    return sum(d.weekday() < 5 and d not in off for d in days)

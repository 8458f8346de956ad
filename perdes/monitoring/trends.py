"""Trends from history: per child region, the share of desa with a promulgated Perdes at the end
of each month or quarter, computed from the dated adoption record (not from snapshots).

Definition, as the record stands today: a desa counts as promulgated at a date when its most
recent adoption is in force now (its current stage is promulgation or later) and its
promulgation step is dated on or before that date (``Adoption.promulgated_on``, kept from the
effective steps after corrections and retractions). A Perdes cancelled at klarifikasi is
therefore not counted in the past either. Kelurahan are left out, as on the dashboard; the
denominator is the desa of the region today.

One SQL query per series: one ``SUM(CASE …)`` column per period end, grouped by child region.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import case, exists, func, select
from sqlalchemy.orm import Session, aliased

from perdes.accounts.scope import Scope
from perdes.monitoring.figures import CHILD_LEVEL, PREFIX_LENGTH, code_clauses
from perdes.regions.models import RegionLevel
from perdes.tracking.models import Adoption
from perdes.tracking.stages import PROMULGATED

PERIODS = {"bulan": 1, "kuartal": 3}
MAX_PERIODS = 60


def period_ends(start: date, end: date, period: str) -> list[date]:
    """The last day of each month (or quarter) from the one holding ``start`` to ``end``'s.

    The last entry is ``end`` itself when ``end`` falls inside its period (today, typically).
    """
    months = PERIODS[period]
    year, month = start.year, start.month
    month = ((month - 1) // months) * months + 1  # first month of start's period
    out: list[date] = []
    while True:
        last_month = month + months - 1
        last = date(year, last_month, calendar.monthrange(year, last_month)[1])
        if last >= end:
            out.append(end)
            return out
        out.append(last)
        month += months
        if month > 12:
            year, month = year + 1, month - 12


def period_label(day: date, period: str) -> str:
    if period == "kuartal":
        return f"{day.year} K{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


@dataclass(slots=True)
class TrendRow:
    code: str
    name: str = ""
    desa: int = 0
    promulgated: list[int] = field(default_factory=list)

    def share(self, index: int) -> float | None:
        if not self.desa:
            return None
        return round(100 * self.promulgated[index] / self.desa, 1)


def promulgated_by_date(
    session: Session,
    *,
    scope: Scope,
    code: str | None,
    level: RegionLevel | None,
    dates: list[date],
) -> dict[str, list[int]]:
    """Per child region of ``code``: desa promulgated on or before each date."""
    n = PREFIX_LENGTH[CHILD_LEVEL[level]]
    key = func.substr(Adoption.village_code, 1, n)
    newer = aliased(Adoption)
    on = func.coalesce(Adoption.promulgated_on, Adoption.current_stage_on)
    columns: list[Any] = [func.sum(case((on <= d, 1), else_=0)) for d in dates]
    rows = session.execute(
        select(key, *columns)
        .where(
            Adoption.current_stage.in_(list(PROMULGATED)),
            func.substr(Adoption.village_code, 10, 1) != "1",
            ~exists().where(newer.village_code == Adoption.village_code, newer.id > Adoption.id),
            *code_clauses(Adoption.village_code, scope, code),
        )
        .group_by(key)
    )
    return {row[0]: [int(v or 0) for v in row[1:]] for row in rows}

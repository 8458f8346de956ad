"""Trends from history: per child region, the share of desa with a promulgated Perdes and the
mean checklist score at the end of each month or quarter, computed from the dated adoption
record and the checklist item history (not from snapshots).

Definition, as the record stands today, on top of tracking's one answer
(``perdes.tracking.standing``: a village is promulgated when any of its Perdes is in force): a
desa counts as promulgated at a date when it has a Perdes in force now whose promulgation step
is dated on or before that date (``Adoption.promulgated_on``, kept from the effective steps
after corrections and retractions; the earliest, when several are in force). A Perdes
cancelled at klarifikasi is therefore not counted in the past either. Kelurahan are left out,
as on the dashboard; the denominator is the desa of the region today.

One SQL query for the promulgated series: one ``SUM(CASE …)`` column per period end, grouped
by child region. The scores replay the item history (see ``scores_by_date``).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.checklist import registry, scoring
from perdes.checklist.models import (
    ChecklistAnswer,
    ChecklistAssessment,
    ChecklistFramework,
    ChecklistItemEvent,
)
from perdes.checklist.scoring import ItemState
from perdes.errors import ValidationFailed
from perdes.monitoring import services
from perdes.monitoring.figures import CHILD_LEVEL, FRAMEWORK, PREFIX_LENGTH, code_clauses
from perdes.monitoring.models import TargetList, TargetListMember
from perdes.regions.codes import not_kelurahan_code
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.tracking import standing
from perdes.tracking.deadlines import DISPLAY_ZONE, local_today
from perdes.tracking.models import Adoption

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
    scores: list[tuple[float, int]] = field(default_factory=list)  # (sum, count) per date

    def share(self, index: int) -> float | None:
        if not self.desa:
            return None
        return round(100 * self.promulgated[index] / self.desa, 1)

    def mean_score(self, index: int) -> float | None:
        total, count = self.scores[index]
        return round(total / count, 1) if count else None


def promulgated_by_date(
    session: Session,
    *,
    scope: Scope,
    code: str | None,
    level: RegionLevel | None,
    dates: list[date],
    members: Any | None = None,
) -> dict[str, list[int]]:
    """Per child region of ``code``: desa promulgated on or before each date.

    ``members`` (a SELECT of village codes, e.g. a target list's) narrows the villages.
    """
    n = PREFIX_LENGTH[CHILD_LEVEL[level]]
    # A village's first promulgation among its adoptions in force now (tracking.standing:
    # promulgated = any adoption at diundangkan or later).
    on = func.coalesce(Adoption.promulgated_on, Adoption.current_stage_on)
    first = (
        select(Adoption.village_code.label("village"), func.min(on).label("first_on"))
        .where(
            Adoption.current_stage.in_(standing.PROMULGATED_STAGES),
            standing.perdes_only(),
            not_kelurahan_code(Adoption.village_code),
            *code_clauses(Adoption.village_code, scope, code),
            *([Adoption.village_code.in_(members)] if members is not None else []),
        )
        .group_by(Adoption.village_code)
        .subquery()
    )
    key = func.substr(first.c.village, 1, n)
    columns: list[Any] = [func.sum(case((first.c.first_on <= d, 1), else_=0)) for d in dates]
    rows = session.execute(select(key, *columns).group_by(key))
    return {row[0]: [int(v or 0) for v in row[1:]] for row in rows}


def _end_of(day: date) -> datetime:
    """The first instant after ``day`` in the display zone (events before it are of that day)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=DISPLAY_ZONE)


def scores_by_date(
    session: Session,
    *,
    scope: Scope,
    code: str | None,
    level: RegionLevel | None,
    dates: list[date],
) -> dict[str, list[tuple[float, int]]]:
    """Per child region: (sum, count) of the desa checklist scores at the end of each date."""
    return checklist_by_date(session, scope=scope, code=code, level=level, dates=dates)[0]


def checklist_by_date(
    session: Session,
    *,
    scope: Scope,
    code: str | None,
    level: RegionLevel | None,
    dates: list[date],
) -> tuple[dict[str, list[tuple[float, int]]], dict[str, list[int]]]:
    """Per child region at the end of each date: (sum, count) of the desa checklist scores,
    and the number of desa qualified.

    Replays the item history (``ChecklistItemEvent``: status and verification after each
    change) of every assessment of the framework, and scores each assessment that was open on
    the date with the same pure function as the stored totals (``scoring.compute``).
    """
    n = PREFIX_LENGTH[CHILD_LEVEL[level]]
    village = ChecklistAssessment.village_code
    where = [
        ChecklistFramework.slug == FRAMEWORK,
        not_kelurahan_code(village),
        *code_clauses(village, scope, code),
    ]
    assessments = session.execute(
        select(ChecklistAssessment, ChecklistFramework)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .where(*where)
    ).all()
    if not assessments:
        return {}, {}
    history = session.execute(
        select(
            ChecklistAnswer.assessment_id,
            ChecklistAnswer.item_key,
            ChecklistItemEvent.at,
            ChecklistItemEvent.status,
            ChecklistItemEvent.verification,
        )
        .join(ChecklistAnswer, ChecklistAnswer.id == ChecklistItemEvent.answer_id)
        .join(ChecklistAssessment, ChecklistAssessment.id == ChecklistAnswer.assessment_id)
        .join(ChecklistFramework, ChecklistFramework.id == ChecklistAssessment.framework_id)
        .where(*where)
        .order_by(ChecklistItemEvent.at, ChecklistItemEvent.id)
    ).all()
    states: dict[int, dict[str, ItemState]] = {a.id: {} for a, _ in assessments}
    out: dict[str, list[tuple[float, int]]] = {}
    qualified: dict[str, list[int]] = {}
    cursor = 0
    for index, day in enumerate(dates):
        end = _end_of(day)
        while cursor < len(history) and history[cursor][2] < end:
            assessment_id, key, _, status, verification = history[cursor]
            states[assessment_id][key] = ItemState(status, verification)
            cursor += 1
        for assessment, row in assessments:
            sums = out.setdefault(assessment.village_code[:n], [(0.0, 0)] * len(dates))
            passed = qualified.setdefault(assessment.village_code[:n], [0] * len(dates))
            if assessment.created_at >= end or (
                assessment.superseded_at is not None and assessment.superseded_at < end
            ):
                continue
            answers = states[assessment.id]
            result = scoring.compute(
                (item, answers.get(item.id, ItemState())) for item in registry.parsed(row).items()
            )
            if result.score is not None:
                total, count = sums[index]
                sums[index] = (total + result.score, count + 1)
            passed[index] += result.qualified
    return out, qualified


@dataclass(frozen=True, slots=True)
class Trend:
    board: services.Dashboard
    period: str
    start: date
    dates: list[date]
    labels: list[str]
    rows: list[TrendRow]
    total: TrendRow


MAX_SPAN_DAYS = 366 * 5


def trend(
    session: Session,
    *,
    actor: Principal,
    code: str | None,
    start: date,
    end: date | None = None,
    period: str = "bulan",
) -> Trend:
    """Share promulgated and mean score per child region at the end of each period."""
    board = services.dashboard(session, actor=actor, code=code, with_recent=False)
    today = board.today
    end = end or today
    errors: dict[str, str] = {}
    if period not in PERIODS:
        errors["periode"] = "Pilih bulanan atau kuartalan."
    if end > today:
        errors["sampai"] = "Tanggal akhir tidak boleh di masa depan."
    if start > end:
        errors["dari"] = "Tanggal awal harus sebelum tanggal akhir."
    elif (end - start).days > MAX_SPAN_DAYS:
        errors["dari"] = "Rentang paling lama 5 tahun."
    if errors:
        raise ValidationFailed(errors)
    dates = period_ends(start, end, period)
    level = board.region.level if board.region else None
    region_code = board.region.code if board.region else None
    promulgated = promulgated_by_date(
        session, scope=actor.scope, code=region_code, level=level, dates=dates
    )
    scores = scores_by_date(session, scope=actor.scope, code=region_code, level=level, dates=dates)
    zero = [0] * len(dates)
    none = [(0.0, 0)] * len(dates)
    rows = [
        TrendRow(
            f.code,
            f.name,
            f.desa,
            promulgated.get(f.code, zero),
            scores.get(f.code, none),
        )
        for f in board.children
    ]
    total = TrendRow(board.total.code, board.total.name, board.total.desa, list(zero), list(none))
    for row in rows:
        for i in range(len(dates)):
            total.promulgated[i] += row.promulgated[i]
            s, c = total.scores[i]
            total.scores[i] = (s + row.scores[i][0], c + row.scores[i][1])
    return Trend(board, period, start, dates, [period_label(d, period) for d in dates], rows, total)


TREND_HEADER = (
    "Kode",
    "Wilayah",
    "Periode",
    "Akhir periode",
    "Desa",
    "Diundangkan",
    "% diundangkan",
    "Rata-rata skor",
    "Desa dengan skor",
)


def trend_cells(t: Trend) -> list[tuple[object, ...]]:
    """One row per region and period (the total first), for CSV/XLSX."""
    out: list[tuple[object, ...]] = []
    for row in [t.total, *t.rows]:
        for i, day in enumerate(t.dates):
            out.append(
                (
                    row.code,
                    row.name,
                    t.labels[i],
                    day.isoformat(),
                    row.desa,
                    row.promulgated[i],
                    row.share(i),
                    row.mean_score(i),
                    row.scores[i][1],
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class TargetTrend:
    start: date
    period: str
    dates: list[date]
    labels: list[str]
    rows: list[TrendRow]  # per kecamatan of the list's desa
    total: TrendRow


def target_trend(
    session: Session,
    *,
    actor: Principal,
    target: TargetList,
    start: date,
    period: str = "bulan",
    today: date | None = None,
) -> TargetTrend:
    """A target list's progress since any date: its desa promulgated at each period end.

    Counted per kecamatan over the list's desa inside the actor's scope, from the dated
    adoption record, so a list made today shows the progress of its villages since ``start``.
    """
    today = today or local_today()
    errors: dict[str, str] = {}
    if period not in PERIODS:
        errors["periode"] = "Pilih bulanan atau kuartalan."
    if start > today:
        errors["sejak"] = "Tanggal tidak boleh di masa depan."
    elif (today - start).days > MAX_SPAN_DAYS:
        errors["sejak"] = "Rentang paling lama 5 tahun."
    if errors:
        raise ValidationFailed(errors)
    dates = period_ends(start, today, period)
    members = select(TargetListMember.village_code).where(
        TargetListMember.target_list_id == target.id
    )
    counts = promulgated_by_date(
        session,
        scope=actor.scope,
        code=None,
        level=RegionLevel.KABUPATEN,  # grouped by kecamatan (a prefix of 8)
        dates=dates,
        members=members,
    )
    desa: dict[str, int] = {}
    for district, number in session.execute(
        select(Region.district_code, func.count())
        .where(
            Region.code.in_(members),
            Region.village_kind != VillageKind.KELURAHAN,
            actor.scope.region_clause(),
        )
        .group_by(Region.district_code)
    ):
        if district:
            desa[district] = int(number)
    names = dict(
        session.execute(select(Region.code, Region.name).where(Region.code.in_(list(desa)))).all()
    )
    zero = [0] * len(dates)
    none = [(0.0, 0)] * len(dates)
    rows = [
        TrendRow(code, names.get(code, code), desa[code], counts.get(code, zero), none)
        for code in sorted(desa)
    ]
    total = TrendRow("", target.name, sum(desa.values()), list(zero), none)
    for row in rows:
        for i in range(len(dates)):
            total.promulgated[i] += row.promulgated[i]
    return TargetTrend(start, period, dates, [period_label(d, period) for d in dates], rows, total)

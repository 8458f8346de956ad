"""Dashboard figures per region and per child region, grouped in SQL from the stored read model.

Counts come from ``Adoption.current_stage``/``next_deadline_on`` and ``ChecklistVillageTotal``
(kept in step by the tracker and the checklist), never from folding the event log. Where a
village stands is tracking's answer (``perdes.tracking.standing``): its stage is that of its
latest adoption, and it counts as promulgated when any of its Perdes is in force. Kelurahan
are counted apart: they cannot make a Perdes, so every stage, score and deadline figure is
over desa (and desa adat) only.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from perdes.checklist.models import ChecklistVillageTotal
from perdes.checklist.scoring import QUALIFIED_LABEL
from perdes.regions.codes import not_kelurahan_code
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.tracking import standing
from perdes.tracking.models import Adoption
from perdes.tracking.stages import STAGE_LABELS, STAGE_ORDER, Stage

FRAMEWORK = "desa-pmi-prosedural"
NOT_STARTED = "belum_mulai"
NOT_STARTED_LABEL = "Belum mulai"
FUNNEL_KEYS: tuple[str, ...] = (NOT_STARTED, *(s.value for s in STAGE_ORDER))
FUNNEL_LABELS: dict[str, str] = {
    NOT_STARTED: NOT_STARTED_LABEL,
    **{s.value: label for s, label in STAGE_LABELS.items()},
}

# The column that names a region's children, by the region's level (None: all of Indonesia).
CHILD_LEVEL: dict[RegionLevel | None, RegionLevel] = {
    None: RegionLevel.PROVINSI,
    RegionLevel.PROVINSI: RegionLevel.KABUPATEN,
    RegionLevel.KABUPATEN: RegionLevel.KECAMATAN,
    RegionLevel.KECAMATAN: RegionLevel.DESA,
}


def child_column(level: RegionLevel | None) -> Any:
    return {
        None: Region.province_code,
        RegionLevel.PROVINSI: Region.regency_code,
        RegionLevel.KABUPATEN: Region.district_code,
        RegionLevel.KECAMATAN: Region.code,
    }[level]


def within_clause(code: str | None, level: RegionLevel | None) -> ColumnElement[bool]:
    """Villages lying inside the region ``code`` (all villages when None)."""
    if code is None or level is None:
        return true()
    column = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
        RegionLevel.KECAMATAN: Region.district_code,
        RegionLevel.DESA: Region.code,
    }[level]
    return column == code


@dataclass(slots=True)
class Figures:
    """The same figures for a region, a child region or a target list."""

    code: str = ""
    name: str = ""
    desa: int = 0
    kelurahan: int = 0
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FUNNEL_KEYS, 0))
    promulgated: int = 0
    qualified: int = 0
    overdue: int = 0
    waiting: int = 0
    score_sum: float = 0.0
    score_count: int = 0

    @property
    def started(self) -> int:
        return self.desa - self.stages[NOT_STARTED]

    @property
    def promulgated_share(self) -> float | None:
        """Percent of desa with a promulgated Perdes; None without desa."""
        return round(100 * self.promulgated / self.desa, 1) if self.desa else None

    @property
    def mean_score(self) -> float | None:
        """Mean checklist score (0–100) of the desa that have one."""
        return round(self.score_sum / self.score_count, 1) if self.score_count else None

    def add(self, other: Figures) -> None:
        self.desa += other.desa
        self.kelurahan += other.kelurahan
        for key, value in other.stages.items():
            self.stages[key] += value
        self.promulgated += other.promulgated
        self.qualified += other.qualified
        self.overdue += other.overdue
        self.waiting += other.waiting
        self.score_sum += other.score_sum
        self.score_count += other.score_count


# Columns of the region tables (screen and exports): header, attribute.
FIGURE_HEADER: tuple[str, ...] = (
    "Kode",
    "Wilayah",
    "Desa",
    "Kelurahan",
    "Belum mulai",
    "Sudah mulai",
    "Diundangkan",
    "% diundangkan",
    "Rata-rata skor",
    QUALIFIED_LABEL,
    "Menunggu verifikasi",
    "Langkah terlambat",
)
SORT_KEYS: dict[str, Any] = {
    "kode": lambda f: f.code,
    "nama": lambda f: f.name.lower(),
    "desa": lambda f: f.desa,
    "belum": lambda f: f.stages[NOT_STARTED],
    "diundangkan": lambda f: f.promulgated,
    "persen": lambda f: f.promulgated_share if f.promulgated_share is not None else -1,
    "skor": lambda f: f.mean_score if f.mean_score is not None else -1,
    "memenuhi": lambda f: f.qualified,
    "terlambat": lambda f: f.overdue,
}


def figure_cells(f: Figures) -> tuple[Any, ...]:
    """One table row, in ``FIGURE_HEADER`` order (the page and the exports share it)."""
    return (
        f.code,
        f.name,
        f.desa,
        f.kelurahan,
        f.stages[NOT_STARTED],
        f.started,
        f.promulgated,
        f.promulgated_share,
        f.mean_score,
        f.qualified,
        f.waiting,
        f.overdue,
    )


def latest_adoption_join() -> ColumnElement[bool]:
    """Join condition: the region's (village's) latest adoption only."""
    return standing.latest_adoption_join(Region.code)


def total_join() -> ColumnElement[bool]:
    return and_(
        ChecklistVillageTotal.village_code == Region.code,
        ChecklistVillageTotal.framework_slug == FRAMEWORK,
    )


def _grouped(group: Any, where: Sequence[ColumnElement[bool]], today: date) -> Select[Any]:
    overdue = case((Adoption.next_deadline_on < today, 1), else_=0)
    qualified = case((ChecklistVillageTotal.qualified.is_(True), 1), else_=0)
    waiting = case((ChecklistVillageTotal.waiting_count > 0, 1), else_=0)
    promulgated = case((standing.promulgated_clause(Region.code), 1), else_=0)
    return (
        select(
            group,
            Region.village_kind,
            Adoption.current_stage,
            func.count(),
            func.sum(promulgated),
            func.sum(overdue),
            func.sum(qualified),
            func.sum(waiting),
            func.sum(ChecklistVillageTotal.score),
            func.count(ChecklistVillageTotal.score),
        )
        .select_from(Region)
        .outerjoin(Adoption, latest_adoption_join())
        .outerjoin(ChecklistVillageTotal, total_join())
        .where(Region.level == RegionLevel.DESA, *where)
        .group_by(group, Region.village_kind, Adoption.current_stage)
    )


def fold_rows(rows: Iterable[Sequence[Any]]) -> dict[str, Figures]:
    """Fold grouped rows (key, kind, stage, n, promulgated, overdue, qualified, waiting, sum,
    count)."""
    out: dict[str, Figures] = {}
    for key, kind, stage, n, promulgated, overdue, qualified, waiting, score_sum, score_n in rows:
        figures = out.setdefault(key, Figures(code=key))
        if kind is VillageKind.KELURAHAN or kind == VillageKind.KELURAHAN.value:
            figures.kelurahan += n
            continue
        value = stage.value if isinstance(stage, Stage) else (stage or NOT_STARTED)
        figures.desa += n
        figures.stages[value] += n
        figures.promulgated += int(promulgated or 0)
        figures.overdue += int(overdue or 0)
        figures.qualified += int(qualified or 0)
        figures.waiting += int(waiting or 0)
        figures.score_sum += float(score_sum or 0)
        figures.score_count += int(score_n or 0)
    return out


def grouped_figures(
    session: Session, *, group: Any, where: Sequence[ColumnElement[bool]], today: date
) -> dict[str, Figures]:
    """Figures per value of ``group`` for the villages matching ``where``; one SQL query."""
    return fold_rows(session.execute(_grouped(group, where, today)).all())


def name_children(session: Session, children: dict[str, Figures]) -> None:
    codes = list(children)
    for start in range(0, len(codes), 900):
        chunk = codes[start : start + 900]
        for code, name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_(chunk))
        ):
            children[code].name = name


def total_of(children: Iterable[Figures], *, code: str = "", name: str = "") -> Figures:
    total = Figures(code=code, name=name)
    for child in children:
        total.add(child)
    return total


@dataclass(frozen=True, slots=True)
class RecentChange:
    recorded_at: datetime
    occurred_on: date
    stage: Stage
    kind: str
    village_code: str
    village_name: str


# --- Dashboards: three single-table aggregates ---------------------------------------------
# A child region's code is a prefix of its villages' codes, so adoptions and checklist totals
# are grouped by ``substr(village_code, 1, n)`` without joining the region table; a kelurahan
# is recognised by its code (the last part starts with 1).

PREFIX_LENGTH = {
    RegionLevel.PROVINSI: 2,
    RegionLevel.KABUPATEN: 5,
    RegionLevel.KECAMATAN: 8,
    RegionLevel.DESA: 13,
}


def code_clauses(column: Any, scope: Scope, code: str | None) -> list[ColumnElement[bool]]:
    """Village codes in ``column`` that lie in ``scope`` and inside the region ``code``."""
    clauses: list[ColumnElement[bool]] = []
    if not scope.everything:
        clauses.append(
            or_(false(), *(or_(column == c, column.startswith(c + ".")) for c in scope.codes))
        )
    if code:
        clauses.append(column.startswith(code + "."))
    return clauses


def region_figures(
    session: Session, *, scope: Scope, code: str | None, level: RegionLevel | None, today: date
) -> dict[str, Figures]:
    """Figures per child region of ``code`` (None: provinces), inside ``scope``.

    Above the kecamatan, the rollup is read (the provinsi or kabupaten rows, or at most 7,285
    kecamatan rows for a scope that cuts through them); a kecamatan's own villages are
    aggregated directly.
    """
    if level is not RegionLevel.KECAMATAN and all(len(c) <= 8 for c in scope.codes):
        return rollup_figures(session, scope=scope, code=code, level=level, today=today)
    return village_figures(session, scope=scope, code=code, level=level, today=today)


def rollup_figures(
    session: Session, *, scope: Scope, code: str | None, level: RegionLevel | None, today: date
) -> dict[str, Figures]:
    """Sum the rollup per child region: the provinsi or kabupaten rows themselves when the
    children lie wholly in the scope, else the kecamatan rows inside it, each with its name
    (empty when the region table has none). Overdue steps: the stored counts when every row
    summed was counted for ``today``, else counted live (the daily recount has not run)."""
    n = PREFIX_LENGTH[CHILD_LEVEL[level]]
    out: dict[str, Figures] = {}
    stale = 0
    # Core execution: plain columns need none of the ORM's result machinery.
    for row in session.connection().execute(_rollup_statement(scope, code, n, today)):
        figures = out[row[0]] = Figures(code=row[0], name=row[1] or "")
        figures.desa, figures.kelurahan = int(row[2] or 0), int(row[3] or 0)
        figures.promulgated, figures.qualified = int(row[4] or 0), int(row[5] or 0)
        figures.waiting = int(row[6] or 0)
        figures.score_sum, figures.score_count = float(row[7] or 0), int(row[8] or 0)
        figures.overdue = int(row[9] or 0)
        stale += int(row[10] or 0)
        stages = figures.stages
        started = 0
        for key, value in zip(_STAGE_KEYS, row[11:], strict=True):
            stages[key] = number = int(value or 0)
            started += number
        stages[NOT_STARTED] = figures.desa - started
    if stale == 0:
        return out
    for figures in out.values():
        figures.overdue = 0
    overdue_key = func.substr(Adoption.village_code, 1, n)
    for prefix, number in session.execute(
        select(overdue_key, func.count())
        .where(
            Adoption.next_deadline_on < today,
            not_kelurahan_code(Adoption.village_code),
            standing.is_latest(),
            *code_clauses(Adoption.village_code, scope, code),
        )
        .group_by(overdue_key)
    ):
        out.setdefault(prefix, Figures(code=prefix)).overdue = int(number)
    return out


_STAGE_KEYS = tuple(stage.value for stage in STAGE_ORDER)


@functools.lru_cache(maxsize=256)
def _rollup_statement(scope: Scope, code: str | None, n: int, today: date) -> Select[Any]:
    """The rollup sums per child region (``n``: the length of a child's code), with the
    child's name, kept for the next request asking the same: building the select and its
    cache key was a tenth of a dashboard's CPU. Keyed by every value it holds; immutable."""
    from perdes.monitoring.rollup import STAGE_COLUMNS, AreaRollup, DistrictRollup

    assert tuple(stage.value for stage in STAGE_COLUMNS) == _STAGE_KEYS
    whole = scope.everything or (code is not None and scope.contains(code))
    table: Any
    key: Any
    if whole and n < PREFIX_LENGTH[RegionLevel.KECAMATAN]:
        table, where = AreaRollup, [func.length(AreaRollup.code) == n]
        if code:
            where.append(AreaRollup.code.between(f"{code}.00", f"{code}.99"))
        key = AreaRollup.code
    else:
        table = DistrictRollup
        if whole and code:  # a kabupaten's kecamatan: one range of the key
            where = [DistrictRollup.district_code.between(f"{code}.00", f"{code}.99")]
        else:
            where = code_clauses(DistrictRollup.district_code, scope, code)
        key = func.substr(DistrictRollup.district_code, 1, n)
    stage_columns = [getattr(table, column) for column in STAGE_COLUMNS.values()]
    sums = (
        select(
            key.label("key"),
            func.sum(table.desa),
            func.sum(table.kelurahan),
            func.sum(table.promulgated),
            func.sum(table.qualified),
            func.sum(table.waiting),
            func.sum(table.score_sum),
            func.sum(table.score_count),
            func.sum(table.overdue),
            func.sum(case((table.overdue_on == today, 0), else_=1)),
            *(func.sum(column) for column in stage_columns),
        )
        .where(*where)
        .group_by(key)
        .subquery("sums")
    )
    columns = list(sums.c)
    return (
        select(columns[0], Region.name, *columns[1:])
        .select_from(sums)
        .outerjoin(Region, Region.code == columns[0])
    )


def village_figures(
    session: Session, *, scope: Scope, code: str | None, level: RegionLevel | None, today: date
) -> dict[str, Figures]:
    """Figures per child region of ``code`` aggregated from the villages' stored figures."""
    child_level = CHILD_LEVEL[level]
    n = PREFIX_LENGTH[child_level]
    out: dict[str, Figures] = {}
    group = child_column(level)
    # Grouped by the child column alone, the scan follows ix_region_monitoring's order.
    counts = session.execute(
        select(
            group,
            func.count(),
            func.sum(case((Region.village_kind == VillageKind.KELURAHAN, 1), else_=0)),
        )
        .where(Region.level == RegionLevel.DESA, scope.region_clause(), within_clause(code, level))
        .group_by(group)
    )
    for key, number, kelurahan in counts:
        figures = out.setdefault(key, Figures(code=key))
        figures.kelurahan += int(kelurahan or 0)
        figures.desa += number - int(kelurahan or 0)
        figures.stages[NOT_STARTED] += number - int(kelurahan or 0)
    adoption_key = func.substr(Adoption.village_code, 1, n)
    adoption_where = [
        standing.perdes_only(),
        not_kelurahan_code(Adoption.village_code),
        *code_clauses(Adoption.village_code, scope, code),
    ]
    stages = session.execute(
        select(
            adoption_key,
            Adoption.current_stage,
            func.count(),
            func.sum(case((Adoption.next_deadline_on < today, 1), else_=0)),
        )
        .where(*adoption_where)
        .group_by(adoption_key, Adoption.current_stage)
    )
    for key, stage, number, overdue in stages:
        figures = out.setdefault(key, Figures(code=key))
        figures.overdue += int(overdue or 0)
        if stage is not None:
            figures.stages[NOT_STARTED] -= number
            figures.stages[stage.value] += number
    # A village with several adoptions (a new Perdes after an earlier one) stands at its latest
    # one (``tracking.standing``): take the superseded ones back out of the funnel. They are
    # few, so this beats an anti-join probe per adoption.
    repeated = (
        select(Adoption.village_code)
        .where(*adoption_where)
        .group_by(Adoption.village_code)
        .having(func.count() > 1)
    )
    superseded = session.execute(
        select(Adoption.village_code, Adoption.current_stage, Adoption.next_deadline_on)
        .where(Adoption.village_code.in_(repeated), standing.perdes_only())
        .order_by(Adoption.village_code, Adoption.id.desc())
    ).all()
    for index, (village, stage, deadline) in enumerate(superseded):
        if index == 0 or superseded[index - 1][0] != village:
            continue  # the most recent adoption of this village stays counted
        figures = out[village[:n]]
        figures.overdue -= int(deadline is not None and deadline < today)
        if stage is not None:
            figures.stages[NOT_STARTED] += 1
            figures.stages[stage.value] -= 1
    for key, number in session.execute(
        select(group, func.count())
        .where(
            Region.level == RegionLevel.DESA,
            Region.village_kind != VillageKind.KELURAHAN,
            scope.region_clause(),
            within_clause(code, level),
            standing.promulgated_clause(Region.code),
        )
        .group_by(group)
    ):
        out.setdefault(key, Figures(code=key)).promulgated += int(number)
    total = ChecklistVillageTotal
    total_key = func.substr(total.village_code, 1, n)
    checklist = session.execute(
        select(
            total_key,
            func.sum(case((total.qualified.is_(True), 1), else_=0)),
            func.sum(case((total.waiting_count > 0, 1), else_=0)),
            func.sum(total.score),
            func.count(total.score),
        )
        .where(
            total.framework_slug == FRAMEWORK,
            not_kelurahan_code(total.village_code),
            *code_clauses(total.village_code, scope, code),
        )
        .group_by(total_key)
    )
    for key, qualified, waiting, score_sum, score_n in checklist:
        figures = out.setdefault(key, Figures(code=key))
        figures.qualified += int(qualified or 0)
        figures.waiting += int(waiting or 0)
        figures.score_sum += float(score_sum or 0)
        figures.score_count += int(score_n or 0)
    return out

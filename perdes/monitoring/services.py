"""The monitor's dashboard at every level of their scope, and the lists of villages.

Scope rule: a region inside the actor's scope is shown whole; a region that only contains
part of the scope (all of Indonesia, or Banten for a monitor of Kabupaten Serang) is shown
as the part inside the scope, and the page says so. Any other region is NotFound.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session, aliased

from perdes.accounts.principal import Principal
from perdes.checklist.models import ChecklistVillageTotal
from perdes.checklist.scoring import QUALIFIED_LABEL
from perdes.errors import NotFound
from perdes.monitoring.figures import (
    CHILD_LEVEL,
    SORT_KEYS,
    Figures,
    RecentChange,
    latest_adoption_join,
    name_children,
    region_figures,
    total_join,
    total_of,
    within_clause,
)
from perdes.monitoring.models import TargetListMember
from perdes.pagination import Page, capped_count, count_statement
from perdes.regions.codes import is_valid_code
from perdes.regions.models import LEVEL_LABELS, Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.regions.services import name_contains
from perdes.tracking.deadlines import local_today
from perdes.tracking.models import Adoption, AdoptionEvent
from perdes.tracking.stages import Stage

NATIONAL = "Indonesia"
RECENT_LIMIT = 10


@dataclass(frozen=True, slots=True)
class Crumb:
    code: str | None
    name: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    region: Region | None
    level_label: str
    crumbs: list[Crumb]
    partial: bool
    total: Figures
    children: list[Figures]
    child_level: RegionLevel
    recent: list[RecentChange]
    today: date


def resolve_region(session: Session, *, actor: Principal, code: str | None) -> Region | None:
    """The region to show, or None for all of Indonesia; NotFound outside the actor's reach.

    A region is within reach when it lies in the scope or contains part of it.
    """
    if not _reachable(actor, code):
        return None
    assert code is not None
    region = session.get(Region, code)
    if region is None:
        raise NotFound("Wilayah tidak ditemukan.")
    return region


def _reachable(actor: Principal, code: str | None) -> bool:
    """False for all of Indonesia, True for a region within reach (NotFound otherwise)."""
    actor.require("monitoring.view")
    if not code:
        return False
    if not is_valid_code(code):
        raise NotFound("Wilayah tidak ditemukan.")
    scope = actor.scope
    if not (scope.contains(code) or any(c.startswith(code + ".") for c in scope.codes)):
        raise NotFound("Wilayah tidak ditemukan.")
    return True


def _region_and_crumbs(
    session: Session, *, actor: Principal, code: str | None
) -> tuple[Region | None, list[Crumb]]:
    """``resolve_region`` and ``breadcrumbs`` in one statement: a region's ancestors' codes are
    the prefixes of its code (those that are not are looked up apart, as before)."""
    if not _reachable(actor, code):
        return None, [Crumb(None, NATIONAL)]
    assert code is not None
    parts = code.split(".")
    prefixes = tuple(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    found = {r.code: r for r in session.scalars(_regions_statement(prefixes))}
    region = found.get(code)
    if region is None:
        raise NotFound("Wilayah tidak ditemukan.")
    codes = [c for c in (region.province_code, region.regency_code, region.district_code) if c]
    codes = [c for c in codes if c != region.code]
    names = {c: found[c].name for c in codes if c in found}
    if len(names) < len(codes):
        return region, breadcrumbs(session, region)
    crumbs = [Crumb(None, NATIONAL), *(Crumb(c, names[c]) for c in codes)]
    crumbs.append(Crumb(region.code, region.name))
    return region, crumbs


@functools.lru_cache(maxsize=1024)
def _regions_statement(codes: tuple[str, ...]) -> Select[Region]:
    """The regions ``codes``, a statement kept per value (immutable, so shared)."""
    return select(Region).where(Region.code.in_(codes))


def is_partial(actor: Principal, region: Region | None) -> bool:
    """True when only the part of ``region`` inside the scope is counted."""
    if actor.scope.everything:
        return False
    return region is None or not actor.scope.contains(region.code)


def breadcrumbs(session: Session, region: Region | None) -> list[Crumb]:
    crumbs = [Crumb(None, NATIONAL)]
    if region is None:
        return crumbs
    codes = [c for c in (region.province_code, region.regency_code, region.district_code) if c]
    codes = [c for c in codes if c != region.code]
    rows = session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))
    names = {code: name for code, name in rows}
    crumbs.extend(Crumb(c, names.get(c, c)) for c in codes)
    crumbs.append(Crumb(region.code, region.name))
    return crumbs


def _where(actor: Principal, region: Region | None) -> list[ColumnElement[bool]]:
    level = region.level if region else None
    return [actor.scope.region_clause(), within_clause(region.code if region else None, level)]


def dashboard(
    session: Session,
    *,
    actor: Principal,
    code: str | None = None,
    sort: str = "kode",
    descending: bool = False,
    today: date | None = None,
    with_recent: bool = True,
) -> Dashboard:
    """Figures for ``code`` (None: Indonesia) inside the actor's scope, and per child region.

    Raises OutOfScope without ``monitoring.view`` and NotFound for a region out of reach or a
    village (villages have their own page).
    """
    region, crumbs = _region_and_crumbs(session, actor=actor, code=code)
    if region is not None and region.level is RegionLevel.DESA:
        raise NotFound("Wilayah tidak ditemukan.")
    today = today or local_today()
    level = region.level if region else None
    children = region_figures(
        session,
        scope=actor.scope,
        code=region.code if region else None,
        level=level,
        today=today,
    )
    unnamed = {key: figures for key, figures in children.items() if not figures.name}
    if unnamed:  # the rollup's rows come named
        name_children(session, unnamed)
    ordered = sort_figures(list(children.values()), sort=sort, descending=descending)
    return Dashboard(
        region=region,
        level_label=LEVEL_LABELS[region.level] if region else "Nasional",
        crumbs=crumbs,
        partial=is_partial(actor, region),
        total=total_of(
            children.values(),
            code=region.code if region else "",
            name=region.name if region else NATIONAL,
        ),
        children=ordered,
        child_level=CHILD_LEVEL[level],
        recent=recent_changes(session, actor=actor, region=region) if with_recent else [],
        today=today,
    )


def sort_figures(rows: list[Figures], *, sort: str, descending: bool) -> list[Figures]:
    key = SORT_KEYS.get(sort, SORT_KEYS["kode"])
    return sorted(rows, key=lambda f: (key(f), f.code), reverse=descending)


def recent_changes(
    session: Session, *, actor: Principal, region: Region | None, limit: int = RECENT_LIMIT
) -> list[RecentChange]:
    """The latest steps recorded in the region (inside the scope), newest first."""
    stmt = _recent_statement(
        actor.scope, region.code if region else None, region.level if region else None, limit
    )
    rows = session.connection().execute(stmt).all()  # plain columns: Core is enough
    return [RecentChange(r[0], r[1], r[2], str(r[3].value), r[4], r[5]) for r in rows]


@functools.lru_cache(maxsize=256)
def _recent_statement(
    scope: Scope, code: str | None, level: RegionLevel | None, limit: int
) -> Select[*tuple[Any, ...]]:
    """``recent_changes``' statement, kept per value (immutable, so shared)."""
    return (
        select(
            AdoptionEvent.recorded_at,
            AdoptionEvent.occurred_on,
            AdoptionEvent.stage,
            AdoptionEvent.kind,
            Region.code,
            Region.name,
        )
        .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
        .join(Region, Region.code == Adoption.village_code)
        .where(scope.region_clause(), within_clause(code, level))
        .order_by(AdoptionEvent.recorded_at.desc(), AdoptionEvent.id.desc())
        .limit(limit)
    )


# --- Lists of villages ------------------------------------------------------------------

LIST_KINDS: dict[str, str] = {
    "semua": "Semua desa/kelurahan",
    "belum_mulai": "Belum mulai",
    "terlambat": "Langkah terlambat",
    "memenuhi": QUALIFIED_LABEL,
    "menunggu": "Menunggu verifikasi",
}
VILLAGE_HEADER: tuple[str, ...] = (
    "Kode",
    "Desa/Kelurahan",
    "Jenis",
    "Kecamatan",
    "Kabupaten/Kota",
    "Tahap",
    "Tanggal tahap",
    "Tenggat berikutnya",
    "Skor",
    QUALIFIED_LABEL,
    "Butir menunggu verifikasi",
)
KIND_TEXT = {VillageKind.KELURAHAN: "Kelurahan", VillageKind.DESA: "Desa", None: "Desa"}
KIND_TEXT[VillageKind.DESA_ADAT] = "Desa Adat"


@dataclass(frozen=True, slots=True)
class VillageStatus:
    code: str
    name: str
    kind: VillageKind | None
    district_name: str
    regency_name: str
    stage: Stage | None
    stage_on: date | None
    next_deadline_on: date | None
    score: float | None
    qualified: bool
    waiting: int

    @property
    def overdue_on(self) -> date | None:
        return self.next_deadline_on

    def cells(self, stage_labels: dict[Stage, str]) -> tuple[Any, ...]:
        """One row in ``VILLAGE_HEADER`` order (the page and the exports share it)."""
        if self.kind is VillageKind.KELURAHAN:
            stage_text = "Kelurahan (tidak membentuk Perdes)"
        else:
            stage_text = stage_labels[self.stage] if self.stage else "Belum mulai"
        return (
            self.code,
            self.name,
            KIND_TEXT[self.kind],
            self.district_name,
            self.regency_name,
            stage_text,
            self.stage_on,
            self.next_deadline_on,
            round(self.score, 1) if self.score is not None else None,
            "Ya" if self.qualified else "Tidak",
            self.waiting,
        )


@dataclass(frozen=True, slots=True)
class VillageFilter:
    region_code: str | None = None
    kind: str = "semua"
    query: str = ""
    stage: str = ""
    target_list_id: int | None = None


# Statements are built once at import; each call only adds its filters (building a select with
# its aliases and the latest-adoption join was a fifth of a list page's CPU).
_DISTRICT = aliased(Region, name="district")
_REGENCY = aliased(Region, name="regency")
_LATEST = latest_adoption_join()
_TOTAL = total_join()
_LIST = (
    select(
        Region.code,
        Region.name,
        Region.village_kind,
        _DISTRICT.name,
        _REGENCY.name,
        Adoption.current_stage,
        Adoption.current_stage_on,
        Adoption.next_deadline_on,
        ChecklistVillageTotal.score,
        ChecklistVillageTotal.qualified,
        ChecklistVillageTotal.waiting_count,
    )
    .select_from(Region)
    .join(_DISTRICT, _DISTRICT.code == Region.district_code)
    .join(_REGENCY, _REGENCY.code == Region.regency_code)
    .outerjoin(Adoption, _LATEST)
    .outerjoin(ChecklistVillageTotal, _TOTAL)
)
# Counting needs neither the ancestor names nor, for most lists, the checklist join.
_COUNT = (
    select(Region.code)
    .select_from(Region)
    .outerjoin(Adoption, _LATEST)
    .outerjoin(ChecklistVillageTotal, _TOTAL)
)


def _village_select(
    *,
    dialect: str = "",
    where: list[ColumnElement[bool]],
    filters: VillageFilter,
    today: date,
    count_only: bool = False,
) -> Select[*tuple[Any, ...]]:
    stmt: Select[*tuple[Any, ...]] = _COUNT if count_only else _LIST
    stmt = stmt.where(Region.level == RegionLevel.DESA, *where)
    desa_only = Region.village_kind != VillageKind.KELURAHAN
    if filters.kind == "belum_mulai":
        stmt = stmt.where(desa_only, Adoption.current_stage.is_(None))
    elif filters.kind == "terlambat":
        stmt = stmt.where(desa_only, Adoption.next_deadline_on < today)
    elif filters.kind == "memenuhi":
        stmt = stmt.where(desa_only, ChecklistVillageTotal.qualified.is_(True))
    elif filters.kind == "menunggu":
        stmt = stmt.where(desa_only, ChecklistVillageTotal.waiting_count > 0)
    if filters.target_list_id is not None:
        stmt = stmt.where(
            Region.code.in_(
                select(TargetListMember.village_code).where(
                    TargetListMember.target_list_id == filters.target_list_id
                )
            )
        )
    if filters.stage in {s.value for s in Stage}:
        stmt = stmt.where(Adoption.current_stage == Stage(filters.stage))
    query = filters.query.strip()[:100]
    if query:
        stmt = stmt.where(name_contains(dialect, query))
    return stmt


def _order(stmt: Select[*tuple[Any, ...]], kind: str) -> Select[*tuple[Any, ...]]:
    if kind == "terlambat":
        return stmt.order_by(Adoption.next_deadline_on, Region.code)
    return stmt.order_by(Region.code)


def _status(row: Any) -> VillageStatus:
    return VillageStatus(
        code=row[0],
        name=row[1],
        kind=row[2],
        district_name=row[3],
        regency_name=row[4],
        stage=row[5],
        stage_on=row[6],
        next_deadline_on=row[7],
        score=row[8],
        qualified=bool(row[9]),
        waiting=int(row[10] or 0),
    )


def list_villages(
    session: Session,
    *,
    actor: Principal,
    filters: VillageFilter,
    page: int = 1,
    per_page: int = 50,
    today: date | None = None,
    count_cap: int | None = None,
) -> Page[VillageStatus]:
    """Villages in the actor's scope matching ``filters``, a page at a time (the count stops
    at ``count_cap``).

    Raises OutOfScope without ``monitoring.view`` and NotFound for a region out of reach.
    """
    today = today or local_today()
    region = resolve_region(session, actor=actor, code=filters.region_code)
    page = max(page, 1)
    count, rows = _list_statements(
        session.get_bind().dialect.name,
        actor.scope,
        region.code if region else None,
        region.level if region else None,
        filters,
        today,
        per_page,
        (page - 1) * per_page,
        count_cap,
    )
    # Plain rows: the Core connection skips the ORM's result handling (3 % of the page).
    connection = session.connection()
    total, capped = capped_count(connection, count, cap=count_cap)
    items = [_status(r) for r in connection.execute(rows)]
    return Page(items=items, total=total, page=page, per_page=per_page, capped=capped)


@functools.lru_cache(maxsize=256)
def _list_statements(
    dialect: str,
    scope: Scope,
    region_code: str | None,
    level: RegionLevel | None,
    filters: VillageFilter,
    today: date,
    limit: int,
    offset: int,
    count_cap: int | None,
) -> tuple[Select[int], Select[*tuple[Any, ...]]]:
    """A list page's count and rows statements, kept for the next request asking the same:
    built from scratch (the filters, then SQLAlchemy's cache key of the result) they cost a
    third of the page's SQL time. Keyed by every value they hold; immutable, so shared."""
    where = [scope.region_clause(), within_clause(region_code, level)]
    rows = _village_select(dialect=dialect, where=where, filters=filters, today=today)
    count = _village_select(
        dialect=dialect, where=where, filters=filters, today=today, count_only=True
    )
    return (
        count_statement(count, cap=count_cap),
        _order(rows, filters.kind).limit(limit).offset(offset),
    )


def iter_villages(
    session: Session, *, actor: Principal, filters: VillageFilter, today: date | None = None
) -> Iterator[VillageStatus]:
    """Every village matching ``filters`` (all pages), in list order, fetched in batches."""
    today = today or local_today()
    region = resolve_region(session, actor=actor, code=filters.region_code)
    dialect = session.get_bind().dialect.name
    stmt = _order(
        _village_select(dialect=dialect, where=_where(actor, region), filters=filters, today=today),
        filters.kind,
    )
    for row in session.execute(stmt.execution_options(yield_per=2000)):
        yield _status(row)


def recount_overdue(session: Session, *, today: date | None = None) -> int:
    """Recount every kecamatan's overdue steps in the rollup for ``today`` (the daily job
    ``rollup-overdue``); returns the rows."""
    from perdes.monitoring.rollup import refresh_overdue

    return refresh_overdue(session, today=today)

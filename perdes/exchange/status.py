"""Villages with their adoption stage and checklist totals, and per-region counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from perdes.accounts.principal import Principal
from perdes.checklist.models import ChecklistVillageTotal
from perdes.errors import NotFound
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import Region, RegionLevel
from perdes.regions.services import list_children, search_villages
from perdes.tracking import standing
from perdes.tracking.stages import Stage


@dataclass(frozen=True, slots=True)
class ChecklistTotal:
    framework: str
    score: float | None
    qualified: bool
    verified_count: int
    mandatory_missing_count: int


@dataclass(slots=True)
class VillageStatus:
    """A village with where it stands (``perdes.tracking.standing``: the stage of its latest
    adoption; promulgated when any Perdes of it is in force) and its checklist totals."""

    region: Region
    district_name: str
    regency_name: str
    province_name: str
    stage: Stage | None = None
    stage_on: date | None = None
    promulgated: bool = False
    checklists: list[ChecklistTotal] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RegionCount:
    """A region with counts over the villages under it that lie inside the actor's scope."""

    region: Region
    villages: int
    promulgated: int
    qualified: int


def _totals(session: Session, codes: list[str]) -> dict[str, list[ChecklistTotal]]:
    out: dict[str, list[ChecklistTotal]] = {}
    if not codes:
        return out
    for row in session.scalars(
        select(ChecklistVillageTotal)
        .where(ChecklistVillageTotal.village_code.in_(codes))
        .order_by(ChecklistVillageTotal.framework_slug)
    ):
        out.setdefault(row.village_code, []).append(
            ChecklistTotal(
                framework=row.framework_slug,
                score=row.score,
                qualified=row.qualified,
                verified_count=row.verified_count,
                mandatory_missing_count=row.mandatory_missing_count,
            )
        )
    return out


def village_statuses(
    session: Session,
    *,
    actor: Principal,
    region_code: str = "",
    query: str = "",
    page: int = 1,
    per_page: int = 50,
) -> Page[VillageStatus]:
    """Villages in the actor's scope (under ``region_code`` if given), by name, paginated."""
    actor.require("village.view")
    filters = {"province": "", "regency": "", "district": ""}
    if region_code:
        level = {2: "province", 5: "regency", 8: "district"}.get(len(region_code))
        if level is None or not is_valid_code(region_code):
            raise NotFound("Wilayah tidak ditemukan.")
        filters[level] = region_code
    rows = search_villages(
        session, scope=actor.scope, query=query, page=page, per_page=per_page, **filters
    )
    codes = [r.region.code for r in rows.items]
    adoptions = standing.latest_adoptions(session, codes)
    in_force = standing.promulgated_villages(session, codes)
    totals = _totals(session, codes)
    items = []
    for r in rows.items:
        adoption = adoptions.get(r.region.code)
        stage = adoption.current_stage if adoption else None
        items.append(
            VillageStatus(
                region=r.region,
                district_name=r.district_name,
                regency_name=r.regency_name,
                province_name=r.province_name,
                stage=stage,
                stage_on=adoption.current_stage_on if adoption else None,
                promulgated=r.region.code in in_force,
                checklists=totals.get(r.region.code, []),
            )
        )
    return Page(items=items, total=rows.total, page=rows.page, per_page=rows.per_page)


def village_status(session: Session, *, actor: Principal, code: str) -> VillageStatus:
    """One village's status; NotFound outside the scope."""
    page = village_statuses(session, actor=actor, query=code, per_page=1)
    if not page.items or page.items[0].region.code != code:
        raise NotFound("Desa tidak ditemukan.")
    return page.items[0]


def visible(actor: Principal, code: str) -> bool:
    """Inside the scope, or an ancestor of part of it (a monitor of a kabupaten sees its
    province as a way in)."""
    scope = actor.scope
    return scope.contains(code) or any(c.startswith(code + ".") for c in scope.codes)


def region_children(
    session: Session, *, actor: Principal, parent_code: str | None
) -> list[RegionCount]:
    """Regions directly under ``parent_code`` (provinces when None) that touch the scope, each
    with the number of villages, of promulgated Perdes and of qualified villages in scope."""
    actor.require("village.view")
    if parent_code is not None:
        if not is_valid_code(parent_code) or not visible(actor, parent_code):
            raise NotFound("Wilayah tidak ditemukan.")
        parent = session.get(Region, parent_code)
        if parent is None or parent.level is RegionLevel.DESA:
            raise NotFound("Wilayah tidak ditemukan.")
    children = list_children(session, parent_code=parent_code, scope=actor.scope)
    if not children:
        return []
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None] = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
        RegionLevel.KECAMATAN: Region.district_code,
        RegionLevel.DESA: Region.code,
    }[children[0].level]
    codes = [c.code for c in children]
    in_scope: ColumnElement[bool] = actor.scope.region_clause()
    base = (Region.level == RegionLevel.DESA, column.in_(codes), in_scope)
    villages = dict(
        session.execute(select(column, func.count()).where(*base).group_by(column)).all()
    )
    promulgated = dict(
        session.execute(
            select(column, func.count())
            .where(*base, standing.promulgated_clause(Region.code))
            .group_by(column)
        ).all()
    )
    qualified = dict(
        session.execute(
            select(column, func.count(func.distinct(ChecklistVillageTotal.village_code)))
            .join(ChecklistVillageTotal, ChecklistVillageTotal.village_code == Region.code)
            .where(*base, ChecklistVillageTotal.qualified.is_(True))
            .group_by(column)
        ).all()
    )
    return [
        RegionCount(
            region=c,
            villages=villages.get(c.code, 0),
            promulgated=promulgated.get(c.code, 0),
            qualified=qualified.get(c.code, 0),
        )
        for c in children
    ]

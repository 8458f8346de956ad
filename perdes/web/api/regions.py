"""Regions and villages: children of a region with counts; villages with stage and score."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from perdes.accounts.principal import Principal
from perdes.exchange import status
from perdes.regions.services import get_village
from perdes.register import figures as register_figures
from perdes.tracking.stages import STAGE_LABELS, Stage
from perdes.web.api.common import (
    ONE_LINE,
    PREFIX,
    Paged,
    PageParams,
    RegionCode,
    VillageCode,
    operation_id,
    page_meta,
)
from perdes.web.api.errors import READ, responses
from perdes.web.deps import DB
from perdes.web.permissions import requires

router = APIRouter(prefix=PREFIX, tags=["regions"], generate_unique_id_function=operation_id)

Viewer = Annotated[Principal, Depends(requires("village.view"))]


class RegionOut(BaseModel):
    code: str
    name: str
    level: str = Field(description="provinsi, kabupaten, kecamatan or desa")
    villages: int = Field(description="Villages under it inside your scope.")
    promulgated: int = Field(description="Of those, villages whose latest Perdes is promulgated.")
    qualified: int = Field(
        description=(
            "Of those, villages that meet every mandatory item of the proposed checklist "
            "('memenuhi butir wajib (instrumen usulan)'); not an official designation."
        )
    )


class ChecklistTotalOut(BaseModel):
    framework: str
    score: float | None = Field(description="0-100, weighted share of verified items.")
    qualified: bool = Field(
        description="Memenuhi butir wajib (instrumen usulan): every mandatory item verified."
    )
    verified_count: int
    mandatory_missing_count: int


class Ref(BaseModel):
    code: str
    name: str


class VillageOut(BaseModel):
    code: str
    name: str
    kind: str = Field(description="desa, desa_adat or kelurahan")
    can_make_perdes: bool = Field(description="False for a kelurahan.")
    district: Ref
    regency: Ref
    province: Ref
    stage: Stage | None = Field(description="Stage of the latest Perdes; null before any step.")
    stage_label: str | None
    stage_on: date | None
    promulgated: bool
    checklists: list[ChecklistTotalOut]


class ProfileOut(BaseModel):
    sebutan_desa: str
    sebutan_kepala_desa: str
    sebutan_bpd: str
    kepala_desa_name: str
    sekretaris_desa_name: str
    ketua_bpd_name: str
    pmi_active_count: int | str | None = Field(
        description='From the village\'s PMI register when it keeps one: "< 5" when under 5.'
    )
    pmi_returned_count: int | str | None
    pmi_counts_from_register: bool
    contact_phone: str
    contact_email: str
    address: str


class VillageDetailOut(VillageOut):
    profile: ProfileOut


def _village_out(row: status.VillageStatus) -> VillageOut:
    r = row.region
    return VillageOut(
        code=r.code,
        name=r.name,
        kind=(r.village_kind.value if r.village_kind else "desa"),
        can_make_perdes=r.can_make_perdes,
        district=Ref(code=r.district_code or "", name=row.district_name),
        regency=Ref(code=r.regency_code or "", name=row.regency_name),
        province=Ref(code=r.province_code, name=row.province_name),
        stage=row.stage,
        stage_label=STAGE_LABELS[row.stage] if row.stage else None,
        stage_on=row.stage_on,
        promulgated=row.promulgated,
        checklists=[_total_out(t) for t in row.checklists],
    )


def _total_out(total: status.ChecklistTotal) -> ChecklistTotalOut:
    return ChecklistTotalOut(
        framework=total.framework,
        score=total.score,
        qualified=total.qualified,
        verified_count=total.verified_count,
        mandatory_missing_count=total.mandatory_missing_count,
    )


def _regions(rows: list[status.RegionCount]) -> list[RegionOut]:
    return [
        RegionOut(
            code=r.region.code,
            name=r.region.name,
            level=r.region.level.value,
            villages=r.villages,
            promulgated=r.promulgated,
            qualified=r.qualified,
        )
        for r in rows
    ]


@router.get(
    "/regions",
    name="api_provinces",
    summary="Provinces touching your scope, with counts",
    responses=responses(*READ),
)
def provinces(db: DB, user: Viewer) -> list[RegionOut]:
    return _regions(status.region_children(db, actor=user, parent_code=None))


@router.get(
    "/regions/{code}/children",
    name="api_region_children",
    summary="Regions directly under a region, with counts",
    responses=responses(*READ),
)
def region_children(code: RegionCode, db: DB, user: Viewer) -> list[RegionOut]:
    return _regions(status.region_children(db, actor=user, parent_code=code))


@router.get(
    "/villages",
    name="api_villages",
    summary="Villages in your scope with stage, score and qualification",
    responses=responses(*READ),
)
def villages(
    db: DB,
    user: Viewer,
    paging: PageParams,
    region: Annotated[
        str,
        Query(
            pattern=r"^([0-9]{2}(\.[0-9]{2}(\.[0-9]{2})?)?)?$",
            description="Province, regency or district code to filter by.",
        ),
    ] = "",
    q: Annotated[
        str,
        Query(max_length=60, pattern=ONE_LINE, description="Name fragment or code prefix."),
    ] = "",
) -> Paged[VillageOut]:
    page = status.village_statuses(
        db,
        actor=user,
        region_code=region,
        query=q,
        page=paging.page,
        per_page=paging.per_page,
    )
    return Paged[VillageOut](items=[_village_out(v) for v in page.items], meta=page_meta(page))


@router.get(
    "/villages/{code}",
    name="api_village",
    summary="One village with its profile, stage and checklist totals",
    responses=responses(*READ),
)
def village(code: VillageCode, db: DB, user: Viewer) -> VillageDetailOut:
    row = status.village_status(db, actor=user, code=code)
    p = get_village(db, code=code, scope=user.scope).profile
    active, returned, from_register = register_figures.visible_pmi_counts(
        db, actor=user, village_code=code, active=p.pmi_active_count, returned=p.pmi_returned_count
    )
    profile = ProfileOut(
        sebutan_desa=p.sebutan_desa,
        sebutan_kepala_desa=p.sebutan_kepala_desa,
        sebutan_bpd=p.sebutan_bpd,
        kepala_desa_name=p.kepala_desa_name,
        sekretaris_desa_name=p.sekretaris_desa_name,
        ketua_bpd_name=p.ketua_bpd_name,
        pmi_active_count=active,
        pmi_returned_count=returned,
        pmi_counts_from_register=from_register,
        contact_phone=p.contact_phone,
        contact_email=p.contact_email,
        address=p.address,
    )
    return VillageDetailOut(**_village_out(row).model_dump(), profile=profile)

"""JDIHN metadata of promulgated Perdes (the integration fields JDIH sites send to jdihn.go.id).

Field names follow the JSON that JDIH sites feed to the national network (see the reference
notes on JDIHN): they are kept as is, camelCase and snake_case mixed, so that an integrator can
pass a record on unchanged. Fields the app does not hold (call number, ISBN, file URLs) are empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from perdes.accounts.principal import Principal
from perdes.errors import NotFound
from perdes.exchange.status import visible
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import DEFAULT_SEBUTAN_DESA, Region, RegionLevel, VillageProfile
from perdes.tracking.kinds import ProductKind
from perdes.tracking.models import Adoption
from perdes.tracking.stages import PROMULGATED

NOT_FOUND = "Peraturan Desa yang sudah diundangkan tidak ditemukan."
JENIS = "Peraturan Desa"
SINGKATAN = "Perdes"


@dataclass(frozen=True, slots=True)
class PerdesRecord:
    adoption: Adoption
    village: Region
    sebutan_desa: str


def metadata(record: PerdesRecord) -> dict[str, Any]:
    """The JDIHN record of one promulgated Perdes (pure: no database)."""
    a = record.adoption
    sebutan = record.sebutan_desa or DEFAULT_SEBUTAN_DESA
    desa = f"{sebutan} {record.village.name}"
    year = a.lembaran_year or (a.promulgated_on.year if a.promulgated_on else None)
    number = a.perdes_number or "…"
    judul = f"Peraturan {desa} Nomor {number} Tahun {year or '…'} tentang {a.title}"
    sumber = f"LD {desa} Tahun {year or '…'} No. {a.lembaran_number or '…'}"
    return {
        "idData": f"{record.village.code}-{a.id}",
        "tahun_pengundangan": str(year) if year else "",
        "tanggal_penetapan": a.enacted_on.isoformat() if a.enacted_on else "",
        "tanggal_pengundangan": a.promulgated_on.isoformat() if a.promulgated_on else "",
        "jenis": JENIS,
        "noPeraturan": a.perdes_number,
        "judul": judul,
        "noPanggil": "",
        "singkatanJenis": SINGKATAN,
        "tempatTerbit": record.village.name,
        "penerbit": f"Pemerintah {desa}",
        "deskripsiFisik": "",
        "sumber": sumber,
        "subjek": a.title.upper(),
        "isbn": "",
        "status": "Berlaku",
        "bahasa": "Indonesia",
        "bidangHukum": "",
        "teuBadan": desa,
        "nomorIndukBuku": "",
        "fileDownload": "",
        "urlDownload": "",
        "abstrak": a.summary,
        "urlabstrak": "",
        "urlDetailPeraturan": "",
        "operasi": "4",
        "display": "1",
    }


def _promulgated(actor: Principal) -> Select[Adoption, Region, str]:
    return (
        select(Adoption, Region, VillageProfile.sebutan_desa)
        .join(Region, Region.code == Adoption.village_code)
        .outerjoin(VillageProfile, VillageProfile.region_code == Region.code)
        .where(
            Adoption.current_stage.in_(list(PROMULGATED)),
            Adoption.promulgated_on.is_not(None),
            Adoption.kind == ProductKind.PERDES,  # this feed is of Peraturan Desa only
            actor.scope.region_clause(),
        )
    )


def perdes_metadata(session: Session, *, actor: Principal, adoption_id: int) -> dict[str, Any]:
    """The JDIHN record of one promulgated Perdes in the actor's scope; NotFound otherwise
    (also while it is not yet promulgated, or after a cancellation sent it back)."""
    actor.require("adoption.view")
    row = session.execute(_promulgated(actor).where(Adoption.id == adoption_id)).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return metadata(PerdesRecord(row[0], row[1], row[2] or ""))


def region_metadata(
    session: Session, *, actor: Principal, region_code: str, page: int = 1, per_page: int = 50
) -> Page[dict[str, Any]]:
    """JDIHN records of the promulgated Perdes under a region (any level), inside the scope,
    newest promulgation first. NotFound for an unknown region."""
    actor.require("adoption.view")
    if not is_valid_code(region_code):
        raise NotFound("Wilayah tidak ditemukan.")
    region = session.get(Region, region_code)
    if region is None or not visible(actor, region_code):
        raise NotFound("Wilayah tidak ditemukan.")
    column = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
        RegionLevel.KECAMATAN: Region.district_code,
        RegionLevel.DESA: Region.code,
    }[region.level]
    stmt = _promulgated(actor).where(column == region_code)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Adoption.promulgated_on.desc(), Adoption.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [metadata(PerdesRecord(r[0], r[1], r[2] or "")) for r in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)

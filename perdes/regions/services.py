"""Queries on regions and village profiles (every read goes through a Scope), and the profile's
validation. Saving a profile is ``perdes.profiles.services.update_profile``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from perdes.errors import NotFound, ValidationFailed
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import (
    DEFAULT_SEBUTAN_BPD,
    DEFAULT_SEBUTAN_DESA,
    DEFAULT_SEBUTAN_KEPALA_DESA,
    Region,
    RegionLevel,
    VillageProfile,
)
from perdes.regions.scope import Scope
from perdes.validation import FieldErrors, clean_count, clean_text

LOCAL_FORM_FIELDS = (
    ("jenis_peraturan", 60),
    ("singkatan_bpd", 20),
    ("sebutan_kecamatan", 40),
    ("sebutan_camat", 40),
)
PROFILE_FIELDS = (
    "sebutan_desa",
    "sebutan_kepala_desa",
    "sebutan_bpd",
    "jenis_peraturan",
    "singkatan_bpd",
    "sebutan_kecamatan",
    "sebutan_camat",
    "kepala_desa_name",
    "sekretaris_desa_name",
    "ketua_bpd_name",
    "pmi_active_count",
    "pmi_returned_count",
    "contact_phone",
    "contact_email",
    "address",
)


@dataclass(frozen=True, slots=True)
class VillageRow:
    """One line of the village directory: the village and the names of its ancestors."""

    region: Region
    district_name: str
    regency_name: str
    province_name: str


@dataclass(slots=True)
class VillageView:
    """A village with its ancestors and its profile (defaults when never edited)."""

    region: Region
    district: Region
    regency: Region
    province: Region
    profile: VillageProfile
    profile_saved: bool = field(default=False)


def get_region(session: Session, *, code: str, scope: Scope) -> Region:
    """A region of any level inside ``scope``; NotFound otherwise (also for bad codes)."""
    if not is_valid_code(code):
        raise NotFound("Wilayah tidak ditemukan.")
    region = session.scalar(select(Region).where(Region.code == code, scope.region_clause()))
    if region is None:
        raise NotFound("Wilayah tidak ditemukan.")
    return region


def get_village(session: Session, *, code: str, scope: Scope) -> VillageView:
    """A desa/kelurahan with its ancestors and profile; NotFound outside ``scope``."""
    region = get_region(session, code=code, scope=scope)
    if region.level is not RegionLevel.DESA:
        raise NotFound("Desa tidak ditemukan.")
    assert region.district_code and region.regency_code
    ancestors = {
        r.code: r
        for r in session.scalars(
            select(Region).where(
                Region.code.in_([region.district_code, region.regency_code, region.province_code])
            )
        )
    }
    profile = session.get(VillageProfile, code)
    return VillageView(
        region=region,
        district=ancestors[region.district_code],
        regency=ancestors[region.regency_code],
        province=ancestors[region.province_code],
        profile=profile or new_profile(code),
        profile_saved=profile is not None,
    )


def new_profile(code: str) -> VillageProfile:
    return VillageProfile(
        region_code=code,
        sebutan_desa=DEFAULT_SEBUTAN_DESA,
        sebutan_kepala_desa=DEFAULT_SEBUTAN_KEPALA_DESA,
        sebutan_bpd=DEFAULT_SEBUTAN_BPD,
        kepala_desa_name="",
        sekretaris_desa_name="",
        ketua_bpd_name="",
        pmi_active_count=None,
        pmi_returned_count=None,
        contact_phone="",
        contact_email="",
        address="",
        updated_at=None,
    )


def list_children(session: Session, *, parent_code: str | None, scope: Scope) -> list[Region]:
    """Regions directly under ``parent_code`` (provinces when None) that touch ``scope``.

    A region touches the scope when it lies inside it or contains part of it, so that a
    monitor of one kabupaten can still pick its province in a cascading filter.
    """
    stmt = select(Region).order_by(Region.name)
    if parent_code is None:
        stmt = stmt.where(Region.level == RegionLevel.PROVINSI)
    else:
        stmt = stmt.where(Region.parent_code == parent_code)
    if not scope.everything:
        stmt = stmt.where(or_(scope.region_clause(), Region.code.in_(_scope_ancestors(scope))))
    return list(session.scalars(stmt))


def _scope_ancestors(scope: Scope) -> list[str]:
    out: set[str] = set()
    for code in scope.codes:
        parts = code.split(".")
        out.update(".".join(parts[:i]) for i in range(1, len(parts)))
    return sorted(out)


def _village_query(
    *, scope: Scope, query: str, province: str, regency: str, district: str
) -> Select[Any]:
    stmt = select(Region).where(Region.level == RegionLevel.DESA, scope.region_clause())
    if district:
        stmt = stmt.where(Region.district_code == district)
    elif regency:
        stmt = stmt.where(Region.regency_code == regency)
    elif province:
        stmt = stmt.where(Region.province_code == province)
    q = query.strip()
    if q:
        if any(ch.isdigit() for ch in q):
            stmt = stmt.where(Region.code.startswith(q, autoescape=True))
        else:
            stmt = stmt.where(func.lower(Region.name).contains(q.lower(), autoescape=True))
    return stmt


def search_villages(
    session: Session,
    *,
    scope: Scope,
    query: str = "",
    province: str = "",
    regency: str = "",
    district: str = "",
    page: int = 1,
    per_page: int = 25,
) -> Page[VillageRow]:
    """Villages in ``scope`` matching a name fragment or a code prefix, by name, paginated."""
    base = _village_query(
        scope=scope, query=query, province=province, regency=regency, district=district
    )
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = max(1, page)
    regions = list(
        session.scalars(
            base.order_by(Region.name, Region.code).limit(per_page).offset((page - 1) * per_page)
        )
    )
    ancestor_codes = {
        c for r in regions for c in (r.district_code, r.regency_code, r.province_code)
    }
    names = {
        code: name
        for code, name in session.execute(
            select(Region.code, Region.name).where(Region.code.in_(ancestor_codes))
        )
    }
    rows = [
        VillageRow(
            region=r,
            district_name=names.get(r.district_code or "", ""),
            regency_name=names.get(r.regency_code or "", ""),
            province_name=names.get(r.province_code, ""),
        )
        for r in regions
    ]
    return Page(items=rows, total=total, page=page, per_page=per_page)


def validate_profile(data: dict[str, object]) -> dict[str, object]:
    """Clean every profile field; raise ValidationFailed with one message per bad field."""
    errors = FieldErrors()
    clean: dict[str, object] = {}
    for name, limit, required in (
        ("sebutan_desa", 40, True),
        ("sebutan_kepala_desa", 40, True),
        ("sebutan_bpd", 80, True),
        ("kepala_desa_name", 100, False),
        ("sekretaris_desa_name", 100, False),
        ("ketua_bpd_name", 100, False),
        ("address", 200, False),
    ):
        clean[name] = clean_text(
            data.get(name), field=name, errors=errors, max_length=limit, required=required
        )
    for name, limit in LOCAL_FORM_FIELDS:
        # optional overrides of the regional local forms; empty means "use the regional data"
        value = clean_text(data.get(name), field=name, errors=errors, max_length=limit)
        clean[name] = value or None
    for name in ("pmi_active_count", "pmi_returned_count"):
        clean[name] = clean_count(data.get(name), field=name, errors=errors)
    phone = clean_text(
        data.get("contact_phone"), field="contact_phone", errors=errors, max_length=20
    )
    if phone and not all(ch in "0123456789+-() " for ch in phone):
        errors.add("contact_phone", "Nomor telepon hanya boleh berisi angka, spasi, +, -, ( dan ).")
    clean["contact_phone"] = phone
    email = clean_text(
        data.get("contact_email"), field="contact_email", errors=errors, max_length=254
    )
    if email and (email.count("@") != 1 or "." not in email.split("@")[1] or " " in email):
        errors.add("contact_email", "Alamat surel tidak valid.")
    clean["contact_email"] = email
    if errors:
        raise ValidationFailed(dict(errors))
    return clean

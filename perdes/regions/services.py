"""Queries on regions and village profiles (every read goes through a Scope), and the profile's
validation. Saving a profile is ``perdes.profiles.services.update_profile``."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from perdes.errors import NotFound, ValidationFailed
from perdes.pagination import Page, capped_count, count_statement
from perdes.regions.codes import InvalidCode, is_valid_code, parse_code
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


@dataclass(frozen=True, slots=True)
class Ancestor:
    """A village's kecamatan, kabupaten or provinsi, as pages name it."""

    code: str
    name: str


@dataclass(slots=True)
class VillageView:
    """A village with its ancestors and its profile (defaults when never edited)."""

    region: Region
    district: Ancestor
    regency: Ancestor
    province: Ancestor
    profile: VillageProfile
    profile_saved: bool = field(default=False)


# Built once: building a statement and its cache key costs SQLAlchemy more than running it
# (the village page's lookups; the codes are bound parameters, the scope is kept per value).
@functools.lru_cache(maxsize=256)
def _region_in_scope(scope: Scope) -> Select[Region]:
    return select(Region).where(Region.code == bindparam("code"), scope.region_clause())


@functools.lru_cache(maxsize=256)
def _village_in_scope(
    scope: Scope,
) -> Select[Region, str, str, str, VillageProfile]:
    """A village, its three ancestors' names and its profile (if ever saved) in one row (the
    ancestors as names, not entities: loading three more entities cost more than the SQL)."""
    district, regency, province = aliased(Region), aliased(Region), aliased(Region)
    return (
        select(Region, district.name, regency.name, province.name, VillageProfile)
        .join(district, district.code == Region.district_code)
        .join(regency, regency.code == Region.regency_code)
        .join(province, province.code == Region.province_code)
        .outerjoin(VillageProfile, VillageProfile.region_code == Region.code)
        .where(
            Region.code == bindparam("code"),
            Region.level == RegionLevel.DESA,
            scope.region_clause(),
        )
    )


def get_region(session: Session, *, code: str, scope: Scope) -> Region:
    """A region of any level inside ``scope``; NotFound otherwise (also for bad codes)."""
    if not is_valid_code(code):
        raise NotFound("Wilayah tidak ditemukan.")
    region = session.scalar(_region_in_scope(scope), {"code": code})
    if region is None:
        raise NotFound("Wilayah tidak ditemukan.")
    return region


def get_village(session: Session, *, code: str, scope: Scope) -> VillageView:
    """A desa/kelurahan with its ancestors and profile; NotFound outside ``scope``."""
    row = (
        session.execute(_village_in_scope(scope), {"code": code}).one_or_none()
        if is_valid_code(code)
        else None
    )
    if row is None:
        get_region(session, code=code, scope=scope)  # NotFound: no such region in scope
        raise NotFound("Desa tidak ditemukan.")  # a region of another level
    region, district, regency, province, profile = row
    return VillageView(
        region=region,
        district=Ancestor(code[:8], district),
        regency=Ancestor(code[:5], regency),
        province=Ancestor(code[:2], province),
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


# SQLite's trigram index of region names (migration 0060); not a model, only queried. Its rowid
# is the region code without dots, so a village's is 10 digits (at least 1,000,000: the
# kabupaten part of a code is never 00, and a kecamatan's has 6 digits) and the villages under
# a region code are one range of rowids.
_NAME_INDEX = Table(
    "region_name_fts",
    MetaData(),
    Column("rowid", Integer),
    Column("name", String),
    Column("code", String),
)
_FIRST_VILLAGE_ROWID = 1_000_000
# The directory's first pages of a frequent fragment are read by walking the villages in name
# order (``ix_region_level_name``) until the page is full, instead of sorting every match:
# with at least this many matches, the first 50 are found within ~4,000 of 83,762 names.
WALK_MIN_MATCHES = 1000
WALK_MAX_ROWS = 50


def _clean_fragment(fragment: str) -> str:
    # No region name holds control or format characters, and FTS5 refuses some (NUL).
    return "".join(ch for ch in fragment if unicodedata.category(ch)[0] != "C").lower()


MIN_INDEXED_FRAGMENT = 3  # trigrams: a shorter name fragment is a scan of every name


def _trigram_phrase(dialect: str, fragment: str) -> str | None:
    """The FTS5 phrase for a fragment the SQLite name index can answer (3+ characters)."""
    if dialect != "sqlite" or len(fragment) < MIN_INDEXED_FRAGMENT:
        return None
    return '"' + fragment.replace('"', '""') + '"'  # a trigram phrase: the substring


def name_contains(dialect: str, fragment: str, *, indexed: bool = True) -> ColumnElement[bool]:
    """Regions whose name contains ``fragment`` (any case), by the name index where there is
    one: FTS5 trigram on SQLite (fragments of 3+ characters), pg_trgm GIN on PostgreSQL (the
    ``lower(name) LIKE`` below is what that index serves)."""
    fragment = _clean_fragment(fragment)
    phrase = _trigram_phrase(dialect, fragment) if indexed else None
    if phrase is not None:
        return Region.code.in_(select(_NAME_INDEX.c.code).where(_NAME_INDEX.c.name.match(phrase)))
    return func.lower(Region.name).contains(fragment, autoescape=True)


def _rowid_range(code: str, level: RegionLevel) -> ColumnElement[bool]:
    """Name-index rows of the villages under ``code`` (nothing unless it is a ``level`` code)."""
    try:
        parsed = parse_code(code)
    except InvalidCode:
        return false()
    if parsed.level is not level:
        return false()
    digits = code.replace(".", "")
    return _NAME_INDEX.c.rowid.between(int(digits.ljust(10, "0")), int(digits.ljust(10, "9")))


def _indexed_village_ids(
    phrase: str, *, scope: Scope, province: str, regency: str, district: str
) -> Select[Any]:
    """The name-index rows of the villages that ``_village_query`` finds for this phrase (the
    same filters, as rowid ranges): counted without touching the region table."""
    stmt = select(_NAME_INDEX.c.rowid).where(
        _NAME_INDEX.c.name.match(phrase), _NAME_INDEX.c.rowid >= _FIRST_VILLAGE_ROWID
    )
    if not scope.everything:
        ranges = [_rowid_range(c, parse_code(c).level) for c in scope.codes]
        stmt = stmt.where(or_(false(), *ranges))
    if district:
        stmt = stmt.where(_rowid_range(district, RegionLevel.KECAMATAN))
    elif regency:
        stmt = stmt.where(_rowid_range(regency, RegionLevel.KABUPATEN))
    elif province:
        stmt = stmt.where(_rowid_range(province, RegionLevel.PROVINSI))
    return stmt


def _village_query(
    *,
    dialect: str,
    scope: Scope,
    query: str,
    province: str,
    regency: str,
    district: str,
    indexed: bool = True,
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
            stmt = stmt.where(name_contains(dialect, q, indexed=indexed))
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
    count_cap: int | None = None,
) -> Page[VillageRow]:
    """Villages in ``scope`` matching a name fragment or a code prefix, by name, paginated;
    the count stops at ``count_cap`` (then the page says "1.000+").

    On SQLite a name fragment of 3+ characters is counted in the name index alone, and when
    it matches many villages the first pages walk the names in order (the ``lower(name)``
    match, the same villages as the index finds; ASCII fragments only, where ``lower`` and
    FTS5 fold case alike) and stop when the page is full."""
    page = max(1, page)
    count, listed, walked = _search_statements(
        session.get_bind().dialect.name,
        scope,
        query.strip(),
        province,
        regency,
        district,
        per_page,
        (page - 1) * per_page,
        count_cap,
    )
    total, capped = capped_count(session, count, cap=count_cap)
    chosen = walked if walked is not None and total >= WALK_MIN_MATCHES else listed
    regions = list(session.scalars(chosen))
    ancestor_codes = {
        c for r in regions for c in (r.district_code, r.regency_code, r.province_code) if c
    }
    names = {
        code: name for code, name in session.execute(_NAMES, {"codes": sorted(ancestor_codes)})
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
    return Page(items=rows, total=total, page=page, per_page=per_page, capped=capped)


_NAMES = select(Region.code, Region.name).where(Region.code.in_(bindparam("codes", expanding=True)))


@functools.lru_cache(maxsize=256)
def _search_statements(
    dialect: str,
    scope: Scope,
    q: str,
    province: str,
    regency: str,
    district: str,
    limit: int,
    offset: int,
    count_cap: int | None,
) -> tuple[Select[int], Select[Any], Select[Any] | None]:
    """A directory page's statements, kept for the next request asking the same (building
    them, then SQLAlchemy's cache key of each, was a sixth of the page's CPU): the count,
    the page through the name index, and, where the first pages may walk the names in order
    instead (a frequent ASCII fragment; taken when the count reaches ``WALK_MIN_MATCHES``),
    the page by that walk. Keyed by every value they hold; immutable, so shared."""
    filters = {"province": province, "regency": regency, "district": district}
    base = _village_query(
        dialect=dialect, scope=scope, query=q, province=province, regency=regency, district=district
    )
    phrase = None if any(ch.isdigit() for ch in q) else _trigram_phrase(dialect, _clean_fragment(q))

    def paged(stmt: Select[Any]) -> Select[Any]:
        return stmt.order_by(Region.name, Region.code).limit(limit).offset(offset)

    if phrase is None:
        return (
            count_statement(base.with_only_columns(Region.code), cap=count_cap),
            paged(base),
            None,
        )
    count = count_statement(_indexed_village_ids(phrase, scope=scope, **filters), cap=count_cap)
    walked = None
    if offset + limit <= WALK_MAX_ROWS and q.isascii():
        walked = paged(
            _village_query(
                dialect=dialect,
                scope=scope,
                query=q,
                province=province,
                regency=regency,
                district=district,
                indexed=False,
            )
        )
    return count, paged(base), walked


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

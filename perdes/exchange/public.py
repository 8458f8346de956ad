"""The public register of village legal products: what anyone may see without signing in.

Only **published** products are public (``Adoption.published_on``: promulgated, or set for a
Keputusan); a product still in the making, or a region that is not a village or kabupaten,
is "not found". A product is shown with its status (berlaku / diubah / dicabut /
dibatalkan, ``perdes.tracking.links``), its numbers and dates, and its **official scan**:
only a file attached to the publication step itself (the signed, promulgated text), never
other evidence (attendance lists and minutes may name people). Nothing here names a person:
no recorder, no uploader, no file name a user typed.

The JDIHN records (``jdihn_records``) are the same products in the integration fields JDIH
sites send to jdihn.go.id, as a bare list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, raiseload, selectinload

from perdes.errors import NotFound
from perdes.files import StoredFile
from perdes.pagination import Page
from perdes.regions.codes import is_valid_code
from perdes.regions.models import DEFAULT_SEBUTAN_DESA, Region, RegionLevel, VillageProfile
from perdes.tracking.kinds import KIND_LABELS, KIND_SHORT, ProductKind
from perdes.tracking.links import (
    IN_FORCE,
    STATUS_LABELS,
    LegalStatus,
    Publication,
    publication,
    statuses,
)
from perdes.tracking.models import (
    Adoption,
    AdoptionEvent,
    AdoptionEventFile,
    LegalProductLink,
    LegalProductParty,
)

NOT_FOUND = "Produk hukum tidak ditemukan atau belum diundangkan."
REGION_NOT_FOUND = "Wilayah tidak ditemukan."
MAX_PER_PAGE = 100
MAX_PAGE = 10_000


@dataclass(frozen=True, slots=True)
class PublicProduct:
    """One published product as the public sees it."""

    adoption: Adoption
    village: Region
    sebutan_desa: str
    publication: Publication
    status: LegalStatus
    scan: StoredFile | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.adoption.kind]

    @property
    def in_force(self) -> bool:
        return self.status in IN_FORCE

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def place(self) -> str:
        return f"{self.sebutan_desa or DEFAULT_SEBUTAN_DESA} {self.village.name}"

    @property
    def citation(self) -> str:
        """E.g. "Peraturan Desa Lontar Nomor 5 Tahun 2026 tentang …"."""
        kind = self.adoption.kind
        year = self.publication.enacted_on.year if self.publication.enacted_on else "…"
        name = {
            ProductKind.PERDES: f"Peraturan {self.place}",
            ProductKind.PERKADES: f"Peraturan Kepala {self.place}",
            ProductKind.KEPDES: f"Keputusan Kepala {self.place}",
            ProductKind.PERATURAN_BERSAMA: "Peraturan Bersama Kepala Desa",
        }[kind]
        return (
            f"{name} Nomor {self.publication.number or '…'} Tahun {year} "
            f"tentang {self.adoption.title}"
        )

    @property
    def scan_name(self) -> str:
        """A generated file name (never the uploader's): kind-village-number-year.ext."""
        ext = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            self.scan.media_type if self.scan else "", "bin"
        )
        number = re.sub(r"[^0-9A-Za-z]+", "-", self.publication.number).strip("-") or "x"
        village = re.sub(r"[^0-9A-Za-z]+", "-", self.village.name).strip("-").lower()
        year = self.publication.published_on.year
        return f"{KIND_SHORT[self.adoption.kind].lower()}-{village}-{number}-{year}.{ext}"


def _published() -> Select[Adoption, Region, str]:
    return (
        select(Adoption, Region, VillageProfile.sebutan_desa)
        .join(Region, Region.code == Adoption.village_code)
        .outerjoin(VillageProfile, VillageProfile.region_code == Region.code)
        .where(Adoption.published_on.is_not(None))
        # The steps are folded; their evidence is not shown (only the scan, read by _scans).
        .options(
            selectinload(Adoption.events).options(
                raiseload(AdoptionEvent.files), raiseload(AdoptionEvent.file_links)
            )
        )
    )


def _scans(session: Session, event_ids: list[int]) -> dict[int, StoredFile]:
    """The latest file attached to each publication event (the official scan)."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(AdoptionEventFile.event_id, StoredFile)
        .join(StoredFile, StoredFile.id == AdoptionEventFile.stored_file_id)
        .where(AdoptionEventFile.event_id.in_(event_ids))
        .order_by(AdoptionEventFile.attached_at, StoredFile.id)
    ).all()
    return {event_id: stored for event_id, stored in rows}


def _build(session: Session, rows: list[Any]) -> list[PublicProduct]:
    pubs: dict[int, Publication] = {}
    for adoption, _region, _sebutan in rows:
        pub = publication(adoption)
        if pub is not None:
            pubs[adoption.id] = pub
    found = statuses(session, dict(pubs))
    scans = _scans(
        session, [p.publication_event_id for p in pubs.values() if p.publication_event_id]
    )
    out = []
    for adoption, region, sebutan in rows:
        pub = pubs.get(adoption.id)
        status = found.get(adoption.id)
        if pub is None or status is None:
            continue  # published_on stored, but the steps say otherwise: never shown
        scan = scans.get(pub.publication_event_id) if pub.publication_event_id else None
        out.append(PublicProduct(adoption, region, sebutan or "", pub, status, scan))
    return out


def check_paging(page: int, per_page: int) -> None:
    """Raise ValueError for a page or page size out of bounds (callers answer 422)."""
    if not 1 <= page <= MAX_PAGE or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError(f"page must be 1..{MAX_PAGE}, per_page 1..{MAX_PER_PAGE}")


def _region(session: Session, code: str, level: RegionLevel) -> Region:
    region = session.get(Region, code) if is_valid_code(code) else None
    if region is None or region.level is not level:
        raise NotFound(REGION_NOT_FOUND)
    return region


def _where_region(region: Region) -> Any:
    if region.level is RegionLevel.DESA:
        partner = exists().where(
            LegalProductParty.adoption_id == Adoption.id,
            LegalProductParty.village_code == region.code,
        )
        return or_(Adoption.village_code == region.code, partner)
    column = {
        RegionLevel.PROVINSI: Region.province_code,
        RegionLevel.KABUPATEN: Region.regency_code,
        RegionLevel.KECAMATAN: Region.district_code,
    }[region.level]
    return column == region.code


def region_products(
    session: Session, *, region: Region, page: int = 1, per_page: int = 50
) -> Page[PublicProduct]:
    """The published products of a village (its own and the Peraturan Bersama it is party to)
    or of every village under a region, newest publication first."""
    check_paging(page, per_page)
    stmt = _published().where(_where_region(region))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.execute(
        stmt.order_by(Adoption.published_on.desc(), Adoption.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items=_build(session, list(rows)), total=total, page=page, per_page=per_page)


def public_village(session: Session, *, village_code: str) -> Region:
    """A village (desa or kelurahan) by code; NotFound otherwise."""
    return _region(session, village_code, RegionLevel.DESA)


def public_regency(session: Session, *, regency_code: str) -> Region:
    """A kabupaten/kota by code; NotFound otherwise."""
    return _region(session, regency_code, RegionLevel.KABUPATEN)


def public_region(session: Session, *, code: str) -> Region:
    """Any region by code (province to village), for the JDIHN feed; NotFound otherwise."""
    region = session.get(Region, code) if is_valid_code(code) else None
    if region is None:
        raise NotFound(REGION_NOT_FOUND)
    return region


def public_product(session: Session, *, village_code: str, product_id: int) -> PublicProduct:
    """One published product of this village (or one it is party to). NotFound when it does
    not exist, is not published, or belongs to another village."""
    village = public_village(session, village_code=village_code)
    rows = session.execute(
        _published().where(Adoption.id == product_id, _where_region(village))
    ).all()
    built = _build(session, list(rows))
    if not built:
        raise NotFound(NOT_FOUND)
    return built[0]


def related(session: Session, *, product: PublicProduct) -> list[tuple[str, PublicProduct]]:
    """The published products this one amends/repeals or is amended/repealed by, with the
    relation in words ("Mencabut", "Dicabut dengan", …)."""
    links = session.scalars(
        select(LegalProductLink).where(
            or_(
                LegalProductLink.source_id == product.adoption.id,
                LegalProductLink.target_id == product.adoption.id,
            )
        )
    ).all()
    other_ids = {
        (link.target_id if link.source_id == product.adoption.id else link.source_id): link
        for link in links
    }
    rows = session.execute(_published().where(Adoption.id.in_(list(other_ids)))).all()
    out = []
    for other in _build(session, list(rows)):
        link = other_ids[other.adoption.id]
        outgoing = link.source_id == product.adoption.id
        verb = {("mengubah", True): "Mengubah", ("mencabut", True): "Mencabut",
                ("mengubah", False): "Diubah dengan", ("mencabut", False): "Dicabut dengan"}[
            (link.kind.value, outgoing)
        ]  # fmt: skip
        out.append((verb, other))
    return out


def partner_names(session: Session, *, product: PublicProduct) -> list[str]:
    """The names of a Peraturan Bersama's partner villages (none for other kinds)."""
    codes = [p.village_code for p in product.adoption.partners]
    if not codes:
        return []
    return list(
        session.scalars(select(Region.name).where(Region.code.in_(codes)).order_by(Region.code))
    )


def last_modified(session: Session, *, region: Region) -> datetime | None:
    """When a product the public listing of ``region`` shows last changed (a step, a
    correction, a link: each touches ``updated_at``), for Last-Modified."""
    changed = session.scalar(
        select(func.max(Adoption.updated_at))
        .join(Region, Region.code == Adoption.village_code)
        # every product of the region, published or not: one that was just withdrawn from
        # publication changed the listing too
        .where(_where_region(region))
    )
    if changed is None:
        return None
    return (changed if changed.tzinfo else changed.replace(tzinfo=UTC)).replace(microsecond=0)


JDIHN_STATUS = {True: "Berlaku", False: "Tidak Berlaku"}


def jdihn_record(
    product: PublicProduct, *, detail_url: str, file_url: str | None
) -> dict[str, Any]:
    """One product in the JDIHN integration fields (names as JDIH sites send them to
    jdihn.go.id; see the reference notes). Status "Tidak Berlaku" for a repealed or
    annulled product; an amended one is still "Berlaku"."""
    a, pub = product.adoption, product.publication
    year = pub.published_on.year
    kind = a.kind
    return {
        "idData": f"{product.village.code}-{a.id}",
        "tahun_pengundangan": str(year),
        "tanggal_penetapan": pub.enacted_on.isoformat() if pub.enacted_on else "",
        "tanggal_pengundangan": pub.published_on.isoformat(),
        "jenis": KIND_LABELS[kind],
        "noPeraturan": pub.number,
        "judul": product.citation,
        "noPanggil": "",
        "singkatanJenis": KIND_SHORT[kind],
        "tempatTerbit": product.village.name,
        "penerbit": f"Pemerintah {product.place}",
        "deskripsiFisik": "",
        "sumber": pub.gazette,
        "subjek": a.title.upper(),
        "isbn": "",
        "status": JDIHN_STATUS[product.in_force],
        "bahasa": "Indonesia",
        "bidangHukum": "",
        "teuBadan": product.place,
        "nomorIndukBuku": "",
        "fileDownload": product.scan_name if product.scan is not None else "",
        "urlDownload": file_url or "",
        "abstrak": a.summary,
        "urlabstrak": "",
        "urlDetailPeraturan": detail_url,
        "operasi": "4",
        "display": "1",
    }


def jdihn_records(
    session: Session,
    *,
    region: Region,
    page: int,
    per_page: int,
    urls: Callable[[PublicProduct], tuple[str, str | None]],
) -> Page[dict[str, Any]]:
    """The JDIHN records of the published products under ``region``, newest first;
    ``urls(product)`` gives its detail page and scan URLs (the web layer knows them)."""
    found = region_products(session, region=region, page=page, per_page=per_page)
    items = []
    for product in found.items:
        detail, scan = urls(product)
        items.append(jdihn_record(product, detail_url=detail, file_url=scan))
    return Page(items=items, total=found.total, page=found.page, per_page=found.per_page)

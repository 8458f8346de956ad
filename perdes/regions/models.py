"""Region registry keyed by Kemendagri code, and the editable profile of a village."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.db import Base, UTCDateTime, utcnow


class RegionLevel(StrEnum):
    PROVINSI = "provinsi"
    KABUPATEN = "kabupaten"
    KECAMATAN = "kecamatan"
    DESA = "desa"


class VillageKind(StrEnum):
    """The first digit of the last code part: 1 kelurahan, 2 desa, 3 desa adat."""

    KELURAHAN = "kelurahan"
    DESA = "desa"
    DESA_ADAT = "desa_adat"


DEFAULT_SEBUTAN_DESA = "Desa"
DEFAULT_SEBUTAN_KEPALA_DESA = "Kepala Desa"
DEFAULT_SEBUTAN_BPD = "Badan Permusyawaratan Desa"


class Region(Base):
    """A provinsi, kabupaten/kota, kecamatan or desa/kelurahan of the Kemendagri register."""

    __tablename__ = "region"
    __table_args__ = (
        Index("ix_region_parent_name", "parent_code", "name"),
        Index("ix_region_level_name", "level", "name"),
    )

    code: Mapped[str] = mapped_column(String(13), primary_key=True, comment="e.g. 36.04.13.2007")
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[RegionLevel] = mapped_column(
        Enum(
            RegionLevel,
            native_enum=False,
            length=12,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code", ondelete="RESTRICT"))
    province_code: Mapped[str] = mapped_column(String(2), index=True, comment="2-digit ancestor")
    regency_code: Mapped[str | None] = mapped_column(String(5), index=True)
    district_code: Mapped[str | None] = mapped_column(String(8), index=True)
    village_kind: Mapped[VillageKind | None] = mapped_column(
        Enum(
            VillageKind,
            native_enum=False,
            length=12,
            values_callable=lambda e: [m.value for m in e],
        ),
        comment="only for level desa",
    )

    parent: Mapped[Region | None] = relationship(remote_side=[code], lazy="raise")
    profile: Mapped[VillageProfile | None] = relationship(back_populates="region", lazy="raise")

    @property
    def can_make_perdes(self) -> bool:
        """A kelurahan is part of the regency administration and cannot enact a Perdes."""
        from perdes.regions.eligibility import can_make_perdes

        return self.level is RegionLevel.DESA and can_make_perdes(self.code)

    @property
    def kind_label(self) -> str:
        if self.level is not RegionLevel.DESA:
            return LEVEL_LABELS[self.level]
        return KIND_LABELS[self.village_kind or VillageKind.DESA]


LEVEL_LABELS = {
    RegionLevel.PROVINSI: "Provinsi",
    RegionLevel.KABUPATEN: "Kabupaten/Kota",
    RegionLevel.KECAMATAN: "Kecamatan",
    RegionLevel.DESA: "Desa/Kelurahan",
}
KIND_LABELS = {
    VillageKind.KELURAHAN: "Kelurahan",
    VillageKind.DESA: "Desa",
    VillageKind.DESA_ADAT: "Desa Adat",
}


class VillageProfile(Base):
    """What a village keeps about itself: local terms, officials, PMI counts, contact."""

    __tablename__ = "village_profile"
    __table_args__ = (
        CheckConstraint("pmi_active_count >= 0", name="pmi_active_nonnegative"),
        CheckConstraint("pmi_returned_count >= 0", name="pmi_returned_nonnegative"),
    )

    region_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    sebutan_desa: Mapped[str] = mapped_column(String(40), default=DEFAULT_SEBUTAN_DESA)
    sebutan_kepala_desa: Mapped[str] = mapped_column(
        String(40), default=DEFAULT_SEBUTAN_KEPALA_DESA
    )
    sebutan_bpd: Mapped[str] = mapped_column(String(80), default=DEFAULT_SEBUTAN_BPD)
    # Overrides of templates/perdes/local-forms.yaml (None: the regional data applies).
    jenis_peraturan: Mapped[str | None] = mapped_column(
        String(60),
        comment="regulation name, e.g. Qanun Gampong (empty: regional data)",
    )
    singkatan_bpd: Mapped[str | None] = mapped_column(
        String(20), comment="official abbreviation of the village council (empty: regional data)"
    )
    sebutan_kecamatan: Mapped[str | None] = mapped_column(
        String(40), comment="the district term, e.g. Distrik (empty: regional data)"
    )
    sebutan_camat: Mapped[str | None] = mapped_column(
        String(40), comment="the district head, e.g. Kepala Distrik (empty: regional data)"
    )
    kepala_desa_name: Mapped[str] = mapped_column(String(100), default="")
    sekretaris_desa_name: Mapped[str] = mapped_column(String(100), default="")
    ketua_bpd_name: Mapped[str] = mapped_column(String(100), default="")
    pmi_active_count: Mapped[int | None] = mapped_column(
        Integer, comment="migrant workers abroad now (aggregate, no names)"
    )
    pmi_returned_count: Mapped[int | None] = mapped_column(
        Integer, comment="returned migrant workers, purna PMI (aggregate)"
    )
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(
        Integer, server_default="1", comment="optimistic lock: a stale profile form is refused"
    )

    region: Mapped[Region] = relationship(back_populates="profile", lazy="raise")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

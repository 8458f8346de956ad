"""The village PMI register: persons, their migration episodes, and the data-protection
records (access log, requests of the person, breaches).

Minimal fields only (UU 27/2022 Pasal 16): what a purpose of UU 18/2017 Pasal 42 needs.
NIK and phone numbers are stored sealed (authenticated encryption, ``register.crypto``), the
NIK also as a keyed hash for look-up and duplicates. URLs carry ``public_id``, never a NIK
or a row number.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.db import Base, UTCDateTime, utcnow


def _values(e: type[StrEnum]) -> list[str]:
    return [m.value for m in e]


def _enum(e: type[StrEnum], length: int = 24) -> Enum:
    return Enum(e, native_enum=False, length=length, values_callable=_values)


class Sex(StrEnum):
    # Named after the stored code, as every enum (tests/test_conventions.py): the L/P of
    # the KTP-el and the Dukcapil records.
    L = "L"  # laki-laki
    P = "P"  # perempuan


class Channel(StrEnum):
    """The placement channel a person considers or used."""

    P3MI = "p3mi"
    PEMERINTAH = "pemerintah"
    PERUSAHAAN_SENDIRI = "perusahaan_sendiri"
    PERSEORANGAN = "perseorangan"


class DocumentKind(StrEnum):
    KTP_EL = "ktp_el"
    KK = "kk"
    AKTA_IJAZAH = "akta_ijazah"
    STATUS_PERKAWINAN = "status_perkawinan"
    IZIN_KELUARGA = "izin_keluarga"
    SERTIFIKAT_KOMPETENSI = "sertifikat_kompetensi"
    PEMERIKSAAN_KESEHATAN = "pemeriksaan_kesehatan"
    JAMINAN_SOSIAL = "jaminan_sosial"
    PASPOR = "paspor"
    VISA_KERJA = "visa_kerja"
    PERJANJIAN_PENEMPATAN = "perjanjian_penempatan"
    PERJANJIAN_KERJA = "perjanjian_kerja"


class DocumentStatus(StrEnum):
    BELUM = "belum"
    ADA = "ada"
    SESUAI = "sesuai"
    TIDAK_SESUAI = "tidak_sesuai"


class ReturnCondition(StrEnum):
    SEHAT = "sehat"
    SAKIT = "sakit"
    MENINGGAL = "meninggal"


class CaseStatus(StrEnum):
    DIBUKA = "dibuka"
    DIRUJUK = "dirujuk"
    SELESAI = "selesai"


class Referral(StrEnum):
    BELUM = "belum"
    DINAS = "dinas"
    BP3MI = "bp3mi"


class EmpowermentKind(StrEnum):
    PELATIHAN = "pelatihan"
    KELOMPOK_USAHA = "kelompok_usaha"
    KKBM = "kkbm"


class RequestKind(StrEnum):
    """What the person asks about their own data (UU 27/2022, rights of the data subject)."""

    AKSES = "akses"
    KOREKSI = "koreksi"
    PENGHAPUSAN = "penghapusan"
    # Stored as "keberatan" since the first release; it is the request to have processing
    # suspended or limited (UU 27/2022), shown as "Penundaan atau pembatasan pemrosesan".
    # UU 27/2022's own "keberatan" concerns decisions taken by automated processing alone,
    # which the register never makes.
    KEBERATAN = "keberatan"
    # The person withdraws it: granted, the restriction ends from that answer on.
    PENCABUTAN_PEMBATASAN = "pencabutan_pembatasan"


class RequestStatus(StrEnum):
    DITERIMA = "diterima"
    DIKABULKAN = "dikabulkan"
    DITOLAK = "ditolak"


class PmiPerson(Base):
    """A Calon PMI, PMI or PMI purna recorded by the village (UU 18/2017 Pasal 42 huruf b)."""

    __tablename__ = "pmi_person"
    __table_args__ = (Index("ix_pmi_person_village_code_name", "village_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(24), unique=True, comment="opaque random id used in URLs"
    )
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code", ondelete="RESTRICT"))
    nik_sealed: Mapped[str | None] = mapped_column(
        Text, comment="NIK, sealed; None once anonymised"
    )
    nik_hash: Mapped[str | None] = mapped_column(
        String(64), unique=True, comment="keyed hash of the NIK: look-up and duplicates"
    )
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[Sex] = mapped_column(_enum(Sex, 1))
    birth_on: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(String(200), default="")
    rt: Mapped[str] = mapped_column(String(3), default="")
    rw: Mapped[str] = mapped_column(String(3), default="")
    phone_sealed: Mapped[str | None] = mapped_column(Text, comment="phone number, sealed")
    family_contact_name: Mapped[str] = mapped_column(String(100), default="")
    family_contact_relation: Mapped[str] = mapped_column(String(40), default="")
    family_contact_phone_sealed: Mapped[str | None] = mapped_column(
        Text, comment="family contact's phone, sealed"
    )
    share_with_pendamping: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="the person's consent to show the pendamping a summary"
    )
    consent_recorded_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="set by the retention job; identifying fields then blank"
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    consultations: Mapped[list[Consultation]] = relationship(
        back_populates="person", order_by="Consultation.held_on", cascade="all, delete-orphan"
    )
    documents: Mapped[list[DocumentCheck]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    letters: Mapped[list[FamilyLetter]] = relationship(
        back_populates="person", order_by="FamilyLetter.id", cascade="all, delete-orphan"
    )
    departures: Mapped[list[Departure]] = relationship(
        back_populates="person", order_by="Departure.departed_on", cascade="all, delete-orphan"
    )
    returns: Mapped[list[Return]] = relationship(
        back_populates="person", order_by="Return.returned_on", cascade="all, delete-orphan"
    )
    cases: Mapped[list[Case]] = relationship(
        back_populates="person", order_by="Case.opened_on", cascade="all, delete-orphan"
    )
    empowerments: Mapped[list[Empowerment]] = relationship(
        back_populates="person", order_by="Empowerment.started_on", cascade="all, delete-orphan"
    )


def _person_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("pmi_person.id", ondelete="CASCADE"), index=True)


def _basis() -> Mapped[str]:
    return mapped_column(
        String(200),
        comment="the legal basis of the purpose, as recorded (register.basis.LEGAL_BASES)",
    )


class Consultation(Base):
    """A migration consultation given by the village (UU 18/2017 Pasal 42 huruf a)."""

    __tablename__ = "pmi_consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    held_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    information: Mapped[str] = mapped_column(Text, default="", comment="information given")
    legal_basis: Mapped[str] = _basis()
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[PmiPerson] = relationship(back_populates="consultations")


class DocumentCheck(Base):
    """One document of the checklist for the person's channel, its status and optional scan."""

    __tablename__ = "pmi_document_check"
    __table_args__ = (UniqueConstraint("person_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("pmi_person.id", ondelete="CASCADE"))
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind))
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus))
    checked_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")
    stored_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    legal_basis: Mapped[str] = _basis()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    person: Mapped[PmiPerson] = relationship(back_populates="documents")


class FamilyLetter(Base):
    """A surat izin keluarga for the Kepala Desa to acknowledge (UU 18/2017 Pasal 13 huruf b)."""

    __tablename__ = "pmi_family_letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("pmi_consultation.id", ondelete="RESTRICT")
    )
    number: Mapped[str] = mapped_column(String(60), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    granted_by_name: Mapped[str] = mapped_column(String(100), comment="the family member")
    granted_by_relation: Mapped[str] = mapped_column(String(20))
    destination_country: Mapped[str] = mapped_column(String(60), default="")
    legal_basis: Mapped[str] = _basis()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[PmiPerson] = relationship(back_populates="letters")


class Departure(Base):
    """A departure to work abroad (UU 18/2017 Pasal 42 huruf d)."""

    __tablename__ = "pmi_departure"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    departed_on: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(60))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    p3mi_name: Mapped[str] = mapped_column(String(120), default="")
    procedural: Mapped[bool] = mapped_column(Boolean)
    legal_basis: Mapped[str] = _basis()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[PmiPerson] = relationship(back_populates="departures")


class Return(Base):
    """A return home, with the needs the village follows up (UU 18/2017 Pasal 42 huruf d-e)."""

    __tablename__ = "pmi_return"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    returned_on: Mapped[date] = mapped_column(Date)
    condition: Mapped[ReturnCondition] = mapped_column(_enum(ReturnCondition))
    needs_health: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_legal: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_economic: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_basis: Mapped[str] = _basis()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[PmiPerson] = relationship(back_populates="returns")


class Case(Base):
    """A complaint or case, its referral (Dinas, BP3MI), status and outcome."""

    __tablename__ = "pmi_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    opened_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(500))
    referral: Mapped[Referral] = mapped_column(_enum(Referral))
    referred_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CaseStatus] = mapped_column(_enum(CaseStatus))
    outcome: Mapped[str] = mapped_column(String(500), default="")
    closed_on: Mapped[date | None] = mapped_column(Date)
    legal_basis: Mapped[str] = _basis()
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    person: Mapped[PmiPerson] = relationship(back_populates="cases")


class Empowerment(Base):
    """Participation in training, a business group or a KKBM (UU 18/2017 Pasal 42 huruf e)."""

    __tablename__ = "pmi_empowerment"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[EmpowermentKind] = mapped_column(_enum(EmpowermentKind))
    activity: Mapped[str] = mapped_column(String(120))
    started_on: Mapped[date] = mapped_column(Date)
    legal_basis: Mapped[str] = _basis()

    person: Mapped[PmiPerson] = relationship(back_populates="empowerments")


class AccessLogEntry(Base):
    """One read or export of a personal record: who, when, which record, for what purpose."""

    __tablename__ = "pmi_access_log"
    __table_args__ = (
        Index("ix_pmi_access_log_village_code_at", "village_code", "at"),
        Index("ix_pmi_access_log_person_id_at", "person_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(40), comment="kept if the user goes")
    village_code: Mapped[str] = mapped_column(String(13))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("pmi_person.id", ondelete="SET NULL"))
    person_public_id: Mapped[str] = mapped_column(String(24), comment="kept if the person goes")
    action: Mapped[str] = mapped_column(String(20), comment="lihat, ekspor, surat")
    purpose: Mapped[str] = mapped_column(String(30), comment="a purpose key of register.basis")


class SubjectRequest(Base):
    """A request of the person about their data (access, correction, deletion, restriction of
    processing and its lifting)."""

    __tablename__ = "pmi_subject_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = _person_fk()
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    received_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus))
    answered_on: Mapped[date | None] = mapped_column(Date)
    answered_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime,
        comment="when the answer was recorded (server clock): orders a restriction and its"
        " lifting (services.restricted_clause); empty for answers before liftings existed",
    )
    answer: Mapped[str] = mapped_column(String(500), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Breach(Base):
    """A personal-data breach and its 3 x 24-hour notification duty (UU 27/2022 Pasal 46)."""

    __tablename__ = "pmi_breach"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code", ondelete="RESTRICT"))
    discovered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(String(1000), comment="what data, when and how")
    persons_affected: Mapped[int] = mapped_column(Integer, default=0)
    handling: Mapped[str] = mapped_column(String(1000), default="")
    subjects_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    agency_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

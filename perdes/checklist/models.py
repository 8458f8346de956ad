"""Framework versions, village assessments, item answers, evidence, history and stored totals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.db import Base, UTCDateTime, utcnow


class ItemStatus(StrEnum):
    BELUM = "belum"
    DALAM_PROSES = "dalam_proses"
    TERPENUHI = "terpenuhi"
    TIDAK_BERLAKU = "tidak_berlaku"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


class Verification(StrEnum):
    """Where the monitor's review stands; ``belum`` means there is nothing to review."""

    BELUM = "belum"
    MENUNGGU = "menunggu"
    DIVERIFIKASI = "diverifikasi"
    DITOLAK = "ditolak"

    @property
    def label(self) -> str:
        return VERIFICATION_LABELS[self]


class ItemEventKind(StrEnum):
    DIJAWAB = "dijawab"
    CATATAN = "catatan"
    BUKTI_DITAMBAH = "bukti_ditambah"
    BUKTI_DIHAPUS = "bukti_dihapus"
    DIVERIFIKASI = "diverifikasi"
    DITOLAK = "ditolak"
    DIBUKA_KEMBALI = "dibuka_kembali"
    OTOMATIS = "otomatis"
    DIBAWA = "dibawa"
    DIARSIPKAN = "diarsipkan"
    KEDALUWARSA = "kedaluwarsa"
    PERIKSA_ULANG = "periksa_ulang"

    @property
    def label(self) -> str:
        return EVENT_LABELS[self]


STATUS_LABELS = {
    ItemStatus.BELUM: "Belum",
    ItemStatus.DALAM_PROSES: "Dalam proses",
    ItemStatus.TERPENUHI: "Terpenuhi",
    ItemStatus.TIDAK_BERLAKU: "Tidak berlaku",
}
VERIFICATION_LABELS = {
    Verification.BELUM: "Belum diajukan",
    Verification.MENUNGGU: "Menunggu verifikasi",
    Verification.DIVERIFIKASI: "Diverifikasi",
    Verification.DITOLAK: "Ditolak",
}
EVENT_LABELS = {
    ItemEventKind.DIJAWAB: "Jawaban disimpan",
    ItemEventKind.CATATAN: "Catatan diubah",
    ItemEventKind.BUKTI_DITAMBAH: "Bukti ditambahkan",
    ItemEventKind.BUKTI_DIHAPUS: "Bukti dihapus",
    ItemEventKind.DIVERIFIKASI: "Diverifikasi",
    ItemEventKind.DITOLAK: "Ditolak",
    ItemEventKind.DIBUKA_KEMBALI: "Kembali menunggu verifikasi",
    ItemEventKind.OTOMATIS: "Diperbarui otomatis",
    ItemEventKind.DIBAWA: "Dibawa dari versi sebelumnya",
    ItemEventKind.DIARSIPKAN: "Diarsipkan (tidak ada di versi baru)",
    ItemEventKind.KEDALUWARSA: "Masa berlaku habis: perlu diperbarui",
    ItemEventKind.PERIKSA_ULANG: "Syarat berubah di versi baru: diajukan ulang untuk verifikasi",
}


def _values(e: type[StrEnum]) -> list[str]:
    return [m.value for m in e]


def _enum(e: type[StrEnum]) -> Enum:
    return Enum(e, native_enum=False, length=20, values_callable=_values)


class ChecklistFramework(Base):
    """One loaded version of a checklist framework; its content is the validated YAML as JSON."""

    __tablename__ = "checklist_framework"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), comment="the framework id in the YAML")
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # deferred: read (and parsed, see registry.parsed) once per process, not with every row
    content: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200), comment="file name it was loaded from")
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ChecklistAssessment(Base):
    """A village's self-assessment against one framework version."""

    __tablename__ = "checklist_assessment"
    __table_args__ = (UniqueConstraint("village_code", "framework_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code", ondelete="CASCADE"))
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_framework.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    superseded_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="set when the village moved to a newer framework version"
    )

    framework: Mapped[ChecklistFramework] = relationship(lazy="joined")


class ChecklistAnswer(Base):
    """The current state of one item for one assessment (its history is ChecklistItemEvent)."""

    __tablename__ = "checklist_answer"
    __table_args__ = (
        UniqueConstraint("assessment_id", "item_key"),
        Index("ix_checklist_answer_verification_submitted", "verification", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_assessment.id", ondelete="CASCADE")
    )
    item_key: Mapped[str] = mapped_column(String(60))
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus), default=ItemStatus.BELUM)
    not_applicable_reason: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[Verification] = mapped_column(
        _enum(Verification), default=Verification.BELUM
    )
    rejection_reason: Mapped[str] = mapped_column(Text, default="", comment="shown to the village")
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), comment="NULL: system or nobody"
    )
    derived: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="status set by a rule from facts, not by a person"
    )
    archived_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="the item is not in the newer framework version"
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    figures: Mapped[dict[str, int]] = mapped_column(
        JSON,
        default=dict,
        server_default="{}",
        comment="whole numbers of the answer (departure counts, budget year): figures.py",
    )
    basis: Mapped[dict[str, Any] | None] = mapped_column(
        JSON,
        comment="derived from the register: fact, counts (no names) and their date",
    )
    version: Mapped[int] = mapped_column(
        Integer,
        server_default="1",
        comment="optimistic lock: a stale answer, note or verification form is refused",
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ChecklistEvidence(Base):
    """An evidence file attached to an answer."""

    __tablename__ = "checklist_evidence"
    __table_args__ = (UniqueConstraint("answer_id", "stored_file_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_answer.id", ondelete="CASCADE"), index=True
    )
    stored_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="RESTRICT"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(
        String(120),
        default="",
        comment="the name given by this uploader (files are shared by hash)",
    )


class ChecklistItemEvent(Base):
    """One append-only line of an item's history, seen by the village and the monitor alike."""

    __tablename__ = "checklist_item_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_answer.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    actor_name: Mapped[str] = mapped_column(String(100), comment="kept if the user goes")
    kind: Mapped[ItemEventKind] = mapped_column(_enum(ItemEventKind))
    status: Mapped[ItemStatus] = mapped_column(_enum(ItemStatus))
    verification: Mapped[Verification] = mapped_column(_enum(Verification))
    detail: Mapped[str] = mapped_column(Text, default="", comment="note, reason or file name")


class ChecklistVillageTotal(Base):
    """Stored per-village totals of the current assessment, kept in step for dashboards."""

    __tablename__ = "checklist_village_total"
    __table_args__ = (
        Index("ix_checklist_village_total_framework_qualified", "framework_slug", "qualified"),
        Index("ix_checklist_village_total_framework_waiting", "framework_slug", "waiting_count"),
    )

    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    framework_slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("checklist_framework.id", ondelete="RESTRICT")
    )
    score: Mapped[float | None] = mapped_column(
        Float, comment="0–100; NULL when no weight is left to count"
    )
    verified_count: Mapped[int] = mapped_column(Integer, default=0)
    mandatory_missing_count: Mapped[int] = mapped_column(Integer, default=0)
    waiting_count: Mapped[int] = mapped_column(Integer, default=0)
    rejected_count: Mapped[int] = mapped_column(Integer, default=0)
    qualified: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Adoptions (with their stored read model), the append-only event log, evidence links and
per-kabupaten deadline rules."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
    true,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.db import Base, UTCDateTime, utcnow
from perdes.files import StoredFile
from perdes.tracking.deadlines import DeadlineKind, PerdesType
from perdes.tracking.kinds import ProductKind
from perdes.tracking.stages import ClarificationResult, Stage

DEFAULT_TITLE = "Pelindungan Pekerja Migran Indonesia"
# One unfinished Peraturan Desa per village; other kinds (Perkades, Kepdes, ...) may be many.
UNFINISHED_WHERE = (
    "kind = 'perdes' AND (current_stage IS NULL OR current_stage NOT IN "
    "('diundangkan', 'dilaporkan', 'klarifikasi', 'disebarluaskan'))"
)


def _values(e: type[StrEnum]) -> list[str]:
    return [m.value for m in e]


def _enum(e: type[StrEnum], length: int) -> Enum:
    return Enum(e, native_enum=False, length=length, values_callable=_values)


class EventKind(StrEnum):
    LANGKAH = "langkah"
    KOREKSI = "koreksi"
    PEMBATALAN = "pembatalan_catatan"


class LinkKind(StrEnum):
    """How one legal product changes another."""

    MENGUBAH = "mengubah"
    MENCABUT = "mencabut"


class Adoption(Base):
    """One village's making of one legal product (a Perdes, or a Perkades, Kepdes or Peraturan
    Bersama: ``kind``), with its current state stored for fast lists."""

    __tablename__ = "adoption"
    __table_args__ = (
        Index("ix_adoption_village_code", "village_code"),
        Index("ix_adoption_current_stage", "current_stage"),
        Index("ix_adoption_next_deadline_on", "next_deadline_on"),
        Index("ix_adoption_published_on", "published_on"),
        # One unfinished (not yet promulgated) adoption per village, even under parallel starts.
        Index(
            "uq_adoption_unfinished_village",
            "village_code",
            unique=True,
            sqlite_where=text(UNFINISHED_WHERE),
            postgresql_where=text(UNFINISHED_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(ForeignKey("region.code", ondelete="RESTRICT"))
    kind: Mapped[ProductKind] = mapped_column(
        _enum(ProductKind, 20),
        default=ProductKind.PERDES,
        server_default=ProductKind.PERDES.value,
        comment="Peraturan Desa, Peraturan Bersama, Peraturan or Keputusan Kepala Desa",
    )
    title: Mapped[str] = mapped_column(String(200), comment="the regulation, after 'tentang'")
    summary: Mapped[str] = mapped_column(
        String(500), default="", comment="uraian singkat, for the Buku Peraturan di Desa"
    )
    recorded_after_the_fact: Mapped[bool] = mapped_column(
        Boolean, default=False, comment="enacted before the app; history starts at agreement"
    )
    version: Mapped[int] = mapped_column(
        Integer, comment="optimistic lock: two users cannot record over each other"
    )
    # Read model, maintained by the services in the same transaction as each event.
    current_stage: Mapped[Stage | None] = mapped_column(
        _enum(Stage, 32), comment="fold of the events; null before the first step"
    )
    current_stage_on: Mapped[date | None] = mapped_column(Date)
    is_latest: Mapped[bool] = mapped_column(
        Boolean,
        default=True,
        server_default=true(),
        comment="the village's most recent adoption (kept by _only_one_latest)",
    )
    next_deadline_kind: Mapped[DeadlineKind | None] = mapped_column(
        _enum(DeadlineKind, 12), comment="what the next deadline is for"
    )
    next_deadline_on: Mapped[date | None] = mapped_column(Date)
    perdes_type: Mapped[PerdesType] = mapped_column(
        _enum(PerdesType, 20),
        default=PerdesType.LAINNYA,
        server_default=PerdesType.LAINNYA.value,
        comment="four types are evaluated by the Bupati before penetapan (UU 6/2014 Pasal 69)",
    )
    evaluation_received_on: Mapped[date | None] = mapped_column(
        Date, comment="the Bupati/Wali Kota received the draft for evaluation"
    )
    evaluation_result_on: Mapped[date | None] = mapped_column(
        Date, comment="the village received the evaluation result"
    )
    # Legal numbers of the current text, for the registers and lists.
    agreed_on: Mapped[date | None] = mapped_column(Date)
    berita_acara_number: Mapped[str] = mapped_column(String(60), default="")
    enacted_on: Mapped[date | None] = mapped_column(Date)
    perdes_number: Mapped[str] = mapped_column(String(30), default="")
    promulgated_on: Mapped[date | None] = mapped_column(Date)
    lembaran_year: Mapped[int | None] = mapped_column(Integer)
    lembaran_number: Mapped[str] = mapped_column(String(30), default="")
    reported_on: Mapped[date | None] = mapped_column(Date)
    report_letter_number: Mapped[str] = mapped_column(String(60), default="")
    published_on: Mapped[date | None] = mapped_column(
        Date,
        comment="promulgation (penetapan for a Keputusan) of its latest published text, even "
        "if later annulled; null while never published (then it is not public)",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[AdoptionEvent]] = relationship(
        back_populates="adoption", order_by="AdoptionEvent.id", lazy="selectin"
    )
    partners: Mapped[list[LegalProductParty]] = relationship(
        lazy="selectin", order_by="LegalProductParty.village_code", viewonly=True
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AdoptionEvent(Base):
    """One append-only entry: a step, a correction of a step (with reason) or its retraction."""

    __tablename__ = "adoption_event"
    __table_args__ = (Index("ix_adoption_event_adoption_id", "adoption_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    adoption_id: Mapped[int] = mapped_column(ForeignKey("adoption.id", ondelete="CASCADE"))
    kind: Mapped[EventKind] = mapped_column(_enum(EventKind, 20), default=EventKind.LANGKAH)
    stage: Mapped[Stage] = mapped_column(_enum(Stage, 32))
    occurred_on: Mapped[date] = mapped_column(Date, comment="when it happened, not recorded")
    corrects_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("adoption_event.id", ondelete="RESTRICT"),
        comment="the original step a correction or retraction applies to",
    )
    reason: Mapped[str] = mapped_column(Text, default="", comment="why a correction was made")
    after_the_fact: Mapped[bool] = mapped_column(Boolean, default=False)
    berita_acara_number: Mapped[str] = mapped_column(String(60), default="")
    perdes_number: Mapped[str] = mapped_column(String(30), default="")
    lembaran_year: Mapped[int | None] = mapped_column(Integer)
    lembaran_number: Mapped[str] = mapped_column(String(30), default="")
    berita_desa_number: Mapped[str] = mapped_column(String(30), default="")
    letter_number: Mapped[str] = mapped_column(String(60), default="")
    clarification_result: Mapped[ClarificationResult | None] = mapped_column(
        _enum(ClarificationResult, 12)
    )
    decision_number: Mapped[str] = mapped_column(String(60), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set through record_step's ``draft_revision_id`` (API and the tracker's revision list);
    # "disepakati" defaults to the revision marked for the BPD (perdes.tracking.agreed).
    draft_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("draft_revision.id"),  # no cascade: a revision a step names stays
        comment="the draft revision this step concerns (sent to consultation or the BPD)",
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recorded_by_name: Mapped[str] = mapped_column(String(100), default="", comment="kept")

    adoption: Mapped[Adoption] = relationship(back_populates="events", lazy="raise")
    # Read on access (pages show ``file_links``, which load their files in the same query).
    files: Mapped[list[StoredFile]] = relationship(
        secondary="adoption_event_file",
        lazy="select",
        order_by="StoredFile.id",
        viewonly=True,
    )
    file_links: Mapped[list[AdoptionEventFile]] = relationship(
        lazy="selectin", order_by="AdoptionEventFile.stored_file_id", viewonly=True
    )


class AdoptionEventFile(Base):
    """Evidence: a stored file attached to one event."""

    __tablename__ = "adoption_event_file"
    __table_args__ = (Index("ix_adoption_event_file_stored_file_id", "stored_file_id"),)

    event_id: Mapped[int] = mapped_column(
        ForeignKey("adoption_event.id", ondelete="CASCADE"), primary_key=True
    )
    stored_file_id: Mapped[int] = mapped_column(
        ForeignKey("stored_file.id", ondelete="RESTRICT"), primary_key=True
    )
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    file_name: Mapped[str] = mapped_column(
        String(120),
        default="",
        comment="the name given by this uploader (files are shared by hash)",
    )

    stored_file: Mapped[StoredFile] = relationship(lazy="joined", innerjoin=True, viewonly=True)


class DeadlineRule(Base):
    """Days allowed for one deadline: the national default (no kabupaten) or a Perbup's."""

    __tablename__ = "deadline_rule"
    __table_args__ = (UniqueConstraint("kind", "regency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DeadlineKind] = mapped_column(_enum(DeadlineKind, 12))
    regency_code: Mapped[str | None] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), comment="null: the national default"
    )
    days: Mapped[int] = mapped_column(Integer, comment="working days")
    legal_basis: Mapped[str] = mapped_column(String(300), comment="e.g. Perbup Serang No. …")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class WorkdayRule(Base):
    """A kabupaten's rule on cuti bersama: whether those days are skipped like holidays."""

    __tablename__ = "workday_rule"

    regency_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    skip_joint_leave: Mapped[bool] = mapped_column(
        Boolean, comment="cuti bersama days are not working days in this kabupaten"
    )
    legal_basis: Mapped[str] = mapped_column(String(300), comment="e.g. Perbup Serang No. …")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class AppendOnlyViolation(RuntimeError):
    """A programming error: code tried to change or delete a recorded event."""


@event.listens_for(AdoptionEvent, "before_update")
@event.listens_for(AdoptionEvent, "before_delete")
def _append_only(_mapper: Any, _connection: Any, target: AdoptionEvent) -> None:
    # History is evidence: a mistake is fixed by a correction event, never by an edit.
    raise AppendOnlyViolation(f"adoption_event {target.id} is append-only")


@event.listens_for(Adoption, "before_insert")
def _only_one_latest(_mapper: Any, connection: Any, target: Adoption) -> None:
    """A new Perdes adoption is its village's latest: the earlier ones stop being it (the
    partial unique index ``uq_adoption_latest_village`` refuses two latest ones). Other kinds
    of product are never "latest": where a village stands is about its Perdes."""
    if target.kind not in (None, ProductKind.PERDES):
        target.is_latest = False
        return
    connection.execute(
        update(Adoption)
        .where(
            Adoption.village_code == target.village_code,
            Adoption.is_latest,
            Adoption.kind == ProductKind.PERDES,
        )
        .values(is_latest=False)
    )


class LegalProductLink(Base):
    """One product amends or repeals another of the same village and kind (a link takes
    effect once the amending product is published)."""

    __tablename__ = "legal_product_link"
    __table_args__ = (
        UniqueConstraint("source_id", "target_id"),
        CheckConstraint("source_id <> target_id", name="not_self"),
        Index("ix_legal_product_link_target_id", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(
        ForeignKey("adoption.id", ondelete="CASCADE"), comment="the amending/repealing product"
    )
    target_id: Mapped[int] = mapped_column(
        ForeignKey("adoption.id", ondelete="CASCADE"), comment="the product amended/repealed"
    )
    kind: Mapped[LinkKind] = mapped_column(_enum(LinkKind, 12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class LegalProductParty(Base):
    """A partner village of a Peraturan Bersama Kepala Desa (the recording village is the
    adoption's own)."""

    __tablename__ = "legal_product_party"
    __table_args__ = (Index("ix_legal_product_party_village_code", "village_code"),)

    adoption_id: Mapped[int] = mapped_column(
        ForeignKey("adoption.id", ondelete="CASCADE"), primary_key=True
    )
    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), primary_key=True
    )

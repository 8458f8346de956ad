"""Drafts, their immutable revisions, and comments on a Pasal."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.db import Base, UTCDateTime, utcnow


class CommentSource(StrEnum):
    KONSULTASI = "konsultasi_masyarakat"
    BPD = "bpd"
    CAMAT = "camat"
    PENDAMPING = "pendamping"
    INTERNAL = "internal"


class ProposalDecision(StrEnum):
    DITERIMA = "diterima"
    DITOLAK = "ditolak"


COMMENT_SOURCE_LABELS = {
    CommentSource.KONSULTASI: "Konsultasi masyarakat",
    CommentSource.BPD: "BPD",
    CommentSource.CAMAT: "Camat",
    CommentSource.PENDAMPING: "Pendamping",
    CommentSource.INTERNAL: "Internal pemerintah desa",
}


class Draft(Base):
    """A draft Perdes of one village, written from one template; its text lives in revisions."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="RESTRICT"), index=True
    )
    template_slug: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    latest_number: Mapped[int] = mapped_column(
        Integer, default=0, comment="number of the newest revision (detects stale saves)"
    )
    consultation_number: Mapped[int | None] = mapped_column(
        Integer, comment="revision sent to public consultation"
    )
    bpd_number: Mapped[int | None] = mapped_column(Integer, comment="revision sent to the BPD")

    revisions: Mapped[list[DraftRevision]] = relationship(
        back_populates="draft", order_by="DraftRevision.number", lazy="raise"
    )


class DraftRevision(Base):
    """One immutable save: values, options, template version, author, message, text snapshot."""

    __tablename__ = "draft_revision"
    __table_args__ = (UniqueConstraint("draft_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(String(200), default="")
    template_version: Mapped[str] = mapped_column(String(20))
    values: Mapped[dict[str, Any]] = mapped_column(JSON, comment="variables as entered")
    options: Mapped[dict[str, Any]] = mapped_column(JSON)
    village: Mapped[dict[str, Any]] = mapped_column(
        JSON, comment="the village data used, so the revision renders the same later"
    )
    sections: Mapped[list[list[str]]] = mapped_column(
        JSON, comment="[clause id, label, text] per part, for comparison"
    )
    edits: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON,
        default=list,
        server_default="[]",
        comment="the drafter's wording over the template (perdes.drafting.edits operations)",
    )

    draft: Mapped[Draft] = relationship(back_populates="revisions", lazy="raise")


class DraftComment(Base):
    """A comment on one Pasal of a draft, from consultation, the BPD, the Camat or a helper."""

    __tablename__ = "draft_comment"
    __table_args__ = (Index("ix_draft_comment_draft_clause", "draft_id", "clause_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("draft.id", ondelete="CASCADE"))
    revision_number: Mapped[int] = mapped_column(Integer, comment="revision shown when written")
    clause_id: Mapped[str] = mapped_column(String(80), comment="the Pasal, by clause id")
    pasal_label: Mapped[str] = mapped_column(String(20), comment="its number at that time")
    source: Mapped[CommentSource] = mapped_column(
        Enum(
            CommentSource,
            native_enum=False,
            length=24,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    author_name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    proposed_text: Mapped[str | None] = mapped_column(
        Text, comment="proposed wording (edit markup) the drafter may accept or reject"
    )
    proposed_ayat: Mapped[int | None] = mapped_column(
        Integer, comment="ayat ordinal the wording replaces; null: the Pasal's whole body"
    )
    decision: Mapped[ProposalDecision | None] = mapped_column(
        Enum(
            ProposalDecision,
            native_enum=False,
            length=12,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    decided_revision: Mapped[int | None] = mapped_column(
        Integer, comment="the revision the accepted wording created"
    )

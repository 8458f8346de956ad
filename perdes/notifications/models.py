"""In-app notifications and per-user e-mail opt-outs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perdes.db import Base, UTCDateTime, utcnow


class Notification(Base):
    """One message to one user, shown in the app and (unless opted out) mailed once."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        Index("ix_notification_user_id_read_at", "user_id", "read_at"),
        Index("ix_notification_email_pending", "email_pending"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    path: Mapped[str] = mapped_column(String(300), comment="site-relative link to the matter")
    dedupe_key: Mapped[str] = mapped_column(
        String(120), comment="the same event never notifies the same user twice"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_pending: Mapped[bool] = mapped_column(
        Boolean, default=True, comment="not yet considered for e-mail by the mail job"
    )


class NotificationOptOut(Base):
    """A user does not want e-mail of this kind (the in-app list still shows it)."""

    __tablename__ = "notification_opt_out"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

"""Users, their region scopes, login sessions, login attempts and the audit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.accounts.permissions import Role
from perdes.db import Base, UTCDateTime, utcnow


def _enum_values(e: type[Role]) -> list[str]:
    return [m.value for m in e]


def _purpose_values(e: type[TokenPurpose]) -> list[str]:
    return [m.value for m in e]


class User(Base):
    """A person who signs in; the role says what they do, the scopes where."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True, comment="lower case")
    full_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=12, values_callable=_enum_values)
    )
    password_hash: Mapped[str] = mapped_column(
        String(255), comment="empty until an invited user sets a password"
    )
    email: Mapped[str | None] = mapped_column(String(254), unique=True, comment="lower case")
    email_verified_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="mail other than verification goes only to a verified address"
    )
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    deactivated_by_role: Mapped[Role | None] = mapped_column(
        Enum(Role, native_enum=False, length=12, values_callable=_enum_values),
        comment="the role of whoever deactivated the account: only that level or higher"
        " reactivates it (accounts.services.may_reactivate)",
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(
        Integer,
        default=1,
        server_default="1",
        comment="optimistic lock of the admin forms: bumped by a change of regions, status or"
        " password (never by sign-in or session bookkeeping); a stale form is refused",
    )

    scopes: Mapped[list[UserScope]] = relationship(
        back_populates="user",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="UserScope.region_code",
    )


class UserScope(Base):
    """One region (any level) inside which a user works."""

    __tablename__ = "user_scope"
    __table_args__ = (UniqueConstraint("user_id", "region_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code", ondelete="RESTRICT"))

    user: Mapped[User] = relationship(back_populates="scopes")


class LoginSession(Base):
    """A server-side session; the cookie holds a random token, the table only its hash."""

    __tablename__ = "login_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True, comment="sha256 of the token")
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_addr: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")


class LoginAttempt(Base):
    """A failed sign-in, kept to throttle guessing per account and per client address."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username", "at"),
        Index("ix_login_attempt_client_at", "client_addr", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    client_addr: Mapped[str] = mapped_column(String(45))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AuditEntry(Base):
    """An append-only record of one write: who, when, what, and the fields before/after."""

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_village_at", "village_code", "at"),
        Index("ix_audit_entry_user_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(40), comment="kept if the user goes")
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    village_code: Mapped[str | None] = mapped_column(
        String(13), comment="the village concerned, for scoped reading"
    )
    changes: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment='{"field": [before, after]}'
    )


class ApiToken(Base):
    """A personal API token: carries its owner's role and scope; only its hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60), comment="what the owner uses it for")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of the token")
    prefix: Mapped[str] = mapped_column(String(12), comment="first characters, to recognise it")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class TokenPurpose(StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"
    EMAIL_VERIFY = "email_verify"


class AccountToken(Base):
    """A one-time link (invitation, password reset, e-mail verification); only its hash is
    stored; it works once, before it expires, and a newer one of the same kind replaces it."""

    __tablename__ = "account_token"
    __table_args__ = (Index("ix_account_token_user_id_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = mapped_column(
        Enum(TokenPurpose, native_enum=False, length=20, values_callable=_purpose_values)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, comment="sha256 of the token")
    email: Mapped[str | None] = mapped_column(
        String(254), comment="the address the link was sent to (the new one, to verify)"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(
        UTCDateTime, comment="used, or replaced by a newer token"
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


class ResetRequest(Base):
    """A "Lupa kata sandi" request, known address or not, kept to throttle them."""

    __tablename__ = "reset_request"
    __table_args__ = (
        Index("ix_reset_request_client_addr_at", "client_addr", "at"),
        Index("ix_reset_request_email_hash_at", "email_hash", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_addr: Mapped[str] = mapped_column(String(45))
    email_hash: Mapped[str] = mapped_column(String(64), comment="sha256 of the address typed")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

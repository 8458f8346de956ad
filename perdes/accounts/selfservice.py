"""Self-service accounts: invitations, "Lupa kata sandi", e-mail verification and change.

Every link carries a one-time token: random, stored only as its SHA-256, expiring, used at
most once (a compare-and-set on ``used_at``), and replaced by a newer one of the same kind.
Links point at fixed paths of the site (``LINK_PATHS``) under ``PERDES_BASE_URL``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import AccountToken, ResetRequest, TokenPurpose, User
from perdes.accounts.permissions import ROLE_LABELS, may_grant
from perdes.accounts.principal import Principal
from perdes.accounts.services import (
    _account_words,
    _check_password,
    _revoke_all,
    claim_version,
    get_user,
    hash_password,
    principal_for,
)
from perdes.db import utcnow
from perdes.errors import Conflict, DomainError, NotFound, ValidationFailed
from perdes.mail.outbox import normalise_email, queue_mail
from perdes.validation import FieldErrors

LIFETIMES = {
    TokenPurpose.INVITATION: timedelta(days=7),
    TokenPurpose.PASSWORD_RESET: timedelta(hours=1),
    TokenPurpose.EMAIL_VERIFY: timedelta(days=2),
}
LINK_PATHS = {
    TokenPurpose.INVITATION: "/undangan/",
    TokenPurpose.PASSWORD_RESET: "/atur-sandi/",
    TokenPurpose.EMAIL_VERIFY: "/verifikasi-surel/",
}
RESET_WINDOW = timedelta(minutes=15)
RESETS_PER_ADDRESS = 5
RESETS_PER_EMAIL = 3
LINK_INVALID = (
    "Tautan ini tidak berlaku lagi: sudah dipakai, sudah kedaluwarsa, atau sudah diganti "
    "tautan yang lebih baru."
)
RESET_THROTTLED = "Terlalu banyak permintaan atur ulang kata sandi. Coba lagi dalam 15 menit."


class TokenInvalid(NotFound):
    """Unknown, used, replaced or expired link (one message for all: nothing is revealed)."""

    def __init__(self) -> None:
        super().__init__(LINK_INVALID)


class ResetThrottled(DomainError):
    """Too many reset requests from one client or for one address."""


@dataclass(frozen=True, slots=True)
class IssuedLink:
    url: str
    expires_at: datetime
    mailed_to: str | None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> tuple[str, str]:
    """A fresh link secret and the hash that is stored."""
    secret = secrets.token_urlsafe(32)
    return secret, _hash(secret)


def link(base_url: str, purpose: TokenPurpose, secret: str) -> str:
    return base_url.rstrip("/") + LINK_PATHS[purpose] + secret


def issue_token(
    session: Session,
    *,
    user: User,
    purpose: TokenPurpose,
    email: str | None = None,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> tuple[str, AccountToken]:
    """A new secret for ``user``; older unused tokens of the same purpose stop working."""
    now = now or utcnow()
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    secret = secrets.token_urlsafe(32)
    record = AccountToken(
        user_id=user.id,
        purpose=purpose,
        token_hash=_hash(secret),
        email=email,
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
        created_by_id=created_by_id,
    )
    session.add(record)
    return secret, record


def invite_user(
    session: Session,
    *,
    actor: Principal,
    user: User,
    base_url: str,
    now: datetime | None = None,
) -> IssuedLink:
    """An invitation link for a user who has no password yet, mailed when the user has an
    address; Conflict once the user has set a password. The caller checked ``user`` is
    managed by ``actor`` (``get_user`` or a fresh import)."""
    if not may_grant(actor.role, user.role):
        actor.require("users.manage")
    if user.password_hash:
        raise Conflict("Pengguna ini sudah mengatur kata sandi; undangan tidak diperlukan.")
    secret, record = issue_token(
        session,
        user=user,
        purpose=TokenPurpose.INVITATION,
        email=user.email,
        created_by_id=actor.user_id,
        now=now,
    )
    url = link(base_url, TokenPurpose.INVITATION, secret)
    if user.email:
        queue_mail(
            session,
            to_address=user.email,
            template="invitation",
            user_id=user.id,
            context={
                "full_name": user.full_name,
                "username": user.username,
                "role_label": ROLE_LABELS[user.role],
                "regions": ", ".join(s.region_code for s in user.scopes) or "semua wilayah",
                "invited_by": actor.full_name,
                "url": url,
                "expires_at": record.expires_at,
            },
        )
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="invite",
        changes={"invitation": (None, "surel" if user.email else "tautan cetak")},
    )
    return IssuedLink(url=url, expires_at=record.expires_at, mailed_to=user.email)


def invite(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    base_url: str,
    expected_version: int | None = None,
) -> IssuedLink:
    """Invite a user the actor manages (NotFound for anyone else). The new link replaces the
    older one, so it is a change of the account: Conflict when the account changed since the
    page was opened (``expected_version``; None skips the check), so that of two admins
    inviting at once one is told, instead of printing a link that no longer works."""
    user = get_user(session, actor=actor, user_id=user_id)
    claim_version(session, user=user, expected_version=expected_version)
    return invite_user(session, actor=actor, user=user, base_url=base_url)


def peek(
    session: Session, *, purpose: TokenPurpose, secret: str, now: datetime | None = None
) -> tuple[AccountToken, User]:
    """The live token and its user, without using it (for showing the form); TokenInvalid
    otherwise. Reads only."""
    now = now or utcnow()
    if not secret or len(secret) > 100:
        raise TokenInvalid()
    row = session.execute(
        select(AccountToken, User)
        .join(User, User.id == AccountToken.user_id)
        .where(
            AccountToken.token_hash == _hash(secret),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        raise TokenInvalid()
    return row[0], row[1]


def _use(session: Session, token: AccountToken, now: datetime) -> None:
    """Mark used, exactly once even when two requests race with the same link."""
    result = session.execute(
        update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
        raise TokenInvalid()
    session.refresh(token)


def complete_password(
    session: Session,
    *,
    purpose: TokenPurpose,
    secret: str,
    password: str,
    password_confirm: str,
    now: datetime | None = None,
) -> User:
    """Set the password from an invitation or reset link: the link is used up, every other
    link of either kind stops working, and every session of the user ends. Accepting an
    invitation sent by e-mail verifies that address."""
    if purpose not in (TokenPurpose.INVITATION, TokenPurpose.PASSWORD_RESET):
        raise TokenInvalid()
    now = now or utcnow()
    token, user = peek(session, purpose=purpose, secret=secret, now=now)
    errors = FieldErrors()
    _check_password(password, errors, context=_account_words(user))
    if "password" not in errors and password != password_confirm:
        errors.add("password_confirm", "Kedua isian kata sandi tidak sama.")
    if errors:
        raise ValidationFailed(dict(errors))
    _use(session, token, now)
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose.in_([TokenPurpose.INVITATION, TokenPurpose.PASSWORD_RESET]),
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    user.password_hash = hash_password(password)
    user.password_changed_at = now
    claim_version(session, user=user, expected_version=None)  # an admin's open forms
    changes: dict[str, tuple[object, object]] = {"password": ("***", "***")}
    if token.email and token.email == user.email and user.email_verified_at is None:
        user.email_verified_at = now
        changes["email_verified"] = (False, True)
    _revoke_all(session, user.id)
    session.flush()
    audit.record(
        session,
        actor=principal_for(user),
        entity="user",
        entity_id=user.id,
        action="accept_invitation" if purpose is TokenPurpose.INVITATION else "reset_password",
        changes=changes,
    )
    return user


def request_password_reset(
    session: Session,
    *,
    email: str,
    client_addr: str,
    base_url: str,
    now: datetime | None = None,
) -> None:
    """Mail a reset link when ``email`` is the verified address of an active user; otherwise
    do nothing. The caller answers the same either way. ResetThrottled after too many
    requests from one client or for one address (counted whether the address is known or
    not, so throttling reveals nothing either)."""
    now = now or utcnow()
    address = normalise_email(email)
    email_hash = _hash(address)
    since = now - RESET_WINDOW
    per_client = session.scalar(
        select(func.count()).where(
            ResetRequest.client_addr == client_addr[:45], ResetRequest.at >= since
        )
    )
    per_email = session.scalar(
        select(func.count()).where(ResetRequest.email_hash == email_hash, ResetRequest.at >= since)
    )
    if (per_client or 0) >= RESETS_PER_ADDRESS or (per_email or 0) >= RESETS_PER_EMAIL:
        raise ResetThrottled(RESET_THROTTLED)
    session.add(ResetRequest(client_addr=client_addr[:45], email_hash=email_hash, at=now))
    user = session.scalar(
        select(User).where(
            User.email == address, User.email_verified_at.is_not(None), User.is_active.is_(True)
        )
    )
    if user is None:
        session.flush()
        return
    _mail_link(
        session,
        user=user,
        purpose=TokenPurpose.PASSWORD_RESET,
        address=address,
        template="password_reset",
        base_url=base_url,
        now=now,
    )


def _mail_link(
    session: Session,
    *,
    user: User,
    purpose: TokenPurpose,
    address: str,
    template: str,
    base_url: str,
    now: datetime,
) -> None:
    """Issue a one-time link for ``purpose`` and queue the message that carries it."""
    secret, record = issue_token(session, user=user, purpose=purpose, email=address, now=now)
    queue_mail(
        session,
        to_address=address,
        template=template,
        user_id=user.id,
        context={
            "full_name": user.full_name,
            "username": user.username,
            "url": link(base_url, purpose, secret),
            "expires_at": record.expires_at,
        },
    )


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def request_email_change(
    session: Session,
    *,
    actor: Principal,
    new_email: str,
    base_url: str,
    now: datetime | None = None,
) -> str:
    """Send a verification link to the new address and a notice to the current verified one;
    the address changes only when the link is used. Returns the normalised new address."""
    actor.require("account.self")
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    address = normalise_email(new_email)
    if address == user.email and user.email_verified_at is not None:
        raise ValidationFailed({"email": "Alamat ini sudah terdaftar dan terverifikasi."})
    taken = session.scalar(select(User.id).where(User.email == address, User.id != user.id))
    if taken is not None:
        raise ValidationFailed({"email": "Alamat surel ini sudah dipakai akun lain."})
    now = now or utcnow()
    _mail_link(
        session,
        user=user,
        purpose=TokenPurpose.EMAIL_VERIFY,
        address=address,
        template="email_verify",
        base_url=base_url,
        now=now,
    )
    if user.email and user.email_verified_at is not None and user.email != address:
        queue_mail(
            session,
            to_address=user.email,
            template="email_change_notice",
            user_id=user.id,
            context={
                "full_name": user.full_name,
                "username": user.username,
                "new_email": _mask(address),
                "url": base_url.rstrip("/") + "/lupa-sandi",
            },
        )
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="request_email_change",
        changes={"email": (user.email, address)},
    )
    return address


def confirm_email(session: Session, *, secret: str, now: datetime | None = None) -> User:
    """Use a verification link: the address it was sent to becomes the user's, verified."""
    now = now or utcnow()
    token, user = peek(session, purpose=TokenPurpose.EMAIL_VERIFY, secret=secret, now=now)
    address = token.email or ""
    taken = session.scalar(select(User.id).where(User.email == address, User.id != user.id))
    if taken is not None:
        raise Conflict("Alamat surel ini sudah dipakai akun lain.")
    _use(session, token, now)
    before = user.email
    user.email = address
    user.email_verified_at = now
    session.flush()
    audit.record(
        session,
        actor=principal_for(user),
        entity="user",
        entity_id=user.id,
        action="verify_email",
        changes={"email": (before, address)},
    )
    return user


@dataclass(frozen=True, slots=True)
class EmailStatus:
    email: str | None
    verified: bool
    pending: str | None


def email_status(session: Session, *, actor: Principal, now: datetime | None = None) -> EmailStatus:
    """The actor's address, whether it is verified, and an address waiting for verification."""
    actor.require("account.self")
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return EmailStatus(email=None, verified=False, pending=None)
    pending = session.scalar(
        select(AccountToken.email).where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == TokenPurpose.EMAIL_VERIFY,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > (now or utcnow()),
        )
    )
    return EmailStatus(
        email=user.email, verified=user.email_verified_at is not None, pending=pending
    )

"""Users, scopes, passwords, sign-in with throttling, and server-side sessions."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import LoginAttempt, LoginSession, User, UserScope
from perdes.accounts.permissions import ROLE_LABELS, Role
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, DomainError, NotFound, ValidationFailed
from perdes.regions.codes import is_valid_code
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.validation import FieldErrors, clean_text

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
LOGIN_FAILED = "Nama pengguna atau kata sandi salah."
THROTTLED = "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit."

_hasher = PasswordHash.recommended()
# Verified against when the user does not exist, so timing does not reveal valid names.
_DUMMY_HASH = _hasher.hash("perdes-dummy-password")


class LoginRefused(DomainError):
    """Wrong user or password (one message for both), or a disabled account."""


class LoginThrottled(DomainError):
    """Too many recent failures for this account or this client address."""


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    record: LoginSession


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str, errors: FieldErrors, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.add(field, f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.add(field, f"Kata sandi paling banyak {MAX_PASSWORD_LENGTH} karakter.")
    elif any(ord(ch) < 32 for ch in password):
        errors.add(field, "Kata sandi mengandung karakter kontrol.")


def _check_scopes(
    session: Session, role: Role, codes: Sequence[str], errors: FieldErrors
) -> list[str]:
    codes = sorted({c.strip() for c in codes if c.strip()})
    bad = [c for c in codes if not is_valid_code(c)]
    if bad:
        errors.add("scopes", f"Kode wilayah tidak valid: {', '.join(bad[:5])}.")
        return []
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    missing = [c for c in codes if c not in regions]
    if missing:
        errors.add("scopes", f"Kode wilayah tidak terdaftar: {', '.join(missing[:5])}.")
        return []
    levels = {regions[c].level for c in codes}
    if role is Role.ADMIN and codes:
        errors.add("scopes", "Admin tidak dibatasi wilayah; kosongkan isian wilayah.")
    elif role is Role.OPERATOR:
        if len(codes) != 1 or levels != {RegionLevel.DESA}:
            errors.add("scopes", "Operator desa harus ditugaskan pada tepat satu desa.")
        elif regions[codes[0]].village_kind is VillageKind.KELURAHAN:
            errors.add("scopes", "Kelurahan tidak membuat Perdes; pilih sebuah desa.")
    elif role is Role.PEMANTAU and (not codes or RegionLevel.DESA in levels):
        errors.add("scopes", "Pemantau ditugaskan pada provinsi, kabupaten/kota atau kecamatan.")
    elif role is Role.PENDAMPING and (not codes or levels != {RegionLevel.DESA}):
        errors.add("scopes", "Pendamping ditugaskan pada satu desa atau lebih.")
    return codes


def create_user(
    session: Session,
    *,
    actor: Principal,
    username: str,
    full_name: str,
    role: str,
    password: str,
    scope_codes: Sequence[str] = (),
) -> User:
    """Create a user; ValidationFailed lists every bad field, Conflict on a taken name."""
    actor.require("users.manage")
    errors = FieldErrors()
    name = clean_text(username, field="username", errors=errors, max_length=40, required=True)
    name = name.lower()
    if name and "username" not in errors and not USERNAME_RE.match(name):
        errors.add(
            "username", "3–40 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung."
        )
    full = clean_text(full_name, field="full_name", errors=errors, max_length=100, required=True)
    try:
        role_value = Role(role)
    except ValueError:
        errors.add("role", "Pilih peran." if not role else "Peran tidak dikenal.")
        role_value = Role.PENDAMPING
    _check_password(password, errors)
    codes = _check_scopes(session, role_value, scope_codes, errors) if "role" not in errors else []
    if errors:
        raise ValidationFailed(dict(errors))
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise ValidationFailed({"username": "Nama pengguna sudah dipakai."})
    user = User(
        username=name,
        full_name=full,
        role=role_value,
        password_hash=hash_password(password),
        is_active=True,
        scopes=[UserScope(region_code=c) for c in codes],
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="create",
        changes={"username": (None, name), "role": (None, role_value), "scopes": (None, codes)},
    )
    return user


def get_user(session: Session, *, actor: Principal, user_id: int) -> User:
    actor.require("users.manage")
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user


def find_user(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session, *, actor: Principal) -> list[User]:
    actor.require("users.manage")
    return list(session.scalars(select(User).order_by(User.username)))


def set_scopes(
    session: Session, *, actor: Principal, user_id: int, scope_codes: Sequence[str]
) -> User:
    """Replace a user's regions (validated against the role)."""
    user = get_user(session, actor=actor, user_id=user_id)
    errors = FieldErrors()
    codes = _check_scopes(session, user.role, scope_codes, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    before = [s.region_code for s in user.scopes]
    if before != codes:
        for scope in [s for s in user.scopes if s.region_code not in codes]:
            user.scopes.remove(scope)
        session.flush()  # deletes first, so a kept code never collides with itself
        user.scopes.extend(UserScope(region_code=c) for c in codes if c not in before)
        session.flush()
        audit.record(
            session,
            actor=actor,
            entity="user",
            entity_id=user.id,
            action="set_scopes",
            changes={"scopes": (before, codes)},
        )
    return user


def set_password(session: Session, *, actor: Principal, user_id: int, password: str) -> User:
    """Set a new password and end the user's sessions."""
    user = get_user(session, actor=actor, user_id=user_id)
    errors = FieldErrors()
    _check_password(password, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    _revoke_all(session, user.id)
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="set_password",
        changes={"password": ("***", "***")},
    )
    return user


def change_own_password(
    session: Session, *, actor: Principal, current: str, new: str, repeated: str
) -> User:
    """The signed-in user changes his own password: the current one must match, the new one
    is given twice. Every other session of the user ends; the current one (``actor``'s) stays.

    Raises ValidationFailed with field errors (``current``, ``new``, ``repeated``).
    """
    actor.require("account.self")
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        raise NotFound("Akun tidak ditemukan.")
    errors = FieldErrors()
    if not _hasher.verify(current, user.password_hash):
        errors.add("current", "Kata sandi sekarang tidak cocok.")
    _check_password(new, errors, field="new")
    if new != repeated:
        errors.add("repeated", "Ulangan kata sandi baru tidak sama.")
    elif new and new == current and "current" not in errors:
        errors.add("new", "Kata sandi baru harus berbeda dari yang sekarang.")
    if errors:
        raise ValidationFailed(dict(errors))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    others = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if actor.session_id is not None:
        others = others.where(LoginSession.id != actor.session_id)
    session.execute(others.values(revoked_at=utcnow()))
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="change_own_password",
        changes={"password": ("***", "***")},
    )
    return user


def set_active(session: Session, *, actor: Principal, user_id: int, active: bool) -> User:
    """Enable or disable an account; disabling ends its sessions at once."""
    user = get_user(session, actor=actor, user_id=user_id)
    if actor.user_id == user.id and not active:
        raise Conflict("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if user.is_active != active:
        user.is_active = active
        if not active:
            _revoke_all(session, user.id)
        audit.record(
            session,
            actor=actor,
            entity="user",
            entity_id=user.id,
            action="enable" if active else "disable",
            changes={"is_active": (not active, active)},
        )
    return user


def _revoke_all(session: Session, user_id: int) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def authenticate(
    session: Session, *, username: str, password: str, client_addr: str, now: datetime | None = None
) -> User:
    """Check a sign-in; every failure is recorded and counts toward throttling.

    Raises LoginThrottled before checking anything once an account or address has too many
    recent failures, and LoginRefused (one generic message) for any other failure.
    """
    now = now or utcnow()
    name = username.strip().lower()[:40]
    since = now - THROTTLE_WINDOW
    per_account = session.scalar(
        select(func.count()).where(LoginAttempt.username == name, LoginAttempt.at >= since)
    )
    per_address = session.scalar(
        select(func.count()).where(
            LoginAttempt.client_addr == client_addr, LoginAttempt.at >= since
        )
    )
    if (per_account or 0) >= MAX_FAILURES_PER_ACCOUNT or (
        per_address or 0
    ) >= MAX_FAILURES_PER_ADDRESS:
        raise LoginThrottled(THROTTLED)
    user = find_user(session, username=name) if name else None
    ok = _hasher.verify(password, user.password_hash if user else _DUMMY_HASH)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(username=name, client_addr=client_addr[:45], at=now))
        session.flush()
        raise LoginRefused(LOGIN_FAILED)
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == name))
    return user


def start_session(
    session: Session, *, user: User, client_addr: str, user_agent: str, days: int
) -> NewSession:
    """A fresh random token for every sign-in (never reuse a pre-login identifier)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    record = LoginSession(
        id=_token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(days=days),
        client_addr=client_addr[:45],
        user_agent=user_agent[:200],
    )
    session.add(record)
    session.flush()
    return NewSession(token=token, record=record)


def resolve_session(session: Session, *, token: str) -> Principal | None:
    """The principal of a live session token, or None (unknown, revoked, expired, disabled)."""
    if not token or len(token) > 100:
        return None
    now = utcnow()
    row = session.execute(
        select(LoginSession, User)
        .join(User, User.id == LoginSession.user_id)
        .where(
            LoginSession.id == _token_hash(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > now,
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    login, user = row[0], row[1]
    if now - login.last_seen_at > timedelta(minutes=5):
        login.last_seen_at = now
    return principal_for(user, session_id=login.id)


def principal_for(user: User, *, session_id: str | None = None) -> Principal:
    scope = (
        Scope.all() if user.role is Role.ADMIN else Scope.of(*(s.region_code for s in user.scopes))
    )
    return Principal(
        user_id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        scope=scope,
        session_id=session_id,
    )


def end_session(session: Session, *, token: str) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.id == _token_hash(token), LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def role_label(role: Role) -> str:
    return ROLE_LABELS[role]

"""Users, scopes, passwords, sign-in with throttling, and server-side sessions."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import ColumnElement, delete, exists, func, not_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import LoginAttempt, LoginSession, User, UserScope
from perdes.accounts.permissions import GRANTABLE, ROLE_LABELS, Role, may_grant
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, DomainError, NotFound, OutOfScope, ValidationFailed
from perdes.regions.codes import is_valid_code, normalise_code
from perdes.regions.models import Region, RegionLevel, VillageKind
from perdes.regions.scope import Scope
from perdes.validation import FieldErrors, clean_text

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 128
# zxcvbn's score: 3 means about 10^8 guesses or more ("safely unguessable" for an online
# attacker, and slow to try offline against an Argon2 hash); 0-2 are a common password, a
# sequence, a keyboard walk, a date or a word with a few digits.
MIN_PASSWORD_SCORE = 3
# Words a guesser tries first here that zxcvbn's English lists lack; the account's own
# username, name and e-mail address are added per account.
LOCAL_PASSWORD_WORDS = (
    "rahasia", "katasandi", "sandi", "indonesia", "merdeka", "bismillah", "sayang",
    "perdes", "desa", "kelurahan", "pmi", "migran", "bp3mi", "bpd", "admin", "operator",
    "pendamping", "monitor",
)  # fmt: skip
WEAK_PASSWORD = (
    "Kata sandi ini mudah ditebak (kata umum, nama, angka atau huruf berurutan, tanggal). "
    "Pakai tiga kata atau lebih yang tidak saling berhubungan, dipisah tanda hubung."
)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")
LOGIN_FAILED = "Nama pengguna atau kata sandi salah."
THROTTLED = "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam 15 menit."
USER_STALE = (
    "Akun ini telah diubah orang lain sejak halaman ini dibuka; perubahan Anda belum disimpan."
)


class StaleAccount(Conflict):
    """The account changed since the admin form was opened (``User.version`` moved)."""


_hasher = PasswordHash.recommended()


@functools.cache
@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so timing does not reveal valid names.
    Computed on first sign-in, not at import: every CLI command would pay an Argon2 hash."""
    return _hasher.hash("perdes-dummy-password")


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


def _check_password(
    password: str,
    errors: FieldErrors,
    field: str = "password",
    *,
    context: Sequence[str] = (),
) -> None:
    """Length, no control characters, and not easy to guess: zxcvbn (common passwords,
    sequences, keyboard walks, dates, repeats, l33t) with ``LOCAL_PASSWORD_WORDS`` and the
    account's own words (``context``: username, name, e-mail address) as a dictionary."""
    if len(password) < MIN_PASSWORD_LENGTH:
        errors.add(field, f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    elif len(password) > MAX_PASSWORD_LENGTH:
        errors.add(field, f"Kata sandi paling banyak {MAX_PASSWORD_LENGTH} karakter.")
    elif any(ord(ch) < 32 for ch in password):
        errors.add(field, "Kata sandi mengandung karakter kontrol.")
    elif password_score(password, context=context) < MIN_PASSWORD_SCORE:
        errors.add(field, WEAK_PASSWORD)


def password_score(password: str, *, context: Sequence[str] = ()) -> int:
    """zxcvbn's 0-4 estimate for ``password``, the account's words (``context``) and
    ``LOCAL_PASSWORD_WORDS`` counting as known words."""
    from zxcvbn import zxcvbn  # 35 ms to import: only when a password is set

    words = [*LOCAL_PASSWORD_WORDS]
    for text in context:
        words.extend(w for w in re.split(r"[^0-9a-z]+", text.lower()) if len(w) >= 3)
    return int(zxcvbn(password, user_inputs=words)["score"])


def _account_words(user: User) -> tuple[str, ...]:
    return (user.username, user.full_name, user.email or "")


def _check_scopes(
    session: Session, role: Role, codes: Sequence[str], errors: FieldErrors
) -> list[str]:
    codes = sorted({normalise_code(c) for c in codes if c.strip()})
    bad = [c for c in codes if not is_valid_code(c)]
    if bad:
        errors.add("scopes", f"Kode wilayah tidak valid: {', '.join(bad[:5])}.")
        return []
    regions = {r.code: r for r in session.scalars(select(Region).where(Region.code.in_(codes)))}
    missing = [c for c in codes if c not in regions]
    if missing:
        errors.add("scopes", f"Kode wilayah tidak terdaftar: {', '.join(missing[:5])}.")
        return []
    problem = scope_problem(role, [regions[c] for c in codes])
    if problem:
        errors.add("scopes", problem)
    return codes


def scope_problem(role: Role, regions: Sequence[Region]) -> str | None:
    """Why these regions do not suit ``role`` (Indonesian), or None."""
    levels = {r.level for r in regions}
    if role is Role.ADMIN and regions:
        return "Admin tidak dibatasi wilayah; kosongkan isian wilayah."
    if role is Role.OPERATOR:
        if len(regions) != 1 or levels != {RegionLevel.DESA}:
            return "Operator desa harus ditugaskan pada tepat satu desa."
        if regions[0].village_kind is VillageKind.KELURAHAN:
            return "Kelurahan tidak membuat Perdes; pilih sebuah desa."
    if role is Role.ADMIN_DAERAH and (
        not regions or not levels <= {RegionLevel.PROVINSI, RegionLevel.KABUPATEN}
    ):
        return "Admin daerah ditugaskan pada provinsi atau kabupaten/kota."
    if role is Role.PEMANTAU and (not regions or RegionLevel.DESA in levels):
        return "Pemantau ditugaskan pada provinsi, kabupaten/kota atau kecamatan."
    if role is Role.PETUGAS and (len(regions) != 1 or levels != {RegionLevel.DESA}):
        return "Petugas pendataan ditugaskan pada tepat satu desa."
    if role is Role.PENDAMPING and (not regions or levels != {RegionLevel.DESA}):
        return "Pendamping ditugaskan pada satu desa atau lebih."
    return None


def grantable_roles(actor: Principal) -> list[Role]:
    """The roles ``actor`` may give, in table order (the create form offers only these)."""
    allowed = GRANTABLE.get(actor.role, frozenset()) if actor.role else frozenset()
    return [r for r in Role if r in allowed]


def _is_full_admin(actor: Principal) -> bool:
    return actor.role is Role.ADMIN and actor.scope.everything


def _check_grant(actor: Principal, role: Role, codes: Sequence[str], errors: FieldErrors) -> None:
    """Never more than the actor holds: a grantable role, regions inside the actor's scope."""
    if role not in grantable_roles(actor):
        errors.add("role", "Anda tidak dapat memberikan peran ini.")
        return
    if not _is_full_admin(actor):
        outside = [c for c in codes if not actor.scope.contains(c)]
        if outside:
            errors.add("scopes", f"Di luar wilayah tugas Anda: {', '.join(outside[:5])}.")


def managed_by(actor: Principal) -> ColumnElement[bool]:
    """Users ``actor`` may see and change: everyone for an admin; for an admin daerah, users
    of a grantable role whose every region lies inside its scope (never admins, never users
    without regions)."""
    if _is_full_admin(actor):
        return true()
    roles = grantable_roles(actor)
    outside = (
        select(UserScope.id)
        .join(Region, Region.code == UserScope.region_code)
        .where(UserScope.user_id == User.id, not_(actor.scope.region_clause(Region)))
    )
    return User.role.in_(roles) & exists().where(UserScope.user_id == User.id) & ~exists(outside)


PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


def _check_email(value: str, errors: FieldErrors) -> str | None:
    """An optional address: lower-cased, or None when empty."""
    if not value.strip():
        return None
    from perdes.mail.outbox import normalise_email

    try:
        return normalise_email(value)
    except ValidationFailed as exc:
        errors.add("email", exc.errors["email"])
        return None


def _check_phone(value: str, errors: FieldErrors) -> str:
    phone = value.strip()
    if phone and not PHONE_RE.match(phone):
        errors.add("phone", "Nomor telepon tidak valid (contoh: 0812 3456 7890).")
        return ""
    return phone


def create_user(
    session: Session,
    *,
    actor: Principal,
    username: str,
    full_name: str,
    role: str,
    password: str | None,
    scope_codes: Sequence[str] = (),
    email: str = "",
    phone: str = "",
) -> User:
    """Create a user; ValidationFailed lists every bad field (a taken name or address, a role
    or region beyond the actor's own included; also when a parallel create took the name or
    address first). Without a password the user cannot sign in until an invitation link is
    used (``selfservice.invite_user``). The e-mail address is stored unverified."""
    if not may_grant(actor.role, role):
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
    if password:
        _check_password(password, errors, context=(name, full, email))
    address = _check_email(email, errors)
    phone_number = _check_phone(phone, errors)
    codes = _check_scopes(session, role_value, scope_codes, errors) if "role" not in errors else []
    if "role" not in errors:
        _check_grant(actor, role_value, codes, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise ValidationFailed({"username": "Nama pengguna sudah dipakai."})
    if address and session.scalar(select(User.id).where(User.email == address)) is not None:
        raise ValidationFailed({"email": "Alamat surel ini sudah dipakai akun lain."})
    user = User(
        username=name,
        full_name=full,
        role=role_value,
        email=address,
        phone=phone_number,
        password_hash=hash_password(password) if password else "",
        is_active=True,
        scopes=[UserScope(region_code=c) for c in codes],
    )
    try:
        with session.begin_nested():  # a parallel create of the same name or address
            session.add(user)
            session.flush()
    except IntegrityError:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise ValidationFailed({"username": "Nama pengguna sudah dipakai."}) from None
        raise ValidationFailed({"email": "Alamat surel ini sudah dipakai akun lain."}) from None
    audit.record(
        session,
        actor=actor,
        entity="user",
        entity_id=user.id,
        action="create",
        changes={
            "username": (None, name),
            "role": (None, role_value),
            "scopes": (None, codes),
            "email": (None, address),
        },
    )
    return user


def claim_version(session: Session, *, user: User, expected_version: int | None) -> None:
    """Bump the account's version (``User.version``) as a compare-and-set on the version the
    form was opened on: of two admins saving at once, one passes and the other (its UPDATE
    finding the version moved) gets Conflict. ``None`` bumps without a check (the CLI, the
    demo, changes from elsewhere that make an open admin form stale: a password set through
    a link, a petugas deactivated by the village operator). Sign-in and session bookkeeping
    never call it, so they never make an open admin form stale."""
    query = update(User).where(User.id == user.id)
    if expected_version is not None:
        query = query.where(User.version == expected_version)
    result = session.execute(
        query.values(version=User.version + 1).execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
        raise StaleAccount(USER_STALE)
    session.expire(user, ["version"])


def _check_version(user: User, expected_version: int | None) -> None:
    """A save that changes nothing writes nothing, but a stale form is still refused."""
    if expected_version is not None and expected_version != user.version:
        raise StaleAccount(USER_STALE)


def check_version(
    session: Session, *, actor: Principal, user_id: int, expected_version: int | None
) -> None:
    """StaleAccount when the account changed since the form was opened: for a route that reads
    its input (e.g. region names) before the service checks it, so that a stale form is
    refused as stale before any of its input is refused as invalid."""
    _check_version(get_user(session, actor=actor, user_id=user_id), expected_version)


def get_user(session: Session, *, actor: Principal, user_id: int) -> User:
    """A user the actor manages; NotFound otherwise (outside users are not revealed)."""
    actor.require("users.manage")
    user = session.scalar(select(User).where(User.id == user_id, managed_by(actor)))
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user


def find_user(session: Session, *, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username.strip().lower()))


def list_users(session: Session, *, actor: Principal) -> list[User]:
    actor.require("users.manage")
    return list(session.scalars(select(User).where(managed_by(actor)).order_by(User.username)))


def set_scopes(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    scope_codes: Sequence[str],
    expected_version: int | None = None,
) -> User:
    """Replace a user's regions (validated against the role). ``expected_version`` is the
    account's version the form was opened on (None skips the check: the CLI); ValidationFailed
    on bad regions, then Conflict when the account changed since (nothing written)."""
    user = get_user(session, actor=actor, user_id=user_id)
    # A stale form first: refused as invalid, it would come back carrying the newer version
    # and its next save would overwrite the other change unseen.
    _check_version(user, expected_version)
    errors = FieldErrors()
    codes = _check_scopes(session, user.role, scope_codes, errors)
    if not errors:
        _check_grant(actor, user.role, codes, errors)
    if errors:
        raise ValidationFailed(dict(errors))
    before = [s.region_code for s in user.scopes]
    if before != codes:
        claim_version(session, user=user, expected_version=expected_version)
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


def set_password(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    password: str,
    expected_version: int | None = None,
) -> User:
    """Set a new password and end the user's sessions. ValidationFailed on a bad password,
    then Conflict when the account changed since the form was opened (``expected_version``;
    None skips the check)."""
    user = get_user(session, actor=actor, user_id=user_id)
    _check_version(user, expected_version)  # a stale form first, as in set_scopes
    errors = FieldErrors()
    _check_password(password, errors, context=_account_words(user))
    if errors:
        raise ValidationFailed(dict(errors))
    claim_version(session, user=user, expected_version=expected_version)
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
    _check_password(new, errors, field="new", context=_account_words(user))
    if new != repeated:
        errors.add("repeated", "Ulangan kata sandi baru tidak sama.")
    elif new and new == current and "current" not in errors:
        errors.add("new", "Kata sandi baru harus berbeda dari yang sekarang.")
    if errors:
        raise ValidationFailed(dict(errors))
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    claim_version(session, user=user, expected_version=None)  # an admin's open reset form
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


# Who may undo a deactivation: the level that deactivated an account, or a higher one (an
# operator does not reactivate a petugas whom its admin daerah or an admin deactivated).
DEACTIVATION_RANK: dict[Role, int] = {Role.OPERATOR: 1, Role.ADMIN_DAERAH: 2, Role.ADMIN: 3}


def may_reactivate(role: Role | None, deactivated_by: Role | None) -> bool:
    """Whether ``role`` may reactivate an account deactivated by ``deactivated_by`` (None: not
    recorded, from before the level was kept: any manager may)."""
    if deactivated_by is None:
        return True
    rank = DEACTIVATION_RANK.get(role, 0) if role is not None else 0
    return rank >= DEACTIVATION_RANK.get(deactivated_by, len(DEACTIVATION_RANK))


def reactivation_refused(deactivated_by: Role | None) -> str:
    """The Indonesian reason shown where the reactivate button is missing (and on a refusal)."""
    who = [r for r, rank in DEACTIVATION_RANK.items()
           if rank >= DEACTIVATION_RANK.get(deactivated_by or Role.ADMIN, 3)]  # fmt: skip
    names = " atau ".join(ROLE_LABELS[r].lower() for r in who)
    by = ROLE_LABELS[deactivated_by or Role.ADMIN].lower()
    return f"Dinonaktifkan oleh {by}; hanya {names} yang dapat mengaktifkannya kembali."


def set_active(
    session: Session,
    *,
    actor: Principal,
    user_id: int,
    active: bool,
    expected_version: int | None = None,
) -> User:
    """Enable or disable an account; disabling ends its sessions at once and records the
    actor's role. Raises OutOfScope for reactivating an account that a higher level
    deactivated (``may_reactivate``), Conflict for disabling one's own account and when the
    account changed since the form was opened (``expected_version``; None skips the check)."""
    user = get_user(session, actor=actor, user_id=user_id)
    if actor.user_id == user.id and not active:
        raise Conflict("Anda tidak dapat menonaktifkan akun Anda sendiri.")
    if active and not user.is_active and not may_reactivate(actor.role, user.deactivated_by_role):
        raise OutOfScope(reactivation_refused(user.deactivated_by_role))
    _check_version(user, expected_version)
    if user.is_active != active:
        claim_version(session, user=user, expected_version=expected_version)
        before = user.deactivated_by_role
        user.is_active = active
        user.deactivated_by_role = None if active else actor.role
        if not active:
            _revoke_all(session, user.id)
        audit.record(
            session,
            actor=actor,
            entity="user",
            entity_id=user.id,
            action="enable" if active else "disable",
            changes={
                "is_active": (not active, active),
                "deactivated_by_role": (before, user.deactivated_by_role),
            },
        )
    return user


def end_sessions(session: Session, *, user_id: int) -> None:
    """End every open session of a user (an account disabled by another service)."""
    _revoke_all(session, user_id)


def _revoke_all(session: Session, user_id: int) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    client_addr: str,
    now: datetime | None = None,
    publish_attempt: Callable[[], None] | None = None,
) -> User:
    """Check a sign-in; every attempt is recorded first and counts toward throttling.

    The attempt is recorded, then ``publish_attempt`` (the web layer commits) makes it
    visible to parallel sign-ins, then the recent attempts are counted: of N simultaneous
    guesses at most the limit are checked, however they interleave. Raises LoginThrottled
    before checking the password once an account or address has too many recent failures,
    and LoginRefused (one generic message) for any other failure. A success removes the
    account's recorded attempts.
    """
    now = now or utcnow()
    name = username.strip().lower()[:40]
    since = now - THROTTLE_WINDOW
    session.add(LoginAttempt(username=name, client_addr=client_addr[:45], at=now))
    session.flush()
    if publish_attempt is not None:
        publish_attempt()
    per_account = session.scalar(
        select(func.count()).where(LoginAttempt.username == name, LoginAttempt.at >= since)
    )
    per_address = session.scalar(
        select(func.count()).where(
            LoginAttempt.client_addr == client_addr[:45], LoginAttempt.at >= since
        )
    )
    # Both counts include this attempt.
    if (per_account or 0) > MAX_FAILURES_PER_ACCOUNT or (
        per_address or 0
    ) > MAX_FAILURES_PER_ADDRESS:
        raise LoginThrottled(THROTTLED)
    user = find_user(session, username=name) if name else None
    dummy = _dummy_hash()
    stored = user.password_hash if user is not None and user.password_hash else dummy
    ok = _hasher.verify(password, stored) and stored is not dummy
    if user is None or not ok or not user.is_active:
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


SESSION_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ResolvedSession:
    """A live session's principal and when it was last seen (to decide whether to touch it)."""

    principal: Principal
    last_seen_at: datetime


def resolve_login(session: Session, *, token: str) -> ResolvedSession | None:
    """The live session of ``token`` (unknown, revoked, expired or disabled: None); reads only."""
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
    return ResolvedSession(principal_for(user, session_id=login.id), login.last_seen_at)


def resolve_session(session: Session, *, token: str) -> Principal | None:
    """The principal of a live session token, or None (unknown, revoked, expired, disabled).

    Never writes: a read request must not take the write lock. ``touch_session`` records
    activity, in a short transaction of its own.
    """
    resolved = resolve_login(session, token=token)
    return resolved.principal if resolved else None


def touch_due(last_seen_at: datetime) -> bool:
    return utcnow() - last_seen_at > SESSION_TOUCH_INTERVAL


def touch_session(session: Session, *, session_id: str) -> None:
    """Record that the session is in use (at most once per ``SESSION_TOUCH_INTERVAL``)."""
    now = utcnow()
    session.execute(
        update(LoginSession)
        .where(
            LoginSession.id == session_id,
            LoginSession.last_seen_at < now - SESSION_TOUCH_INTERVAL,
        )
        .values(last_seen_at=now)
    )


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

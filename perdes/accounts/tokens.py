"""Personal API tokens: created and revoked by their owner, stored hashed, used as Bearer."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import ApiToken, User
from perdes.accounts.principal import Principal
from perdes.accounts.services import principal_for
from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.validation import FieldErrors, clean_text

TOKEN_PREFIX = "pdp_"
MAX_TOKENS_PER_USER = 20


@dataclass(frozen=True, slots=True)
class NewToken:
    secret: str
    record: ApiToken


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def list_tokens(session: Session, *, actor: Principal) -> list[ApiToken]:
    actor.require("account.self")
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == actor.user_id).order_by(ApiToken.id.desc())
        )
    )


def create_token(session: Session, *, actor: Principal, name: str) -> NewToken:
    """A new token for the actor; the secret is returned once and never stored."""
    actor.require("account.self")
    if actor.user_id is None:
        raise ValidationFailed({"name": "Token hanya untuk pengguna yang masuk."})
    errors = FieldErrors()
    label = clean_text(name, field="name", errors=errors, max_length=60, required=True)
    live = [t for t in list_tokens(session, actor=actor) if t.revoked_at is None]
    if len(live) >= MAX_TOKENS_PER_USER:
        errors.add("name", f"Paling banyak {MAX_TOKENS_PER_USER} token aktif; cabut yang lama.")
    if errors:
        raise ValidationFailed(dict(errors))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        user_id=actor.user_id,
        name=label,
        token_hash=_hash(secret),
        prefix=secret[:12],
        created_at=utcnow(),
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor,
        entity="api_token",
        entity_id=record.id,
        action="create",
        changes={"name": (None, label)},
    )
    return NewToken(secret=secret, record=record)


def revoke_token(session: Session, *, actor: Principal, token_id: int) -> ApiToken:
    """Revoke one of the actor's own tokens (another user's token is NotFound)."""
    actor.require("account.self")
    record = session.get(ApiToken, token_id)
    if record is None or record.user_id != actor.user_id:
        raise NotFound("Token tidak ditemukan.")
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record(
            session,
            actor=actor,
            entity="api_token",
            entity_id=record.id,
            action="revoke",
            changes={"revoked": (False, True)},
        )
    return record


USE_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class ResolvedToken:
    principal: Principal
    token_id: int
    last_used_at: datetime | None

    @property
    def touch_due(self) -> bool:
        return self.last_used_at is None or utcnow() - self.last_used_at > USE_INTERVAL


def resolve_api_token(session: Session, *, secret: str) -> ResolvedToken | None:
    """The owner's principal for a live token, or None; reads only (``touch_token`` notes use)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == _hash(secret),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
    ).first()
    if row is None:
        return None
    token, user = row[0], row[1]
    return ResolvedToken(principal_for(user), token.id, token.last_used_at)


def resolve_token(session: Session, *, secret: str) -> Principal | None:
    resolved = resolve_api_token(session, secret=secret)
    return resolved.principal if resolved else None


def touch_token(session: Session, *, token_id: int) -> None:
    """Note the token's use (at most once per ``USE_INTERVAL``), in the caller's transaction."""
    now = utcnow()
    session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token_id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - USE_INTERVAL),
        )
        .values(last_used_at=now)
    )

"""Creating notifications (no settings needed: domain code and jobs call ``notify``), mailing
them (the mail job, which knows the site address and key), the in-app list, preferences and
one-click unsubscribe links."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from perdes.accounts import audit
from perdes.accounts.models import User
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import NotFound
from perdes.mail.outbox import queue_mail
from perdes.notifications.models import Notification, NotificationOptOut
from perdes.pagination import Page

KINDS = {
    "deadline_reminder": "Pengingat tenggat tahapan Perdes",
    "item_rejected": "Butir ceklis ditolak",
    "weekly_digest": "Ringkasan mingguan untuk pemantau",
    "queue_waiting": "Butir menunggu verifikasi",
}
PER_PAGE = 30
UNSUBSCRIBE_PATH = "/berhenti/"


def notify(
    session: Session,
    *,
    user_ids: Iterable[int],
    kind: str,
    title: str,
    body: str,
    path: str,
    dedupe_key: str,
    now: datetime | None = None,
) -> int:
    """Add a notification for each user that does not have this ``dedupe_key`` yet; returns
    how many were added. The mail job mails them later, in the same way for every kind."""
    assert kind in KINDS
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    have = set(
        session.scalars(
            select(Notification.user_id).where(
                Notification.user_id.in_(ids), Notification.dedupe_key == dedupe_key
            )
        )
    )
    now = now or utcnow()
    added = [
        Notification(
            user_id=uid,
            kind=kind,
            title=title[:200],
            body=body,
            path=path[:300],
            dedupe_key=dedupe_key[:120],
            created_at=now,
            email_pending=True,
        )
        for uid in ids
        if uid not in have
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def unsubscribe_token(secret_key: str, user_id: int, kind: str) -> str:
    signature = hmac.new(
        secret_key.encode(), f"unsubscribe|{user_id}|{kind}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"{user_id}.{kind}.{signature}"


def read_unsubscribe_token(secret_key: str, token: str) -> tuple[int, str]:
    """(user id, kind) of a genuine link; NotFound for anything else."""
    parts = token.split(".")
    if len(parts) == 3 and parts[0].isdigit() and parts[1] in KINDS and len(token) < 100:
        expected = unsubscribe_token(secret_key, int(parts[0]), parts[1])
        if hmac.compare_digest(expected, token):
            return int(parts[0]), parts[1]
    raise NotFound("Tautan berhenti berlangganan ini tidak valid.")


def unsubscribe(session: Session, *, secret_key: str, token: str) -> str:
    """Stop e-mail of one kind for the link's user; returns the kind (idempotent)."""
    user_id, kind = read_unsubscribe_token(secret_key, token)
    if session.get(User, user_id) is None:
        raise NotFound("Tautan berhenti berlangganan ini tidak valid.")
    exists = session.scalar(
        select(NotificationOptOut.id).where(
            NotificationOptOut.user_id == user_id, NotificationOptOut.kind == kind
        )
    )
    if exists is None:
        session.add(NotificationOptOut(user_id=user_id, kind=kind))
        session.flush()
    return kind


def mail_pending(session: Session, *, base_url: str, secret_key: str, limit: int = 2000) -> int:
    """Queue e-mail for notifications not yet considered: only to a verified address of an
    active user who has not opted out of the kind. Returns how many were queued."""
    rows = session.execute(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .where(Notification.email_pending.is_(True))
        .order_by(Notification.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    opted = {
        (user_id, kind)
        for user_id, kind in session.execute(
            select(NotificationOptOut.user_id, NotificationOptOut.kind).where(
                NotificationOptOut.user_id.in_({u.id for _, u in rows})
            )
        )
    }
    base = base_url.rstrip("/")
    queued = 0
    for note, user in rows:
        note.email_pending = False
        if (
            not user.is_active
            or not user.email
            or user.email_verified_at is None
            or (user.id, note.kind) in opted
        ):
            continue
        queue_mail(
            session,
            to_address=user.email,
            template="notification",
            user_id=user.id,
            context={
                "full_name": user.full_name,
                "title": note.title,
                "body": note.body,
                "url": base + note.path,
                "kind_label": KINDS[note.kind],
                "unsubscribe_url": base
                + UNSUBSCRIBE_PATH
                + unsubscribe_token(secret_key, user.id, note.kind),
            },
        )
        queued += 1
    session.flush()
    return queued


@dataclass(frozen=True, slots=True)
class Inbox:
    page: Page[Notification]
    unread: int


def inbox(session: Session, *, actor: Principal, page: int = 1) -> Inbox:
    actor.require("account.self")
    mine = Notification.user_id == actor.user_id
    total = session.scalar(select(func.count()).where(mine)) or 0
    unread = session.scalar(select(func.count()).where(mine, Notification.read_at.is_(None)))
    page = max(1, min(page, 10_000))
    items = session.scalars(
        select(Notification)
        .where(mine)
        .order_by(Notification.id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    return Inbox(
        page=Page(items=list(items), total=total, page=page, per_page=PER_PAGE),
        unread=unread or 0,
    )


def unread_count(session: Session, *, actor: Principal) -> int:
    if actor.user_id is None:
        return 0
    return (
        session.scalar(
            select(func.count()).where(
                Notification.user_id == actor.user_id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


def mark_all_read(session: Session, *, actor: Principal) -> None:
    actor.require("account.self")
    session.execute(
        update(Notification)
        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def email_preferences(session: Session, *, actor: Principal) -> dict[str, bool]:
    actor.require("account.self")
    off = set(
        session.scalars(
            select(NotificationOptOut.kind).where(NotificationOptOut.user_id == actor.user_id)
        )
    )
    return {kind: kind not in off for kind in KINDS}


def set_email_preferences(session: Session, *, actor: Principal, enabled: Iterable[str]) -> None:
    """E-mail for the kinds in ``enabled`` (unknown names ignored), none for the others."""
    actor.require("account.self")
    assert actor.user_id is not None
    wanted = {k for k in enabled if k in KINDS}
    session.execute(
        delete(NotificationOptOut).where(
            NotificationOptOut.user_id == actor.user_id, NotificationOptOut.kind.in_(wanted)
        )
    )
    current = email_preferences(session, actor=actor)
    for kind in KINDS:
        if kind not in wanted and current[kind]:
            session.add(NotificationOptOut(user_id=actor.user_id, kind=kind))
    session.flush()
    changes = {k: (current[k], k in wanted) for k in KINDS if current[k] != (k in wanted)}
    if changes:
        audit.record(
            session,
            actor=actor,
            entity="notification_preference",
            entity_id=actor.user_id,
            action="update",
            changes=changes,
        )

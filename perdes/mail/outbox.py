"""Putting messages in the outbox (same transaction as the change that causes them) and
reading it back for admins."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.mail.models import MailStatus, OutboxMessage
from perdes.pagination import Page

# Deliberately plain: one @, no spaces or control characters, a dot in the domain.
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
MAX_EMAIL_LENGTH = 254
PAGE_SIZE = 50


def normalise_email(value: str) -> str:
    """The address in lower case, or ValidationFailed with an Indonesian message."""
    address = value.strip().lower()
    if not address:
        raise ValidationFailed({"email": "Alamat surel wajib diisi."})
    if len(address) > MAX_EMAIL_LENGTH or not EMAIL_RE.match(address):
        raise ValidationFailed({"email": "Alamat surel tidak valid."})
    return address


def message_values(
    *, to_address: str, template: str, context: Mapping[str, Any], user_id: int | None = None
) -> dict[str, Any]:
    """The column values of one rendered outbox message (for bulk inserts)."""
    # Jinja and Babel load with the first message, not with every process that imports the
    # outbox through the derived-data pipeline (each ``perdes`` command).
    from perdes.mail.render import render_mail

    rendered = render_mail(template, context)
    return {
        "created_at": utcnow(),
        "kind": template,
        "user_id": user_id,
        "to_address": normalise_email(to_address),
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "message_id": f"<{uuid.uuid4().hex}@perdes-pmi>",
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": utcnow(),
        "last_error": "",
    }


def queue_mail(
    session: Session,
    *,
    to_address: str,
    template: str,
    context: Mapping[str, Any],
    user_id: int | None = None,
) -> OutboxMessage:
    """Render ``template`` and add it to the outbox; it leaves with this transaction or not
    at all (a rolled-back change leaves no message)."""
    message = OutboxMessage(
        **message_values(to_address=to_address, template=template, context=context, user_id=user_id)
    )
    session.add(message)
    session.flush()
    return message


class Actor(Protocol):
    """Who reads the outbox (a ``Principal``); mail sits below accounts, so it names only
    the one method it needs."""

    def require(self, action: str, region_code: str | None = None) -> None: ...


def list_messages(
    session: Session, *, actor: Actor, status: str = "", page: int = 1
) -> Page[OutboxMessage]:
    """Newest first, 50 a page, optionally one status only."""
    actor.require("mail.view")
    query = select(OutboxMessage)
    if status in {s.value for s in MailStatus}:
        query = query.where(OutboxMessage.status == MailStatus(status))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, min(page, 10_000))
    rows = session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    )
    return Page(items=list(rows), total=total, page=page, per_page=PAGE_SIZE)


def get_message(session: Session, *, actor: Actor, message_id: int) -> OutboxMessage:
    actor.require("mail.view")
    message = session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("Surel tidak ditemukan.")
    return message

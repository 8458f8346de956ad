"""Sending the outbox over SMTP: each message once, retried with back-off.

A sender claims a message by writing a lease (``claimed_until``) and committing, sends it,
then marks it sent and commits again, one message at a time. A sender that dies mid-batch
leaves the messages it had not sent claimed until the lease runs out; the next run sends them.
Messages already marked sent are never sent again. The one window that cannot be closed
without the server's help is a crash after the SMTP server accepted a message and before the
mark was committed: that message is sent again, with the same Message-ID header.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from perdes.config import Settings
from perdes.db import utcnow
from perdes.mail.models import MailStatus, OutboxMessage

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 8
FIRST_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=6)

Connect = Callable[[Settings], smtplib.SMTP]


@dataclass(slots=True)
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    skipped: str = ""
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after each failure, at most 6 hours."""
    delay: timedelta = FIRST_DELAY * 2 ** min(max(attempts - 1, 0), 20)
    return min(delay, MAX_DELAY)


def open_smtp(settings: Settings) -> smtplib.SMTP:
    """A connection to the configured server, with TLS and login as configured."""
    assert settings.smtp_host
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.smtp_tls == "ssl":
        client = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout)
        if settings.smtp_tls == "starttls":
            client.starttls(context=context)
    if settings.smtp_user:
        client.login(settings.smtp_user, settings.smtp_password or "")
    return client


def build_email(message: OutboxMessage, *, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = message.message_id
    email["Date"] = formatdate(message.created_at.timestamp(), localtime=False)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    return email


def _claim(factory: sessionmaker[Session], now: datetime, limit: int) -> list[int]:
    """Lease up to ``limit`` due messages to this sender (compare-and-set per row)."""
    claimed: list[int] = []
    with factory() as session, session.begin():
        free = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now)
        candidates = session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == MailStatus.PENDING,
                OutboxMessage.next_attempt_at <= now,
                free,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).all()
        for message_id in candidates:
            result = session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == message_id,
                    OutboxMessage.status == MailStatus.PENDING,
                    free,
                )
                .values(claimed_until=now + LEASE)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
                claimed.append(message_id)
    return claimed


def _finish(
    factory: sessionmaker[Session],
    message_id: int,
    *,
    now: datetime,
    error: str = "",
    permanent: bool = False,
) -> MailStatus:
    with factory() as session, session.begin():
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.claimed_until = None
        if not error:
            message.status = MailStatus.SENT
            message.sent_at = now
            message.last_error = ""
            message.attempts += 1
            return message.status
        message.attempts += 1
        message.last_error = error[:500]
        if permanent or message.attempts >= MAX_ATTEMPTS:
            message.status = MailStatus.FAILED
        else:
            message.next_attempt_at = now + backoff(message.attempts)
        return message.status


def send_due(
    factory: sessionmaker[Session],
    *,
    settings: Settings,
    now: datetime | None = None,
    limit: int = 100,
    connect: Connect = open_smtp,
) -> SendReport:
    """Send what is due. Without ``PERDES_SMTP_HOST`` nothing leaves the outbox."""
    report = SendReport()
    if not settings.smtp_host:
        report.skipped = "PERDES_SMTP_HOST is not set; messages stay in the outbox"
        return report
    now = now or utcnow()
    claimed = _claim(factory, now, limit)
    if not claimed:
        return report
    try:
        client = connect(settings)
    except (OSError, smtplib.SMTPException) as exc:
        reason = f"cannot reach the SMTP server: {exc}"
        report.errors.append(reason)
        for message_id in claimed:
            _count(report, _finish(factory, message_id, now=now, error=reason))
        return report
    try:
        for index, message_id in enumerate(claimed):
            with factory() as session:
                message = session.get(OutboxMessage, message_id)
                assert message is not None
                email = build_email(message, sender=settings.smtp_from)
            try:
                client.send_message(email)
            except smtplib.SMTPRecipientsRefused as exc:
                reason = f"recipient refused: {exc.recipients}"
                _count(report, _finish(factory, message_id, now=now, error=reason, permanent=True))
                continue
            except smtplib.SMTPResponseException as exc:
                reason = f"{exc.smtp_code} {exc.smtp_error!r}"
                permanent = 500 <= exc.smtp_code < 600
                _count(
                    report, _finish(factory, message_id, now=now, error=reason, permanent=permanent)
                )
                continue
            except (OSError, smtplib.SMTPException) as exc:
                # The connection broke: this and the rest wait for the next run.
                reason = f"connection lost: {exc}"
                report.errors.append(reason)
                for rest in claimed[index:]:
                    _count(report, _finish(factory, rest, now=now, error=reason))
                return report
            _count(report, _finish(factory, message_id, now=now))
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            client.quit()
    return report


def _count(report: SendReport, status: MailStatus) -> None:
    if status is MailStatus.SENT:
        report.sent += 1
    elif status is MailStatus.FAILED:
        report.failed += 1
    else:
        report.deferred += 1

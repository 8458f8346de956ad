"""The outbox against a real in-process SMTP server: once, retried, never duplicated."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select

from perdes.config import Settings
from perdes.db import utcnow
from perdes.errors import ValidationFailed
from perdes.mail.models import MailStatus, OutboxMessage
from perdes.mail.outbox import queue_mail
from perdes.mail.render import render_mail, template_names
from perdes.mail.sender import LEASE, open_smtp, send_due
from tests.smtp import Inbox, SmtpServer, free_port


def _queue(db, n: int = 1, to: str = "sekdes.lontar@example.id") -> list[OutboxMessage]:
    return [
        queue_mail(db, to_address=to, template="test_message", context={"full_name": f"Pak {i}"})
        for i in range(n)
    ]


@pytest.mark.parametrize("name", template_names())
def test_every_mail_template_renders_a_subject_text_and_html(name):
    context = {
        "full_name": "Siti <Aminah>",
        "url": "http://x.test/a?b=1&c=2",
        "expires_at": utcnow(),
        "username": "siti",
        "invited_by": "Admin",
        "role_label": "Operator desa",
        "regions": "Desa Lontar",
        "new_email": "baru@example.id",
        "title": "Judul <i>",
        "body": "Isi",
        "kind_label": "Butir ceklis ditolak",
        "unsubscribe_url": "http://x.test/berhenti/1",
    }
    rendered = render_mail(name, context)
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text.strip()
    assert "<html" in rendered.html
    assert "<Aminah>" not in rendered.html  # escaped in HTML, plain in text


def test_queued_mail_is_rendered_in_indonesian_with_both_parts(db):
    [message] = _queue(db)
    assert message.subject == "Uji pengiriman surel Perdes PMI"
    assert message.body_text.startswith("Yth. Pak 0,")
    assert "<p>Yth. Pak 0,</p>" in message.body_html
    assert message.status is MailStatus.PENDING


@pytest.mark.parametrize(
    "address",
    ["", "   ", "tanpa-at", "a@b", "a b@c.id", "a@c.id\nBcc: x@y.id", "x" * 250 + "@c.id"],
)
def test_bad_addresses_are_refused(db, address):
    with pytest.raises(ValidationFailed) as exc:
        queue_mail(db, to_address=address, template="test_message", context={"full_name": "x"})
    assert "email" in exc.value.errors
    assert db.scalar(select(OutboxMessage.id)) is None


def test_without_smtp_settings_mail_stays_in_the_outbox(db, session_factory, settings):
    _queue(db, 2)
    db.commit()
    report = send_due(session_factory, settings=settings)
    assert "PERDES_SMTP_HOST" in report.skipped
    assert {m.status for m in db.scalars(select(OutboxMessage))} == {MailStatus.PENDING}


def test_due_mail_is_sent_once(db, session_factory, smtp_settings, smtp_server):
    _queue(db, 2)
    db.commit()
    first = send_due(session_factory, settings=smtp_settings)
    second = send_due(session_factory, settings=smtp_settings)
    assert (first.sent, second.sent) == (2, 0)
    received = smtp_server.inbox.messages
    assert len(received) == 2
    assert received[0]["Subject"] == "Uji pengiriman surel Perdes PMI"
    assert received[0]["From"] == "Perdes PMI <noreply@perdes.invalid>"
    assert "Yth. Pak 0," in Inbox.text_of(received[0])
    assert "<p>Yth. Pak 0,</p>" in Inbox.html_of(received[0])
    db.expire_all()
    stored = db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [m.status for m in stored] == [MailStatus.SENT, MailStatus.SENT]
    assert [m.message_id for m in stored] == [m["Message-ID"] for m in received]


def test_a_server_that_is_down_is_retried_with_back_off(db, session_factory, settings):
    port = free_port()
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_tls": "none"}
    )
    [message] = _queue(db)
    db.commit()
    now = utcnow()
    report = send_due(session_factory, settings=down, now=now)
    assert (report.sent, report.deferred) == (0, 1)
    db.expire_all()
    assert message.attempts == 1 and message.status is MailStatus.PENDING
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert "cannot reach" in message.last_error
    send_due(session_factory, settings=down, now=now + timedelta(minutes=1, seconds=1))
    db.expire_all()
    assert message.attempts == 2
    assert message.next_attempt_at == now + timedelta(minutes=1, seconds=1) + timedelta(minutes=2)
    server = SmtpServer(port).start()
    try:
        too_early = send_due(session_factory, settings=down, now=now + timedelta(minutes=2))
        assert too_early.sent == 0
        later = send_due(session_factory, settings=down, now=now + timedelta(minutes=4))
        assert later.sent == 1
        assert len(server.inbox.messages) == 1
    finally:
        server.stop()


def test_a_refused_recipient_fails_for_good(db, session_factory, smtp_settings, smtp_server):
    smtp_server.inbox.refuse.add("hilang@example.id")
    [bad] = _queue(db, to="hilang@example.id")
    [good] = _queue(db)
    db.commit()
    report = send_due(session_factory, settings=smtp_settings)
    assert (report.sent, report.failed) == (1, 1)
    db.expire_all()
    assert bad.status is MailStatus.FAILED and "refused" in bad.last_error
    assert good.status is MailStatus.SENT


class _Killed(BaseException):
    """Stands for the process being stopped in the middle of a batch."""


def test_a_restart_mid_send_sends_no_duplicate(db, session_factory, smtp_settings, smtp_server):
    _queue(db, 3)
    db.commit()
    calls = 0

    def dying_connection(settings: Settings) -> smtplib.SMTP:
        client = open_smtp(settings)
        original = client.send_message

        def send_message(msg, *args, **kwargs):  # type: ignore[no-untyped-def]
            nonlocal calls
            calls += 1
            if calls == 2:
                raise _Killed()
            return original(msg, *args, **kwargs)

        client.send_message = send_message  # type: ignore[method-assign]
        return client

    now = utcnow()
    with pytest.raises(_Killed):
        send_due(session_factory, settings=smtp_settings, now=now, connect=dying_connection)
    assert len(smtp_server.inbox.messages) == 1
    # Restarted at once: the dead sender's claims still hold, nothing is sent twice.
    assert send_due(session_factory, settings=smtp_settings, now=now).sent == 0
    # After the lease runs out the rest go, each once.
    after = send_due(
        session_factory, settings=smtp_settings, now=now + LEASE + timedelta(seconds=1)
    )
    assert after.sent == 2
    ids = [m["Message-ID"] for m in smtp_server.inbox.messages]
    assert len(ids) == 3 and len(set(ids)) == 3
    assert send_due(session_factory, settings=smtp_settings, now=now + 2 * LEASE).sent == 0


def test_a_rolled_back_change_leaves_no_message(session_factory):
    with session_factory() as session:
        _queue(session)
        session.rollback()
    with session_factory() as session:
        assert session.scalar(select(OutboxMessage.id)) is None

"""``perdes mail ...``: send the outbox now, count what waits, queue a test message."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="E-mail outbox.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


@app.command("send")
def send() -> None:
    """Send every due message now (the worker does this every minute)."""
    from perdes.config import Settings
    from perdes.db import engine_from_settings
    from perdes.mail.sender import send_due
    from perdes.pipeline import make_session_factory

    settings = Settings()
    factory = make_session_factory(engine_from_settings(settings))
    report = send_due(factory, settings=settings)
    if report.skipped:
        err.print(report.skipped, highlight=False)
        return
    for error in report.errors:
        err.print(f"error: {error}", highlight=False)
    out.print(f"sent {report.sent}, deferred {report.deferred}, failed {report.failed}")


@app.command("status")
def status() -> None:
    """How many messages are pending, sent and failed."""
    from sqlalchemy import func, select

    from perdes.config import Settings
    from perdes.db import engine_from_settings, session_scope
    from perdes.mail.models import MailStatus, OutboxMessage
    from perdes.pipeline import make_session_factory

    factory = make_session_factory(engine_from_settings(Settings()))
    with session_scope(factory) as session:
        counts = dict(
            session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    for value in MailStatus:
        out.print(f"{value.value}: {counts.get(value, 0)}")


@app.command("test")
def test(
    address: Annotated[str, typer.Argument(help="Where to send a test message.")],
) -> None:
    """Queue a test message to ADDRESS (then `perdes mail send`)."""
    from perdes.config import Settings
    from perdes.db import engine_from_settings, session_scope
    from perdes.errors import ValidationFailed
    from perdes.mail.outbox import queue_mail
    from perdes.pipeline import make_session_factory

    factory = make_session_factory(engine_from_settings(Settings()))
    try:
        with session_scope(factory) as session:
            queue_mail(
                session,
                to_address=address,
                template="test_message",
                context={"full_name": address},
            )
    except ValidationFailed as exc:
        err.print(f"error: {address!r}: invalid e-mail address", highlight=False)
        raise typer.Exit(1) from exc
    out.print(f"queued a test message to {address.strip().lower()}")

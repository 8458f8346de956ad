"""The scheduled jobs: what each does, when (Western Indonesian Time), and its period key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from perdes.config import Settings
from perdes.db import utcnow
from perdes.jobs.runner import FactoryWork, RunResult, SessionWork, run_claimed

ZONE = ZoneInfo("Asia/Jakarta")


def _minute(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m-%dT%H:%M")


def _day(at: datetime) -> str:
    return at.astimezone(ZONE).date().isoformat()


def _week(at: datetime) -> str:
    year, week, _ = at.astimezone(ZONE).isocalendar()
    return f"{year}-W{week:02d}"


def _hour(at: datetime) -> str:
    return at.astimezone(ZONE).strftime("%Y-%m-%dT%H")


def _send_mail(factory: sessionmaker[Session], settings: Settings) -> str:
    from perdes.mail.sender import send_due
    from perdes.notifications.services import mail_pending

    with factory() as session, session.begin():
        queued = mail_pending(
            session, base_url=settings.base_url, secret_key=settings.effective_secret_key
        )
    report = send_due(factory, settings=settings)
    if report.skipped:
        return f"{queued} notifications queued; {report.skipped}"
    return (
        f"{queued} notifications queued; sent {report.sent}, deferred {report.deferred}, "
        f"failed {report.failed}"
    )


def _deadline_reminders(session: Session, settings: Settings) -> str:
    from perdes.notifications.reminders import send_deadline_reminders

    added = send_deadline_reminders(session, days_before=settings.reminder_days_before)
    return f"{added} reminders"


def _refresh_checklist(session: Session, settings: Settings) -> str:
    from perdes.checklist import derived

    villages, changed = derived.refresh_all(session)
    return f"{villages} villages checked, {changed} items changed"


def _snapshot_targets(session: Session, settings: Settings) -> str:
    from perdes.monitoring.targets import snapshot_all_due

    return f"{snapshot_all_due(session)} target-list snapshots taken"


def _recount_overdue(session: Session, settings: Settings) -> str:
    from perdes.monitoring.services import recount_overdue

    return f"overdue steps recounted in {recount_overdue(session)} kecamatan rows"


def _weekly_digests(session: Session, settings: Settings) -> str:
    from perdes.notifications.digests import send_weekly_digests

    return f"{send_weekly_digests(session)} digests"


def _queue_notes(session: Session, settings: Settings) -> str:
    from perdes.notifications.digests import send_queue_notes

    return f"{send_queue_notes(session)} queue notes"


def _register_retention(factory: sessionmaker[Session], settings: Settings) -> str:
    from perdes.register.retention import RetentionPolicy, remove_files, run_retention

    with factory() as session, session.begin():
        report = run_retention(session, policy=RetentionPolicy.from_settings(settings))
    remove_files(settings.effective_upload_path, report.files_removed)  # only once committed
    return f"{report.anonymised} persons anonymised, {len(report.files_removed)} scans removed"


def _register_rekey(factory: sessionmaker[Session], settings: Settings) -> str:
    from perdes.register.crypto import keyring_from_settings
    from perdes.register.rekey import reencrypt

    report = reencrypt(factory, keyring=keyring_from_settings(settings))
    return f"{report.resealed} values resealed, {report.unreadable} unreadable"


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    description: str
    schedule: str  # human-readable, WIB
    cron: dict[str, Any]  # APScheduler CronTrigger fields, in WIB
    period: Callable[[datetime], str]
    session_work: SessionWork | None = None
    factory_work: FactoryWork | None = None
    tags: tuple[str, ...] = field(default=())


JOBS: dict[str, JobSpec] = {
    spec.name: spec
    for spec in (
        JobSpec(
            name="mail-send",
            description="Send the due e-mail in the outbox (perdes mail send)",
            schedule="every minute",
            cron={"minute": "*"},
            period=_minute,
            factory_work=_send_mail,
        ),
        JobSpec(
            name="deadline-reminders",
            description="Remind villages of deadlines N days ahead and on the day overdue",
            schedule="hourly at :05 (villages from 07:00 local time)",
            cron={"minute": 5},
            period=_hour,
            session_work=_deadline_reminders,
        ),
        JobSpec(
            name="queue-notes",
            description="Tell monitors when checklist items wait for their verification",
            schedule="daily 07:30 WIB",
            cron={"hour": 7, "minute": 30},
            period=_day,
            session_work=_queue_notes,
        ),
        JobSpec(
            name="weekly-digests",
            description="A weekly digest of each monitor's scope",
            schedule="Mondays 07:00 WIB",
            cron={"day_of_week": "mon", "hour": 7, "minute": 0},
            period=_week,
            session_work=_weekly_digests,
        ),
        JobSpec(
            name="checklist-refresh",
            description="Re-evaluate derived checklist items (perdes checklist refresh)",
            schedule="daily 01:00 WIB",
            cron={"hour": 1, "minute": 0},
            period=_day,
            session_work=_refresh_checklist,
        ),
        JobSpec(
            name="rollup-overdue",
            description="Recount each kecamatan's overdue steps for the new day (dashboards)",
            schedule="daily 00:01 WIB",
            cron={"hour": 0, "minute": 1},
            period=_day,
            session_work=_recount_overdue,
        ),
        JobSpec(
            name="monitoring-snapshot",
            description="Snapshot target lists due for one (perdes monitoring snapshot)",
            schedule="Mondays 02:00 WIB",
            cron={"day_of_week": "mon", "hour": 2, "minute": 0},
            period=_week,
            session_work=_snapshot_targets,
        ),
        JobSpec(
            name="register-retention",
            description="Anonymise register persons past their retention period (UU 27/2022)",
            schedule="daily 02:30 WIB",
            cron={"hour": 2, "minute": 30},
            period=_day,
            factory_work=_register_retention,
        ),
        JobSpec(
            name="register-rekey",
            description="Re-seal register values still under an older key (after a rotation)",
            schedule="daily 03:00 WIB",
            cron={"hour": 3, "minute": 0},
            period=_day,
            factory_work=_register_rekey,
        ),
    )
}


class UnknownJob(LookupError):
    pass


def run_job(
    factory: sessionmaker[Session],
    settings: Settings,
    name: str,
    *,
    now: datetime | None = None,
    run_key: str | None = None,
    holder: str | None = None,
) -> RunResult:
    """Run ``name`` for the period containing ``now`` (or an explicit ``run_key``), once."""
    spec = JOBS.get(name)
    if spec is None:
        raise UnknownJob(name)
    now = now or utcnow()
    return run_claimed(
        factory,
        settings,
        job=name,
        run_key=run_key or spec.period(now),
        session_work=spec.session_work,
        factory_work=spec.factory_work,
        holder=holder,
        now=now,
    )

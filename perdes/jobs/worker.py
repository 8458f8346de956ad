"""``perdes worker``: APScheduler fires each job on its schedule; the database claim makes
sure that however many workers run, each (job, period) runs once."""

from __future__ import annotations

import logging

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.orm import Session, sessionmaker

from perdes.config import Settings
from perdes.jobs.registry import JOBS, ZONE, run_job

log = logging.getLogger("perdes.worker")


def _fire(factory: sessionmaker[Session], settings: Settings, name: str) -> None:
    result = run_job(factory, settings, name)
    level = logging.WARNING if result.status == "failed" else logging.INFO
    log.log(level, "%s %s: %s (%s)", result.job, result.run_key, result.status, result.detail)


def build_scheduler(factory: sessionmaker[Session], settings: Settings) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=ZONE)
    for spec in JOBS.values():
        scheduler.add_job(
            _fire,
            CronTrigger(timezone=ZONE, **spec.cron),
            args=(factory, settings, spec.name),
            id=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )
    return scheduler

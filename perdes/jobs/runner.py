"""Claiming and running one job for one period, exactly once across processes.

A worker claims (job, period) by inserting the ``job_run`` row (the unique constraint lets one
insert win) and committing. A failed run, or a running claim whose lease has expired (its
worker died), can be taken over by a compare-and-set update. A job whose work is one
transaction marks itself done in that same transaction, so its work and its "done" are
committed together or not at all; the outbox sender commits per message and is idempotent.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from perdes.config import Settings
from perdes.db import utcnow
from perdes.jobs.models import JobRun, RunStatus

LEASE = timedelta(minutes=30)
KEEP = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class RunResult:
    job: str
    run_key: str
    status: str  # done, failed, skipped
    detail: str


# A job's work: a transactional job takes the session it must use (and not commit); a job
# that manages its own transactions takes the session factory.
SessionWork = Callable[[Session, Settings], str]
FactoryWork = Callable[[sessionmaker[Session], Settings], str]


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


def claim(
    factory: sessionmaker[Session], *, job: str, run_key: str, holder: str, now: datetime
) -> bool:
    """True when this caller now owns (job, run_key); False when another has it or it is done."""
    try:
        with factory() as session, session.begin():
            session.add(
                JobRun(
                    job_name=job,
                    run_key=run_key,
                    status=RunStatus.RUNNING,
                    holder=holder,
                    started_at=now,
                    lease_until=now + LEASE,
                    attempts=1,
                    detail="",
                )
            )
    except IntegrityError:
        pass
    else:
        return True
    with factory() as session, session.begin():
        result = session.execute(
            update(JobRun)
            .where(
                JobRun.job_name == job,
                JobRun.run_key == run_key,
                or_(
                    JobRun.status == RunStatus.FAILED,
                    (JobRun.status == RunStatus.RUNNING) & (JobRun.lease_until < now),
                ),
            )
            .values(
                status=RunStatus.RUNNING,
                holder=holder,
                started_at=now,
                lease_until=now + LEASE,
                attempts=JobRun.attempts + 1,
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]  # an UPDATE returns a CursorResult


def _finish(
    session: Session, *, job: str, run_key: str, holder: str, status: RunStatus, detail: str
) -> bool:
    result = session.execute(
        update(JobRun)
        .where(
            JobRun.job_name == job,
            JobRun.run_key == run_key,
            JobRun.holder == holder,
            JobRun.status == RunStatus.RUNNING,
        )
        .values(status=status, finished_at=utcnow(), detail=detail[:500])
    )
    return result.rowcount == 1  # type: ignore[attr-defined, no-any-return]  # an UPDATE returns a CursorResult


def run_claimed(
    factory: sessionmaker[Session],
    settings: Settings,
    *,
    job: str,
    run_key: str,
    session_work: SessionWork | None = None,
    factory_work: FactoryWork | None = None,
    holder: str | None = None,
    now: datetime | None = None,
) -> RunResult:
    """Claim (job, run_key) and do the work once; 'skipped' when someone else has it."""
    holder = holder or holder_name()
    now = now or utcnow()
    if not claim(factory, job=job, run_key=run_key, holder=holder, now=now):
        return RunResult(job, run_key, "skipped", "already done or running elsewhere")
    try:
        if session_work is not None:
            with factory() as session, session.begin():
                detail = session_work(session, settings)
                if not _finish(
                    session,
                    job=job,
                    run_key=run_key,
                    holder=holder,
                    status=RunStatus.DONE,
                    detail=detail,
                ):
                    # Our lease ran out and another worker took over: undo our work.
                    raise LeaseLost()
        else:
            assert factory_work is not None
            detail = factory_work(factory, settings)
            with factory() as session, session.begin():
                _finish(
                    session,
                    job=job,
                    run_key=run_key,
                    holder=holder,
                    status=RunStatus.DONE,
                    detail=detail,
                )
    except LeaseLost:
        return RunResult(job, run_key, "skipped", "lease lost to another worker; rolled back")
    except Exception as exc:  # a job's failure is recorded, and retried next time
        with factory() as session, session.begin():
            _finish(
                session,
                job=job,
                run_key=run_key,
                holder=holder,
                status=RunStatus.FAILED,
                detail=f"{type(exc).__name__}: {exc}",
            )
        return RunResult(job, run_key, "failed", f"{type(exc).__name__}: {exc}")
    with factory() as session, session.begin():
        session.execute(
            delete(JobRun).where(
                JobRun.job_name == job,
                JobRun.status == RunStatus.DONE,
                JobRun.started_at < now - KEEP,
            )
        )
    return RunResult(job, run_key, "done", detail)


class LeaseLost(Exception):
    """The claim passed to another worker while this one worked."""

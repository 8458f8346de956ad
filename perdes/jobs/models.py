"""One row per (job, period): the claim that makes a job run once however many workers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from perdes.db import Base, UTCDateTime, utcnow


class RunStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def _values(e: type[RunStatus]) -> list[str]:
    return [m.value for m in e]


class JobRun(Base):
    """A job's run for one period (a day, a week, a minute); unique per (job, period)."""

    __tablename__ = "job_run"
    __table_args__ = (
        UniqueConstraint("job_name", "run_key"),
        Index("ix_job_run_job_name_started_at", "job_name", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(String(40))
    run_key: Mapped[str] = mapped_column(
        String(40), comment="the period: 2026-11-30, 2026-W49, 2026-11-30T07:05, manual:…"
    )
    status: Mapped[RunStatus] = mapped_column(
        Enum(RunStatus, native_enum=False, length=10, values_callable=_values)
    )
    holder: Mapped[str] = mapped_column(String(80), comment="host:pid of the worker")
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime] = mapped_column(
        UTCDateTime, comment="a running claim older than this was abandoned (crash)"
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    detail: Mapped[str] = mapped_column(String(500), default="")

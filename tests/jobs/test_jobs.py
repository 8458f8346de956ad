"""Scheduled jobs: one run per (job, period) across concurrent workers, crash take-over,
failures recorded and retried. Runs against a scratch database (real commits, threads)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from perdes import migrate
from perdes.checklist import derived
from perdes.cli import app
from perdes.config import Settings
from perdes.db import make_engine, make_session_factory, utcnow
from perdes.jobs.models import JobRun, RunStatus
from perdes.jobs.registry import JOBS, ZONE, run_job
from perdes.jobs.runner import LEASE, run_claimed
from perdes.jobs.worker import build_scheduler


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = os.environ.get("PERDES_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('jobs') / 'jobs.sqlite3'}")
        migrate.upgrade(engine)
        yield engine
        engine.dispose()
        return
    name = f"perdes_jobs_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    migrate.upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


@pytest.fixture()
def factory(scratch: Engine) -> Iterator[sessionmaker[Session]]:
    factory = make_session_factory(scratch)
    yield factory
    with factory() as session, session.begin():
        session.execute(text("DELETE FROM job_run"))


@pytest.fixture()
def job_settings(tmp_path: Path) -> Settings:
    return Settings(instance_path=tmp_path, secret_key="k")


def _together(*calls):  # type: ignore[no-untyped-def]
    results: list[object] = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def go(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_a_job_run_twice_concurrently_does_its_work_once(factory, job_settings, monkeypatch):
    calls: list[str] = []
    original = derived.refresh_all

    def counting(session):  # type: ignore[no-untyped-def]
        calls.append(threading.current_thread().name)
        time.sleep(0.3)  # both workers are inside at once
        return original(session)

    monkeypatch.setattr(derived, "refresh_all", counting)
    now = utcnow()
    results = _together(
        lambda: run_job(factory, job_settings, "checklist-refresh", now=now, holder="a:1"),
        lambda: run_job(factory, job_settings, "checklist-refresh", now=now, holder="b:2"),
    )
    assert len(calls) == 1
    assert sorted(r.status for r in results) == ["done", "skipped"]
    with factory() as session:
        [row] = session.scalars(select(JobRun)).all()
    assert row.status is RunStatus.DONE and row.run_key == now.astimezone(ZONE).date().isoformat()
    # The same day again (a restarted worker): nothing; the next day: runs.
    assert run_job(factory, job_settings, "checklist-refresh", now=now).status == "skipped"
    tomorrow = run_job(factory, job_settings, "checklist-refresh", now=now + timedelta(days=1))
    assert tomorrow.status == "done" and len(calls) == 2


def test_a_crashed_run_is_taken_over_after_its_lease(factory, job_settings):
    done: list[str] = []
    now = utcnow()
    with factory() as session, session.begin():
        session.add(
            JobRun(
                job_name="probe",
                run_key="k",
                status=RunStatus.RUNNING,
                holder="dead:1",
                started_at=now,
                lease_until=now + LEASE,
            )
        )

    def work(session, settings):  # type: ignore[no-untyped-def]
        done.append("x")
        return "ok"

    early = run_claimed(factory, job_settings, job="probe", run_key="k", session_work=work, now=now)
    assert early.status == "skipped" and not done
    late = run_claimed(
        factory,
        job_settings,
        job="probe",
        run_key="k",
        session_work=work,
        now=now + LEASE + timedelta(seconds=1),
    )
    assert late.status == "done" and done == ["x"]
    with factory() as session:
        row = session.scalar(select(JobRun).where(JobRun.job_name == "probe"))
    assert row.attempts == 2 and row.holder != "dead:1"


def test_a_failure_is_recorded_rolled_back_and_retried(factory, job_settings):
    def failing(session, settings):  # type: ignore[no-untyped-def]
        session.execute(
            text(
                "INSERT INTO job_run (job_name, run_key, status, holder, attempts, started_at,"
                " lease_until, detail) VALUES ('side', 'effect', 'done', 'x', 1, :t, :t, '')"
            ),
            {"t": utcnow()},
        )
        raise RuntimeError("server down")

    result = run_claimed(factory, job_settings, job="probe", run_key="f", session_work=failing)
    assert result.status == "failed" and "server down" in result.detail
    with factory() as session:
        assert session.scalar(select(JobRun).where(JobRun.job_name == "side")) is None
        row = session.scalar(select(JobRun).where(JobRun.job_name == "probe"))
        assert row.status is RunStatus.FAILED
    retried = run_claimed(
        factory, job_settings, job="probe", run_key="f", session_work=lambda s, c: "ok"
    )
    assert retried.status == "done"


def test_the_worker_schedules_every_job_in_wib(factory, job_settings):
    scheduler = build_scheduler(factory, job_settings)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == set(JOBS)
    fire = jobs["checklist-refresh"].trigger.get_next_fire_time(None, utcnow().astimezone(ZONE))
    assert (fire.hour, fire.minute, fire.utcoffset()) == (1, 0, timedelta(hours=7))


def test_jobs_from_the_command_line(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("PERDES_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    first = runner.invoke(app, ["jobs", "run", "monitoring-snapshot"])
    assert first.exit_code == 0 and ": done (0 target-list snapshots taken)" in first.output
    second = runner.invoke(app, ["jobs", "run", "monitoring-snapshot"])
    assert "skipped" in second.output
    forced = runner.invoke(app, ["jobs", "run", "monitoring-snapshot", "--force"])
    assert "manual:" in forced.output and "done" in forced.output
    listing = runner.invoke(app, ["jobs", "list"])
    assert "monitoring-snapshot" in listing.output and "mail-send" in listing.output
    unknown = runner.invoke(app, ["jobs", "run", "tidak-ada"])
    assert unknown.exit_code == 1 and "no job named" in unknown.output

"""``perdes worker`` and ``perdes jobs list|run NAME``."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from perdes.config import Settings

app = typer.Typer(help="Scheduled jobs.", no_args_is_help=True)


def _factory() -> tuple[sessionmaker[Session], Settings]:
    from perdes.config import Settings
    from perdes.db import engine_from_settings
    from perdes.pipeline import make_session_factory

    settings = Settings()
    return make_session_factory(engine_from_settings(settings)), settings


@app.command("list")
def list_jobs() -> None:
    """Every job, its schedule, and its latest run."""
    from rich.console import Console
    from rich.table import Table
    from sqlalchemy import select

    from perdes.jobs.models import JobRun
    from perdes.jobs.registry import JOBS

    factory, _ = _factory()
    table = Table(title="Scheduled jobs (times in WIB)")
    for column in ("job", "schedule", "what", "latest run", "status", "detail"):
        table.add_column(column)
    with factory() as session:
        for spec in JOBS.values():
            last = session.scalar(
                select(JobRun)
                .where(JobRun.job_name == spec.name)
                .order_by(JobRun.started_at.desc())
                .limit(1)
            )
            table.add_row(
                spec.name,
                spec.schedule,
                spec.description,
                last.run_key if last else "never",
                last.status.value if last else "",
                last.detail if last else "",
            )
    Console(width=200).print(table)


@app.command("run")
def run(
    name: Annotated[str, typer.Argument(help="A job name from `perdes jobs list`.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Run even if this period's run is done (a manual run)."),
    ] = False,
) -> None:
    """Run a job now, for the current period (skipped when that is done, unless --force)."""
    from perdes.console import fail
    from perdes.db import utcnow
    from perdes.jobs.registry import JOBS, run_job

    if name not in JOBS:
        fail(f"no job named {name!r}; known: {', '.join(JOBS)}")
    factory, settings = _factory()
    key = f"manual:{utcnow().isoformat(timespec='seconds')}" if force else None
    result = run_job(factory, settings, name, run_key=key)
    typer.echo(f"{result.job} {result.run_key}: {result.status} ({result.detail})")
    if result.status == "failed":
        raise typer.Exit(1)


def worker() -> None:
    """Run the scheduler until stopped (Ctrl-C); safe to run on several machines at once."""
    import logging

    from perdes.jobs.registry import JOBS
    from perdes.jobs.worker import build_scheduler

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    factory, settings = _factory()
    if settings.environment == "production":
        from perdes.register.crypto import keyring_from_settings

        keyring_from_settings(settings)  # refuse to start without the register's keys
    scheduler = build_scheduler(factory, settings)
    typer.echo(f"perdes worker: {len(JOBS)} jobs scheduled ({', '.join(JOBS)}); Ctrl-C stops")
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()

"""The ``perdes`` command: migrations, region import, demo data, users, drafting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from perdes import pipeline
from perdes.checklist.cli import app as checklist_app
from perdes.cli_users import app as users_app
from perdes.config import Settings
from perdes.console import err, fail, out
from perdes.db import engine_from_settings, session_scope
from perdes.drafting.cli import app as draft_app
from perdes.monitoring.cli import app as monitoring_app

app = typer.Typer(
    help="Perdes PMI: village regulations on migrant-worker protection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
regions_app = typer.Typer(help="Region registry (Kemendagri codes).", no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(users_app, name="users")
app.add_typer(draft_app, name="draft")
app.add_typer(checklist_app, name="checklist")
app.add_typer(monitoring_app, name="monitoring")


@app.callback()
def _setup() -> None:
    """Perdes PMI: village regulations on migrant-worker protection."""
    pipeline.install()  # every subcommand's writes keep derived data in step


@app.command()
def migrate() -> None:
    """Upgrade the database named by PERDES_DATABASE_URL to the latest schema."""
    from perdes import migrate as migrations

    settings = Settings()
    engine = engine_from_settings(settings)
    migrations.upgrade(engine)
    out.print(f"database at head: {engine.url.render_as_string(hide_password=True)}")


@regions_app.command("import")
def regions_import(
    file: Annotated[Path, typer.Argument(help="CSV with header kode,nama (',' or ';').")],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the good rows, report the bad ones.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Upsert regions by code; all or nothing unless --skip-invalid."""
    from perdes.regions.importer import ImportFileError, import_regions, read_region_csv

    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        rows = read_region_csv(data)
    except ImportFileError as exc:
        fail(f"{file}: {exc}")
    factory = pipeline.make_session_factory(engine_from_settings(Settings()))
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("import", total=len(rows))
        with session_scope(factory) as session:
            report = import_regions(
                session,
                rows,
                skip_invalid=skip_invalid,
                progress=lambda n: progress.advance(task, n),
            )
    for bad in report.bad_rows[:50]:
        err.print(f"line {bad.line}: {bad.code or '(empty)'}: {bad.reason}", highlight=False)
    if len(report.bad_rows) > 50:
        err.print(f"… and {len(report.bad_rows) - 50} more bad rows", highlight=False)
    table = Table(title=f"{file.name}: {report.rows_read} rows read")
    for column in ("level", "inserted", "updated", "unchanged"):
        table.add_column(column, justify="left" if column == "level" else "right")
    for level, counts in report.levels.items():
        table.add_row(level.value, str(counts.inserted), str(counts.updated), str(counts.unchanged))
    out.print(table)
    if not report.written:
        fail(
            f"{len(report.bad_rows)} bad rows; nothing imported "
            "(use --skip-invalid to import the rest)"
        )
    if report.bad_rows:
        err.print(f"{len(report.bad_rows)} bad rows skipped", highlight=False)


@app.command()
def demo(
    regions_file: Annotated[
        Path | None,
        typer.Option(help="Region CSV; default: the national file, else a bundled extract."),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(envvar="PERDES_DEMO_PASSWORD", help="Same password for all demo users."),
    ] = None,
) -> None:
    """Migrate; load Banten's regions, demo profiles, adoption steps and the checklist; and
    (re)create one user per role."""
    from perdes import demo as demo_data
    from perdes import migrate as migrations

    settings = Settings()
    engine = engine_from_settings(settings)
    migrations.upgrade(engine)
    with session_scope(pipeline.make_session_factory(engine)) as session:
        path, report = demo_data.load_regions(session, regions_file)
        if not report.written:
            fail(f"{path}: {len(report.bad_rows)} bad rows; demo regions not loaded")
        demo_data.load_profiles(session)
        demo_data.load_activity(session)
        passwords = demo_data.load_users(session, password=password)
    inserted = sum(c.inserted for c in report.levels.values())
    out.print(f"regions from {path.name}: {report.rows_read} rows, {inserted} new", highlight=False)
    table = Table(title="Demo users (passwords are new on every run)")
    for column in ("username", "role", "password"):
        table.add_column(column)
    for user in demo_data.DEMO_USERS:
        table.add_row(user.username, user.role.value, passwords[user.username])
    out.print(table)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()

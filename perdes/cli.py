"""The ``perdes`` command: migrations, region import, demo data, users, drafting.

Starting it is cheap: ``perdes --help`` imports neither the web app nor SQLAlchemy's models nor
python-docx. The command groups and commands defined in other modules (``LAZY``) are imported
only when run; the commands here import what they need in their bodies. ``set_up`` (the
derived-data pipeline with every model, the principal cache's listener) runs just before a
command's body, so a ``--help`` or a usage error at any depth ends before it; ``READ_ONLY``
groups skip it.
"""

from __future__ import annotations

import functools
import importlib
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

# name: (module, attribute, the one-line help shown by ``perdes --help``; a test holds it equal
# to the command's own)
LAZY: dict[str, tuple[str, str, str]] = {
    "users": ("perdes.cli_users", "app", "User accounts."),
    "draft": ("perdes.drafting.cli", "app", "Draft Peraturan Desa from templates."),
    "checklist": (
        "perdes.checklist.cli",
        "app",
        "Checklist frameworks (Desa PMI Prosedural).",
    ),
    "monitoring": (
        "perdes.monitoring.cli",
        "app",
        "Monitoring: target-list snapshots, dashboard rollup.",
    ),
    "mail": ("perdes.cli_mail", "app", "E-mail outbox."),
    "jobs": ("perdes.cli_jobs", "app", "Scheduled jobs."),
    "worker": (
        "perdes.cli_jobs",
        "worker",
        "Run the scheduler until stopped (Ctrl-C); safe to run on several machines at once.",
    ),
    "backup": (
        "perdes.cli_backup",
        "backup_command",
        "Back up the database and the evidence files into one archive (safe while running).",
    ),
    "restore": (
        "perdes.cli_backup",
        "restore_command",
        "Restore a backup into PERDES_DATABASE_URL and the upload folder (stop the app first).",
    ),
}


def load_command(name: str) -> Any:
    """Import a ``LAZY`` command (a Typer app or a command function) and build it, as
    ``add_typer``/``command`` on the top-level app would have."""
    module, attribute, _ = LAZY[name]
    target: Any = getattr(importlib.import_module(module), attribute)
    parent = typer.Typer()
    parent.callback()(_no_op)  # a group, even around a single command
    if isinstance(target, typer.Typer):
        parent.add_typer(target, name=name)
    else:
        parent.command(name)(target)
    return typer.main.get_group(parent).commands[name]


def _no_op() -> None:
    pass


def set_up_first(command: Any, *, read_only: bool) -> Any:
    """Make every command under ``command`` run ``set_up`` just before its own body (once per
    command object): a usage error or a ``--help`` at any depth ends before it."""
    if isinstance(command, TyperGroup):
        for sub in command.commands.values():
            set_up_first(sub, read_only=read_only)
        return command
    body = command.callback
    if read_only or body is None or getattr(body, "perdes_set_up", False):
        return command

    @functools.wraps(body)
    def run(*args: Any, **kwargs: Any) -> Any:
        set_up()
        return body(*args, **kwargs)

    run.perdes_set_up = True  # type: ignore[attr-defined]  # a marker, read back by getattr above
    command.callback = run
    return command


class LazyGroup(TyperGroup):
    """The top-level group: lists ``LAZY`` commands by name and help, imports one when run."""

    listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *LAZY]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in LAZY and self.listing:
            return TyperCommand(cmd_name, help=LAZY[cmd_name][2])
        command = load_command(cmd_name) if cmd_name in LAZY else super().get_command(ctx, cmd_name)
        if command is None or self.listing:
            return command
        return set_up_first(command, read_only=cmd_name in READ_ONLY)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    cls=LazyGroup,
    help="Perdes PMI: village regulations on migrant-worker protection.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
regions_app = typer.Typer(help="Region registry (Kemendagri codes).", no_args_is_help=True)
deadlines_app = typer.Typer(help="Working-day deadlines of the tracker.", no_args_is_help=True)
app.add_typer(regions_app, name="regions")
app.add_typer(deadlines_app, name="tenggat")


# Groups whose commands never write to the database: they skip ``set_up`` (the pipeline and
# every model it loads), so ``perdes draft render`` loads only the models it reads. A write
# from one of them would fail loudly: ``events.publish`` refuses without the pipeline.
READ_ONLY = frozenset({"draft"})


@app.callback()
def _root() -> None:
    """Perdes PMI: village regulations on migrant-worker protection."""


def set_up() -> None:
    """What every command that may write needs, run just before it (not for ``--help``)."""
    from perdes import pipeline
    from perdes.accounts import principal_cache
    from perdes.config import Settings

    pipeline.install()  # every subcommand's writes keep derived data in step
    # An account changed here (``perdes users disable``…) rewrites the epoch file, so the web
    # app's workers on this host forget the principals they cached at once.
    principal_cache.install()
    global _accounts_epoch
    _accounts_epoch = principal_cache.PrincipalCache(instance_path=Settings().instance_path)


_accounts_epoch: Any = None


@app.command()
def migrate() -> None:
    """Upgrade the database named by PERDES_DATABASE_URL to the latest schema."""
    from perdes import migrate as migrations
    from perdes.config import Settings
    from perdes.console import out
    from perdes.db import engine_from_settings

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
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from perdes import pipeline
    from perdes.config import Settings
    from perdes.console import err, fail, out
    from perdes.db import engine_from_settings, session_scope
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


@deadlines_app.command("hitung-ulang")
def deadlines_recompute() -> None:
    """Recompute every stored due date (after editing the holiday file, PERDES_HOLIDAYS_FILE)."""
    from perdes import pipeline
    from perdes.config import Settings
    from perdes.console import fail, out
    from perdes.db import engine_from_settings, session_scope
    from perdes.tracking import rules, workdays

    try:
        workdays.reload()
        workdays.calendar()
    except workdays.HolidayFileError as exc:
        fail(f"holiday file: {exc}")
    engine = engine_from_settings(Settings())
    try:
        with session_scope(pipeline.make_session_factory(engine)) as session:
            changed = rules.recompute_deadlines(session)
    finally:
        engine.dispose()
    out.print(f"due dates changed: {changed}", highlight=False)


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
    """Migrate; load Banten's regions, demo profiles, adoption steps and the checklist, a small
    fictional PMI register for Tirtayasa; and (re)create one user per role."""
    from rich.table import Table

    from perdes import demo as demo_data
    from perdes import migrate as migrations
    from perdes import pipeline
    from perdes.checklist import validity
    from perdes.config import Settings
    from perdes.console import fail, out
    from perdes.db import engine_from_settings, session_scope
    from perdes.demo import register_data as demo_register
    from perdes.register.crypto import keyring_from_settings

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
        demo_data.load_checklist(session)
        demo_register.load_register(
            session, keyring=keyring_from_settings(settings), today=validity.today()
        )
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

"""``perdes checklist``: load framework versions, list them, refresh derived items."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="Checklist frameworks (Desa PMI Prosedural).", no_args_is_help=True)
err = Console(stderr=True)
out = Console()


@app.command("load")
def load(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Framework YAML files; default: the frameworks shipped with the app."),
    ] = None,
) -> None:
    """Validate and store framework versions; newer versions upgrade the villages' answers."""
    from perdes.accounts.principal import Principal
    from perdes.checklist.framework import FrameworkInvalid, bundled_files, load_framework_file
    from perdes.checklist.loading import load_framework
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope
    from perdes.errors import DomainError

    paths = files or bundled_files()
    parsed = []
    problems = 0
    for path in paths:
        try:
            parsed.append((path, load_framework_file(path)))
        except FrameworkInvalid as exc:
            for problem in exc.problems:
                err.print(str(problem), highlight=False, soft_wrap=True)
            problems += len(exc.problems)
    if problems:
        err.print(f"[bold red]error:[/] {problems} problem(s); nothing loaded", highlight=False)
        raise typer.Exit(1)
    factory = make_session_factory(engine_from_settings(Settings()))
    try:
        with session_scope(factory) as session:
            for path, framework in sorted(parsed, key=lambda p: (p[1].id, p[1].version)):
                result = load_framework(
                    session, actor=Principal.system(), framework=framework, source=path.name
                )
                state = "loaded" if result.created else "unchanged"
                out.print(
                    f"{framework.id} v{framework.version}: {state}"
                    + (f", {result.upgraded} village(s) upgraded" if result.upgraded else ""),
                    highlight=False,
                )
                if result.plan is not None:
                    plan = result.plan
                    out.print(
                        f"  answers kept: {len(plan.kept)}; sent back for verification: "
                        f"{', '.join(plan.recheck) or '-'}; archived: "
                        f"{', '.join(plan.archived) or '-'}; new items: {len(plan.added)}",
                        highlight=False,
                        soft_wrap=True,
                    )
    except DomainError as exc:
        err.print(f"[bold red]error:[/] {exc.message}; nothing loaded", highlight=False)
        raise typer.Exit(1) from exc


@app.command("frameworks")
def frameworks() -> None:
    """List the stored framework versions (the current one of each is marked)."""
    from perdes.checklist import registry
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope

    factory = make_session_factory(engine_from_settings(Settings()))
    with session_scope(factory) as session:
        current = {row.id for row in registry.current_versions(session)}
        table = Table(title="Checklist frameworks")
        for column in ("id", "version", "title", "items", "loaded", "current"):
            table.add_column(column)
        for row in registry.list_versions(session):
            table.add_row(
                row.slug,
                str(row.version),
                row.title,
                str(len(registry.parsed(row).item_ids)),
                row.loaded_at.strftime("%Y-%m-%d %H:%M"),
                "yes" if row.id in current else "",
            )
    out.print(table)


@app.command("threshold")
def threshold(
    regency: Annotated[str, typer.Argument(help="Kabupaten/kota code, e.g. 36.04.")],
    percent: Annotated[int, typer.Argument(help="Matched departures needed, 0-100.")],
    note: Annotated[str, typer.Option(help="e.g. the office's letter number.")] = "",
    framework: Annotated[str, typer.Option(help="Framework id.")] = "desa-pmi-prosedural",
) -> None:
    """Set the outcome threshold of a kabupaten/kota (the monitor's office decides it)."""
    from perdes.accounts.principal import Principal
    from perdes.checklist.thresholds import set_threshold
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope
    from perdes.errors import DomainError, ValidationFailed

    factory = make_session_factory(engine_from_settings(Settings()))
    try:
        with session_scope(factory) as session:
            row = set_threshold(
                session,
                actor=Principal.system(),
                regency_code=regency,
                framework_slug=framework,
                percent=percent,
                note=note,
            )
            out.print(
                f"{row.regency_code}: outcome threshold {row.min_matched_percent}%",
                highlight=False,
            )
    except ValidationFailed as exc:
        err.print(f"[bold red]error:[/] {'; '.join(exc.errors.values())}", highlight=False)
        raise typer.Exit(1) from exc
    except DomainError as exc:
        err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(1) from exc


@app.command("refresh")
def refresh() -> None:
    """Re-evaluate derived items and expire answers past their validity (run daily, after
    midnight WIB: facts and validity periods change with time alone)."""
    from perdes.checklist import derived, validity
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope

    factory = make_session_factory(engine_from_settings(Settings()))
    with session_scope(factory) as session:
        villages, changed = derived.refresh_all(session)
        assessments, expired = validity.refresh_expired(session)
    out.print(f"{villages} village(s) checked, {changed} item(s) changed", highlight=False)
    out.print(
        f"{expired} answer(s) expired today in {assessments} assessment(s); totals recomputed",
        highlight=False,
    )

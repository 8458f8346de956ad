"""``perdes monitoring``: weekly target-list snapshots (cron) and the dashboard rollup."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="Monitoring: target-list snapshots, dashboard rollup.", no_args_is_help=True)
out = Console()


@app.command()
def snapshot() -> None:
    """Snapshot every target list whose newest snapshot is older than 7 days."""
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope
    from perdes.monitoring.targets import snapshot_all_due

    engine = engine_from_settings(Settings())
    try:
        with session_scope(make_session_factory(engine)) as session:
            taken = snapshot_all_due(session)
    finally:
        engine.dispose()
    out.print(f"snapshots taken: {taken}", highlight=False)


@app.command()
def rebuild() -> None:
    """Recompute the per-kecamatan dashboard rollup (after rows were written outside the app)."""
    from perdes.config import Settings
    from perdes.db import engine_from_settings, make_session_factory, session_scope
    from perdes.monitoring import rollup

    engine = engine_from_settings(Settings())
    try:
        with session_scope(make_session_factory(engine)) as session:
            districts = rollup.rebuild(session)
    finally:
        engine.dispose()
    out.print(f"kecamatan recomputed: {districts}", highlight=False)

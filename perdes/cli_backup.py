"""``perdes backup`` and ``perdes restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def backup_command(
    destination: Annotated[
        Path, typer.Argument(help="Archive file (.tar.gz), or a folder for a dated name.")
    ] = Path("."),
) -> None:
    """Back up the database and the evidence files into one archive (safe while running)."""
    from perdes.backup import BackupError, backup
    from perdes.config import Settings
    from perdes.console import fail

    try:
        report = backup(Settings(), destination)
    except BackupError as exc:
        fail(str(exc))
        return
    typer.echo(
        f"backup written: {report.path} ({report.database}, {report.files} evidence files, "
        f"{report.bytes:,} bytes)"
    )


def restore_command(
    archive: Annotated[Path, typer.Argument(help="A backup made by `perdes backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace an existing database and upload folder.")
    ] = False,
) -> None:
    """Restore a backup into PERDES_DATABASE_URL and the upload folder (stop the app first)."""
    from perdes.backup import BackupError, restore
    from perdes.config import Settings
    from perdes.console import fail

    if not archive.is_file():
        fail(f"no backup at {archive}")
    try:
        report = restore(Settings(), archive, force=force)
    except BackupError as exc:
        fail(str(exc))
        return
    typer.echo(f"restored {report.database} database and {report.files} evidence files")

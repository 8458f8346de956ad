"""Backup and restore of everything a village would lose: the database and the evidence files.

A backup is one ``.tar.gz`` holding ``manifest.json`` (format, database kind, the SHA-256 of
every file), the database (``database.sqlite3`` made with SQLite's online backup API, so it is
consistent while the app runs; or ``database.dump`` from ``pg_dump -Fc``) and ``uploads/``.
Restore checks every hash before it touches anything, then puts the database back
(``pg_restore --clean`` for PostgreSQL) and the files under the upload folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from perdes.config import Settings

FORMAT = "perdes-backup/1"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why (English, for the CLI)."""


@dataclass(frozen=True, slots=True)
class BackupReport:
    path: Path
    database: str
    files: int
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(url: str) -> str:
    """The SQLAlchemy URL as pg_dump/pg_restore understand it (no driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def backup(settings: Settings, destination: Path) -> BackupReport:
    """Write a backup archive to ``destination`` (a file name, or a folder for a dated name)."""
    url = settings.effective_database_url
    kind = make_url(url).get_backend_name()
    if destination.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"perdes-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if kind == "sqlite":
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupError(f"no database at {source_path}")
            source = sqlite3.connect(str(source_path))
            target = sqlite3.connect(str(work / "database.sqlite3"))
            try:
                source.backup(target)  # the online backup API: consistent while in use
            finally:
                target.close()
                source.close()
        elif kind == "postgresql":
            _run(
                ["pg_dump", "-Fc", "--no-owner", "-f", str(work / "database.dump"), _libpq_url(url)]
            )
        else:
            raise BackupError(f"unsupported database {kind!r}")
        uploads = settings.effective_upload_path
        if uploads.exists():
            shutil.copytree(uploads, work / "uploads")
        files = {
            str(p.relative_to(work)): _sha256(p) for p in sorted(work.rglob("*")) if p.is_file()
        }
        manifest = {
            "format": FORMAT,
            "database": kind,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": files,
        }
        (work / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            for path in sorted(work.rglob("*")):
                archive.add(path, arcname=str(path.relative_to(work)), recursive=False)
        partial.replace(destination)
    return BackupReport(
        path=destination,
        database=kind,
        files=sum(1 for name in files if name.startswith("uploads/")),
        bytes=destination.stat().st_size,
    )


def restore(settings: Settings, archive_path: Path, *, force: bool = False) -> BackupReport:
    """Put a backup back into the configured database and upload folder. Refuses to overwrite
    an existing SQLite database or upload folder unless ``force``; verifies every hash first."""
    url = settings.effective_database_url
    kind = make_url(url).get_backend_name()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        try:
            with tarfile.open(archive_path, "r:gz") as archive:
                archive.extractall(work, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{archive_path}: not a readable backup ({exc})") from exc
        try:
            manifest = json.loads((work / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"{archive_path}: no manifest.json") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{archive_path}: unknown backup format {manifest.get('format')!r}")
        if manifest.get("database") != kind:
            raise BackupError(
                f"backup holds a {manifest.get('database')} database; the target is {kind}"
            )
        for name, digest in manifest["files"].items():
            path = work / name
            if not path.is_file() or _sha256(path) != digest:
                raise BackupError(f"{archive_path}: {name} is missing or damaged (hash differs)")
        uploads = settings.effective_upload_path
        if kind == "sqlite":
            target = _sqlite_path(url)
            if target.exists() and not force:
                raise BackupError(f"{target} exists; stop the app and use --force to replace it")
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(work / "database.sqlite3", target)
        else:
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "-d",
                    _libpq_url(url),
                    str(work / "database.dump"),
                ]
            )
        if (work / "uploads").exists():
            if uploads.exists() and any(uploads.iterdir()):
                if not force:
                    raise BackupError(f"{uploads} is not empty; use --force to replace it")
                shutil.rmtree(uploads)
            shutil.copytree(work / "uploads", uploads, dirs_exist_ok=True)
        files = sum(1 for name in manifest["files"] if name.startswith("uploads/"))
    return BackupReport(path=archive_path, database=kind, files=files, bytes=0)


def _run(command: list[str]) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} not found; install the PostgreSQL client tools") from exc
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:500]}")


__all__ = ["BackupError", "BackupReport", "backup", "restore"]

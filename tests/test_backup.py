"""`perdes backup` / `perdes restore`: a round trip gives back every row of every table and
every evidence file, byte for byte (SQLite; and PostgreSQL in the PostgreSQL lane)."""

from __future__ import annotations

import hashlib
import io
import os
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Engine, make_url
from typer.testing import CliRunner

from perdes import demo, migrate
from perdes.accounts.principal import Principal
from perdes.backup import BackupError, backup, restore
from perdes.cli import app
from perdes.config import Settings
from perdes.db import engine_from_settings, make_engine, make_session_factory, session_scope
from perdes.demo import FALLBACK_CSV
from perdes.models import Base
from perdes.tracking.evidence import attach_evidence
from perdes.tracking.models import Adoption, AdoptionEvent
from tests.factories import LONTAR

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PG = os.environ.get("PERDES_TEST_DATABASE_URL")


@contextmanager
def _database(kind: str, folder: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'perdes.sqlite3'}"
        return
    assert PG
    name = f"perdes_bak_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _settings(folder: Path, url: str) -> Settings:
    return Settings(instance_path=folder, database_url=url, secret_key="k")


def _fill(settings: Settings) -> None:
    engine = engine_from_settings(settings)
    migrate.upgrade(engine)
    with session_scope(make_session_factory(engine)) as session:
        demo.load_regions(session, FALLBACK_CSV)
        demo.load_profiles(session)
        demo.load_activity(session)
        demo.load_users(session, password="sandi-cadangan-123")
        event_id = session.scalar(
            select(AdoptionEvent.id)
            .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
            .where(Adoption.village_code == LONTAR)
            .limit(1)
        )
        assert event_id is not None, "the demo activity has Lontar's steps"
        attach_evidence(
            session,
            actor=Principal.system(),
            event_id=event_id,
            data=PDF,
            filename="bukti.pdf",
            root=settings.effective_upload_path,
            max_bytes=10**6,
        )
    engine.dispose()


def _snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    tables = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            key = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*key)).all()
            tables[table.name] = [tuple(r) for r in rows]
    return tables


def _files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


KINDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG, reason="no PG"))]


@pytest.mark.parametrize("kind", KINDS)
def test_backup_restore_round_trip_keeps_every_row_and_file(tmp_path: Path, kind: str):
    with _database(kind, tmp_path / "a") as url_a, _database(kind, tmp_path / "b") as url_b:
        (tmp_path / "a").mkdir(exist_ok=True)
        (tmp_path / "b").mkdir(exist_ok=True)
        source = _settings(tmp_path / "a", url_a)
        _fill(source)
        archive = backup(source, tmp_path / "backup.tar.gz").path
        target = _settings(tmp_path / "b", url_b)
        if kind == "postgresql":
            live = engine_from_settings(target)
            migrate.upgrade(live)  # restore --clean over a live schema
            live.dispose()
        restore(target, archive)
        engine_a, engine_b = engine_from_settings(source), engine_from_settings(target)
        try:
            before, after = _snapshot(engine_a), _snapshot(engine_b)
        finally:
            engine_a.dispose()
            engine_b.dispose()
        assert before["region"] and before["adoption_event_file"]
        assert before == after
        uploads = _files(source.effective_upload_path)
        assert uploads and uploads == _files(target.effective_upload_path)


def test_restore_refuses_damaged_archives_and_existing_data(tmp_path: Path):
    source = _settings(tmp_path / "a", f"sqlite:///{tmp_path / 'a' / 'perdes.sqlite3'}")
    (tmp_path / "a").mkdir()
    _fill(source)
    archive = backup(source, tmp_path).path
    assert archive.name.startswith("perdes-backup-") and archive.suffixes[-2:] == [".tar", ".gz"]
    with pytest.raises(BackupError, match="exists"):
        restore(source, archive)
    damaged = tmp_path / "rusak.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member) if member.isfile() else None
            if member.name.startswith("uploads/") and data is not None:
                content = b"ubah" + data.read()
                member.size = len(content)
                dst.addfile(member, io.BytesIO(content))
            else:
                dst.addfile(member, data)
    fresh = _settings(tmp_path / "c", f"sqlite:///{tmp_path / 'c' / 'perdes.sqlite3'}")
    with pytest.raises(BackupError, match="damaged"):
        restore(fresh, damaged)
    assert not (tmp_path / "c" / "perdes.sqlite3").exists(), "nothing written"
    not_a_backup = tmp_path / "bukan.tar.gz"
    not_a_backup.write_bytes(b"bukan arsip")
    with pytest.raises(BackupError, match="not a readable backup"):
        restore(fresh, not_a_backup)


def test_backup_and_restore_commands(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path / "i"))
    monkeypatch.setenv("PERDES_DATABASE_URL", f"sqlite:///{tmp_path / 'i' / 'db.sqlite3'}")
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    made = runner.invoke(app, ["backup", str(tmp_path / "b.tar.gz")])
    assert made.exit_code == 0 and "backup written" in made.output
    refused = runner.invoke(app, ["restore", str(tmp_path / "b.tar.gz")])
    assert refused.exit_code == 1 and "--force" in refused.output
    forced = runner.invoke(app, ["restore", str(tmp_path / "b.tar.gz"), "--force"])
    assert forced.exit_code == 0, forced.output
    missing = runner.invoke(app, ["restore", str(tmp_path / "tidak-ada.tar.gz")])
    assert missing.exit_code == 1 and "no backup" in missing.output

"""Migrations: upgrade to head, the models match (alembic check), and downgrade to base."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine, make_url

from perdes import migrate
from perdes.db import make_engine


@pytest.fixture()
def scratch_engine(tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the engine under test (a scratch PostgreSQL database in CI)."""
    url = os.environ.get("PERDES_TEST_DATABASE_URL")
    if not url:
        engine = make_engine(f"sqlite:///{tmp_path / 'migrations.sqlite3'}")
        yield engine
        engine.dispose()
        return
    name = f"perdes_mig_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}"'))
        admin.dispose()


def test_upgrade_check_downgrade(scratch_engine: Engine) -> None:
    migrate.upgrade(scratch_engine)
    tables = set(inspect(scratch_engine).get_table_names())
    assert {"region", "village_profile", "user_account", "audit_entry", "stored_file"} <= tables
    with scratch_engine.begin() as conn:
        cfg = migrate.alembic_config(scratch_engine)
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises when the models and the migrations disagree
    migrate.downgrade(scratch_engine)
    assert set(inspect(scratch_engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(scratch_engine)

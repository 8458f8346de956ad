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


def test_migrations_import_no_application_code() -> None:
    """A migration is frozen history: application code moves on and would break it."""
    import ast

    from perdes.config import PROJECT_ROOT

    for path in sorted((PROJECT_ROOT / "alembic" / "versions").glob("*.py")):
        for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(item, ast.Import):
                names = [a.name for a in item.names]
            elif isinstance(item, ast.ImportFrom):
                names = [item.module or ""]
            assert not [n for n in names if n.split(".")[0] == "perdes"], path.name


def test_the_rollup_migration_fills_the_rollup_from_stored_data(scratch_engine: Engine) -> None:
    """0011 on a database with villages, adoptions and checklist totals computes the same rows
    as the application's own rebuild."""
    from datetime import timedelta

    from sqlalchemy import select

    from perdes.accounts.principal import Principal
    from perdes.checklist import services as checklist
    from perdes.checklist.loading import load_bundled
    from perdes.db import session_scope
    from perdes.monitoring.rollup import DistrictRollup
    from perdes.pipeline import make_session_factory
    from perdes.tracking import services as tracking
    from perdes.tracking.deadlines import local_today
    from perdes.tracking.stages import STAGE_ORDER, Stage
    from tests.factories import LONTAR, SUSUKAN, load_sample_regions
    from tests.tracking.helpers import step_data

    migrate.upgrade(scratch_engine)
    admin = Principal.system()
    with session_scope(make_session_factory(scratch_engine)) as session:
        load_sample_regions(session)
        load_bundled(session, actor=admin)
        for code, last in ((LONTAR, Stage.DIUNDANGKAN), (SUSUKAN, Stage.PENYUSUNAN)):
            adoption = tracking.start_adoption(session, actor=admin, village_code=code)
            on = local_today() - timedelta(days=40)
            for stage in STAGE_ORDER[: STAGE_ORDER.index(last) + 1]:
                tracking.record_step(
                    session, actor=admin, adoption_id=adoption.id, data=step_data(stage, on)
                )
                on += timedelta(days=1)
        checklist.answer_item(
            session, actor=admin, village_code=SUSUKAN, framework_slug="desa-pmi-prosedural",
            item_key="satgas-komunitas-pmi", status="terpenuhi",
        )  # fmt: skip

    # Overdue steps are counted for a day: migrated rows have none (NULL, counted live by the
    # dashboards) until the daily recount; the other figures are rebuilt from stored data.
    day_bound = {"updated_at", "overdue", "overdue_on"}

    def rows() -> list[tuple[object, ...]]:
        columns = [c for c in DistrictRollup.__table__.columns if c.name not in day_bound]
        with scratch_engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(*columns).order_by(columns[0]))]

    kept = rows()
    assert any(r[1] for r in kept)  # villages counted
    migrate.downgrade(scratch_engine, "0010")
    migrate.upgrade(scratch_engine)
    assert rows() == kept

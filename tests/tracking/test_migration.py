"""Migration 0004 matches the models, and goes down and up again cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from perdes import migrate
from perdes.db import make_engine

TRACKER_TABLES = {"adoption", "adoption_event", "adoption_event_file", "deadline_rule"}


def test_upgrade_check_downgrade_upgrade(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    try:
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= TRACKER_TABLES
        indexes = {i["name"] for i in inspect(engine).get_indexes("adoption")}
        assert {
            "ix_adoption_current_stage",
            "ix_adoption_next_deadline_on",
            "ix_adoption_village_code",
        } <= indexes
        with engine.begin() as conn:
            cfg = migrate.alembic_config(engine)
            cfg.attributes["connection"] = conn
            command.check(cfg)  # raises when the models and migrations differ
        migrate.downgrade(engine, "0003")
        assert not TRACKER_TABLES & set(inspect(engine).get_table_names())
        migrate.upgrade(engine)
        assert set(inspect(engine).get_table_names()) >= TRACKER_TABLES
    finally:
        engine.dispose()

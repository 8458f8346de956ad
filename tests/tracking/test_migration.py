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


def _insert(conn, table, values):  # type: ignore[no-untyped-def]
    """Insert a row giving only ``values`` and a plain value for every other NOT NULL column."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    row = dict(values)
    for column in inspect(conn).get_columns(table):
        if column["name"] in row or column["nullable"] or column.get("default") is not None:
            continue
        if column.get("autoincrement") is True or column["name"] == "id":
            continue
        kind = str(column["type"]).upper()
        row[column["name"]] = (
            datetime(2026, 1, 1, tzinfo=UTC) if "DATETIME" in kind
            else 0 if "INT" in kind or "BOOL" in kind
            else ""
        )  # fmt: skip
    names = ", ".join(row)
    conn.execute(text(f"INSERT INTO {table} ({names}) VALUES (:{', :'.join(row)})"), row)


def test_0120_keeps_every_record_a_perdes_and_backfills_publication(tmp_path):
    from sqlalchemy import text

    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    try:
        migrate.upgrade(engine, "0170")
        with engine.begin() as conn:
            _insert(conn, "region", {"code": "36.04.13.2007", "name": "Lontar", "level": "desa",
                                     "province_code": "36"})  # fmt: skip
            for id_, promulgated in ((1, "2025-03-11"), (2, None)):
                _insert(conn, "adoption", {"id": id_, "village_code": "36.04.13.2007",
                                           "title": f"P{id_}", "promulgated_on": promulgated,
                                           "current_stage": "diundangkan" if promulgated else None,
                                           "is_latest": id_ == 2})  # fmt: skip
        migrate.upgrade(engine)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT id, kind, published_on FROM adoption ORDER BY id"))
            assert [tuple(r) for r in rows] == [(1, "perdes", "2025-03-11"), (2, "perdes", None)]
            _insert(conn, "adoption", {"id": 3, "village_code": "36.04.13.2007", "title": "K",
                                       "kind": "kepdes", "is_latest": False})  # fmt: skip
        migrate.downgrade(engine, "0170")
        with engine.begin() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM adoption ORDER BY id"))]
            assert ids == [1, 2], "other kinds cannot exist before 0120"
    finally:
        engine.dispose()

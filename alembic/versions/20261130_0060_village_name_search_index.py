"""village name search index (SQLite FTS5 trigram, PostgreSQL pg_trgm)

A name fragment (``/desa?q=sari``) was a ``lower(name) LIKE '%sari%'`` over every region.
SQLite gets an FTS5 table with the trigram tokenizer, kept in step with ``region`` by
triggers; its rowid is the region code without dots (unique across levels: 2, 4, 6 or 10
digits). PostgreSQL gets a GIN trigram index on ``lower(name)`` when the pg_trgm extension
can be created (it ships in postgresql-contrib); without it, search stays a scan.

Revision ID: 0060
Revises: 0031
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

revision: str = "0060"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "CAST(replace({}.code, '.', '') AS INTEGER)"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE region_name_fts USING fts5("
            "name, code UNINDEXED, tokenize = 'trigram')"
        )
        op.execute(
            f"INSERT INTO region_name_fts (rowid, name, code) "
            f"SELECT {KEY.format('region')}, name, code FROM region"
        )
        op.execute(
            "CREATE TRIGGER region_name_fts_insert AFTER INSERT ON region BEGIN "
            f"INSERT INTO region_name_fts (rowid, name, code) "
            f"VALUES ({KEY.format('new')}, new.name, new.code); END"
        )
        op.execute(
            "CREATE TRIGGER region_name_fts_delete AFTER DELETE ON region BEGIN "
            f"DELETE FROM region_name_fts WHERE rowid = {KEY.format('old')}; END"
        )
        op.execute(
            "CREATE TRIGGER region_name_fts_update AFTER UPDATE OF name, code ON region BEGIN "
            f"DELETE FROM region_name_fts WHERE rowid = {KEY.format('old')}; "
            f"INSERT INTO region_name_fts (rowid, name, code) "
            f"VALUES ({KEY.format('new')}, new.name, new.code); END"
        )
    elif bind.dialect.name == "postgresql":
        available = bind.scalar(
            text("SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'")
        )
        if available:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            # The operator class lives in the extension's schema, which need not be on the
            # search path (a database with a schema per tenant or test).
            schema = bind.scalar(
                text(
                    "SELECT n.nspname FROM pg_extension e "
                    "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
                )
            )
            op.execute(
                f'CREATE INDEX ix_region_name_trgm ON region USING gin (lower(name) "{schema}".gin_trgm_ops)'
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS region_name_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS region_name_fts")
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_region_name_trgm")

"""adoption.is_latest: each village's latest adoption, with partial indexes

The dashboards and lists found a village's latest adoption with a "no newer adoption of the
same village" anti-join, two thirds of the national dashboard's time. The flag is stored,
backfilled here, and kept by a before-insert hook; a partial unique index allows one latest
adoption per village.

Revision ID: 0061
Revises: 0060
Create Date: 2026-11-30 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0061"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): on SQLite, recreating a big ``adoption`` table would
    # check every event row's foreign key while dropping the old one.
    op.add_column(
        "adoption",
        sa.Column(
            "is_latest",
            sa.Boolean(),
            server_default=sa.true(),
            nullable=False,
            comment="the village's most recent adoption (kept by _only_one_latest)",
        ),
    )
    op.execute(
        "UPDATE adoption SET is_latest = (id = (SELECT max(newer.id) FROM adoption AS newer "
        "WHERE newer.village_code = adoption.village_code))"
    )
    # SQLite's planner uses a partial index only when the query repeats its condition: the
    # ORM writes a boolean test as "is_latest = 1" there.
    where = {"sqlite_where": sa.text("is_latest = 1"), "postgresql_where": sa.text("is_latest")}
    op.create_index("uq_adoption_latest_village", "adoption", ["village_code"], unique=True, **where)
    op.create_index(
        "ix_adoption_latest_deadline", "adoption", ["next_deadline_on", "village_code"], **where
    )


def downgrade() -> None:
    op.drop_index("ix_adoption_latest_deadline", table_name="adoption")
    op.drop_index("uq_adoption_latest_village", table_name="adoption")
    with op.batch_alter_table("adoption") as batch_op:
        batch_op.drop_column("is_latest")

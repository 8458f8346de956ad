"""form versions: optimistic locks on checklist answers, village profiles and outcome thresholds

Revision ID: 0150
Revises: 0100
Create Date: 2026-11-30 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0150"
down_revision: str | None = "0100"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = {
    "checklist_answer": "optimistic lock: a stale answer, note or verification form is refused",
    "village_profile": "optimistic lock: a stale profile form is refused",
    "checklist_outcome_threshold": "optimistic lock for the threshold form",
}


def upgrade() -> None:
    for table, comment in TABLES.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "version", sa.Integer(), server_default="1", nullable=False, comment=comment
                )
            )


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")

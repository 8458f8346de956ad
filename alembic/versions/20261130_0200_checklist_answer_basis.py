"""checklist answer basis: the register counts and date a derived answer was judged on

Revision ID: 0200
Revises: 0230
Create Date: 2026-11-30 20:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200"
down_revision: str | None = "0230"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checklist_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "basis",
                sa.JSON(),
                nullable=True,
                comment="derived from the register: fact, counts (no names) and their date",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("checklist_answer", schema=None) as batch_op:
        batch_op.drop_column("basis")

"""checklist answer figures: departure counts and budget year as numbers, not note text

Revision ID: 0151
Revises: 0150
Create Date: 2026-11-30 18:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0151'
down_revision: str | None = '0150'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('checklist_answer', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'figures',
                sa.JSON(),
                server_default='{}',
                nullable=False,
                comment='whole numbers of the answer (departure counts, budget year): figures.py',
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('checklist_answer', schema=None) as batch_op:
        batch_op.drop_column('figures')

"""rollup: overdue steps per kecamatan, counted for a day

Revision ID: 0170
Revises: 0083
Create Date: 2026-11-30 18:00:00

The rows start without a day (``overdue_on`` NULL), so dashboards count overdue steps live
until a row is recomputed or the daily ``rollup-overdue`` job (or ``perdes jobs run
rollup-overdue``) recounts them all.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0170"
down_revision: str | None = "0083"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("district_rollup") as batch:
        batch.add_column(
            sa.Column(
                "overdue",
                sa.Integer(),
                nullable=False,
                server_default="0",
                comment="overdue steps on overdue_on",
            )
        )
        batch.add_column(
            sa.Column(
                "overdue_on",
                sa.Date(),
                nullable=True,
                comment="the day (WIB) overdue was counted for; on another day it is counted live",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("district_rollup") as batch:
        batch.drop_column("overdue_on")
        batch.drop_column("overdue")

"""league table colour thresholds

Revision ID: 0070
Revises: 0061
Create Date: 2026-11-30 14:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0070"
down_revision: str | None = "0061"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "league_threshold",
        sa.Column("indicator", sa.String(length=20), nullable=False),
        sa.Column("red_below", sa.Float(), nullable=False, comment="red under this value"),
        sa.Column(
            "amber_below", sa.Float(), nullable=False, comment="amber under this, green above"
        ),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="optimistic lock for the admin form"
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_league_threshold_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("indicator", name=op.f("pk_league_threshold")),
    )


def downgrade() -> None:
    op.drop_table("league_threshold")

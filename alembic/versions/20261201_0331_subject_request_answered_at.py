"""pmi_subject_request answered_at: when an answer was recorded, to order a granted
restriction of processing and a granted lifting of it (the new request kind
"pencabutan_pembatasan", stored in the existing non-native enum column: no change there)

Revision ID: 0331
Revises: 0330
Create Date: 2026-12-01 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0331"
down_revision: str | None = "0330"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Answers given before liftings existed keep an empty answered_at: any granted lifting
    # comes after them (services.restricted_clause).
    with op.batch_alter_table("pmi_subject_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "answered_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="when the answer was recorded (server clock): orders a restriction and"
                " its lifting (services.restricted_clause); empty for answers before liftings"
                " existed",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("pmi_subject_request", schema=None) as batch_op:
        batch_op.drop_column("answered_at")

"""user_account version: the optimistic lock of the admin forms (regions, status, password,
invitation), so that two admins editing one account at once never overwrite each other

Revision ID: 0330
Revises: 0290
Create Date: 2026-12-01 02:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0330"
down_revision: str | None = "0290"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "version",
                sa.Integer(),
                server_default="1",
                nullable=False,
                comment="optimistic lock of the admin forms: bumped by a change of regions,"
                " status or password (never by sign-in or session bookkeeping); a stale form"
                " is refused",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("version")

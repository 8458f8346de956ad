"""user deactivated_by_role: who (by role level) deactivated an account, so that an operator
cannot reactivate a petugas whom an admin deactivated

Revision ID: 0290
Revises: 0200
Create Date: 2026-11-30 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0290"
down_revision: str | None = "0200"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "deactivated_by_role",
                sa.Enum(
                    "admin",
                    "admin_daerah",
                    "pemantau",
                    "operator",
                    "pendamping",
                    "petugas",
                    name="role",
                    native_enum=False,
                    length=12,
                ),
                nullable=True,
                comment="the role of whoever deactivated the account: only that level or higher"
                " reactivates it (accounts.services.may_reactivate)",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("deactivated_by_role")

"""one unfinished adoption per village (partial unique index)

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 15:35:00

The app already refused a second unfinished Perdes record for a village, but parallel starts
could each pass that check; the index makes the database refuse the second one. Stages are
written out here (frozen as of this revision) rather than imported from the application.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHERE = (
    "current_stage IS NULL OR current_stage NOT IN "
    "('diundangkan', 'dilaporkan', 'klarifikasi', 'disebarluaskan')"
)


def upgrade() -> None:
    op.create_index(
        "uq_adoption_unfinished_village",
        "adoption",
        ["village_code"],
        unique=True,
        sqlite_where=sa.text(WHERE),
        postgresql_where=sa.text(WHERE),
    )


def downgrade() -> None:
    op.drop_index("uq_adoption_unfinished_village", table_name="adoption")

"""adoption event links its draft revision

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:12:32.956228

``adoption_event.draft_revision_id`` was a bare integer waiting for drafting to land; it is now
a real foreign key to ``draft_revision``. Values that name no revision (the service accepted
any number) are cleared first: the step itself stays.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_COMMENT = "drafting revision sent to consultation/BPD; foreign key added when drafting lands"
NEW_COMMENT = "the draft revision this step concerns (sent to consultation or the BPD)"


def upgrade() -> None:
    op.execute(
        "UPDATE adoption_event SET draft_revision_id = NULL WHERE draft_revision_id IS NOT NULL"
        " AND draft_revision_id NOT IN (SELECT id FROM draft_revision)"
    )
    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.alter_column(
            'draft_revision_id', existing_type=sa.Integer(), existing_nullable=True,
            comment=NEW_COMMENT, existing_comment=OLD_COMMENT,
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_adoption_event_draft_revision_id_draft_revision'),
            'draft_revision', ['draft_revision_id'], ['id'],
        )


def downgrade() -> None:
    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_adoption_event_draft_revision_id_draft_revision'), type_='foreignkey'
        )
        batch_op.alter_column(
            'draft_revision_id', existing_type=sa.Integer(), existing_nullable=True,
            comment=OLD_COMMENT, existing_comment=NEW_COMMENT,
        )

"""draft edits over the template, and proposed wording on comments

Revision ID: 0100
Revises: 0170
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0100'
down_revision: str | None = '0170'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('draft_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edits', sa.JSON(), server_default='[]', nullable=False, comment="the drafter's wording over the template (perdes.drafting.edits operations)"))
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('proposed_text', sa.Text(), nullable=True, comment='proposed wording (edit markup) the drafter may accept or reject'))
        batch_op.add_column(sa.Column('proposed_ayat', sa.Integer(), nullable=True, comment="ayat ordinal the wording replaces; null: the Pasal's whole body"))
        batch_op.add_column(sa.Column('decision', sa.Enum('diterima', 'ditolak', name='proposaldecision', native_enum=False, length=12), nullable=True))
        batch_op.add_column(sa.Column('decided_revision', sa.Integer(), nullable=True, comment='the revision the accepted wording created'))


def downgrade() -> None:
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.drop_column('decided_revision')
        batch_op.drop_column('decision')
        batch_op.drop_column('proposed_ayat')
        batch_op.drop_column('proposed_text')
    with op.batch_alter_table('draft_revision', schema=None) as batch_op:
        batch_op.drop_column('edits')

"""evidence file names per attachment

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-27 22:42:46.240939
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('adoption_event_file', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_name', sa.String(length=120), nullable=False, server_default='', comment='the name given by this uploader (files are shared by hash)'))

    with op.batch_alter_table('checklist_evidence', schema=None) as batch_op:
        batch_op.add_column(sa.Column('file_name', sa.String(length=120), nullable=False, server_default='', comment='the name given by this uploader (files are shared by hash)'))

    # Existing links take the name stored with the file (that of its first uploader).
    for table in ('adoption_event_file', 'checklist_evidence'):
        op.execute(
            f"UPDATE {table} SET file_name = (SELECT original_name FROM stored_file "
            f"WHERE stored_file.id = {table}.stored_file_id)"
        )


def downgrade() -> None:
    with op.batch_alter_table('checklist_evidence', schema=None) as batch_op:
        batch_op.drop_column('file_name')

    with op.batch_alter_table('adoption_event_file', schema=None) as batch_op:
        batch_op.drop_column('file_name')


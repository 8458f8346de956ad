"""stored evidence files

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:08:48.439966
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('stored_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False, comment='decided from the content'),
    sa.Column('storage_name', sa.String(length=80), nullable=False, comment='generated'),
    sa.Column('original_name', sa.String(length=120), nullable=False, comment='display only'),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user_account.id'], name=op.f('fk_stored_file_uploaded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_file')),
    sa.UniqueConstraint('sha256', name=op.f('uq_stored_file_sha256')),
    sa.UniqueConstraint('storage_name', name=op.f('uq_stored_file_storage_name'))
    )


def downgrade() -> None:
    op.drop_table('stored_file')

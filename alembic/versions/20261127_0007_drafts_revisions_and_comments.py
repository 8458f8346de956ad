"""drafts revisions and comments

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 22:24:50.866214
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('template_slug', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('latest_number', sa.Integer(), nullable=False, comment='number of the newest revision (detects stale saves)'),
    sa.Column('consultation_number', sa.Integer(), nullable=True, comment='revision sent to public consultation'),
    sa.Column('bpd_number', sa.Integer(), nullable=True, comment='revision sent to the BPD'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_draft_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_draft_village_code_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft'))
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_village_code'), ['village_code'], unique=False)

    op.create_table('draft_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False, comment='revision shown when written'),
    sa.Column('clause_id', sa.String(length=80), nullable=False, comment='the Pasal, by clause id'),
    sa.Column('pasal_label', sa.String(length=20), nullable=False, comment='its number at that time'),
    sa.Column('source', sa.Enum('konsultasi_masyarakat', 'bpd', 'camat', 'pendamping', 'internal', name='commentsource', native_enum=False, length=24), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_draft_comment_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_draft_comment_draft_id_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_comment'))
    )
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.create_index('ix_draft_comment_draft_clause', ['draft_id', 'clause_id'], unique=False)

    op.create_table('draft_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=100), nullable=False),
    sa.Column('message', sa.String(length=200), nullable=False),
    sa.Column('template_version', sa.String(length=20), nullable=False),
    sa.Column('values', sa.JSON(), nullable=False, comment='variables as entered'),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('village', sa.JSON(), nullable=False, comment='the village data used, so the revision renders the same later'),
    sa.Column('sections', sa.JSON(), nullable=False, comment='[clause id, label, text] per part, for comparison'),
    sa.ForeignKeyConstraint(['author_id'], ['user_account.id'], name=op.f('fk_draft_revision_author_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['draft_id'], ['draft.id'], name=op.f('fk_draft_revision_draft_id_draft'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft_revision')),
    sa.UniqueConstraint('draft_id', 'number', name=op.f('uq_draft_revision_draft_id'))
    )


def downgrade() -> None:
    op.drop_table('draft_revision')
    with op.batch_alter_table('draft_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_draft_comment_draft_clause')

    op.drop_table('draft_comment')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_village_code'))

    op.drop_table('draft')

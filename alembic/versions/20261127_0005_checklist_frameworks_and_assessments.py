"""checklist frameworks, assessments, evidence, item history and per-village totals

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 22:17:52.086608
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
# At merge: the tracker's 0004 comes first; change this to '0004'.
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('checklist_framework',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False, comment='the framework id in the YAML'),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False, comment='file name it was loaded from'),
    sa.Column('loaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_framework')),
    sa.UniqueConstraint('slug', 'version', name=op.f('uq_checklist_framework_slug'))
    )
    op.create_table('checklist_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True, comment='set when the village moved to a newer framework version'),
    sa.ForeignKeyConstraint(['framework_id'], ['checklist_framework.id'], name=op.f('fk_checklist_assessment_framework_id_checklist_framework'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_checklist_assessment_village_code_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_assessment')),
    sa.UniqueConstraint('village_code', 'framework_id', name=op.f('uq_checklist_assessment_village_code'))
    )
    with op.batch_alter_table('checklist_assessment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_assessment_framework_id'), ['framework_id'], unique=False)

    op.create_table('checklist_village_total',
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('framework_slug', sa.String(length=60), nullable=False),
    sa.Column('framework_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True, comment='0–100; NULL when no weight is left to count'),
    sa.Column('verified_count', sa.Integer(), nullable=False),
    sa.Column('mandatory_missing_count', sa.Integer(), nullable=False),
    sa.Column('waiting_count', sa.Integer(), nullable=False),
    sa.Column('rejected_count', sa.Integer(), nullable=False),
    sa.Column('qualified', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['framework_id'], ['checklist_framework.id'], name=op.f('fk_checklist_village_total_framework_id_checklist_framework'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_checklist_village_total_village_code_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('village_code', 'framework_slug', name=op.f('pk_checklist_village_total'))
    )
    with op.batch_alter_table('checklist_village_total', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_village_total_framework_qualified', ['framework_slug', 'qualified'], unique=False)
        batch_op.create_index('ix_checklist_village_total_framework_waiting', ['framework_slug', 'waiting_count'], unique=False)

    op.create_table('checklist_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('belum', 'dalam_proses', 'terpenuhi', 'tidak_berlaku', name='itemstatus', native_enum=False, length=20), nullable=False),
    sa.Column('not_applicable_reason', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('verification', sa.Enum('belum', 'menunggu', 'diverifikasi', 'ditolak', name='verification', native_enum=False, length=20), nullable=False),
    sa.Column('rejection_reason', sa.Text(), nullable=False, comment='shown to the village'),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True, comment='NULL: system or nobody'),
    sa.Column('derived', sa.Boolean(), nullable=False, comment='status set by a rule from facts, not by a person'),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True, comment='the item is not in the newer framework version'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['checklist_assessment.id'], name=op.f('fk_checklist_answer_assessment_id_checklist_assessment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['user_account.id'], name=op.f('fk_checklist_answer_verified_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_answer')),
    sa.UniqueConstraint('assessment_id', 'item_key', name=op.f('uq_checklist_answer_assessment_id'))
    )
    with op.batch_alter_table('checklist_answer', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_answer_verification_submitted', ['verification', 'submitted_at'], unique=False)

    op.create_table('checklist_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['added_by_id'], ['user_account.id'], name=op.f('fk_checklist_evidence_added_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answer_id'], ['checklist_answer.id'], name=op.f('fk_checklist_evidence_answer_id_checklist_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_file.id'], name=op.f('fk_checklist_evidence_stored_file_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_evidence')),
    sa.UniqueConstraint('answer_id', 'stored_file_id', name=op.f('uq_checklist_evidence_answer_id'))
    )
    with op.batch_alter_table('checklist_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_evidence_answer_id'), ['answer_id'], unique=False)

    op.create_table('checklist_item_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_name', sa.String(length=100), nullable=False, comment='kept if the user goes'),
    sa.Column('kind', sa.Enum('dijawab', 'catatan', 'bukti_ditambah', 'bukti_dihapus', 'diverifikasi', 'ditolak', 'dibuka_kembali', 'otomatis', 'dibawa', 'diarsipkan', name='eventkind', native_enum=False, length=20), nullable=False),
    sa.Column('status', sa.Enum('belum', 'dalam_proses', 'terpenuhi', 'tidak_berlaku', name='itemstatus', native_enum=False, length=20), nullable=False),
    sa.Column('verification', sa.Enum('belum', 'menunggu', 'diverifikasi', 'ditolak', name='verification', native_enum=False, length=20), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False, comment='note, reason or file name'),
    sa.ForeignKeyConstraint(['actor_id'], ['user_account.id'], name=op.f('fk_checklist_item_event_actor_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answer_id'], ['checklist_answer.id'], name=op.f('fk_checklist_item_event_answer_id_checklist_answer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checklist_item_event'))
    )
    with op.batch_alter_table('checklist_item_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checklist_item_event_answer_id'), ['answer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('checklist_item_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_item_event_answer_id'))

    op.drop_table('checklist_item_event')
    with op.batch_alter_table('checklist_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_evidence_answer_id'))

    op.drop_table('checklist_evidence')
    with op.batch_alter_table('checklist_answer', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_answer_verification_submitted')

    op.drop_table('checklist_answer')
    with op.batch_alter_table('checklist_village_total', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_village_total_framework_waiting')
        batch_op.drop_index('ix_checklist_village_total_framework_qualified')

    op.drop_table('checklist_village_total')
    with op.batch_alter_table('checklist_assessment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checklist_assessment_framework_id'))

    op.drop_table('checklist_assessment')
    op.drop_table('checklist_framework')

"""adoption tracker: adoptions (stored read model), append-only events, evidence links, deadline rules

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:16:35.436712
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False, comment="the regulation, after 'tentang'"),
    sa.Column('summary', sa.String(length=500), nullable=False, comment='uraian singkat, for the Buku Peraturan di Desa'),
    sa.Column('recorded_after_the_fact', sa.Boolean(), nullable=False, comment='enacted before the app; history starts at agreement'),
    sa.Column('version', sa.Integer(), nullable=False, comment='optimistic lock: two users cannot record over each other'),
    sa.Column('current_stage', sa.Enum('direncanakan', 'penyusunan', 'konsultasi_masyarakat', 'diajukan_ke_bpd', 'pembahasan', 'disepakati', 'diserahkan_ke_kepala_desa', 'ditetapkan', 'diundangkan', 'dilaporkan', 'klarifikasi', 'disebarluaskan', name='stage', native_enum=False, length=32), nullable=True, comment='fold of the events; null before the first step'),
    sa.Column('current_stage_on', sa.Date(), nullable=True),
    sa.Column('next_deadline_kind', sa.Enum('penyerahan', 'penetapan', 'pelaporan', name='deadlinekind', native_enum=False, length=12), nullable=True, comment='what the next deadline is for'),
    sa.Column('next_deadline_on', sa.Date(), nullable=True),
    sa.Column('agreed_on', sa.Date(), nullable=True),
    sa.Column('berita_acara_number', sa.String(length=60), nullable=False),
    sa.Column('enacted_on', sa.Date(), nullable=True),
    sa.Column('perdes_number', sa.String(length=30), nullable=False),
    sa.Column('promulgated_on', sa.Date(), nullable=True),
    sa.Column('lembaran_year', sa.Integer(), nullable=True),
    sa.Column('lembaran_number', sa.String(length=30), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('report_letter_number', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_adoption_created_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_adoption_village_code_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption'))
    )
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.create_index('ix_adoption_current_stage', ['current_stage'], unique=False)
        batch_op.create_index('ix_adoption_next_deadline_on', ['next_deadline_on'], unique=False)
        batch_op.create_index('ix_adoption_village_code', ['village_code'], unique=False)

    op.create_table('deadline_rule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('penyerahan', 'penetapan', 'pelaporan', name='deadlinekind', native_enum=False, length=12), nullable=False),
    sa.Column('regency_code', sa.String(length=13), nullable=True, comment='null: the national default'),
    sa.Column('days', sa.Integer(), nullable=False, comment='calendar days'),
    sa.Column('legal_basis', sa.String(length=300), nullable=False, comment='e.g. Perbup Serang No. …'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['regency_code'], ['region.code'], name=op.f('fk_deadline_rule_regency_code_region'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_deadline_rule_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_rule')),
    sa.UniqueConstraint('kind', 'regency_code', name=op.f('uq_deadline_rule_kind'))
    )
    op.create_table('adoption_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('adoption_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('langkah', 'koreksi', 'pembatalan_catatan', name='eventkind', native_enum=False, length=20), nullable=False),
    sa.Column('stage', sa.Enum('direncanakan', 'penyusunan', 'konsultasi_masyarakat', 'diajukan_ke_bpd', 'pembahasan', 'disepakati', 'diserahkan_ke_kepala_desa', 'ditetapkan', 'diundangkan', 'dilaporkan', 'klarifikasi', 'disebarluaskan', name='stage', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False, comment='when it happened, not recorded'),
    sa.Column('corrects_event_id', sa.Integer(), nullable=True, comment='the original step a correction or retraction applies to'),
    sa.Column('reason', sa.Text(), nullable=False, comment='why a correction was made'),
    sa.Column('after_the_fact', sa.Boolean(), nullable=False),
    sa.Column('berita_acara_number', sa.String(length=60), nullable=False),
    sa.Column('perdes_number', sa.String(length=30), nullable=False),
    sa.Column('lembaran_year', sa.Integer(), nullable=True),
    sa.Column('lembaran_number', sa.String(length=30), nullable=False),
    sa.Column('berita_desa_number', sa.String(length=30), nullable=False),
    sa.Column('letter_number', sa.String(length=60), nullable=False),
    sa.Column('clarification_result', sa.Enum('sesuai', 'dibatalkan', name='clarificationresult', native_enum=False, length=12), nullable=True),
    sa.Column('decision_number', sa.String(length=60), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('draft_revision_id', sa.Integer(), nullable=True, comment='drafting revision sent to consultation/BPD; foreign key added when drafting lands'),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_name', sa.String(length=100), nullable=False, comment='kept'),
    sa.ForeignKeyConstraint(['adoption_id'], ['adoption.id'], name=op.f('fk_adoption_event_adoption_id_adoption'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['corrects_event_id'], ['adoption_event.id'], name=op.f('fk_adoption_event_corrects_event_id_adoption_event'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_adoption_event_recorded_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adoption_event'))
    )
    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.create_index('ix_adoption_event_adoption_id', ['adoption_id', 'id'], unique=False)

    op.create_table('adoption_event_file',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('stored_file_id', sa.Integer(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attached_by_id'], ['user_account.id'], name=op.f('fk_adoption_event_file_attached_by_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['adoption_event.id'], name=op.f('fk_adoption_event_file_event_id_adoption_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stored_file_id'], ['stored_file.id'], name=op.f('fk_adoption_event_file_stored_file_id_stored_file'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('event_id', 'stored_file_id', name=op.f('pk_adoption_event_file'))
    )
    with op.batch_alter_table('adoption_event_file', schema=None) as batch_op:
        batch_op.create_index('ix_adoption_event_file_stored_file_id', ['stored_file_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('adoption_event_file', schema=None) as batch_op:
        batch_op.drop_index('ix_adoption_event_file_stored_file_id')

    op.drop_table('adoption_event_file')
    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.drop_index('ix_adoption_event_adoption_id')

    op.drop_table('adoption_event')
    op.drop_table('deadline_rule')
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.drop_index('ix_adoption_village_code')
        batch_op.drop_index('ix_adoption_next_deadline_on')
        batch_op.drop_index('ix_adoption_current_stage')

    op.drop_table('adoption')

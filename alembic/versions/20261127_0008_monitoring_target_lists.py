"""monitoring target lists

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27 22:42:00.674583
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('target_list',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True, comment='the monitor who made it'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['user_account.id'], name=op.f('fk_target_list_owner_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_list'))
    )
    with op.batch_alter_table('target_list', schema=None) as batch_op:
        batch_op.create_index('ix_target_list_owner_id', ['owner_id'], unique=False)

    op.create_table('target_list_member',
    sa.Column('target_list_id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['target_list_id'], ['target_list.id'], name=op.f('fk_target_list_member_target_list_id_target_list'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['village_code'], ['region.code'], name=op.f('fk_target_list_member_village_code_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target_list_id', 'village_code', name=op.f('pk_target_list_member'))
    )
    with op.batch_alter_table('target_list_member', schema=None) as batch_op:
        batch_op.create_index('ix_target_list_member_village_code', ['village_code'], unique=False)

    op.create_table('target_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_list_id', sa.Integer(), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('village_count', sa.Integer(), nullable=False, comment='desa (not kelurahan) counted'),
    sa.Column('promulgated_count', sa.Integer(), nullable=False),
    sa.Column('qualified_count', sa.Integer(), nullable=False),
    sa.Column('overdue_count', sa.Integer(), nullable=False),
    sa.Column('stage_counts', sa.JSON(), nullable=False, comment="stage value (or 'belum_mulai') -> number of villages"),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['target_list_id'], ['target_list.id'], name=op.f('fk_target_snapshot_target_list_id_target_list'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_target_snapshot')),
    sa.UniqueConstraint('target_list_id', 'taken_on', name=op.f('uq_target_snapshot_target_list_id'))
    )
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.create_index('ix_adoption_monitoring', ['village_code', 'id', 'current_stage', 'next_deadline_on'], unique=False)

    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.create_index('ix_adoption_event_recorded_at', ['recorded_at'], unique=False)

    with op.batch_alter_table('checklist_village_total', schema=None) as batch_op:
        batch_op.create_index('ix_checklist_village_total_monitoring', ['village_code', 'framework_slug', 'qualified', 'waiting_count', 'score'], unique=False)

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index('ix_region_monitoring', ['level', 'province_code', 'regency_code', 'district_code', 'village_kind', 'code'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index('ix_region_monitoring')

    with op.batch_alter_table('checklist_village_total', schema=None) as batch_op:
        batch_op.drop_index('ix_checklist_village_total_monitoring')

    with op.batch_alter_table('adoption_event', schema=None) as batch_op:
        batch_op.drop_index('ix_adoption_event_recorded_at')

    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.drop_index('ix_adoption_monitoring')

    op.drop_table('target_snapshot')
    with op.batch_alter_table('target_list_member', schema=None) as batch_op:
        batch_op.drop_index('ix_target_list_member_village_code')

    op.drop_table('target_list_member')
    with op.batch_alter_table('target_list', schema=None) as batch_op:
        batch_op.drop_index('ix_target_list_owner_id')

    op.drop_table('target_list')

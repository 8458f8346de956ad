"""region registry and village profile

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:56:20.166066
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('region',
    sa.Column('code', sa.String(length=13), nullable=False, comment='e.g. 36.04.13.2007'),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.Enum('provinsi', 'kabupaten', 'kecamatan', 'desa', name='regionlevel', native_enum=False, length=12), nullable=False),
    sa.Column('parent_code', sa.String(length=13), nullable=True),
    sa.Column('province_code', sa.String(length=2), nullable=False, comment='2-digit ancestor'),
    sa.Column('regency_code', sa.String(length=5), nullable=True),
    sa.Column('district_code', sa.String(length=8), nullable=True),
    sa.Column('village_kind', sa.Enum('kelurahan', 'desa', 'desa_adat', name='villagekind', native_enum=False, length=12), nullable=True, comment='only for level desa'),
    sa.ForeignKeyConstraint(['parent_code'], ['region.code'], name=op.f('fk_region_parent_code_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_region'))
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_district_code'), ['district_code'], unique=False)
        batch_op.create_index('ix_region_level_name', ['level', 'name'], unique=False)
        batch_op.create_index('ix_region_parent_name', ['parent_code', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_region_province_code'), ['province_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_region_regency_code'), ['regency_code'], unique=False)

    op.create_table('village_profile',
    sa.Column('region_code', sa.String(length=13), nullable=False),
    sa.Column('sebutan_desa', sa.String(length=40), nullable=False),
    sa.Column('sebutan_kepala_desa', sa.String(length=40), nullable=False),
    sa.Column('sebutan_bpd', sa.String(length=80), nullable=False),
    sa.Column('kepala_desa_name', sa.String(length=100), nullable=False),
    sa.Column('sekretaris_desa_name', sa.String(length=100), nullable=False),
    sa.Column('ketua_bpd_name', sa.String(length=100), nullable=False),
    sa.Column('pmi_active_count', sa.Integer(), nullable=True, comment='migrant workers abroad now (aggregate, no names)'),
    sa.Column('pmi_returned_count', sa.Integer(), nullable=True, comment='returned migrant workers, purna PMI (aggregate)'),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('pmi_active_count >= 0', name=op.f('ck_village_profile_pmi_active_nonnegative')),
    sa.CheckConstraint('pmi_returned_count >= 0', name=op.f('ck_village_profile_pmi_returned_nonnegative')),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], name=op.f('fk_village_profile_region_code_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_code', name=op.f('pk_village_profile'))
    )


def downgrade() -> None:
    op.drop_table('village_profile')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_regency_code'))
        batch_op.drop_index(batch_op.f('ix_region_province_code'))
        batch_op.drop_index('ix_region_parent_name')
        batch_op.drop_index('ix_region_level_name')
        batch_op.drop_index(batch_op.f('ix_region_district_code'))

    op.drop_table('region')

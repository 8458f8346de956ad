"""outcome threshold per regency

Revision ID: 0050
Revises: 0020
Create Date: 2026-11-30 15:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0050'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'checklist_outcome_threshold',
        sa.Column('regency_code', sa.String(length=13), nullable=False),
        sa.Column('framework_slug', sa.String(length=60), nullable=False),
        sa.Column('min_matched_percent', sa.Integer(), nullable=False, comment='share of known departures matched by BP3MI, 0–100'),
        sa.Column('note', sa.Text(), nullable=False, comment="e.g. the office's letter"),
        sa.Column('set_by_id', sa.Integer(), nullable=True),
        sa.Column('set_by_name', sa.String(length=100), nullable=False, comment='kept if the user goes'),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint('min_matched_percent BETWEEN 0 AND 100', name=op.f('ck_checklist_outcome_threshold_min_matched_percent_range')),
        sa.ForeignKeyConstraint(['regency_code'], ['region.code'], name=op.f('fk_checklist_outcome_threshold_regency_code_region'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['set_by_id'], ['user_account.id'], name=op.f('fk_checklist_outcome_threshold_set_by_id_user_account'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('regency_code', 'framework_slug', name=op.f('pk_checklist_outcome_threshold')),
    )


def downgrade() -> None:
    op.drop_table('checklist_outcome_threshold')

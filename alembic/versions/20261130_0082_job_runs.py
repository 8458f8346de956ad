"""job runs

Revision ID: 0082
Revises: 0081
Create Date: 2026-11-30 15:09:21.618332
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0082'
down_revision: str | None = '0081'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_name', sa.String(length=40), nullable=False),
    sa.Column('run_key', sa.String(length=40), nullable=False, comment='the period: 2026-11-30, 2026-W49, 2026-11-30T07:05, manual:…'),
    sa.Column('status', sa.Enum('running', 'done', 'failed', name='runstatus', native_enum=False, length=10), nullable=False),
    sa.Column('holder', sa.String(length=80), nullable=False, comment='host:pid of the worker'),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=False, comment='a running claim older than this was abandoned (crash)'),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('detail', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_run')),
    sa.UniqueConstraint('job_name', 'run_key', name=op.f('uq_job_run_job_name'))
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.create_index('ix_job_run_job_name_started_at', ['job_name', 'started_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_index('ix_job_run_job_name_started_at')

    op.drop_table('job_run')

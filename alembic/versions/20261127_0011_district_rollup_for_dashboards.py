"""district rollup for dashboards

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 23:20:11.297104
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('district_rollup',
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('desa', sa.Integer(), nullable=False),
    sa.Column('kelurahan', sa.Integer(), nullable=False),
    sa.Column('n_direncanakan', sa.Integer(), nullable=False),
    sa.Column('n_penyusunan', sa.Integer(), nullable=False),
    sa.Column('n_konsultasi_masyarakat', sa.Integer(), nullable=False),
    sa.Column('n_diajukan_ke_bpd', sa.Integer(), nullable=False),
    sa.Column('n_pembahasan', sa.Integer(), nullable=False),
    sa.Column('n_disepakati', sa.Integer(), nullable=False),
    sa.Column('n_diserahkan_ke_kepala_desa', sa.Integer(), nullable=False),
    sa.Column('n_ditetapkan', sa.Integer(), nullable=False),
    sa.Column('n_diundangkan', sa.Integer(), nullable=False),
    sa.Column('n_dilaporkan', sa.Integer(), nullable=False),
    sa.Column('n_klarifikasi', sa.Integer(), nullable=False),
    sa.Column('n_disebarluaskan', sa.Integer(), nullable=False),
    sa.Column('promulgated', sa.Integer(), nullable=False),
    sa.Column('qualified', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Float(), nullable=False),
    sa.Column('score_count', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('district_code', name=op.f('pk_district_rollup'))
    )


    # Fill the rollup from the data already stored (a no-op on an empty database).
    from sqlalchemy.orm import Session

    from perdes.monitoring.rollup import rebuild

    with Session(bind=op.get_bind()) as session:
        rebuild(session)
        session.flush()


def downgrade() -> None:
    op.drop_table('district_rollup')

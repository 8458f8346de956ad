"""local legal form overrides in the village profile

Revision ID: 0020
Revises: 0012
Create Date: 2026-11-30 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0020'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ('jenis_peraturan', 60, 'regulation name, e.g. Qanun Gampong (empty: regional data)'),
    ('singkatan_bpd', 20, 'official abbreviation of the village council (empty: regional data)'),
    ('sebutan_kecamatan', 40, 'the district term, e.g. Distrik (empty: regional data)'),
    ('sebutan_camat', 40, 'the district head, e.g. Kepala Distrik (empty: regional data)'),
)


def upgrade() -> None:
    with op.batch_alter_table('village_profile', schema=None) as batch_op:
        for name, length, comment in COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True, comment=comment))


def downgrade() -> None:
    with op.batch_alter_table('village_profile', schema=None) as batch_op:
        for name, _, _ in reversed(COLUMNS):
            batch_op.drop_column(name)

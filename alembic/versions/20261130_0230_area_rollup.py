"""rollup: per kabupaten and per provinsi, the sums of the kecamatan rows

Revision ID: 0230
Revises: 0140
Create Date: 2026-11-30 21:00:00

The national dashboard summed 7,285 kecamatan rows on every request; it now reads 38 provinsi
rows, and a provinsi's dashboard its kabupaten rows. The rows are filled here from the
kecamatan rollup as it stands; from then on the derived-data pipeline keeps them in step.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0230"
down_revision: str | None = "0140"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The summed columns as this revision knows them (a migration never imports application code).
SUMMED = (
    "desa", "kelurahan", "n_direncanakan", "n_penyusunan", "n_konsultasi_masyarakat",
    "n_diajukan_ke_bpd", "n_pembahasan", "n_disepakati", "n_diserahkan_ke_kepala_desa",
    "n_ditetapkan", "n_diundangkan", "n_dilaporkan", "n_klarifikasi", "n_disebarluaskan",
    "promulgated", "qualified", "waiting", "score_sum", "score_count", "overdue",
)  # fmt: skip


def upgrade() -> None:
    columns = [
        sa.Column("code", sa.String(length=5), nullable=False, comment="kabupaten or provinsi")
    ]
    for name in SUMMED:
        kind = sa.Float() if name == "score_sum" else sa.Integer()
        comment = "overdue steps on overdue_on" if name == "overdue" else None
        columns.append(sa.Column(name, kind, nullable=False, comment=comment))
    columns += [
        sa.Column(
            "overdue_on",
            sa.Date(),
            nullable=True,
            comment="the day (WIB) overdue was counted for; on another day it is counted live",
        ),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area_rollup")),
    ]
    op.create_table("area_rollup", *columns)
    sums = ", ".join(f"sum({name})" for name in SUMMED)
    day = (
        "CASE WHEN count(overdue_on) = count(*) AND min(overdue_on) = max(overdue_on) "
        "THEN min(overdue_on) END"
    )
    into = f"INSERT INTO area_rollup (code, {', '.join(SUMMED)}, overdue_on, updated_at) "
    op.execute(
        into + f"SELECT substr(district_code, 1, 5), {sums}, {day}, max(updated_at) "
        "FROM district_rollup GROUP BY substr(district_code, 1, 5)"
    )
    op.execute(
        into + f"SELECT substr(code, 1, 2), {sums}, {day}, max(updated_at) "
        "FROM area_rollup WHERE length(code) = 5 GROUP BY substr(code, 1, 2)"
    )


def downgrade() -> None:
    op.drop_table("area_rollup")

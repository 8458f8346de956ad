"""district rollup for dashboards

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 23:20:11.297104
"""

from collections.abc import Sequence
from datetime import UTC, datetime

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


    _fill()


# The stages and the framework as this revision knows them. A migration is frozen history: it
# never imports application code, which moves on. ``perdes monitoring rebuild`` recomputes
# the rollup with the code of the day.
STAGES = (
    "direncanakan", "penyusunan", "konsultasi_masyarakat", "diajukan_ke_bpd", "pembahasan",
    "disepakati", "diserahkan_ke_kepala_desa", "ditetapkan", "diundangkan", "dilaporkan",
    "klarifikasi", "disebarluaskan",
)
PROMULGATED = frozenset(STAGES[STAGES.index("diundangkan"):])
FRAMEWORK = "desa-pmi-prosedural"


def _fill() -> None:
    """Fill the rollup from the data already stored (nothing on an empty database)."""
    bind = op.get_bind()
    region = sa.table(
        "region", sa.column("code"), sa.column("level"), sa.column("village_kind"),
        sa.column("district_code"),
    )
    adoption = sa.table(
        "adoption", sa.column("id"), sa.column("village_code"), sa.column("current_stage")
    )
    total = sa.table(
        "checklist_village_total", sa.column("village_code"), sa.column("framework_slug"),
        sa.column("score"), sa.column("qualified"), sa.column("waiting_count"),
    )
    stage: dict[str, str | None] = {}
    in_force: set[str] = set()
    for code, current in bind.execute(
        sa.select(adoption.c.village_code, adoption.c.current_stage).order_by(adoption.c.id)
    ):
        stage[code] = current  # the latest adoption gives the stage
        if current in PROMULGATED:
            in_force.add(code)  # any Perdes in force counts as promulgated
    totals = {
        row.village_code: row
        for row in bind.execute(sa.select(total).where(total.c.framework_slug == FRAMEWORK))
    }
    rows: dict[str, dict[str, object]] = {}
    for code, kind, district in bind.execute(
        sa.select(region.c.code, region.c.village_kind, region.c.district_code).where(
            region.c.level == "desa", region.c.district_code.is_not(None)
        )
    ):
        row = rows.setdefault(district, {
            "district_code": district, "desa": 0, "kelurahan": 0, "promulgated": 0,
            "qualified": 0, "waiting": 0, "score_sum": 0.0, "score_count": 0,
            **{f"n_{s}": 0 for s in STAGES},
        })  # fmt: skip
        if kind == "kelurahan":
            row["kelurahan"] += 1
            continue
        row["desa"] += 1
        if stage.get(code):
            row[f"n_{stage[code]}"] += 1
        row["promulgated"] += code in in_force
        found = totals.get(code)
        if found is not None:
            row["qualified"] += bool(found.qualified)
            row["waiting"] += (found.waiting_count or 0) > 0
            if found.score is not None:
                row["score_sum"] += found.score
                row["score_count"] += 1
    if rows:
        now = datetime.now(UTC)
        columns = [sa.column(name) for name in next(iter(rows.values()))]
        rollup = sa.table(
            "district_rollup", *columns, sa.column("updated_at", sa.DateTime(timezone=True))
        )
        op.bulk_insert(rollup, [{**row, "updated_at": now} for row in rows.values()])


def downgrade() -> None:
    op.drop_table('district_rollup')

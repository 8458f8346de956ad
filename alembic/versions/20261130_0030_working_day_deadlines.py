"""working-day deadlines, cuti bersama rule per kabupaten, evaluation of a Perdes

Revision ID: 0030
Revises: 0050
Create Date: 2026-11-30 14:50:00

PP 43/2014 Pasal 1 angka 13 ("Hari adalah hari kerja"): the stored due dates were counted in
calendar days and are recomputed here in working days (weekends and Indonesian public
holidays skipped). The migration keeps its own copy of that rule instead of importing the
application (migrations must keep working when the application code changes). It uses the
``holidays`` package, a declared dependency, for the public holidays: typing the dates here
would freeze a second, unreviewed copy of the calendar. Cuti bersama are not skipped: no
kabupaten has a ``workday_rule`` yet (the table is created here), and the default counts
them as working days. An installation's own holiday file (PERDES_HOLIDAYS_FILE) is applied
by ``perdes tenggat hitung-ulang`` after the migration. Downgrade recomputes calendar days.
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies (as of this revision) of the defaults and the stage each deadline follows.
DEFAULT_DAYS = {"penyerahan": 7, "penetapan": 15, "pelaporan": 7}
KIND_AFTER = {
    "disepakati": "penyerahan",
    "diserahkan_ke_kepala_desa": "penetapan",
    "diundangkan": "pelaporan",
}
MAX_SPAN_DAYS = 4000

adoption = sa.table(
    "adoption",
    sa.column("id", sa.Integer),
    sa.column("village_code", sa.String),
    sa.column("current_stage", sa.String),
    sa.column("current_stage_on", sa.Date),
    sa.column("next_deadline_kind", sa.String),
    sa.column("next_deadline_on", sa.Date),
)
deadline_rule = sa.table(
    "deadline_rule",
    sa.column("kind", sa.String),
    sa.column("regency_code", sa.String),
    sa.column("days", sa.Integer),
)


def _public_holidays(first: int, last: int) -> set[date]:
    import holidays  # the application's dependency; see the module docstring

    return set(holidays.country_holidays("ID", years=range(first, last + 1)))


def _add_working_days(start: date, days: int, off: set[date]) -> date | None:
    day, counted = start, 0
    while counted < days:
        if (day - start).days > MAX_SPAN_DAYS or day >= date.max - timedelta(days=7):
            return None  # absurd stored data: leave the deadline empty rather than fail
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


def _add_calendar_days(start: date, days: int, _off: set[date]) -> date | None:
    try:
        return start + timedelta(days=days)
    except OverflowError:
        return None


def _recompute(conn: sa.Connection, add: object) -> None:
    rules: dict[tuple[str, str | None], int] = {
        (kind, regency): days for kind, regency, days in conn.execute(sa.select(deadline_rule))
    }
    rows = conn.execute(
        sa.select(adoption.c.id, adoption.c.village_code, adoption.c.current_stage,
                  adoption.c.current_stage_on)
        .where(adoption.c.current_stage.in_(list(KIND_AFTER)))
    ).all()
    years = [r.current_stage_on.year for r in rows if r.current_stage_on is not None]
    off = _public_holidays(min(years), max(years) + 2) if years and add is _add_working_days else set()
    for row in rows:
        kind = KIND_AFTER[row.current_stage]
        due = None
        if row.current_stage_on is not None:
            days = rules.get((kind, row.village_code[:5]), rules.get((kind, None), DEFAULT_DAYS[kind]))
            due = add(row.current_stage_on, days, off)  # type: ignore[operator]
        conn.execute(
            sa.update(adoption)
            .where(adoption.c.id == row.id)
            .values(next_deadline_kind=kind if due else None, next_deadline_on=due)
        )


def upgrade() -> None:
    op.create_table(
        "workday_rule",
        sa.Column("regency_code", sa.String(length=13), nullable=False),
        sa.Column("skip_joint_leave", sa.Boolean(), nullable=False,
                  comment="cuti bersama days are not working days in this kabupaten"),
        sa.Column("legal_basis", sa.String(length=300), nullable=False,
                  comment="e.g. Perbup Serang No. …"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["regency_code"], ["region.code"],
                                name=op.f("fk_workday_rule_regency_code_region"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_workday_rule_updated_by_id_user_account"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("regency_code", name=op.f("pk_workday_rule")),
    )
    with op.batch_alter_table("adoption") as batch:
        batch.add_column(sa.Column(
            "perdes_type", sa.Enum("lainnya", "apb_desa", "pungutan", "tata_ruang",
                                   "organisasi_pemdes", name="perdestype", native_enum=False,
                                   length=20),
            server_default="lainnya", nullable=False,
            comment="four types are evaluated by the Bupati before penetapan (UU 6/2014 Pasal 69)"))
        batch.add_column(sa.Column("evaluation_received_on", sa.Date(), nullable=True,
                                   comment="the Bupati/Wali Kota received the draft for evaluation"))
        batch.add_column(sa.Column("evaluation_result_on", sa.Date(), nullable=True,
                                   comment="the village received the evaluation result"))
    with op.batch_alter_table("deadline_rule") as batch:
        batch.alter_column("days", existing_type=sa.Integer(), existing_nullable=False,
                           comment="working days", existing_comment="calendar days")
    _recompute(op.get_bind(), _add_working_days)


def downgrade() -> None:
    conn = op.get_bind()
    # Evaluation deadlines did not exist before: rows waiting on one fall back to their stage.
    _recompute(conn, _add_calendar_days)
    with op.batch_alter_table("deadline_rule") as batch:
        batch.alter_column("days", existing_type=sa.Integer(), existing_nullable=False,
                           comment="calendar days", existing_comment="working days")
    with op.batch_alter_table("adoption") as batch:
        batch.drop_column("evaluation_result_on")
        batch.drop_column("evaluation_received_on")
        batch.drop_column("perdes_type")
    op.drop_table("workday_rule")

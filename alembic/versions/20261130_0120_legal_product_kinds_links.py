"""legal product kinds, amendment/repeal links, partner villages, publication date

Revision ID: 0120
Revises: 0151
Create Date: 2026-11-30 17:55:00

The tracker records the four kinds of village legal products (Permendagri 111/2014): the
``kind`` column (every existing row is a Peraturan Desa), links by which one product amends
or repeals another, the partner villages of a Peraturan Bersama, and the date a product's
text became public (``published_on``, backfilled from the promulgation date). The "one
unfinished adoption per village" index now holds for Peraturan Desa only. Stages are written
out here (frozen as of this revision).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0120"
down_revision: str | None = "0151"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STAGES = "('diundangkan', 'dilaporkan', 'klarifikasi', 'disebarluaskan')"
OLD_WHERE = f"current_stage IS NULL OR current_stage NOT IN {STAGES}"
NEW_WHERE = f"kind = 'perdes' AND (current_stage IS NULL OR current_stage NOT IN {STAGES})"


def upgrade() -> None:
    with op.batch_alter_table("adoption", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "perdes",
                    "peraturan_bersama",
                    "perkades",
                    "kepdes",
                    name="productkind",
                    native_enum=False,
                    length=20,
                ),
                server_default="perdes",
                nullable=False,
                comment="Peraturan Desa, Peraturan Bersama, Peraturan or Keputusan Kepala Desa",
            )
        )
        batch_op.add_column(
            sa.Column(
                "published_on",
                sa.Date(),
                nullable=True,
                comment="promulgation (penetapan for a Keputusan) of its latest published text, "
                "even if later annulled; null while never published (then it is not public)",
            )
        )
        batch_op.create_index("ix_adoption_published_on", ["published_on"], unique=False)
    op.execute("UPDATE adoption SET published_on = promulgated_on WHERE promulgated_on IS NOT NULL")
    op.drop_index("uq_adoption_unfinished_village", table_name="adoption")
    op.create_index(
        "uq_adoption_unfinished_village",
        "adoption",
        ["village_code"],
        unique=True,
        sqlite_where=sa.text(NEW_WHERE),
        postgresql_where=sa.text(NEW_WHERE),
    )
    op.create_table(
        "legal_product_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "source_id", sa.Integer(), nullable=False, comment="the amending/repealing product"
        ),
        sa.Column(
            "target_id", sa.Integer(), nullable=False, comment="the product amended/repealed"
        ),
        sa.Column(
            "kind",
            sa.Enum("mengubah", "mencabut", name="linkkind", native_enum=False, length=12),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("source_id <> target_id", name=op.f("ck_legal_product_link_not_self")),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_legal_product_link_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["adoption.id"],
            name=op.f("fk_legal_product_link_source_id_adoption"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["target_id"],
            ["adoption.id"],
            name=op.f("fk_legal_product_link_target_id_adoption"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_product_link")),
        sa.UniqueConstraint("source_id", "target_id", name=op.f("uq_legal_product_link_source_id")),
    )
    op.create_index(
        "ix_legal_product_link_target_id", "legal_product_link", ["target_id"], unique=False
    )
    op.create_table(
        "legal_product_party",
        sa.Column("adoption_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(length=13), nullable=False),
        sa.ForeignKeyConstraint(
            ["adoption_id"],
            ["adoption.id"],
            name=op.f("fk_legal_product_party_adoption_id_adoption"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["village_code"],
            ["region.code"],
            name=op.f("fk_legal_product_party_village_code_region"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("adoption_id", "village_code", name=op.f("pk_legal_product_party")),
    )
    op.create_index(
        "ix_legal_product_party_village_code",
        "legal_product_party",
        ["village_code"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_legal_product_party_village_code", table_name="legal_product_party")
    op.drop_table("legal_product_party")
    op.drop_index("ix_legal_product_link_target_id", table_name="legal_product_link")
    op.drop_table("legal_product_link")
    op.drop_index("uq_adoption_unfinished_village", table_name="adoption")
    op.execute("DELETE FROM adoption WHERE kind <> 'perdes'")
    op.create_index(
        "uq_adoption_unfinished_village",
        "adoption",
        ["village_code"],
        unique=True,
        sqlite_where=sa.text(OLD_WHERE),
        postgresql_where=sa.text(OLD_WHERE),
    )
    with op.batch_alter_table("adoption", schema=None) as batch_op:
        batch_op.drop_index("ix_adoption_published_on")
        batch_op.drop_column("published_on")
        batch_op.drop_column("kind")

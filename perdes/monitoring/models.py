"""Target lists (daftar sasaran) of villages and their dated snapshots of progress."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from perdes.checklist.models import ChecklistVillageTotal
from perdes.db import Base, UTCDateTime, utcnow
from perdes.monitoring import rollup as _rollup  # noqa: F401 - registers the rollup and its subscribers
from perdes.regions.models import Region
from perdes.tracking.models import Adoption, AdoptionEvent


class TargetList(Base):
    """A named set of villages a monitor follows as one group (daftar sasaran)."""

    __tablename__ = "target_list"
    __table_args__ = (Index("ix_target_list_owner_id", "owner_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), comment="the monitor who made it"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[TargetListMember]] = relationship(
        back_populates="target_list", cascade="all, delete-orphan", lazy="raise"
    )


class TargetListMember(Base):
    """One village in a target list."""

    __tablename__ = "target_list_member"
    __table_args__ = (Index("ix_target_list_member_village_code", "village_code"),)

    target_list_id: Mapped[int] = mapped_column(
        ForeignKey("target_list.id", ondelete="CASCADE"), primary_key=True
    )
    village_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    target_list: Mapped[TargetList] = relationship(back_populates="members", lazy="raise")


class TargetSnapshot(Base):
    """The stage counts of a target list on one day, for its progress over time."""

    __tablename__ = "target_snapshot"
    __table_args__ = (UniqueConstraint("target_list_id", "taken_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_list_id: Mapped[int] = mapped_column(ForeignKey("target_list.id", ondelete="CASCADE"))
    taken_on: Mapped[date] = mapped_column(Date)
    village_count: Mapped[int] = mapped_column(Integer, comment="desa (not kelurahan) counted")
    promulgated_count: Mapped[int] = mapped_column(Integer)
    qualified_count: Mapped[int] = mapped_column(Integer)
    overdue_count: Mapped[int] = mapped_column(Integer)
    stage_counts: Mapped[dict[str, int]] = mapped_column(
        JSON, comment="stage value (or 'belum_mulai') -> number of villages"
    )
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LeagueThreshold(Base):
    """The admin's colour thresholds of the league table for one indicator (percent, 0–100)."""

    __tablename__ = "league_threshold"

    indicator: Mapped[str] = mapped_column(String(20), primary_key=True)
    red_below: Mapped[float] = mapped_column(Float, comment="red under this value")
    amber_below: Mapped[float] = mapped_column(Float, comment="amber under this, green above")
    version: Mapped[int] = mapped_column(Integer, comment="optimistic lock for the admin form")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )


# Covering indexes on other domains' read-model tables for the national dashboards (declared
# here, created by this domain's migration): the grouped queries read only index pages.
Index(
    "ix_region_monitoring",
    Region.level,
    Region.province_code,
    Region.regency_code,
    Region.district_code,
    Region.village_kind,
    Region.code,
)
Index(
    "ix_adoption_monitoring",
    Adoption.village_code,
    Adoption.id,
    Adoption.current_stage,
    Adoption.next_deadline_on,
)
Index(
    "ix_checklist_village_total_monitoring",
    ChecklistVillageTotal.village_code,
    ChecklistVillageTotal.framework_slug,
    ChecklistVillageTotal.qualified,
    ChecklistVillageTotal.waiting_count,
    ChecklistVillageTotal.score,
)
Index("ix_adoption_event_recorded_at", AdoptionEvent.recorded_at)
# Each village's latest adoption, without a "no newer adoption" anti-join: the join from a
# village, and the overdue count (a range of deadlines, read from the index alone).
Index(
    "uq_adoption_latest_village",
    Adoption.village_code,
    unique=True,
    sqlite_where=text("is_latest = 1"),  # as SQLite's queries say it, so the planner matches
    postgresql_where=text("is_latest"),
)
Index(
    "ix_adoption_latest_deadline",
    Adoption.next_deadline_on,
    Adoption.village_code,
    sqlite_where=text("is_latest = 1"),  # as SQLite's queries say it, so the planner matches
    postgresql_where=text("is_latest"),
)

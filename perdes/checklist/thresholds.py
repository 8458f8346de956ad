"""The outcome threshold per kabupaten/kota: the share of known departures that must match
BP3MI's placement data for the outcome item ("keberangkatan prosedural") to be met.

Set by the monitor's office (``checklist.verify`` inside its scope) for a regency; shown on
the outcome item so that the village and the monitor read the same number. The village's
departure counts are fields of its answer and are compared with it in code
(``figures.check_outcome``, enforced by ``outcome``: a "terpenuhi" that does not meet it is
refused, and so is its verification). Without a threshold the item is met only when every
unmatched departure was reported and followed up, or when there was none.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text, bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import Base, UTCDateTime, utcnow
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.regions.models import Region, RegionLevel
from perdes.register.figures import RegisterVillageFigure
from perdes.validation import FieldErrors, clean_text

NOTE_MAX = 500
STALE = (
    "Ambang kabupaten/kota ini baru saja diubah oleh pengguna lain. Isian Anda belum "
    "disimpan; periksa nilai yang tersimpan sekarang, lalu simpan lagi."
)


class OutcomeThreshold(Base):
    """The matched-departure threshold a BP3MI office set for one kabupaten/kota."""

    __tablename__ = "checklist_outcome_threshold"
    __table_args__ = (
        CheckConstraint("min_matched_percent BETWEEN 0 AND 100", name="min_matched_percent_range"),
    )

    regency_code: Mapped[str] = mapped_column(
        ForeignKey("region.code", ondelete="CASCADE"), primary_key=True
    )
    framework_slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    min_matched_percent: Mapped[int] = mapped_column(
        Integer, comment="share of known departures matched by BP3MI, 0–100"
    )
    note: Mapped[str] = mapped_column(Text, default="", comment="e.g. the office's letter")
    set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    set_by_name: Mapped[str] = mapped_column(String(100), comment="kept if the user goes")
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(
        Integer, server_default="1", comment="optimistic lock for the threshold form"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


_THRESHOLD = select(OutcomeThreshold).where(  # built once: every village page reads it
    OutcomeThreshold.regency_code == bindparam("regency_code"),
    OutcomeThreshold.framework_slug == bindparam("framework_slug"),
)


def threshold_for(
    session: Session, *, village_code: str, framework_slug: str
) -> OutcomeThreshold | None:
    """The threshold of the village's kabupaten/kota, if its office set one."""
    return session.scalar(
        _THRESHOLD, {"regency_code": village_code[:5], "framework_slug": framework_slug}
    )


def set_threshold(
    session: Session,
    *,
    actor: Principal,
    regency_code: str,
    framework_slug: str,
    percent: object,
    note: str = "",
    expected_version: int | None = None,
) -> OutcomeThreshold:
    """Set (or change) a kabupaten/kota's threshold.

    ``expected_version`` is the threshold's version the form showed (0: not set yet); None
    skips the check (the CLI). Raises OutOfScope (not a monitor of that regency), NotFound (no
    such kabupaten/kota in the actor's scope), ValidationFailed (percent not a whole number
    0–100, bad note) and Conflict when someone set it since the form was opened.
    """
    errors = FieldErrors()
    value = _percent(percent, errors)
    clean_note = clean_text(note, field="note", errors=errors, max_length=NOTE_MAX)
    if errors:
        raise ValidationFailed(dict(errors))
    actor.require("checklist.verify")
    region = session.scalar(
        select(Region).where(
            Region.code == regency_code,
            Region.level == RegionLevel.KABUPATEN,
            actor.scope.region_clause(),
        )
    )
    if region is None:
        raise NotFound("Kabupaten/kota tidak ditemukan.")
    actor.require("checklist.verify", regency_code)
    row = session.get(OutcomeThreshold, (regency_code, framework_slug))
    if expected_version is not None and expected_version != (row.version if row else 0):
        raise Conflict(STALE)
    before = row.min_matched_percent if row else None
    fresh = row is None
    if row is None:
        row = OutcomeThreshold(regency_code=regency_code, framework_slug=framework_slug)
    try:
        # changed inside the savepoint (begin_nested flushes pending changes first), so a
        # parallel first save or a save since we read fails only the savepoint
        with session.begin_nested():
            row.min_matched_percent = value
            row.note = clean_note
            row.set_by_id = actor.user_id
            row.set_by_name = actor.full_name or actor.username
            row.set_at = utcnow()
            if fresh:
                session.add(row)
            session.flush()
    except (IntegrityError, StaleDataError) as exc:
        if row in session:
            session.expunge(row)
        raise Conflict(STALE) from exc
    audit.record(
        session,
        actor=actor,
        entity="checklist_outcome_threshold",
        entity_id=f"{regency_code}/{framework_slug}",
        action="set",
        changes={"min_matched_percent": (before, value), "note": (None, clean_note or None)},
    )
    # outcomes derived from a village register are judged against the new threshold now
    # (the pipeline re-evaluates these villages before the commit)
    keeping = session.scalars(
        select(RegisterVillageFigure.village_code).where(
            RegisterVillageFigure.district_code.like(f"{regency_code}.%")
        )
    ).all()
    if keeping:
        events.publish(session, events.Change.REGISTER, *keeping)
    return row


def _percent(raw: object, errors: FieldErrors) -> int:
    if isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit():  # not "²"
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 100:
        errors.add("percent", "Ambang berupa bilangan bulat 0–100 (persen).")
        return 0
    return raw


def thresholds_in_scope(
    session: Session, *, actor: Principal, framework_slug: str
) -> list[tuple[Region, OutcomeThreshold | None]]:
    """Every kabupaten/kota in the actor's scope with its threshold (None if not set)."""
    actor.require("checklist.verify")
    rows = session.execute(
        select(Region, OutcomeThreshold)
        .outerjoin(
            OutcomeThreshold,
            (OutcomeThreshold.regency_code == Region.code)
            & (OutcomeThreshold.framework_slug == framework_slug),
        )
        .where(Region.level == RegionLevel.KABUPATEN, actor.scope.region_clause())
        .order_by(Region.code)
    ).all()
    return [(region, threshold) for region, threshold in rows]

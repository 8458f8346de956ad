"""Where a village stands: tracking's one public answer, read by the checklist facts, the
monitoring figures and the API status alike.

Two questions, one definition each:

- **The village's stage** is the current stage of its *latest* adoption (highest id): where
  its Perdes work stands now. A village that promulgated a Perdes and then started a new one
  stands at the new one's stage.
- **Promulgated** means the village has a Perdes in force: *any* of its adoptions stands at
  diundangkan or later (``stages.PROMULGATED``). A newer Perdes in progress does not take the
  older one out of force; a klarifikasi "dibatalkan" does (it sends that adoption back to
  penyusunan).

Only **Peraturan Desa** count (``Adoption.kind``): a village's Perkades, Keputusan or
Peraturan Bersama are recorded by the same tracker but never move its stage or make it
"promulgated" (``perdes_only()`` is the clause; a Perkades is never the "latest" adoption).

The SQL clauses below are the same definitions for queries that aggregate many villages; a
test holds the Python and the SQL forms to agree.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from perdes.tracking.kinds import ProductKind
from perdes.tracking.models import Adoption
from perdes.tracking.stages import PROMULGATED, Stage

PROMULGATED_STAGES: tuple[Stage, ...] = tuple(sorted(PROMULGATED))


def perdes_only(table: Any = Adoption) -> ColumnElement[bool]:
    """SQL: the adoption row is a Peraturan Desa (the only kind that says where a village
    stands)."""
    return table.kind == ProductKind.PERDES  # type: ignore[no-any-return]  # Adoption or an alias of it


def is_latest() -> ColumnElement[bool]:
    """SQL: the ``Adoption`` row in the query is its village's latest adoption.

    Read from the stored flag ``Adoption.is_latest`` (set on the newest adoption by the
    before-insert hook in tracking.models; partial indexes serve it), the same answer as "no
    adoption of the village has a higher id" without that anti-join per row.
    """
    return Adoption.is_latest == true()


def latest_adoption_join(village_code: Any) -> ColumnElement[bool]:
    """Join condition: the latest adoption of the village whose code is ``village_code``."""
    return and_(Adoption.village_code == village_code, is_latest())


def promulgated_clause(village_code: Any) -> ColumnElement[bool]:
    """SQL: the village whose code is ``village_code`` has a Perdes in force."""
    holder = aliased(Adoption)
    return exists().where(
        holder.village_code == village_code,
        holder.current_stage.in_(PROMULGATED_STAGES),
        perdes_only(holder),
    )


def latest_adoptions(session: Session, codes: Collection[str]) -> dict[str, Adoption]:
    """The latest adoption of each of these villages (villages without one are absent)."""
    if not codes:
        return {}
    latest = (
        select(func.max(Adoption.id))
        .where(Adoption.village_code.in_(list(codes)), perdes_only())
        .group_by(Adoption.village_code)
    )
    rows = session.scalars(select(Adoption).where(Adoption.id.in_(latest)))
    return {a.village_code: a for a in rows}


def promulgated_villages(session: Session, codes: Collection[str]) -> set[str]:
    """Which of these villages have a Perdes in force."""
    if not codes:
        return set()
    return set(
        session.scalars(
            select(Adoption.village_code)
            .where(
                Adoption.village_code.in_(list(codes)),
                Adoption.current_stage.in_(PROMULGATED_STAGES),
                perdes_only(),
            )
            .distinct()
        )
    )


def latest_adoption(session: Session, *, village_code: str) -> Adoption | None:
    """The village's latest adoption, or None when it never started one (no scope check:
    callers apply their own)."""
    return latest_adoptions(session, [village_code]).get(village_code)


def village_stage(session: Session, *, village_code: str) -> Stage | None:
    """The current stage of the village's latest adoption; None when nothing is recorded."""
    adoption = latest_adoption(session, village_code=village_code)
    return adoption.current_stage if adoption is not None else None


def is_promulgated(session: Session, *, village_code: str) -> bool:
    """True when the village has a Perdes in force (any adoption diundangkan or later)."""
    return bool(promulgated_villages(session, [village_code]))


def villages_with_adoptions() -> Select[str]:
    """SQL: the codes of villages that ever started an adoption."""
    return select(Adoption.village_code).where(perdes_only()).distinct()

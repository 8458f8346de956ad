"""A village's legal products as plain read-only records, for the pages that show them.

The village page reads every product of the village with its events and their evidence on
each visit. Loading them as ORM entities (identity map, instance state, relationship loads)
cost more than the SQL; here one Core statement reads the products, their events and the
events' files (outer joins, one row per file), and the rows become slotted dataclasses with
the entities' attribute names, so the fold, the timeline, the API and the templates read
either. Partners are read only for a Peraturan Bersama (no other kind has any), links only
for the products the statement marks as linked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, exists, or_, select
from sqlalchemy.orm import Session

from perdes.files import StoredFile
from perdes.tracking.deadlines import DeadlineKind, PerdesType
from perdes.tracking.kinds import ProductKind
from perdes.tracking.models import (
    Adoption,
    AdoptionEvent,
    AdoptionEventFile,
    EventKind,
    LegalProductLink,
    LegalProductParty,
)
from perdes.tracking.stages import ClarificationResult, Stage


@dataclass(slots=True)
class StoredFileRecord:
    id: int
    size_bytes: int
    sha256: str
    media_type: str


@dataclass(slots=True)
class EventFileRecord:
    """An event's evidence (``AdoptionEventFile`` with its ``stored_file``)."""

    file_name: str
    stored_file: StoredFileRecord


@dataclass(slots=True)
class EventRecord:
    """An ``AdoptionEvent`` as read, with its ``file_links``."""

    id: int
    adoption_id: int
    kind: EventKind
    stage: Stage
    occurred_on: date
    corrects_event_id: int | None
    reason: str
    after_the_fact: bool
    berita_acara_number: str
    perdes_number: str
    lembaran_year: int | None
    lembaran_number: str
    berita_desa_number: str
    letter_number: str
    clarification_result: ClarificationResult | None
    decision_number: str
    notes: str
    draft_revision_id: int | None
    recorded_at: datetime
    recorded_by_name: str
    file_links: list[EventFileRecord] = field(default_factory=list)


@dataclass(slots=True)
class PartnerRecord:
    village_code: str


@dataclass(slots=True)
class AdoptionRecord:
    """An ``Adoption`` as read, with its ``events`` and ``partners``; ``has_links``: some
    link amends or repeals it, or it amends or repeals another."""

    id: int
    village_code: str
    kind: ProductKind
    title: str
    summary: str
    recorded_after_the_fact: bool
    version: int
    current_stage: Stage | None
    current_stage_on: date | None
    next_deadline_kind: DeadlineKind | None
    next_deadline_on: date | None
    perdes_type: PerdesType
    evaluation_received_on: date | None
    evaluation_result_on: date | None
    agreed_on: date | None
    berita_acara_number: str
    enacted_on: date | None
    perdes_number: str
    promulgated_on: date | None
    lembaran_year: int | None
    lembaran_number: str
    reported_on: date | None
    report_letter_number: str
    published_on: date | None
    has_links: bool
    events: list[EventRecord] = field(default_factory=list)
    partners: list[PartnerRecord] = field(default_factory=list)


def _names(cls: Any, *, skip: tuple[str, ...]) -> list[str]:
    return [f for f in cls.__dataclass_fields__ if f not in skip]


_A = Adoption.__table__.c
_E = AdoptionEvent.__table__.c
_F = AdoptionEventFile.__table__.c
_S = StoredFile.__table__.c
_L = LegalProductLink.__table__.c
_ADOPTION = _names(AdoptionRecord, skip=("has_links", "events", "partners"))
_EVENT = _names(EventRecord, skip=("file_links",))
_FILE = _names(StoredFileRecord, skip=())
_NA, _NE = len(_ADOPTION) + 1, len(_ADOPTION) + 1 + len(_EVENT)
# Built once (building a statement costs SQLAlchemy more than running it). A stored file is
# never deleted while an event names it (RESTRICT), so the second outer join finds it.
_VILLAGE_PRODUCTS = (
    select(
        *(_A[n] for n in _ADOPTION),
        exists().where(or_(_L.source_id == _A.id, _L.target_id == _A.id)).label("has_links"),
        *(_E[n] for n in _EVENT),
        _F.file_name,
        *(_S[n] for n in _FILE),
    )
    .select_from(
        Adoption.__table__.outerjoin(AdoptionEvent.__table__, _E.adoption_id == _A.id)
        .outerjoin(AdoptionEventFile.__table__, _F.event_id == _E.id)
        .outerjoin(StoredFile.__table__, _S.id == _F.stored_file_id)
    )
    .where(_A.village_code == bindparam("village_code"))
    .order_by(_A.id.desc(), _E.id, _F.stored_file_id)
)
_PARTNERS = (
    select(LegalProductParty.__table__.c.adoption_id, LegalProductParty.__table__.c.village_code)
    .where(LegalProductParty.__table__.c.adoption_id.in_(bindparam("ids", expanding=True)))
    .order_by(LegalProductParty.__table__.c.village_code)
)


def village_products(session: Session, *, village_code: str) -> list[AdoptionRecord]:
    """The village's products, newest first, each with its events (in order, each with its
    files in ``stored_file_id`` order) and partners (by code): what the relationships of
    ``Adoption`` would load, in the same order. The caller checks access to the village."""
    session.flush()  # a Core statement does not autoflush; a clean session writes nothing
    products: list[AdoptionRecord] = []
    adoption: AdoptionRecord | None = None
    event: EventRecord | None = None
    for row in session.execute(_VILLAGE_PRODUCTS, {"village_code": village_code}):
        if adoption is None or adoption.id != row[0]:
            adoption = AdoptionRecord(*row[:_NA])
            products.append(adoption)
            event = None
        if row[_NA] is None:  # no event
            continue
        if event is None or event.id != row[_NA]:
            event = EventRecord(*row[_NA:_NE])
            adoption.events.append(event)
        if row[_NE + 1] is not None:  # a file
            event.file_links.append(EventFileRecord(row[_NE], StoredFileRecord(*row[_NE + 1 :])))
    joint = {a.id: a for a in products if a.kind is ProductKind.PERATURAN_BERSAMA}
    if joint:
        for adoption_id, code in session.execute(_PARTNERS, {"ids": list(joint)}):
            joint[adoption_id].partners.append(PartnerRecord(code))
    return products

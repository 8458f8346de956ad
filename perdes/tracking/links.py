"""Amendment and repeal links between a village's legal products, the published text of a
product, and its legal status (*berlaku / diubah / dicabut / dibatalkan*) derived from the
links and the recorded steps.

Rules: a product amends or repeals another product of the **same village and kind** (a
Perkades does not repeal a Perdes), never itself, and the links never form a cycle. A link
takes effect when the amending product is published: until then the amended one stays
*berlaku*. A Perdes annulled at klarifikasi (PP 43/2014 Pasal 87) is *dibatalkan* whatever
its links say.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import BindParameter, bindparam, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, NotFound, ValidationFailed
from perdes.tracking.fold import Cycle, fold
from perdes.tracking.kinds import GAZETTE, PUBLISHED_AT, ProductKind
from perdes.tracking.models import Adoption, LegalProductLink, LinkKind
from perdes.tracking.queries import AnyAdoption, effective_steps, get_adoption
from perdes.tracking.stages import ClarificationResult, Stage
from perdes.validation import parse_int

LINK_LABELS: dict[LinkKind, str] = {LinkKind.MENGUBAH: "Mengubah", LinkKind.MENCABUT: "Mencabut"}
SELF = "Produk hukum tidak dapat mengubah atau mencabut dirinya sendiri."
CYCLE = (
    "Tautan ini membuat lingkaran: produk yang dituju sudah (langsung atau tidak) "
    "mengubah atau mencabut produk ini."
)
OTHER_KIND = "Hanya produk hukum sejenis yang dapat diubah atau dicabut (mis. Perdes oleh Perdes)."
UNKNOWN = "Produk hukum yang dituju tidak ditemukan di desa ini."
DUPLICATE = "Tautan ini sudah tercatat."
STALE = "Produk hukum ini baru saja diubah oleh pengguna lain. Muat ulang halaman lalu coba lagi."
MAX_LINKS = 50


class LegalStatus(StrEnum):
    BERLAKU = "berlaku"
    DIUBAH = "diubah"
    DICABUT = "dicabut"
    DIBATALKAN = "dibatalkan"


STATUS_LABELS: dict[LegalStatus, str] = {
    LegalStatus.BERLAKU: "Berlaku",
    LegalStatus.DIUBAH: "Berlaku, telah diubah",
    LegalStatus.DICABUT: "Dicabut",
    LegalStatus.DIBATALKAN: "Dibatalkan",
}
IN_FORCE: frozenset[LegalStatus] = frozenset({LegalStatus.BERLAKU, LegalStatus.DIUBAH})


@dataclass(frozen=True, slots=True)
class Publication:
    """The published text of a product: its numbers and dates, and whether it was annulled."""

    number: str
    enacted_on: date | None
    published_on: date
    gazette: str  # "Lembaran Desa Tahun 2026 Nomor 5", "" for a Keputusan
    annulled_on: date | None
    annulment_decision: str
    publication_event_id: int | None


def _published_cycle(kind: ProductKind, cycles: list[Cycle]) -> Cycle | None:
    slot = "promulgated" if PUBLISHED_AT[kind] is Stage.DIUNDANGKAN else "enacted"
    return next((c for c in reversed(cycles) if getattr(c, slot) is not None), None)


def publication(adoption: Adoption) -> Publication | None:
    """The latest published text of ``adoption`` (from its effective steps), or None while it
    was never published (promulgated; set, for a Keputusan)."""
    cycle = _published_cycle(adoption.kind, fold(effective_steps(adoption)[0]).cycles)
    if cycle is None:
        return None
    step = cycle.promulgated if PUBLISHED_AT[adoption.kind] is Stage.DIUNDANGKAN else cycle.enacted
    assert step is not None
    gazette = ""
    if GAZETTE[adoption.kind] == "Lembaran Desa":
        gazette = f"Lembaran Desa Tahun {step.lembaran_year} Nomor {step.lembaran_number}"
    elif GAZETTE[adoption.kind] == "Berita Desa":
        gazette = f"Berita Desa Tahun {step.occurred_on.year} Nomor {step.berita_desa_number}"
    clarified = cycle.clarified
    annulled = clarified is not None and (
        clarified.clarification_result is ClarificationResult.DIBATALKAN
    )
    return Publication(
        number=cycle.enacted.perdes_number if cycle.enacted else "",
        enacted_on=cycle.enacted.occurred_on if cycle.enacted else None,
        published_on=step.occurred_on,
        gazette=gazette,
        annulled_on=clarified.occurred_on if annulled and clarified else None,
        annulment_decision=clarified.decision_number if annulled and clarified else "",
        publication_event_id=step.event_id,
    )


def statuses(
    session: Session, products: Mapping[int, Publication | None]
) -> dict[int, LegalStatus | None]:
    """The legal status of each product (id → its publication): None while unpublished;
    dibatalkan when annulled; dicabut / diubah when a published product repeals / amends it;
    else berlaku. One query for all the links."""
    ids = list(products)
    links = (
        session.execute(
            select(LegalProductLink.target_id, LegalProductLink.kind)
            .join(Adoption, Adoption.id == LegalProductLink.source_id)
            .where(LegalProductLink.target_id.in_(ids), Adoption.published_on.is_not(None))
        ).all()
        if ids
        else []
    )
    effective: dict[int, set[LinkKind]] = {}
    for target, kind in links:
        effective.setdefault(target, set()).add(kind)
    out: dict[int, LegalStatus | None] = {}
    for product_id, pub in products.items():
        kinds = effective.get(product_id, set())
        if pub is None:
            out[product_id] = None
        elif pub.annulled_on is not None:
            out[product_id] = LegalStatus.DIBATALKAN
        elif LinkKind.MENCABUT in kinds:
            out[product_id] = LegalStatus.DICABUT
        elif LinkKind.MENGUBAH in kinds:
            out[product_id] = LegalStatus.DIUBAH
        else:
            out[product_id] = LegalStatus.BERLAKU
    return out


@dataclass(frozen=True, slots=True)
class LinkView:
    link: LegalProductLink
    other: AnyAdoption  # the product at the other end


_IDS: BindParameter[list[int]] = bindparam("ids", expanding=True)
_LINKS_OF = (  # built once: the village page reads it on every visit
    select(LegalProductLink)
    .where(or_(LegalProductLink.source_id.in_(_IDS), LegalProductLink.target_id.in_(_IDS)))
    .order_by(LegalProductLink.id)
)


def links_of(
    session: Session,
    adoption_ids: Collection[int],
    *,
    known: Mapping[int, AnyAdoption] | None = None,
) -> dict[int, list[LinkView]]:
    """Every link touching these products, by product id (both directions). ``known``: the
    products the caller has already read (a village's: links never leave the village), which
    are not read again."""
    if not adoption_ids:
        return {}
    ids = list(adoption_ids)
    rows = session.scalars(_LINKS_OF, {"ids": ids}).all()
    if not rows:
        return {}
    others: dict[int, AnyAdoption] = dict(known or {})
    missing = ({r.source_id for r in rows} | {r.target_id for r in rows}) - others.keys()
    if missing:
        others.update(
            (a.id, a) for a in session.scalars(select(Adoption).where(Adoption.id.in_(missing)))
        )
    out: dict[int, list[LinkView]] = {}
    for row in rows:
        if row.source_id in ids:
            out.setdefault(row.source_id, []).append(LinkView(row, others[row.target_id]))
        if row.target_id in ids:
            out.setdefault(row.target_id, []).append(LinkView(row, others[row.source_id]))
    return out


def _reaches(session: Session, *, start: int, goal: int, village_code: str) -> bool:
    """Whether following links (amends or repeals) from ``start`` reaches ``goal``."""
    edges: dict[int, list[int]] = {}
    rows = session.execute(
        select(LegalProductLink.source_id, LegalProductLink.target_id)
        .join(Adoption, Adoption.id == LegalProductLink.source_id)
        .where(Adoption.village_code == village_code)
    ).all()
    for source, target in rows:
        edges.setdefault(source, []).append(target)
    seen: set[int] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        if node in seen:
            continue
        seen.add(node)
        stack.extend(edges.get(node, []))
    return False


def add_link(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    source_id: int,
    data: Mapping[str, object],
) -> LegalProductLink:
    """Record that product ``source_id`` amends or repeals another (``data``: ``target_id``,
    ``kind`` = mengubah | mencabut).

    Raises NotFound (source outside the scope or village), OutOfScope without the right to
    record, ValidationFailed for a bad kind, an unknown target or one of another village or
    kind, a link to itself, a duplicate, or a link that would close a cycle, and Conflict when
    someone changed either product (or linked them) at the same time.
    """
    source = get_adoption(session, actor=actor, adoption_id=source_id, village_code=village_code)
    actor.require("adoption.record", source.village_code)
    errors: dict[str, str] = {}
    try:
        kind = LinkKind(str(data.get("kind") or ""))
    except ValueError:
        errors["link_kind"] = "Pilih mengubah atau mencabut."
    target_id = parse_int(data.get("target_id"), lo=1)
    target = None
    if target_id is None:
        errors["target_id"] = UNKNOWN
    elif target_id == source.id:
        errors["target_id"] = SELF
    else:
        target = session.scalar(
            select(Adoption).where(
                Adoption.id == target_id, Adoption.village_code == source.village_code
            )
        )
        if target is None:
            errors["target_id"] = UNKNOWN
        elif target.kind is not source.kind:
            errors["target_id"] = OTHER_KIND
    if errors:
        raise ValidationFailed(errors)
    assert target is not None
    existing = session.scalar(
        select(LegalProductLink.id).where(
            LegalProductLink.source_id == source.id, LegalProductLink.target_id == target.id
        )
    )
    if existing is not None:
        raise ValidationFailed({"target_id": DUPLICATE})
    if _reaches(session, start=target.id, goal=source.id, village_code=source.village_code):
        raise ValidationFailed({"target_id": CYCLE})
    count = len(links_of(session, [source.id]).get(source.id, []))
    if count >= MAX_LINKS:
        raise ValidationFailed({"target_id": f"Paling banyak {MAX_LINKS} tautan per produk."})
    link = LegalProductLink(
        source_id=source.id, target_id=target.id, kind=kind, created_by_id=actor.user_id
    )
    # Touching both ends bumps their versions: of two people linking the same products (or
    # closing a cycle from two sides) at once, the second meets a changed version: 409.
    _touch(source, target)
    try:
        with session.begin_nested():
            session.add(link)
            session.flush()
    except IntegrityError as exc:
        raise Conflict(STALE) from exc
    except StaleDataError as exc:
        raise Conflict(STALE) from exc
    audit.record(
        session,
        actor=actor,
        entity="legal_product_link",
        entity_id=link.id,
        action="add",
        changes={"source_id": (None, source.id), "target_id": (None, target.id),
                 "kind": (None, kind.value)},
        village_code=source.village_code,
    )  # fmt: skip
    return link


def remove_link(session: Session, *, actor: Principal, village_code: str, link_id: int) -> None:
    """Delete a link recorded by mistake. Raises NotFound outside the scope or village."""
    link = session.get(LegalProductLink, link_id)
    if link is None:
        raise NotFound(UNKNOWN)
    source = get_adoption(
        session, actor=actor, adoption_id=link.source_id, village_code=village_code
    )
    actor.require("adoption.record", source.village_code)
    audit.record(
        session,
        actor=actor,
        entity="legal_product_link",
        entity_id=link.id,
        action="remove",
        changes={"source_id": (link.source_id, None), "target_id": (link.target_id, None),
                 "kind": (link.kind.value, None)},
        village_code=source.village_code,
    )  # fmt: skip
    target = session.get(Adoption, link.target_id)
    session.delete(link)
    _touch(source, *([target] if target is not None else []))
    session.flush()


def _touch(*adoptions: Adoption) -> None:
    """A link changes what both ends show (status, remarks): mark them changed, so public
    listings answer conditional requests truthfully."""
    now = utcnow()
    for adoption in adoptions:
        adoption.updated_at = now

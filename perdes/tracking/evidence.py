"""Evidence files on recorded steps: PDF, JPEG or PNG, checked by content, stored by SHA-256
under generated names (``perdes.files``), linked to the step by ``AdoptionEventFile``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import NotFound, ValidationFailed
from perdes.files import StoredFile, display_name, store_upload
from perdes.regions.models import Region
from perdes.tracking.models import (
    Adoption,
    AdoptionEvent,
    AdoptionEventFile,
)
from perdes.tracking.queries import get_adoption, get_event


def attach_file(
    session: Session,
    *,
    actor: Principal,
    event: AdoptionEvent,
    data: bytes,
    filename: str,
    root: Path,
    max_bytes: int,
) -> tuple[StoredFile, bool]:
    """Store and link a file to ``event``; the caller has checked scope and permission."""
    record, duplicate = store_upload(
        session,
        root=root,
        data=data,
        filename=filename,
        uploaded_by_id=actor.user_id,
        max_bytes=max_bytes,
    )
    linked = session.get(AdoptionEventFile, (event.id, record.id))
    if linked is not None:
        raise ValidationFailed({"file": "Berkas yang sama sudah dilampirkan pada langkah ini."})
    session.add(
        AdoptionEventFile(
            event_id=event.id,
            stored_file_id=record.id,
            attached_at=utcnow(),
            attached_by_id=actor.user_id,
            file_name=display_name(filename, record.storage_name.rsplit(".", 1)[1]),
        )
    )
    session.flush()
    session.expire(event, ["files", "file_links"])
    return record, duplicate


def attach_evidence(
    session: Session,
    *,
    actor: Principal,
    event_id: int,
    data: bytes,
    filename: str,
    root: Path,
    max_bytes: int,
    village_code: str | None = None,
) -> tuple[StoredFile, bool]:
    """Attach a PDF/JPEG/PNG to a recorded step; True when the content was already stored.

    The type comes from the content, the name on disk is generated, the SHA-256 is kept.
    Raises NotFound, OutOfScope and ValidationFailed (empty, too large, wrong type, or the
    same file already attached to this step).
    """
    event = get_event(session, actor=actor, event_id=event_id, village_code=village_code)
    adoption = get_adoption(session, actor=actor, adoption_id=event.adoption_id)
    actor.require("adoption.record", adoption.village_code)
    record, duplicate = attach_file(
        session,
        actor=actor,
        event=event,
        data=data,
        filename=filename,
        root=root,
        max_bytes=max_bytes,
    )
    audit.record(
        session,
        actor=actor,
        entity="adoption_event",
        entity_id=event.id,
        action="attach_evidence",
        changes={"file": (None, f"{record.original_name} ({record.sha256[:12]})")},
        village_code=adoption.village_code,
    )
    events.publish(session, events.Change.ADOPTION, adoption.village_code)
    return record, duplicate


def get_evidence(
    session: Session, *, actor: Principal, village_code: str, file_id: int
) -> tuple[StoredFile, str]:
    """A file attached to a step of this village, inside the actor's scope, with the name
    this village gave it; NotFound otherwise."""
    row = session.execute(
        select(StoredFile, AdoptionEventFile.file_name)
        .join(AdoptionEventFile, AdoptionEventFile.stored_file_id == StoredFile.id)
        .join(AdoptionEvent, AdoptionEvent.id == AdoptionEventFile.event_id)
        .join(Adoption, Adoption.id == AdoptionEvent.adoption_id)
        .join(Region, Region.code == Adoption.village_code)
        .where(
            StoredFile.id == file_id,
            Adoption.village_code == village_code,
            actor.scope.region_clause(),
        )
        .limit(1)
    ).first()
    if row is None:
        raise NotFound("Berkas tidak ditemukan.")
    return row[0], row[1] or row[0].original_name

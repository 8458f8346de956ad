"""Saving a village profile: scope, permission, validation, audit, and the derived-data change."""

from __future__ import annotations

from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.regions.models import VillageProfile
from perdes.regions.services import PROFILE_FIELDS, get_village, validate_profile


def update_profile(
    session: Session, *, actor: Principal, code: str, data: dict[str, object]
) -> VillageProfile:
    """Validate and save a village profile, recording the changed fields in the audit log.

    Raises NotFound outside the actor's scope, OutOfScope when the actor may not edit it,
    and ValidationFailed on bad input (nothing written).
    """
    village = get_village(session, code=code, scope=actor.scope)
    actor.require("village.edit_profile", code)
    clean = validate_profile(data)
    profile = village.profile
    if not village.profile_saved:
        session.add(profile)
    changes: dict[str, tuple[object, object]] = {}
    for name in PROFILE_FIELDS:
        before = getattr(profile, name)
        after = clean[name]
        if before != after:
            changes[name] = (before, after)
        setattr(profile, name, after)
    if changes or not village.profile_saved:
        profile.updated_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor=actor,
            entity="village_profile",
            entity_id=code,
            action="update" if village.profile_saved else "create",
            changes=changes,
            village_code=code,
        )
        events.publish(session, events.Change.PROFILE, code)
    return profile

"""Saving a village profile: scope, permission, validation, audit, and the derived-data change."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict
from perdes.regions.models import VillageProfile
from perdes.regions.services import PROFILE_FIELDS, get_village, validate_profile
from perdes.register import figures as register_figures

PROFILE_TAKEN = (
    "Profil desa baru saja disimpan oleh pengguna lain. Muat ulang halaman, periksa, lalu "
    "simpan lagi."
)


def update_profile(
    session: Session, *, actor: Principal, code: str, data: dict[str, object]
) -> VillageProfile:
    """Validate and save a village profile, recording the changed fields in the audit log.

    The PMI counts of a village keeping a register stay the register's. Raises NotFound
    outside the actor's scope, OutOfScope when the actor may not edit it, ValidationFailed on
    bad input and Conflict when a parallel first save won (nothing written).
    """
    village = get_village(session, code=code, scope=actor.scope)
    actor.require("village.edit_profile", code)
    clean = validate_profile(data)
    profile = village.profile
    if register_figures.keeps_register(session, village_code=code):
        # A village keeping a register counts its PMI there; typed numbers would be lost
        # at the register's next write, so they are not taken (one truth).
        clean["pmi_active_count"] = profile.pmi_active_count
        clean["pmi_returned_count"] = profile.pmi_returned_count
    changes: dict[str, tuple[object, object]] = {}
    for name in PROFILE_FIELDS:
        before = getattr(profile, name)
        after = clean[name]
        if before != after:
            changes[name] = (before, after)
        setattr(profile, name, after)
    if changes or not village.profile_saved:
        profile.updated_at = utcnow()
        try:
            # begin_nested flushes what is pending first: add the new row inside it.
            with session.begin_nested():  # a parallel first save may have created it
                if not village.profile_saved:
                    session.add(profile)
                session.flush()
        except IntegrityError as exc:
            if profile in session:
                session.expunge(profile)  # not written: nothing pending for the commit
            raise Conflict(PROFILE_TAKEN) from exc
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

"""Saving a village profile: scope, permission, validation, audit, and the derived-data change."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from perdes import events
from perdes.accounts import audit
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict
from perdes.regions.models import VillageProfile
from perdes.regions.services import PROFILE_FIELDS, get_village, validate_profile
from perdes.register import figures as register_figures

PROFILE_TAKEN = (
    "Profil desa baru saja disimpan oleh pengguna lain. Isian Anda belum disimpan; "
    "periksa nilai yang tersimpan sekarang, lalu simpan lagi."
)


def update_profile(
    session: Session,
    *,
    actor: Principal,
    code: str,
    data: dict[str, object],
    expected_version: int | None = None,
) -> VillageProfile:
    """Validate and save a village profile, recording the changed fields in the audit log.

    ``expected_version`` is the profile's version the form was opened on (0 before the first
    save); None skips the check (no form: the demo, the CLI). Raises NotFound outside the
    actor's scope, OutOfScope when the actor may not edit it, ValidationFailed on bad input
    and Conflict when someone saved since the form was opened, or a parallel first save won
    (nothing written).
    The PMI counts of a village keeping a register stay the register's.
    """
    village = get_village(session, code=code, scope=actor.scope)
    actor.require("village.edit_profile", code)
    clean = validate_profile(data)
    current = village.profile.version if village.profile_saved else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(PROFILE_TAKEN)
    profile = village.profile
    if register_figures.keeps_register(session, village_code=code):
        # A village keeping a register counts its PMI there; typed numbers would be lost
        # at the register's next write, so they are not taken (one truth).
        clean["pmi_active_count"] = profile.pmi_active_count
        clean["pmi_returned_count"] = profile.pmi_returned_count
    changes: dict[str, tuple[object, object]] = {}
    for name in PROFILE_FIELDS:
        before = getattr(profile, name)
        if before != clean[name]:
            changes[name] = (before, clean[name])
    if changes or not village.profile_saved:
        try:
            # begin_nested flushes what is pending first: change the row inside it, so that a
            # stale UPDATE or a parallel first INSERT fails only the savepoint
            with session.begin_nested():
                for name in PROFILE_FIELDS:
                    setattr(profile, name, clean[name])
                profile.updated_at = utcnow()
                if not village.profile_saved:
                    session.add(profile)
                session.flush()
        except (IntegrityError, StaleDataError) as exc:
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
        events.publish(session, events.Change.VILLAGE_PROFILE, code)
    return profile

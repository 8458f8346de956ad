"""The village's petugas pendataan: the operator designates them (one or more per desa); each
gets an invitation link and works in exactly that desa."""

from __future__ import annotations

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from perdes.accounts import audit, selfservice
from perdes.accounts import services as accounts
from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.errors import Conflict, NotFound, OutOfScope

STATUS_STALE = (
    "Status petugas ini sudah diubah orang lain sejak halaman dibuka. Periksa daftar terbaru."
)


def petugas_of(session: Session, *, actor: Principal, village_code: str) -> list[User]:
    """The village's petugas pendataan, active first then by name."""
    actor.require("register.staff", village_code)
    return list(
        session.scalars(
            select(User)
            .join(UserScope, UserScope.user_id == User.id)
            .where(UserScope.region_code == village_code, User.role == Role.PETUGAS)
            .order_by(User.is_active.desc(), User.full_name)
        )
    )


def designate_petugas(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    username: str,
    full_name: str,
    email: str,
    base_url: str,
) -> tuple[User, selfservice.IssuedLink]:
    """Create a petugas pendataan of ``village_code`` (no password) and their invitation link,
    mailed when an address is given. Raises ValidationFailed (a taken name or address, bad
    fields) and OutOfScope outside the actor's village."""
    actor.require("register.staff", village_code)
    user = accounts.create_user(
        session,
        actor=actor,
        username=username,
        full_name=full_name,
        role=Role.PETUGAS.value,
        password=None,
        scope_codes=[village_code],
        email=email,
    )
    issued = selfservice.invite_user(session, actor=actor, user=user, base_url=base_url)
    return user, issued


def set_petugas_active(
    session: Session,
    *,
    actor: Principal,
    village_code: str,
    user_id: int,
    active: bool,
    seen_active: bool | None,
    seen_deactivated_by: str = "",
) -> User:
    """Deactivate (ending their sessions at once) or reactivate a petugas of ``village_code``.

    ``seen_active`` and ``seen_deactivated_by`` (the role that deactivated them, "" for none)
    are the form's version: the status the operator was shown. The change is a compare-and-set
    on both, so of two people acting at once one succeeds and the other gets Conflict (also for
    a missing version). A deactivation records the actor's role; reactivating one whom a higher
    level deactivated (an admin daerah, an admin) is OutOfScope (``accounts.may_reactivate``).
    A user who is not a petugas of this village (another village's, an operator, an unknown
    id) is NotFound, found by the query; OutOfScope without ``register.staff`` in the village.
    """
    actor.require("register.staff", village_code)
    in_village = exists().where(UserScope.user_id == User.id, UserScope.region_code == village_code)
    user = session.scalar(
        select(User).where(User.id == user_id, User.role == Role.PETUGAS, in_village)
    )
    if user is None:
        raise NotFound("Petugas tidak ditemukan.")
    shown = (seen_active, seen_deactivated_by or None)
    if seen_active is None or shown != (user.is_active, user.deactivated_by_role):
        raise Conflict(STATUS_STALE)
    before = user.deactivated_by_role
    if active and not user.is_active and not accounts.may_reactivate(actor.role, before):
        raise OutOfScope(accounts.reactivation_refused(before))
    after = before if active == seen_active else (None if active else actor.role)
    seen_by = (
        User.deactivated_by_role.is_(None) if before is None else User.deactivated_by_role == before
    )
    result = session.execute(
        update(User)
        .where(User.id == user.id, User.is_active == seen_active, seen_by)
        .values(
            is_active=active,
            deactivated_by_role=after,
            # only a change makes an admin's open forms of the account stale
            version=User.version + (0 if active == seen_active else 1),
        )
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]  # an UPDATE returns a CursorResult
        raise Conflict(STATUS_STALE)
    session.refresh(user)
    if active != seen_active:
        if not active:
            accounts.end_sessions(session, user_id=user.id)
        audit.record(
            session,
            actor=actor,
            entity="user",
            entity_id=user.id,
            action="enable" if active else "disable",
            changes={
                "is_active": (seen_active, active),
                "deactivated_by_role": (before, after),
            },
            village_code=village_code,
        )
    return user

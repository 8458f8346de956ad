"""The village's petugas pendataan: the operator designates them (one or more per desa); each
gets an invitation link and works in exactly that desa."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from perdes.accounts import selfservice
from perdes.accounts import services as accounts
from perdes.accounts.models import User, UserScope
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal


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

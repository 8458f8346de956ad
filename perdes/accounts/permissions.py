"""The central permission table: which role may do which action.

Services check it (``Principal.require``), routes declare it, templates consult it
(``user.can(...)``) so the UI offers only what a user may do.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ADMIN_DAERAH = "admin_daerah"
    PEMANTAU = "pemantau"
    OPERATOR = "operator"
    PENDAMPING = "pendamping"


ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.ADMIN_DAERAH: "Admin daerah",
    Role.PEMANTAU: "Pemantau (BP3MI/Disnaker)",
    Role.OPERATOR: "Operator desa",
    Role.PENDAMPING: "Pendamping",
}

ALL = frozenset(Role)

# action -> roles allowed. Region limits come on top of this, from the user's scope.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "village.view": ALL,
    "village.edit_profile": frozenset({Role.ADMIN, Role.OPERATOR}),
    "audit.view": frozenset({Role.ADMIN, Role.PEMANTAU}),
    # an admin daerah manages users below it, inside its provinces or kabupaten only
    "users.manage": frozenset({Role.ADMIN, Role.ADMIN_DAERAH}),
    "mail.view": frozenset({Role.ADMIN}),
    "account.self": ALL,
    # drafting
    "draft.view": ALL,
    "draft.edit": frozenset({Role.ADMIN, Role.OPERATOR}),
    "draft.comment": frozenset({Role.ADMIN, Role.OPERATOR, Role.PENDAMPING}),
    # adoption tracker: only the village records its legal steps
    "adoption.view": ALL,
    "adoption.record": frozenset({Role.ADMIN, Role.OPERATOR}),
    "deadline.manage": frozenset({Role.ADMIN, Role.ADMIN_DAERAH}),
    # checklist
    "checklist.view": ALL,
    "checklist.answer": frozenset({Role.ADMIN, Role.OPERATOR}),
    "checklist.evidence": frozenset({Role.ADMIN, Role.OPERATOR, Role.PENDAMPING}),
    "checklist.verify": frozenset({Role.ADMIN, Role.PEMANTAU}),
    "framework.manage": frozenset({Role.ADMIN}),
    # monitoring
    "monitoring.view": frozenset({Role.ADMIN, Role.PEMANTAU}),
    "targets.manage": frozenset({Role.ADMIN, Role.PEMANTAU}),
    "league.manage": frozenset({Role.ADMIN}),
}


# Roles each managing role may grant (and whose holders it may see and change). An admin
# daerah never grants its own rank or above, and never touches admins.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: ALL,
    Role.ADMIN_DAERAH: frozenset({Role.PEMANTAU, Role.OPERATOR, Role.PENDAMPING}),
}


def can(role: Role | None, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions are refused."""
    if role is None:
        return False
    return role in PERMISSIONS.get(action, frozenset())

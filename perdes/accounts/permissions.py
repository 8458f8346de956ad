"""The central permission table: which role may do which action.

Services check it (``Principal.require``), routes declare it, templates consult it
(``user.can(...)``) so the UI offers only what a user may do.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PEMANTAU = "pemantau"
    OPERATOR = "operator"
    PENDAMPING = "pendamping"


ROLE_LABELS = {
    Role.ADMIN: "Admin",
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
    "users.manage": frozenset({Role.ADMIN}),
    "account.self": ALL,
}


def can(role: Role | None, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions are refused."""
    if role is None:
        return False
    return role in PERMISSIONS.get(action, frozenset())

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
    "mail.view": frozenset({Role.ADMIN}),
    "account.self": ALL,
    # drafting
    "draft.view": ALL,
    "draft.edit": frozenset({Role.ADMIN, Role.OPERATOR}),
    "draft.comment": frozenset({Role.ADMIN, Role.OPERATOR, Role.PENDAMPING}),
    # adoption tracker: only the village records its legal steps
    "adoption.view": ALL,
    "adoption.record": frozenset({Role.ADMIN, Role.OPERATOR}),
    "deadline.manage": frozenset({Role.ADMIN}),
    # checklist
    "checklist.view": ALL,
    "checklist.answer": frozenset({Role.ADMIN, Role.OPERATOR}),
    "checklist.evidence": frozenset({Role.ADMIN, Role.OPERATOR, Role.PENDAMPING}),
    "checklist.verify": frozenset({Role.ADMIN, Role.PEMANTAU}),
    "framework.manage": frozenset({Role.ADMIN}),
    # monitoring
    "monitoring.view": frozenset({Role.ADMIN, Role.PEMANTAU}),
    "targets.manage": frozenset({Role.ADMIN, Role.PEMANTAU}),
}


def can(role: Role | None, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions are refused."""
    if role is None:
        return False
    return role in PERMISSIONS.get(action, frozenset())

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
    PETUGAS = "petugas"


ROLE_LABELS = {
    Role.ADMIN: "Admin",
    Role.ADMIN_DAERAH: "Admin daerah",
    Role.PEMANTAU: "Pemantau (BP3MI/Disnaker)",
    Role.OPERATOR: "Operator desa",
    Role.PENDAMPING: "Pendamping",
    Role.PETUGAS: "Petugas pendataan",
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
    # the village PMI register: names only for the village's own staff. A person's page is
    # open to every role at the gate, but the query finds it only for the village's operator
    # and petugas (and, for a consented summary, its pendamping): anyone else gets 404.
    "register.view": ALL,
    "register.list": frozenset({Role.OPERATOR, Role.PETUGAS, Role.PENDAMPING}),
    "register.record": frozenset({Role.OPERATOR, Role.PETUGAS}),
    "register.export": frozenset({Role.OPERATOR, Role.PETUGAS}),
    # the village's own data-protection records: access log, breaches
    "register.protect": frozenset({Role.OPERATOR, Role.PETUGAS}),
    # the operator designates its village's petugas pendataan (admins do it in Pengguna)
    "register.staff": frozenset({Role.ADMIN, Role.OPERATOR}),
}


# Actions that show a person's name, NIK or address: the only ones an admin may not do
# (UU 27/2022: purpose limitation; the register's figures are for everyone else).
VILLAGE_ONLY = frozenset(
    {"register.list", "register.record", "register.export", "register.protect"}
)


# Roles each managing role may grant (and whose holders it may see and change). An admin
# daerah never grants its own rank or above, and never touches admins.
GRANTABLE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: ALL,
    Role.ADMIN_DAERAH: frozenset({Role.PEMANTAU, Role.OPERATOR, Role.PENDAMPING, Role.PETUGAS}),
    # through the register's Petugas page only (an operator has no users.manage)
    Role.OPERATOR: frozenset({Role.PETUGAS}),
}


def may_grant(role: Role | None, granted: Role | str) -> bool:
    """True when ``role`` may create users of role ``granted``: user managers within
    GRANTABLE, an operator only a petugas pendataan of its own village."""
    if can(role, "users.manage"):
        return True
    return granted == Role.PETUGAS and can(role, "register.staff")


def can(role: Role | None, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions are refused."""
    if role is None:
        return False
    return role in PERMISSIONS.get(action, frozenset())

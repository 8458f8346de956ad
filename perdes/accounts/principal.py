"""Who is acting: a user with a role and a region scope (or the CLI acting as system)."""

from __future__ import annotations

from dataclasses import dataclass

from perdes.accounts.permissions import Role, can
from perdes.errors import OutOfScope
from perdes.regions.scope import Scope

DENIED = "Anda tidak berhak melakukan tindakan ini."
OUTSIDE = "Data ini berada di luar wilayah tugas Anda."


@dataclass(frozen=True, slots=True)
class Principal:
    """The acting user; services take it to filter queries and to check permissions."""

    user_id: int | None
    username: str
    full_name: str
    role: Role | None
    scope: Scope
    session_id: str | None = None

    @classmethod
    def system(cls) -> Principal:
        """The command line: an admin acting as 'sistem'."""
        return cls(
            user_id=None,
            username="sistem",
            full_name="Sistem aplikasi",
            role=Role.ADMIN,
            scope=Scope.all(),
        )

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    def can(self, action: str, region_code: str | None = None) -> bool:
        if not can(self.role, action):
            return False
        return region_code is None or self.scope.contains(region_code)

    def require(self, action: str, region_code: str | None = None) -> None:
        """Raise OutOfScope (HTTP 403) unless the role may act, inside the scope."""
        if not can(self.role, action):
            raise OutOfScope(DENIED)
        if region_code is not None and not self.scope.contains(region_code):
            raise OutOfScope(OUTSIDE)

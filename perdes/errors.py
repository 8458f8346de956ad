"""Domain errors shared by every package; the web layer maps them to HTTP once."""

from __future__ import annotations


class DomainError(Exception):
    """Base of errors a user can cause; ``message`` is Indonesian, shown in the UI."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The thing does not exist, or lies outside the user's scope (never say which)."""


class OutOfScope(DomainError):
    """The user may read this but not change it, or may not do this action at all."""


class ValidationFailed(DomainError):
    """Input was refused; ``errors`` maps a field name to an Indonesian message."""

    def __init__(
        self, errors: dict[str, str], message: str = "Periksa kembali isian Anda."
    ) -> None:
        super().__init__(message)
        self.errors = errors


class Conflict(DomainError):
    """The change collides with the current state (a newer save, a duplicate)."""

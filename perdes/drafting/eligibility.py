"""Who may make a Peraturan Desa: the one rule used by every entry point.

A kelurahan (first digit 1 of the village part of the Kemendagri code, domain.md §5.1) is
part of the regency/city administration and cannot enact a Perdes (domain.md §1.5). The CLI,
the draft preview, the workspace, the tracker and the API all call ``require_perdes_maker``
and so refuse with the same message, the same error type (``PerdesNotAllowed``, a
``ValidationFailed``: HTTP 422 on pages and in the API, exit code 1 in the CLI).
"""

from __future__ import annotations

from perdes.errors import ValidationFailed

KELURAHAN_REFUSAL = (
    "Kelurahan adalah bagian dari perangkat daerah kabupaten/kota dan tidak membentuk "
    "Peraturan Desa."
)
KELURAHAN_REFUSAL_EN = (
    "A kelurahan is part of the regency/city administration and cannot make a Peraturan Desa."
)
FIELD = "village"


class PerdesNotAllowed(ValidationFailed):
    """The region cannot make a Perdes (a kelurahan); ``english`` is the CLI/API message."""

    english = KELURAHAN_REFUSAL_EN

    def __init__(self) -> None:
        super().__init__({FIELD: KELURAHAN_REFUSAL}, KELURAHAN_REFUSAL)


def is_kelurahan_code(code: str) -> bool:
    """True for a village code whose last part starts with 1 (e.g. ``36.73.01.1009``)."""
    parts = code.strip().split(".")
    return len(parts) == 4 and parts[3][:1] == "1"


def can_make_perdes(code: str) -> bool:
    """Whether the village with this Kemendagri code may enact a Peraturan Desa."""
    parts = code.strip().split(".")
    return len(parts) == 4 and not is_kelurahan_code(code)


def require_perdes_maker(code: str) -> None:
    """Raise ``PerdesNotAllowed`` unless the village ``code`` may make a Perdes."""
    if not can_make_perdes(code):
        raise PerdesNotAllowed()

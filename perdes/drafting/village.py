"""Village profile lookup for the CLI.

Placeholder: the real implementation reads the village profile from the database named
by ``PERDES_DATABASE_URL`` and is written when the drafting engine is merged.
"""

from __future__ import annotations

from perdes.drafting.model import VillageContext


def load_village_context(code: str) -> VillageContext:
    """The drafting context of the village with Kemendagri code ``code``.

    Raises ``LookupError`` when there is no such village.
    """
    raise LookupError(f"village {code} not found")

"""In-process domain events, so one package can react to another's writes without importing it.

The publisher calls ``publish`` inside its own unit of work; subscribers run synchronously in
the same transaction (so derived data never lags behind, and a failure rolls back both).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

Handler = Callable[..., None]

ADOPTION_CHANGED = "adoption.changed"  # kwargs: village_code
PROFILE_CHANGED = "village_profile.changed"  # kwargs: village_code
CHECKLIST_CHANGED = "checklist.changed"  # kwargs: village_code (its stored totals moved)
REGIONS_CHANGED = "regions.changed"  # kwargs: district_codes (regions imported or renamed)
# kwargs: village_code, framework_slug, item_key, item_title, reason
CHECKLIST_ITEM_REJECTED = "checklist.item_rejected"

_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(event: str, handler: Handler) -> None:
    if handler not in _handlers[event]:
        _handlers[event].append(handler)


def publish(event: str, session: Session, **payload: Any) -> None:
    for handler in list(_handlers[event]):
        handler(session, **payload)

"""The product's one notion of "today": the date in WIB (Asia/Jakarta).

Servers run in UTC; between 00:00 and 07:00 WIB the server's own date is still yesterday's,
which would put a draft in the wrong year on 1 January or a deadline one day off. Every
"today" in the product comes from here (a convention test refuses ``date.today()``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Asia/Jakarta")


def local_today(now: datetime | None = None) -> date:
    """Today's date in WIB (``now``, an aware instant, for a fixed moment)."""
    return (now or datetime.now(UTC)).astimezone(DISPLAY_ZONE).date()

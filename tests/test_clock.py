"""The product's "today" is the date in WIB, whatever the server's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

from perdes.clock import local_today


def test_today_turns_at_midnight_wib_not_utc():
    # 31 December 2026, 16:59 UTC is 23:59 WIB; a minute later it is 1 January 2027 in WIB
    # while the server (UTC) still has 31 December: a draft made then is dated 2027.
    assert local_today(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert local_today(datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == date(2027, 1, 1)

"""Working days ("Hari adalah hari kerja", PP 43/2014 Pasal 1 angka 13) for statutory deadlines.

A working day is a weekday that is not an Indonesian public holiday and, where the
kabupaten's rule says so, not a *cuti bersama* day. Public holidays and cuti bersama come
from the ``holidays`` package (category ``public`` and ``government``; the latter is the
joint-leave list of the SKB 3 Menteri), corrected by a holiday file kept as data:
``perdes/tracking/data/hari_libur.yaml`` and, if set, the file named by
``PERDES_HOLIDAYS_FILE`` (an admin's additions and removals, e.g. a holiday moved by a new
SKB). After editing that file, run ``perdes tenggat hitung-ulang`` so stored due dates follow.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from perdes.clock import local_today

BUNDLED_FILE = Path(__file__).with_name("data") / "hari_libur.yaml"
HOLIDAYS_FILE_ENV = "PERDES_HOLIDAYS_FILE"
FIRST_YEAR = 2014  # PP 43/2014; no deadline of the tracker starts earlier
LAST_YEAR_AHEAD = 3  # years after today covered by the calendar
MAX_SPAN_DAYS = 4000  # a deadline of 365 working days spans under 600 calendar days

KIND_PUBLIC = "libur"
KIND_JOINT_LEAVE = "cuti_bersama"


class HolidayFileError(ValueError):
    """The holiday file is not valid (English, for the CLI and the log)."""


@dataclass(frozen=True, slots=True)
class Calendar:
    """Non-working days by date, with their names (public holidays and cuti bersama apart)."""

    public: dict[date, str] = field(default_factory=dict)
    joint_leave: dict[date, str] = field(default_factory=dict)

    def is_working_day(self, day: date, *, skip_joint_leave: bool) -> bool:
        if day.weekday() >= 5 or day in self.public:
            return False
        return not (skip_joint_leave and day in self.joint_leave)

    def add_working_days(self, start: date, days: int, *, skip_joint_leave: bool) -> date:
        """The ``days``-th working day after ``start`` ("paling lambat N Hari terhitung sejak").

        The start day itself is not counted, as in a calendar-day count.
        """
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day, skip_joint_leave=skip_joint_leave):
                counted += 1
            if (day - start).days > MAX_SPAN_DAYS:
                raise ValueError("deadline out of range")
        return day

    def working_days_between(self, after: date, until: date, *, skip_joint_leave: bool) -> int:
        """Working days in (after, until]; negative when ``until`` is before ``after``."""
        if until < after:
            return -self.working_days_between(until, after, skip_joint_leave=skip_joint_leave)
        span = min((until - after).days, MAX_SPAN_DAYS)
        return sum(
            self.is_working_day(after + timedelta(days=i), skip_joint_leave=skip_joint_leave)
            for i in range(1, span + 1)
        )

    def name_of(self, day: date) -> str:
        return self.public.get(day) or self.joint_leave.get(day, "")


def _entries(raw: Any, source: str) -> tuple[list[tuple[date, str, str]], list[date]]:
    if raw is None:
        return [], []
    if not isinstance(raw, dict):
        raise HolidayFileError(f"{source}: expected a mapping with 'tambahan' and 'dihapus'")
    added: list[tuple[date, str, str]] = []
    for item in raw.get("tambahan") or []:
        if not isinstance(item, dict) or not isinstance(item.get("tanggal"), date):
            raise HolidayFileError(f"{source}: each 'tambahan' needs a 'tanggal' (YYYY-MM-DD)")
        kind = item.get("jenis", KIND_PUBLIC)
        if kind not in (KIND_PUBLIC, KIND_JOINT_LEAVE):
            raise HolidayFileError(f"{source}: 'jenis' is '{KIND_PUBLIC}' or '{KIND_JOINT_LEAVE}'")
        name = str(item.get("nama") or "").strip()
        if not name or not str(item.get("dasar") or "").strip():
            raise HolidayFileError(f"{source}: each entry needs 'nama' and 'dasar' (its source)")
        added.append((item["tanggal"], kind, name))
    removed: list[date] = []
    for item in raw.get("dihapus") or []:
        if not isinstance(item, dict) or not isinstance(item.get("tanggal"), date):
            raise HolidayFileError(f"{source}: each 'dihapus' needs a 'tanggal' (YYYY-MM-DD)")
        if not str(item.get("dasar") or "").strip():
            raise HolidayFileError(f"{source}: each removal needs 'dasar' (its source)")
        removed.append(item["tanggal"])
    return added, removed


def build_calendar(files: list[Path], *, last_year: int) -> Calendar:
    """The package's holidays for 2014..``last_year``, corrected by ``files`` in order."""
    import holidays  # imported when first needed: it loads every country's calendar (~0.1 s)

    years = range(FIRST_YEAR, last_year + 1)
    public = dict(holidays.country_holidays("ID", years=years, language="id"))
    joint = dict(
        holidays.country_holidays("ID", years=years, categories=("government",), language="id")
    )
    for path in files:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise HolidayFileError(f"{path.name}: cannot read ({exc})") from exc
        added, removed = _entries(raw, path.name)
        for day in removed:
            public.pop(day, None)
            joint.pop(day, None)
        for day, kind, name in added:
            (public if kind == KIND_PUBLIC else joint)[day] = name
    return Calendar(public=public, joint_leave=joint)


@cache
def _cached(extra: str, last_year: int) -> Calendar:
    files = [BUNDLED_FILE] + ([Path(extra)] if extra else [])
    return build_calendar(files, last_year=last_year)


def calendar() -> Calendar:
    """The calendar in force (cached per process; the extra file is read once)."""
    return _cached(os.environ.get(HOLIDAYS_FILE_ENV, ""), local_today().year + LAST_YEAR_AHEAD)


def reload() -> None:
    """Forget the cached calendar (after the holiday file changed)."""
    _cached.cache_clear()

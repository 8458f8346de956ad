"""Statutory deadlines between steps, in calendar days, with their legal basis.

The defaults follow PP 43/2014 Pasal 83–84; each kabupaten may set its own procedure by
Perbup (Permendagri 111/2014 Pasal 32 ayat (2)), so an admin can override days and basis per
kabupaten, or change the national default, as data (see ``DeadlineRule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from perdes.tracking.stages import Stage

# Dates are "not in the future" if they are not in the future anywhere in Indonesia
# (WIT, UTC+9, is the first zone to reach a new day); "due in N days" counts in WIB.
EASTERNMOST = ZoneInfo("Asia/Jayapura")
DISPLAY_ZONE = ZoneInfo("Asia/Jakarta")


def latest_valid_date() -> date:
    return datetime.now(EASTERNMOST).date()


def local_today() -> date:
    return datetime.now(DISPLAY_ZONE).date()


class DeadlineKind(StrEnum):
    """A step that must follow another within a number of days."""

    HANDOVER = "penyerahan"
    SIGNING = "penetapan"
    REPORT = "pelaporan"


@dataclass(frozen=True, slots=True)
class DeadlineDefault:
    after: Stage
    due: Stage
    days: int
    legal_basis: str
    label: str


DEFAULTS: dict[DeadlineKind, DeadlineDefault] = {
    DeadlineKind.HANDOVER: DeadlineDefault(
        after=Stage.DISEPAKATI,
        due=Stage.DISERAHKAN,
        days=7,
        legal_basis="PP 43/2014 Pasal 83",
        label="Penyerahan rancangan oleh pimpinan BPD ke Kepala Desa",
    ),
    DeadlineKind.SIGNING: DeadlineDefault(
        after=Stage.DISERAHKAN,
        due=Stage.DITETAPKAN,
        days=15,
        legal_basis="PP 43/2014 Pasal 83",
        label="Penetapan (penandatanganan) oleh Kepala Desa",
    ),
    DeadlineKind.REPORT: DeadlineDefault(
        after=Stage.DIUNDANGKAN,
        due=Stage.DILAPORKAN,
        days=7,
        legal_basis="PP 43/2014 Pasal 84 ayat (4)",
        label="Penyampaian Perdes kepada Bupati/Wali Kota",
    ),
}

KIND_AFTER: dict[Stage, DeadlineKind] = {d.after: kind for kind, d in DEFAULTS.items()}
MAX_DAYS = 365


@dataclass(frozen=True, slots=True)
class EffectiveRule:
    """The rule in force for one kabupaten: days and basis, and where they come from."""

    kind: DeadlineKind
    days: int
    legal_basis: str
    source: str  # "bawaan", "nasional" or the kabupaten code


def deadline_after(stage: Stage | None) -> DeadlineKind | None:
    return KIND_AFTER.get(stage) if stage is not None else None


def due_on(stage_on: date, days: int) -> date:
    return stage_on + timedelta(days=days)


def describe(due: date, today: date) -> tuple[str, str]:
    """An Indonesian phrase for a due date and a CSS tone: ok, warn or bad."""
    delta = (due - today).days
    if delta < 0:
        return f"terlambat {-delta} hari", "bad"
    if delta == 0:
        return "jatuh tempo hari ini", "warn"
    return f"jatuh tempo dalam {delta} hari", "warn" if delta <= 3 else "ok"

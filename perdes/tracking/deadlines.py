"""Statutory deadlines between steps, in working days, with their legal basis.

The defaults follow PP 43/2014 Pasal 83–84, whose "Hari" are working days (Pasal 1 angka 13),
and UU 6/2014 Pasal 69 ayat (5) for the Bupati's evaluation (20 hari kerja); each kabupaten
may set its own procedure by Perbup (Permendagri 111/2014 Pasal 32 ayat (2)), so an admin
can override days and basis per kabupaten, or change the national default, as data (see
``DeadlineRule``), and say whether cuti bersama days count (``WorkdayRule``). Working days
are counted by ``perdes.tracking.workdays``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from perdes.clock import DISPLAY_ZONE as DISPLAY_ZONE
from perdes.clock import local_today as local_today
from perdes.tracking import workdays
from perdes.tracking.stages import Stage

# Dates are "not in the future" if they are not in the future anywhere in Indonesia
# (WIT, UTC+9, is the first zone to reach a new day); "due in N days" counts in WIB.
EASTERNMOST = ZoneInfo("Asia/Jayapura")


def latest_valid_date() -> date:
    return datetime.now(EASTERNMOST).date()


class DeadlineKind(StrEnum):
    """A step that must follow another within a number of days."""

    PENYERAHAN = "penyerahan"
    PENETAPAN = "penetapan"
    PELAPORAN = "pelaporan"
    EVALUASI = "evaluasi"


class PerdesType(StrEnum):
    """What a Perdes regulates; four types are evaluated by the Bupati/Wali Kota before
    penetapan (UU 6/2014 Pasal 69 ayat (4)), every other (such as PMI protection) is not."""

    LAINNYA = "lainnya"
    APB_DESA = "apb_desa"
    PUNGUTAN = "pungutan"
    TATA_RUANG = "tata_ruang"
    ORGANISASI_PEMDES = "organisasi_pemdes"


PERDES_TYPE_LABELS: dict[PerdesType, str] = {
    PerdesType.LAINNYA: "Lainnya (tanpa evaluasi, mis. pelindungan PMI)",
    PerdesType.APB_DESA: "APB Desa",
    PerdesType.PUNGUTAN: "Pungutan",
    PerdesType.TATA_RUANG: "Tata ruang",
    PerdesType.ORGANISASI_PEMDES: "Organisasi Pemerintah Desa",
}
EVALUATED: frozenset[PerdesType] = frozenset(PerdesType) - {PerdesType.LAINNYA}
# Stages in which an evaluated draft waits for the Bupati/Wali Kota: agreed, not yet signed.
EVALUATION_STAGES: frozenset[Stage] = frozenset({Stage.DISEPAKATI, Stage.DISERAHKAN})


@dataclass(frozen=True, slots=True)
class DeadlineDefault:
    after: Stage
    due: Stage
    days: int
    legal_basis: str
    label: str


DEFAULTS: dict[DeadlineKind, DeadlineDefault] = {
    DeadlineKind.PENYERAHAN: DeadlineDefault(
        after=Stage.DISEPAKATI,
        due=Stage.DISERAHKAN,
        days=7,
        legal_basis="PP 43/2014 Pasal 83",
        label="Penyerahan rancangan oleh pimpinan BPD ke Kepala Desa",
    ),
    DeadlineKind.PENETAPAN: DeadlineDefault(
        after=Stage.DISERAHKAN,
        due=Stage.DITETAPKAN,
        days=15,
        legal_basis="PP 43/2014 Pasal 83",
        label="Penetapan (penandatanganan) oleh Kepala Desa",
    ),
    DeadlineKind.PELAPORAN: DeadlineDefault(
        after=Stage.DIUNDANGKAN,
        due=Stage.DILAPORKAN,
        days=7,
        legal_basis="PP 43/2014 Pasal 84 ayat (4)",
        label="Penyampaian Perdes kepada Bupati/Wali Kota",
    ),
    # Counted from the Bupati/Wali Kota's receipt of the draft (recorded on the adoption),
    # not from a step; only for the evaluated types.
    DeadlineKind.EVALUASI: DeadlineDefault(
        after=Stage.DISERAHKAN,
        due=Stage.DITETAPKAN,
        days=20,
        legal_basis="UU 6/2014 Pasal 69 ayat (5)",
        label="Hasil evaluasi rancangan oleh Bupati/Wali Kota",
    ),
}

KIND_AFTER: dict[Stage, DeadlineKind] = {
    d.after: kind for kind, d in DEFAULTS.items() if kind is not DeadlineKind.EVALUASI
}
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


def next_deadline(
    *,
    stage: Stage | None,
    stage_on: date | None,
    perdes_type: PerdesType,
    evaluation_received_on: date | None,
    evaluation_result_on: date | None,
) -> tuple[DeadlineKind, date] | None:
    """What the next deadline is for and the date it counts from, or None.

    An evaluated draft sent to the Bupati/Wali Kota and still without a result waits for the
    evaluation (20 working days from receipt); otherwise the deadline follows the stage.
    """
    if (
        perdes_type in EVALUATED
        and stage in EVALUATION_STAGES
        and evaluation_received_on is not None
        and evaluation_result_on is None
    ):
        return DeadlineKind.EVALUASI, evaluation_received_on
    kind = deadline_after(stage)
    if kind is None or stage_on is None:
        return None
    return kind, stage_on


def due_on(start: date, days: int, *, skip_joint_leave: bool = False) -> date:
    """The last day of a deadline of ``days`` working days counted from ``start``."""
    return workdays.calendar().add_working_days(start, days, skip_joint_leave=skip_joint_leave)


def describe(due: date, today: date, *, skip_joint_leave: bool = False) -> tuple[str, str]:
    """An Indonesian phrase for a due date, in working days, and a CSS tone: ok, warn or bad."""
    if due == today:
        return "jatuh tempo hari ini", "warn"
    left = workdays.calendar().working_days_between(today, due, skip_joint_leave=skip_joint_leave)
    if due < today:
        late = -left
        if late == 0:  # passed on a day off, no working day lost yet
            return "tenggat terlewati (hari libur)", "bad"
        return f"terlambat {late} hari kerja", "bad"
    if left == 0:
        return "jatuh tempo hari kerja berikutnya", "warn"
    return f"jatuh tempo dalam {left} hari kerja", "warn" if left <= 3 else "ok"

"""Numbers an answer carries as fields, not as text in the note: the departure counts of the
outcome item and the budget year of a budget item; and the outcome judged from the counts.

Which items carry which numbers follows from what the instrument already declares, so stored
framework versions stay unchanged: the outcome item (``outcome: true``) carries the three
departure counts its description defines (known departures in the last 12 months, those
matched with BP3MI's placement data, and the unmatched ones reported and followed up); an
item valid for the budget year (``validity: budget_year``) carries the APB Desa year its
evidence covers, which fixes the end of its validity.

Pure: no database, no HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from perdes.checklist.instrument import ItemExtras
from perdes.register import suppression
from perdes.validation import FieldErrors, parse_int

# A bound well above any village's departures in a year (the largest sending villages record
# hundreds), low enough that a slip of the keyboard is caught.
MAX_DEPARTURES = 100_000
FIRST_BUDGET_YEAR, LAST_BUDGET_YEAR = 2000, 2100
FIELD_PREFIX = "figure_"


@dataclass(frozen=True, slots=True)
class FigureDef:
    """One whole-number field of an answer."""

    id: str
    label: str
    hint: str
    lo: int
    hi: int

    @property
    def field(self) -> str:
        """The form field's name."""
        return FIELD_PREFIX + self.id

    @property
    def range_message(self) -> str:
        return f"Isi bilangan bulat {_number(self.lo)}–{_number(self.hi)}, angka saja."


def _number(value: int) -> str:
    """Indonesian thousands separator for counts ("100.000"), none for years ("2100")."""
    return f"{value:,}".replace(",", ".") if value >= 10_000 else str(value)


KNOWN, MATCHED, FOLLOWED_UP, BUDGET_YEAR = "known", "matched", "followed_up", "budget_year"
OUTCOME_FIGURES = (
    FigureDef(
        KNOWN,
        "Keberangkatan warga yang diketahui desa",
        "dalam 12 bulan sebelum pengajuan; 0 bila tidak ada",
        0,
        MAX_DEPARTURES,
    ),
    FigureDef(
        MATCHED,
        "Di antaranya cocok dengan data penempatan BP3MI",
        "menurut rekap yang ditandatangani atau diketahui BP3MI",
        0,
        MAX_DEPARTURES,
    ),
    FigureDef(
        FOLLOWED_UP,
        "Yang tidak cocok dan telah dilaporkan serta ditindaklanjuti",
        "dilaporkan ke Dinas/BP3MI",
        0,
        MAX_DEPARTURES,
    ),
)
BUDGET_FIGURES = (
    FigureDef(
        BUDGET_YEAR,
        "Tahun anggaran APB Desa",
        "tahun APB Desa pada bukti; butir berlaku sampai akhir tahun itu",
        FIRST_BUDGET_YEAR,
        LAST_BUDGET_YEAR,
    ),
)


def figures_for(extras: ItemExtras) -> tuple[FigureDef, ...]:
    """The number fields an item's answer carries (none for most items)."""
    if extras.outcome:
        return OUTCOME_FIGURES
    if extras.validity.kind == "budget_year":
        return BUDGET_FIGURES
    return ()


def parse_figures(
    defs: tuple[FigureDef, ...],
    raw: Mapping[str, object],
    *,
    required: bool,
    errors: FieldErrors,
) -> dict[str, int]:
    """The numbers of ``raw`` (keyed by figure id; text from a form or int from the API).

    ASCII digits only, within each figure's bounds; blank is allowed unless ``required``; a
    key the item does not have is refused. Errors are keyed by the form field's name. The
    outcome's counts must add up: matched ≤ known, followed up ≤ known − matched.
    """
    known_ids = {d.id for d in defs}
    for key in raw:
        if key not in known_ids:
            errors.add(FIELD_PREFIX + key, "Butir ini tidak memiliki isian angka ini.")
    values: dict[str, int] = {}
    for figure in defs:
        value = raw.get(figure.id)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors.add(figure.field, "Wajib diisi untuk status Terpenuhi.")
            continue
        number = parse_int(value, lo=figure.lo, hi=figure.hi)
        if number is None:
            errors.add(figure.field, figure.range_message)
            continue
        values[figure.id] = number
    known, matched = values.get(KNOWN), values.get(MATCHED)
    followed = values.get(FOLLOWED_UP)
    if known is not None and matched is not None and matched > known:
        errors.add(
            "figure_matched", "Yang cocok tidak boleh melebihi keberangkatan yang diketahui."
        )
    elif known is not None and followed is not None and followed > known - (matched or 0):
        errors.add(
            "figure_followed_up",
            "Yang dilaporkan tidak boleh melebihi keberangkatan yang tidak cocok.",
        )
    return values


@dataclass(frozen=True, slots=True)
class OutcomeCheck:
    """The outcome item's counts against the rule of its description."""

    met: bool
    path: str  # "ambang" | "dilaporkan" | "nihil" | "" (not met)
    summary: str  # Indonesian, one sentence

    @property
    def tone(self) -> str:
        return "ok" if self.met else "bad"


def percent_label(numerator: int, denominator: int) -> str:
    """ "90%", "66,7%": one decimal, Indonesian comma, none when whole."""
    share = round(100 * numerator / denominator, 1)
    return (f"{share:.0f}" if share == int(share) else f"{share:.1f}".replace(".", ",")) + "%"


def check_outcome(figures: Mapping[str, int], threshold: int | None) -> OutcomeCheck | None:
    """Judge the counts; None while any of the three is missing.

    Met when the matched share reaches ``threshold`` (percent, set per kabupaten/kota), or
    when every unmatched departure was reported and followed up; with no departures it is met
    on the condition that BP3MI confirms its data show none either (the countersigned
    evidence, checked by the monitor).
    """
    if any(figures.get(k) is None for k in (KNOWN, MATCHED, FOLLOWED_UP)):
        return None
    known, matched, followed = figures[KNOWN], figures[MATCHED], figures[FOLLOWED_UP]
    if known == 0:
        return OutcomeCheck(
            True,
            "nihil",
            "Tidak ada keberangkatan dalam 12 bulan: terpenuhi bila BP3MI membenarkan bahwa "
            "datanya juga tidak mencatat keberangkatan dari desa ini.",
        )
    unmatched = known - matched
    counts = f"{matched} dari {known} keberangkatan cocok dengan data BP3MI"
    counts += f" ({percent_label(matched, known)})"
    # whole numbers: matched/known ≥ threshold/100 without rounding
    if threshold is not None and matched * 100 >= threshold * known:
        return OutcomeCheck(True, "ambang", f"{counts}, mencapai ambang {threshold}%.")
    if followed == unmatched:
        reason = f"tidak mencapai ambang {threshold}%" if threshold is not None else "tanpa ambang"
        return OutcomeCheck(
            True,
            "dilaporkan",
            f"{counts}, {reason}; semua {unmatched} yang tidak cocok telah dilaporkan dan "
            "ditindaklanjuti.",
        )
    short = f"di bawah ambang {threshold}%" if threshold is not None else "ambang belum ditetapkan"
    return OutcomeCheck(
        False,
        "",
        f"{counts}, {short}; baru {followed} dari {unmatched} yang tidak cocok dilaporkan "
        "dan ditindaklanjuti.",
    )


def describe(extras: ItemExtras, figures: Mapping[str, int]) -> str:
    """The numbers in one line for the history ("Keberangkatan …: 12; …"), "" when none."""
    return "; ".join(f"{d.label}: {figures[d.id]}" for d in figures_for(extras) if d.id in figures)


SUPPRESSED_NOTE = "Angka di bawah 5 tidak ditampilkan di luar desa."


def as_seen_outside(
    check: OutcomeCheck, figures: Mapping[str, int], threshold: int | None
) -> OutcomeCheck:
    """The verdict on register counts for a reader who sees a count under 5 as "< 5" (outside
    the village): worded without the counts when any is under 5, as it is otherwise."""
    if all(v >= suppression.THRESHOLD for v in figures.values()):
        return check
    return OutcomeCheck(check.met, check.path, suppressed_verdict(check, threshold))


def suppressed_verdict(check: OutcomeCheck, threshold: int | None) -> str:
    """The outcome verdict worded without counts, for readers who see small counts as "< 5"."""
    bar = f"ambang {threshold}%" if threshold is not None else "ambang (belum ditetapkan)"
    if check.path == "ambang":
        said = f"bagian keberangkatan yang cocok dengan data BP3MI mencapai {bar}"
    elif check.path == "dilaporkan":
        said = (
            "keberangkatan yang tidak cocok dengan data BP3MI telah dilaporkan dan ditindaklanjuti"
        )
    elif check.path == "nihil":
        said = "terpenuhi bila data BP3MI membenarkan angka register desa (lihat buktinya)"
    else:
        said = (
            f"belum mencapai {bar}, dan belum semua keberangkatan yang tidak cocok dilaporkan "
            "dan ditindaklanjuti"
        )
    return f"Dinilai dari register PMI desa: {said}. {SUPPRESSED_NOTE}"

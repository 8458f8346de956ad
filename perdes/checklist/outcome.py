"""The rules on an answer's numbers that need the database or the date: the outcome's counts
against the kabupaten/kota threshold, and the budget year against today (WIB).

Used by ``services`` when the village saves an answer and when the monitor verifies it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.orm import Session

from perdes.checklist import thresholds
from perdes.checklist.figures import (
    BUDGET_YEAR,
    OutcomeCheck,
    check_outcome,
    figures_for,
    parse_figures,
)
from perdes.checklist.framework import ItemDef
from perdes.checklist.models import ItemStatus
from perdes.validation import FieldErrors


def threshold_percent(session: Session, *, village_code: str, framework_slug: str) -> int | None:
    row = thresholds.threshold_for(
        session, village_code=village_code, framework_slug=framework_slug
    )
    return row.min_matched_percent if row is not None else None


def judge(
    session: Session, *, item: ItemDef, figures: Mapping[str, int], village_code: str,
    framework_slug: str,
) -> OutcomeCheck | None:  # fmt: skip
    """The outcome item's counts against its regency's threshold; None for other items or
    while a count is missing."""
    if not item.extras.outcome:
        return None
    percent = threshold_percent(session, village_code=village_code, framework_slug=framework_slug)
    return check_outcome(figures, percent)


def clean_figures(
    session: Session,
    *,
    item: ItemDef,
    raw: Mapping[str, object],
    status: ItemStatus,
    village_code: str,
    framework_slug: str,
    today: date,
    errors: FieldErrors,
) -> dict[str, int]:
    """The answer's numbers, checked; "terpenuhi" needs all of them, and needs them to meet
    the item: the outcome's counts its rule, the budget year not yet over."""
    defs = figures_for(item.extras)
    submitted = status is ItemStatus.TERPENUHI
    values = parse_figures(defs, raw, required=submitted, errors=errors)
    if not submitted or errors:
        return values
    check = judge(
        session, item=item, figures=values, village_code=village_code,
        framework_slug=framework_slug,
    )  # fmt: skip
    if check is not None and not check.met:
        errors.add(
            "status", f"Menurut angka yang diisi, butir ini belum terpenuhi: {check.summary}"
        )
    year = values.get(BUDGET_YEAR)
    if year is not None and year < today.year:
        errors.add(
            "figure_budget_year",
            f"Tahun anggaran {year} sudah berakhir; lampirkan APB Desa tahun berjalan.",
        )
    elif year is not None and year > today.year + 1:
        errors.add("figure_budget_year", f"Isi tahun {today.year} atau {today.year + 1}.")
    return values


def verification_refusal(
    session: Session,
    *,
    item: ItemDef,
    status: ItemStatus,
    figures: Mapping[str, int],
    village_code: str,
    framework_slug: str,
    today: date,
) -> str | None:
    """Why a "terpenuhi" answer cannot be verified today from its numbers, or None.

    The threshold may have been raised, the budget year may have ended, or the answer was
    submitted before its numbers were fields (carried over from version 1).
    """
    defs = figures_for(item.extras)
    if status is not ItemStatus.TERPENUHI or not defs:
        return None
    if any(d.id not in figures for d in defs):
        return "Desa belum mengisi angka butir ini; tolak dengan alasan agar desa melengkapinya."
    check = judge(
        session, item=item, figures=figures, village_code=village_code,
        framework_slug=framework_slug,
    )  # fmt: skip
    if check is not None and not check.met:
        return f"Angka desa belum memenuhi butir ini: {check.summary}"
    year = figures.get(BUDGET_YEAR)
    if year is not None and year < today.year:
        return (
            f"Tahun anggaran {year} sudah berakhir; desa perlu mengajukan APB Desa tahun berjalan."
        )
    return None

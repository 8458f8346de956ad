"""Score and qualification of one assessment: a pure function of items and their states.

Rules (also in the README section):
- An item *counts as verified* when its status is ``terpenuhi``, its verification is
  ``diverifikasi`` (derived items that hold are verified by the system) and its validity
  period has not run out (``validity.py``: an expired item "perlu diperbarui").
- An item is *left out* of the denominator when its status is ``tidak_berlaku`` and that
  claim was verified. An unverified "tidak berlaku" still counts, so that a village cannot
  raise its score by declaring hard items not applicable.
- score = 100 × (weight of verified items) / (weight of items not left out). When that
  denominator is 0 (every item verified not applicable, or every remaining weight is 0)
  the score is ``None``: "cannot be computed", never 0 or 100.
- A village *qualifies* ("memenuhi butir wajib (instrumen usulan)") when every mandatory
  item counts as verified. Mandatory items cannot
  be declared not applicable, and a framework has at least one (the loader checks both), so
  qualification is never vacuous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from perdes.checklist.framework import ItemDef
from perdes.checklist.models import ItemStatus, Verification

# How the qualification is named wherever it appears (pages, exports, API): the instrument is
# a proposal, so the label must not read like an official designation.
QUALIFIED_LABEL = "Memenuhi butir wajib (instrumen usulan)"


@dataclass(frozen=True, slots=True)
class ItemState:
    status: ItemStatus = ItemStatus.BELUM
    verification: Verification = Verification.BELUM
    expired: bool = False  # verified, but its validity period is over (see validity.py)

    @property
    def verified(self) -> bool:
        return (
            self.status is ItemStatus.TERPENUHI
            and self.verification is Verification.DIVERIFIKASI
            and not self.expired
        )

    @property
    def excluded(self) -> bool:
        return (
            self.status is ItemStatus.TIDAK_BERLAKU
            and self.verification is Verification.DIVERIFIKASI
        )


@dataclass(frozen=True, slots=True)
class ScoreResult:
    score: float | None
    weight_verified: float
    weight_counted: float
    verified_count: int
    item_count: int
    waiting_count: int
    rejected_count: int
    mandatory_missing: tuple[str, ...]
    qualified: bool

    @property
    def mandatory_missing_count(self) -> int:
        return len(self.mandatory_missing)


def compute(items: Iterable[tuple[ItemDef, ItemState]]) -> ScoreResult:
    """Score, counts and the ids of mandatory items not yet verified, in framework order."""
    weight_verified = weight_counted = 0.0
    verified = total = waiting = rejected = 0
    missing: list[str] = []
    any_mandatory = False
    for item, state in items:
        total += 1
        waiting += state.verification is Verification.MENUNGGU
        rejected += state.verification is Verification.DITOLAK
        if not state.excluded:
            weight_counted += item.weight
        if state.verified:
            verified += 1
            weight_verified += item.weight
        if item.mandatory:
            any_mandatory = True
            if not state.verified:
                missing.append(item.id)
    score = round(100 * weight_verified / weight_counted, 1) if weight_counted > 0 else None
    return ScoreResult(
        score=score,
        weight_verified=weight_verified,
        weight_counted=weight_counted,
        verified_count=verified,
        item_count=total,
        waiting_count=waiting,
        rejected_count=rejected,
        mandatory_missing=tuple(missing),
        # defensive: a framework without mandatory items never qualifies
        qualified=any_mandatory and not missing,
    )

"""Score and qualification rules, including the edge cases."""

import pytest

from perdes.checklist.framework import ItemDef
from perdes.checklist.models import ItemStatus as S
from perdes.checklist.models import Verification as V
from perdes.checklist.scoring import ItemState, compute


def item(key, weight=1.0, mandatory=False):
    return ItemDef(key, "p", key, "", ("UU",), "", weight, mandatory)


OK = ItemState(S.TERPENUHI, V.DIVERIFIKASI)
NA = ItemState(S.TIDAK_BERLAKU, V.DIVERIFIKASI)


def test_weighted_share_of_verified_items():
    result = compute(
        [
            (item("a", 3, mandatory=True), OK),
            (item("b", 1), ItemState(S.TERPENUHI, V.MENUNGGU)),
            (item("c", 1), ItemState(S.TERPENUHI, V.DITOLAK)),
            (item("d", 1), ItemState()),
        ]
    )
    assert result.score == 50.0
    assert (result.verified_count, result.waiting_count, result.rejected_count) == (1, 1, 1)
    assert result.qualified and result.mandatory_missing == ()


def test_verified_not_applicable_items_leave_the_denominator_unverified_ones_do_not():
    verified_na = compute([(item("a", 1, True), OK), (item("b", 1), NA)])
    assert verified_na.score == 100.0
    claimed_na = compute(
        [(item("a", 1, True), OK), (item("b", 1), ItemState(S.TIDAK_BERLAKU, V.MENUNGGU))]
    )
    assert claimed_na.score == 50.0


def test_all_not_applicable_gives_no_score_rather_than_zero_or_hundred():
    result = compute([(item("a"), NA), (item("b"), NA)])
    assert result.score is None
    assert not result.qualified, "no mandatory item: never qualifies"


def test_zero_weights_give_no_score_but_qualification_still_works():
    result = compute([(item("a", 0, True), OK), (item("b", 0), ItemState())])
    assert result.score is None and result.qualified
    mixed = compute([(item("a", 0, True), OK), (item("b", 2), ItemState())])
    assert mixed.score == 0.0 and mixed.qualified


@pytest.mark.parametrize(
    "state",
    [ItemState(), ItemState(S.TERPENUHI, V.MENUNGGU), ItemState(S.TERPENUHI, V.DITOLAK)],
)
def test_a_mandatory_item_not_verified_blocks_qualification(state):
    result = compute([(item("a", 1, True), state), (item("b", 9), OK)])
    assert not result.qualified
    assert result.mandatory_missing == ("a",) and result.mandatory_missing_count == 1
    assert result.score == 90.0


def test_empty_framework_is_not_qualified():
    result = compute([])
    assert result.score is None and not result.qualified

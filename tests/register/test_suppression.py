"""Small-count suppression: primary, complements and differencing against shown totals."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from perdes.register.suppression import HIDDEN_LABEL, Cell, share, suppress_rows

COLUMNS = ("departures", "procedural")
PARTS = {"procedural": "departures"}


def values(rows):
    return [{c: cell.value for c, cell in row.items()} for row in rows]


def test_counts_under_five_are_hidden_and_labelled():
    out = suppress_rows([{"n": 0}, {"n": 4}, {"n": 3}, {"n": 5}, {"n": 1200}], columns=("n",))
    assert [r["n"].label for r in out] == [HIDDEN_LABEL] * 3 + ["5", "1.200"]
    assert out[1]["n"].json() == "< 5" and out[3]["n"].json() == 5


def test_a_single_hidden_village_is_joined_by_the_smallest_other():
    # Kecamatan total 3 + 20 + 9 = 32 is shown; 3 alone would be 32 - 20 - 9.
    out = values(suppress_rows([{"n": 3}, {"n": 20}, {"n": 9}], columns=("n",)))
    assert out == [{"n": None}, {"n": 20}, {"n": None}]


def test_hidden_cells_holding_one_to_four_people_together_are_widened():
    # 1 + 2 hidden = 3 people: total minus shown says "3 people in these two villages".
    out = values(suppress_rows([{"n": 1}, {"n": 2}, {"n": 7}, {"n": 40}], columns=("n",)))
    assert out == [{"n": None}, {"n": None}, {"n": None}, {"n": 40}]
    # 0 + 0 hidden reveals only that nobody is there: no more hiding needed.
    out = values(suppress_rows([{"n": 0}, {"n": 0}, {"n": 7}], columns=("n",)))
    assert out == [{"n": None}, {"n": None}, {"n": 7}]


def test_the_remainder_of_a_part_is_protected_too():
    # 10 departures, 8 procedural: 2 non-procedural would be 10 - 8.
    out = values(
        suppress_rows(
            [{"departures": 10, "procedural": 8}, {"departures": 12, "procedural": 6}],
            columns=COLUMNS,
            parts=PARTS,
        )
    )
    assert out[0] == {"departures": 10, "procedural": None}
    # Column rule: procedural of row 2 is hidden as well, else row 1's is total minus it.
    assert out[1] == {"departures": 12, "procedural": None}


def test_share_is_hidden_with_its_counts():
    assert share(Cell(6), Cell(12)) == 50
    assert share(Cell(None), Cell(12)) is None
    assert share(Cell(0), Cell(0)) is None


def _recoverable(rows, out, column):
    """Whether some hidden cell's value follows from the column total and visible cells."""
    hidden = [i for i, r in enumerate(out) if r[column].hidden]
    if len(hidden) == 1:
        return True
    hidden_sum = sum(rows[i][column] for i in hidden)
    return 0 < hidden_sum < 5


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30)).map(
            lambda t: {"departures": max(t), "procedural": min(t)}
        ),
        min_size=1,
        max_size=8,
    )
)
def test_no_small_count_is_shown_or_recoverable_from_totals(rows):
    out = suppress_rows(rows, columns=COLUMNS, parts=PARTS)
    for row, cells in zip(rows, out, strict=True):
        for column in COLUMNS:
            if not cells[column].hidden:
                assert cells[column].value == row[column] >= 5
        if not cells["procedural"].hidden:
            assert row["departures"] - row["procedural"] >= 5
    for column in COLUMNS:
        hidden = [i for i, r in enumerate(out) if r[column].hidden]
        if hidden and len(hidden) < len(rows):
            assert not _recoverable(rows, out, column)


def test_everything_small_is_all_hidden_not_an_endless_loop():
    rows = [{"departures": d, "procedural": p} for d, p in itertools.product(range(3), range(1))]
    out = suppress_rows(rows, columns=COLUMNS, parts=PARTS)
    assert all(cell.hidden for row in out for cell in row.values())

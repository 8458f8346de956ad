"""The answer's numbers (pure): which items carry them, strict parsing, and the outcome rule."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perdes.checklist.figures import (
    BUDGET_FIGURES,
    MAX_DEPARTURES,
    OUTCOME_FIGURES,
    check_outcome,
    figures_for,
    parse_figures,
    percent_label,
)
from perdes.checklist.framework import bundled_files, load_framework_file
from perdes.validation import FieldErrors

V2 = load_framework_file(bundled_files()[-1])


def parse(raw, required=True, defs=OUTCOME_FIGURES):
    errors = FieldErrors()
    values = parse_figures(defs, raw, required=required, errors=errors)
    return values, dict(errors)


def test_only_the_outcome_and_the_budget_item_carry_numbers():
    carrying = {i.id: figures_for(i.extras) for i in V2.items() if figures_for(i.extras)}
    assert carrying == {
        "keberangkatan-prosedural": OUTCOME_FIGURES,
        "anggaran-apbdes": BUDGET_FIGURES,
    }


def test_good_counts_are_whole_numbers():
    values, errors = parse({"known": " 12 ", "matched": "10", "followed_up": 2})
    assert errors == {} and values == {"known": 12, "matched": 10, "followed_up": 2}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Wajib diisi"),
        ("   ", "Wajib diisi"),
        ("-1", "bilangan bulat 0–100.000"),
        ("²", "bilangan bulat"),  # isdigit() says yes; not a number here
        ("١٢", "bilangan bulat"),  # Arabic-Indic digits
        ("1e3", "bilangan bulat"),
        ("12.5", "bilangan bulat"),
        ("1.000", "bilangan bulat"),  # thousands separators are refused, not guessed
        ("100001", "bilangan bulat"),
        ("9" * 40, "bilangan bulat"),
        ("1\x00", "bilangan bulat"),
        ("1\u202e", "bilangan bulat"),
        ("<b>3</b>", "bilangan bulat"),
        ("tiga", "bilangan bulat"),
    ],
)
def test_bad_counts_are_refused_with_a_message_on_the_field(raw, message):
    values, errors = parse({"known": raw, "matched": "0", "followed_up": "0"})
    assert "known" not in values and message in errors["figure_known"]


def test_blank_counts_are_allowed_before_terpenuhi_and_unknown_ones_never():
    values, errors = parse({"known": "", "matched": "3"}, required=False)
    assert errors == {} and values == {"matched": 3}
    _, errors = parse({"known": "1", "matched": "1", "followed_up": "0", "umur": "3"})
    assert "figure_umur" in errors
    _, errors = parse({"budget_year": "2026"}, defs=())
    assert "figure_budget_year" in errors


def test_the_counts_must_add_up():
    _, errors = parse({"known": "5", "matched": "6", "followed_up": "0"})
    assert "melebihi keberangkatan yang diketahui" in errors["figure_matched"]
    _, errors = parse({"known": "5", "matched": "3", "followed_up": "3"})
    assert "tidak cocok" in errors["figure_followed_up"]


def test_the_budget_year_is_bounded():
    assert parse({"budget_year": "2026"}, defs=BUDGET_FIGURES) == ({"budget_year": 2026}, {})
    for bad in ("1999", "2101", "26", "２０２６"):
        _, errors = parse({"budget_year": bad}, defs=BUDGET_FIGURES)
        assert "bilangan bulat 2000–2100, angka saja" in errors["figure_budget_year"]


def counts(known, matched, followed):
    return {"known": known, "matched": matched, "followed_up": followed}


def test_the_outcome_rule_by_path():
    reached = check_outcome(counts(10, 9, 0), 90)
    assert reached.met and reached.path == "ambang"
    assert "9 dari 10 keberangkatan cocok" in reached.summary and "90%" in reached.summary
    short = check_outcome(counts(10, 8, 1), 90)
    assert not short.met and "di bawah ambang 90%" in short.summary
    reported = check_outcome(counts(10, 8, 2), 90)
    assert reported.met and reported.path == "dilaporkan"
    no_threshold = check_outcome(counts(10, 10, 0), None)
    assert no_threshold.met and no_threshold.path == "dilaporkan"  # nothing unmatched
    unreported = check_outcome(counts(3, 2, 0), None)
    assert not unreported.met and "ambang belum ditetapkan" in unreported.summary
    none = check_outcome(counts(0, 0, 0), 90)
    assert none.met and none.path == "nihil" and "BP3MI membenarkan" in none.summary
    assert check_outcome({"known": 3, "matched": 3}, 90) is None


def test_the_share_is_compared_without_rounding():
    assert not check_outcome(counts(3, 2, 0), 67).met  # 66.67 % < 67 %
    assert check_outcome(counts(3, 2, 0), 66).met
    assert percent_label(2, 3) == "66,7%" and percent_label(9, 10) == "90%"


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, MAX_DEPARTURES),
    st.integers(0, MAX_DEPARTURES),
    st.integers(0, MAX_DEPARTURES),
    st.one_of(st.none(), st.integers(0, 100)),
)
def test_met_exactly_when_the_share_reaches_the_threshold_or_all_unmatched_were_reported(
    known, matched, followed, threshold
):
    matched = min(matched, known)
    followed = min(followed, known - matched)
    check = check_outcome(counts(known, matched, followed), threshold)
    share_ok = threshold is not None and known > 0 and matched / known * 100 >= threshold - 1e-9
    assert check.met == (known == 0 or share_ok or followed == known - matched)

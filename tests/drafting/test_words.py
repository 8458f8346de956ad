from datetime import date

import pytest

from perdes.drafting.textclean import clean_text, has_control_chars
from perdes.drafting.words import join_id, letter, number_in_words, ordinal_title, roman, tanggal


@pytest.mark.parametrize(
    ("n", "expected"), [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (19, "XIX"), (40, "XL")]
)
def test_roman(n: int, expected: str) -> None:
    assert roman(n) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(1, "Kesatu"), (2, "Kedua"), (10, "Kesepuluh"), (11, "Kesebelas"), (12, "Kedua Belas")],
)
def test_bagian_ordinals(n: int, expected: str) -> None:
    assert ordinal_title(n) == expected


def test_numbers_in_words() -> None:
    assert number_in_words(7, "hari") == "7 (tujuh) hari"
    assert number_in_words(18) == "18 (delapan belas)"


def test_letters_and_joins() -> None:
    assert [letter(i) for i in (1, 2, 26, 27)] == ["a", "b", "z", "aa"]
    assert join_id(["huruf a"]) == "huruf a"
    assert join_id(["huruf a", "huruf b"]) == "huruf a dan huruf b"
    assert join_id(["huruf a", "huruf b", "huruf c"]) == "huruf a, huruf b, dan huruf c"


def test_indonesian_date() -> None:
    assert tanggal(date(2026, 8, 17)) == "17 Agustus 2026"


def test_clean_text_maps_vertical_tab_and_drops_forbidden() -> None:
    assert clean_text("a\x0bb") == "a\nb"
    assert clean_text("a\x00b\x1fc\r\nd") == "abc\nd"
    assert clean_text("biasa") == "biasa"
    assert has_control_chars("a\x07")
    assert not has_control_chars("a\tb\nc\x0b")

"""Indonesian number, ordinal and date wording used by legal text."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from num2words import num2words

_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def roman(n: int) -> str:
    """Roman numeral of a positive integer (BAB numbers)."""
    if n <= 0:
        raise ValueError("roman numerals need a positive integer")
    out = []
    for value, symbol in _ROMAN:
        while n >= value:
            out.append(symbol)
            n -= value
    return "".join(out)


def words(n: int) -> str:
    """Cardinal number in Indonesian words: 7 → "tujuh"."""
    return str(num2words(n, lang="id"))


def number_in_words(n: int, unit: str = "") -> str:
    """Number as digits then words, the drafting-rule form: "7 (tujuh) hari"."""
    text = f"{n} ({words(n)})"
    return f"{text} {unit}" if unit else text


def ordinal_title(n: int) -> str:
    """Ordinal for Bagian titles: 1 → "Kesatu", 2 → "Kedua", 11 → "Kesebelas"."""
    if n == 1:
        return "Kesatu"
    first, *rest = words(n).split()
    return " ".join(["Ke" + first, *(w.title() for w in rest)])


def letter(n: int) -> str:
    """1 → "a", 26 → "z", 27 → "aa" (item letters)."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def bilangan(n: int) -> str:
    """A count with Indonesian digit grouping: 31826 → "31.826"."""
    return str(format_decimal(n, locale="id"))


def tanggal(d: date) -> str:
    """A date in Indonesian: "27 November 2026"."""
    return str(format_date(d, "d MMMM y", locale="id"))


def join_id(parts: list[str], conj: str = "dan") -> str:
    """Join in Indonesian: "a", "a dan b", "a, b, dan c"."""
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]} {conj} {parts[1]}"
    return ", ".join(parts[:-1]) + f", {conj} {parts[-1]}"

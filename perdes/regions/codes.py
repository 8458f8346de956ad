"""Kemendagri region codes: shape, level, parent and ancestors (pure functions)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func

from perdes.regions.models import RegionLevel, VillageKind

_CODE_RE = re.compile(r"^\d{2}(?:\.\d{2}(?:\.\d{2}(?:\.\d{4})?)?)?$", re.ASCII)
_LEVELS = {1: RegionLevel.PROVINSI, 2: RegionLevel.KABUPATEN, 3: RegionLevel.KECAMATAN}
_KINDS = {"1": VillageKind.KELURAHAN, "2": VillageKind.DESA, "3": VillageKind.DESA_ADAT}


class InvalidCode(ValueError):
    """The text is not a Kemendagri region code."""


@dataclass(frozen=True, slots=True)
class ParsedCode:
    code: str
    level: RegionLevel
    parent_code: str | None
    province_code: str
    regency_code: str | None
    district_code: str | None
    village_kind: VillageKind | None


# The first digit of a village code's last part: ``36.71.01.1001`` → "1", a kelurahan.
KIND_DIGIT_POSITION = 10  # 1-based, as SQL's substr counts
KELURAHAN_DIGIT = "1"


def not_kelurahan_code(column: Any) -> ColumnElement[bool]:
    """SQL: the village code in ``column`` is not a kelurahan's (read from the code alone, so
    tables keyed by village code need no join to the region table)."""
    return func.substr(column, KIND_DIGIT_POSITION, 1) != KELURAHAN_DIGIT


# Digits of a code typed or exported without its dots: 36, 3604, 360413, 3604132007.
_DIGIT_LENGTHS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}


def normalise_code(text: str) -> str:
    """A region code as people type or spreadsheets export it, in Kemendagri form: spaces
    dropped, and digits without dots given their dots (``3604`` → ``36.04``,
    ``3604132007`` → ``36.04.13.2007``). Anything else is returned stripped, unchanged, for
    the caller to refuse."""
    compact = "".join(text.split())
    parts = _DIGIT_LENGTHS.get(len(compact)) if compact.isascii() and compact.isdigit() else None
    if parts is None:
        return compact if _CODE_RE.match(compact) else text.strip()
    out, start = [], 0
    for width in parts:
        out.append(compact[start : start + width])
        start += width
    return ".".join(out)


def is_valid_code(code: str) -> bool:
    return bool(_CODE_RE.match(code))


def parse_code(code: str) -> ParsedCode:
    """Split ``36.04.13.2007`` into its level, parent and ancestors; raise InvalidCode."""
    if not _CODE_RE.match(code):
        raise InvalidCode(f"not a region code: {code!r}")
    parts = code.split(".")
    n = len(parts)
    if n == 4:
        kind = _KINDS.get(parts[3][0])
        if kind is None:
            raise InvalidCode(f"village code must start with 1, 2 or 3 in its last part: {code!r}")
        level = RegionLevel.DESA
    else:
        kind = None
        level = _LEVELS[n]
    if n >= 2 and parts[1] == "00":
        raise InvalidCode(f"kabupaten/kota number 00 does not exist: {code!r}")
    return ParsedCode(
        code=code,
        level=level,
        parent_code=".".join(parts[:-1]) if n > 1 else None,
        province_code=parts[0],
        regency_code=".".join(parts[:2]) if n >= 2 else None,
        district_code=".".join(parts[:3]) if n >= 3 else None,
        village_kind=kind,
    )

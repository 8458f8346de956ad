"""Dates and signature names of a Perdes (UU 12/2011 Lampiran II no. 164–166; PP 43/2014
Pasal 84): promulgation never before enactment, the year from the enactment date, and
names written without academic degrees, titles, rank or NIP."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from perdes.drafting.errors import DraftInputError
from perdes.drafting.manifest import Template
from perdes.drafting.words import tanggal

NAME_FIELDS = ("nama_kepala_desa", "nama_sekretaris_desa")
# Degrees, honorifics and ranks, compared without dots and case: "S.H." → "sh".
_TITLES_TEXT = """
    h hj haji hajah kh dr drs dra ir prof phd lc hc bsc ba mba msc ma mt mh mm msi mpd mag mkn
    mkom mkes mp mak msos amd ama amk sh se st sp spd spdi ssos skom sag sip ssi skm skep sked
    shi sthi sikom sth ssy se sk sm mhum mpdi msy sstp ssttp ipdn nip
"""
TITLES = frozenset(_TITLES_TEXT.split())
# Found even without dots (no Indonesian given name is spelt like these).
_UNAMBIGUOUS_TEXT = """
    hj haji hajah drs dra prof phd spd spdi ssos skom sag ssi skm skep sked shi sthi sikom sth
    ssy mhum mpdi msy sstp ssttp ipdn nip amd mpd msi mkom mkes mkn mag msos mba msc bsc
"""
UNAMBIGUOUS = frozenset(_UNAMBIGUOUS_TEXT.split())
_PREFIXES = frozenset({"h", "kh", "dr", "ir"})  # as a first word: Haji, Kiai Haji, doctor…
_NIP = re.compile(r"\d{8,}")


def titles_in(name: str) -> list[str]:
    """The degrees, titles or NIP found in ``name`` (empty when it is a plain name)."""
    found: list[str] = []
    head, comma, tail = name.partition(",")
    if comma:
        found += [t.strip() for t in tail.split(",") if t.strip()]
    tokens = head.split()
    for i, token in enumerate(tokens):
        bare = token.replace(".", "").replace("'", "").lower()
        if (
            ("." in token and bare in TITLES)
            or bare in UNAMBIGUOUS
            or (i == 0 and len(tokens) > 1 and bare in _PREFIXES)
            or _NIP.search(token)
        ):
            found.append(token)
    return found


def check_dates_and_names(
    template: Template, given: Mapping[str, object], vals: dict[str, Any]
) -> None:
    """Refuse (``DraftInputError``, per field) dates out of order and names with titles;
    set ``vals["tahun"]`` from the enactment date when the year was not given."""
    en: dict[str, str] = {}
    idn: dict[str, str] = {}
    enacted, promulgated = vals.get("tanggal_penetapan"), vals.get("tanggal_pengundangan")
    if isinstance(promulgated, date) and not isinstance(enacted, date):
        en["tanggal_penetapan"] = "give the date of enactment: promulgation follows enactment"
        idn["tanggal_penetapan"] = (
            "Isi tanggal penetapan; pengundangan dilakukan sesudah penetapan."
        )
    if isinstance(enacted, date) and isinstance(promulgated, date) and promulgated < enacted:
        en["tanggal_pengundangan"] = (
            f"must not be before the date of enactment ({enacted.isoformat()})"
        )
        idn["tanggal_pengundangan"] = (
            f"Tanggal pengundangan tidak boleh sebelum tanggal penetapan ({tanggal(enacted)})."
        )
    if isinstance(enacted, date) and "tahun" in template.variables:
        year_given = given.get("tahun") not in (None, "")
        if year_given and vals.get("tahun") not in (None, enacted.year):
            en["tahun"] = f"must be the year of the date of enactment ({enacted.year})"
            idn["tahun"] = f"Tahun harus sama dengan tahun tanggal penetapan ({enacted.year})."
        else:
            vals["tahun"] = enacted.year
    for name in NAME_FIELDS:
        spec = template.variables.get(name)
        value = vals.get(name)
        if spec is None or not isinstance(value, str):
            continue
        found = titles_in(value)
        if found:
            shown = ", ".join(f"\u201c{t}\u201d" for t in found)
            en[name] = f"write the name without degrees, titles, rank or NIP (remove {shown})"
            idn[name] = f"{spec.label} ditulis tanpa gelar, pangkat, atau NIP (hapus {shown})."
    if en:
        raise DraftInputError(en, idn)

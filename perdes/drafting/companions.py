"""The instruments that implement a Peraturan Desa: which template drafts each, which
clauses of the Perdes delegate to them, and the values they take over from the Perdes.

Pure functions over the document model: no database, no HTTP. The tracker calls
``instrument_of`` and ``needs_bpd_agreement`` to choose the steps of a product; the
workspace calls ``values_from_perdes`` to prefill a new Perkades or Kepdes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from perdes.drafting.model import (
    KEPUTUSAN_KEPALA_DESA,
    PERATURAN_DESA,
    PERATURAN_KEPALA_DESA,
    Ayat,
    Document,
)


@dataclass(frozen=True, slots=True)
class Delegation:
    """A clause of the Perdes (by clause id and original ayat) handed to another instrument."""

    clause_id: str
    ayat: int
    bentuk: str


# The delegations of templates/perdes/pelindungan-pmi (ayat as written in its clause files);
# a change there that moves them is caught by tests/drafting/test_companions.py.
DELEGATIONS: tuple[Delegation, ...] = (
    Delegation("pendataan.kewajiban", 4, PERATURAN_KEPALA_DESA),
    Delegation("dokumen.izin-keluarga", 8, PERATURAN_KEPALA_DESA),
    Delegation("kelembagaan.pembentukan", 4, PERATURAN_KEPALA_DESA),
    Delegation("kelembagaan.pembentukan", 2, KEPUTUSAN_KEPALA_DESA),
)
# The template that drafts each implementing instrument.
COMPANION_TEMPLATES = {
    PERATURAN_KEPALA_DESA: "perkades-pendataan-pmi",
    KEPUTUSAN_KEPALA_DESA: "kepdes-satgas-pmi",
}
# The variable of each companion template that names the delegating Pasal.
_DELEGATION_VARIABLE = {
    PERATURAN_KEPALA_DESA: "pasal_delegasi",
    KEPUTUSAN_KEPALA_DESA: "pasal_pembentukan",
}


def needs_bpd_agreement(bentuk: str) -> bool:
    """Only a Peraturan Desa is discussed and agreed with the BPD (UU 6/2014 Pasal 69
    ayat (3)); a Peraturan or Keputusan Kepala Desa is set by the Kepala Desa alone."""
    return bentuk == PERATURAN_DESA


def is_promulgated(bentuk: str) -> bool:
    """A Perdes goes into the Lembaran Desa and a Perkades into the Berita Desa; a Keputusan
    Kepala Desa is in force when set and is not promulgated."""
    return bentuk != KEPUTUSAN_KEPALA_DESA


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + (", dan " if len(parts) > 2 else " dan ") + parts[-1]


def delegating_clauses(perdes: Document, bentuk: str) -> str:
    """ "Pasal 10 ayat (4), Pasal 13 ayat (8), dan Pasal 35 ayat (4)": where the assembled
    Perdes hands a matter to ``bentuk``, numbered as in that document ("" when none)."""
    found: list[str] = []
    by_id = {p.clause_id: p for p in perdes.all_pasal()}
    for d in DELEGATIONS:
        pasal = by_id.get(d.clause_id)
        if d.bentuk != bentuk or pasal is None:
            continue
        ayat = [b for b in pasal.blocks if isinstance(b, Ayat)]
        # Ayat keep their written order; an option may have dropped earlier ones, so the
        # delegating ayat is found by its text ("diatur dengan"/"ditetapkan dengan").
        marker = "Peraturan" if bentuk == PERATURAN_KEPALA_DESA else "Keputusan"
        hit = next((a for a in ayat if f"dengan {marker}" in a.text), None)
        label = f"{pasal.label} ayat ({hit.number})" if hit else pasal.label
        if label not in found:
            found.append(label)
    return _join(found)


def values_from_perdes(
    perdes: Document | None, tracked: Mapping[str, str], bentuk: str
) -> dict[str, str]:
    """Values of a companion template taken from the village's Perdes: its number, year and
    Lembaran Desa (from the tracker's values, named as the Perdes template names them) and
    the delegating Pasal (from the assembled Perdes draft)."""
    out: dict[str, str] = {}
    if tracked.get("nomor"):
        out["perdes_nomor"] = tracked["nomor"]
    if tracked.get("tahun"):
        out["perdes_tahun"] = str(tracked["tahun"])
    if tracked.get("nomor_lembaran"):
        out["perdes_lembaran_nomor"] = tracked["nomor_lembaran"]
    if tracked.get("tanggal_pengundangan"):
        out["perdes_lembaran_tahun"] = str(tracked["tanggal_pengundangan"])[:4]
    if perdes is not None and bentuk in _DELEGATION_VARIABLE:
        where = delegating_clauses(perdes, bentuk)
        if where:
            out[_DELEGATION_VARIABLE[bentuk]] = where
    return out

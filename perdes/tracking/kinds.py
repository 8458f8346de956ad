"""The four kinds of village legal products (Permendagri 111/2014; UU 6/2014 Pasal 69–70) and
the steps each kind goes through.

- **Peraturan Desa**: agreed with the BPD, set by the Kepala Desa, promulgated in the Lembaran
  Desa, reported to the Bupati/Wali Kota, clarified (PP 43/2014 Pasal 83–84): the full stage
  list of ``perdes.tracking.stages``.
- **Peraturan Bersama Kepala Desa**: set together by the heads of two or more cooperating
  villages (UU 6/2014 Pasal 70); no BPD agreement; promulgated in the Berita Desa of each
  village. The app records it once, at the village that records it, with the partner
  villages named (``LegalProductParty``).
- **Peraturan Kepala Desa**: set by the Kepala Desa alone (no BPD agreement, no community
  consultation required), promulgated in the **Berita Desa** by the Sekretaris Desa
  (Permendagri 111/2014 Pasal 28).
- **Keputusan Kepala Desa**: a decision for *penetapan* (Permendagri 111/2014 Pasal 31); it
  is not promulgated; it is public from the day it is set, and may be reported.

Only a Peraturan Desa has statutory deadlines between steps and an evaluation; only a
Peraturan Desa counts for where a village stands (``perdes.tracking.standing``).

``step_set(kind)`` is the public answer for other packages (e.g. the drafting workspace
offering a Perkades or Kepdes template): the stages a product of that kind goes through.
"""

from __future__ import annotations

from enum import StrEnum

from perdes.tracking.stages import REQUIRED_FIELDS, STEP_FIELDS, TRANSITIONS, Stage


class ProductKind(StrEnum):
    PERDES = "perdes"
    PERATURAN_BERSAMA = "peraturan_bersama"
    PERKADES = "perkades"
    KEPDES = "kepdes"


KIND_LABELS: dict[ProductKind, str] = {
    ProductKind.PERDES: "Peraturan Desa",
    ProductKind.PERATURAN_BERSAMA: "Peraturan Bersama Kepala Desa",
    ProductKind.PERKADES: "Peraturan Kepala Desa",
    ProductKind.KEPDES: "Keputusan Kepala Desa",
}
KIND_SHORT: dict[ProductKind, str] = {
    ProductKind.PERDES: "Perdes",
    ProductKind.PERATURAN_BERSAMA: "Perbekades",
    ProductKind.PERKADES: "Perkades",
    ProductKind.KEPDES: "Kepdes",
}
NUMBER_LABELS: dict[ProductKind, str] = {
    ProductKind.PERDES: "Nomor Peraturan Desa",
    ProductKind.PERATURAN_BERSAMA: "Nomor Peraturan Bersama Kepala Desa",
    ProductKind.PERKADES: "Nomor Peraturan Kepala Desa",
    ProductKind.KEPDES: "Nomor Keputusan Kepala Desa",
}
# Where a kind is promulgated (None: not promulgated, public once set).
GAZETTE: dict[ProductKind, str | None] = {
    ProductKind.PERDES: "Lembaran Desa",
    ProductKind.PERATURAN_BERSAMA: "Berita Desa",
    ProductKind.PERKADES: "Berita Desa",
    ProductKind.KEPDES: None,
}

# A Perkades may be annulled by the Bupati/Wali Kota like a Perdes (PP 43/2014 Pasal 87):
# recorded as the klarifikasi with result "dibatalkan", which returns it to drafting.
_PERKADES: dict[Stage | None, tuple[Stage, ...]] = {
    None: (Stage.PENYUSUNAN,),
    Stage.PENYUSUNAN: (Stage.DITETAPKAN,),
    Stage.DITETAPKAN: (Stage.DIUNDANGKAN,),
    Stage.DIUNDANGKAN: (Stage.DILAPORKAN, Stage.DISEBARLUASKAN),
    Stage.DILAPORKAN: (Stage.KLARIFIKASI, Stage.DISEBARLUASKAN),
    Stage.KLARIFIKASI: (Stage.DISEBARLUASKAN,),
    Stage.DISEBARLUASKAN: (),
}
_PERATURAN_BERSAMA: dict[Stage | None, tuple[Stage, ...]] = {
    None: (Stage.PENYUSUNAN,),
    Stage.PENYUSUNAN: (Stage.DITETAPKAN,),
    Stage.DITETAPKAN: (Stage.DIUNDANGKAN,),
    Stage.DIUNDANGKAN: (Stage.DISEBARLUASKAN,),
    Stage.DISEBARLUASKAN: (),
}
_KEPDES: dict[Stage | None, tuple[Stage, ...]] = {
    None: (Stage.PENYUSUNAN,),
    Stage.PENYUSUNAN: (Stage.DITETAPKAN,),
    Stage.DITETAPKAN: (Stage.DILAPORKAN,),
    Stage.DILAPORKAN: (),
}
KIND_TRANSITIONS: dict[ProductKind, dict[Stage | None, tuple[Stage, ...]]] = {
    ProductKind.PERDES: TRANSITIONS,
    ProductKind.PERATURAN_BERSAMA: _PERATURAN_BERSAMA,
    ProductKind.PERKADES: _PERKADES,
    ProductKind.KEPDES: _KEPDES,
}

# The step from which a product is public: promulgation, or penetapan for a Keputusan.
PUBLISHED_AT: dict[ProductKind, Stage] = {
    ProductKind.PERDES: Stage.DIUNDANGKAN,
    ProductKind.PERATURAN_BERSAMA: Stage.DIUNDANGKAN,
    ProductKind.PERKADES: Stage.DIUNDANGKAN,
    ProductKind.KEPDES: Stage.DITETAPKAN,
}
# Recording after the fact starts at the agreement for a Perdes, at penetapan otherwise.
AFTER_THE_FACT_FIRST: dict[ProductKind, Stage] = {
    ProductKind.PERDES: Stage.DISEPAKATI,
    ProductKind.PERATURAN_BERSAMA: Stage.DITETAPKAN,
    ProductKind.PERKADES: Stage.DITETAPKAN,
    ProductKind.KEPDES: Stage.DITETAPKAN,
}

# Fields a step of a kind requires / carries, where they differ from a Perdes's: a Berita
# Desa has a number (its year is the year of promulgation), no Lembaran Desa.
_BERITA_DESA = ("berita_desa_number",)
KIND_REQUIRED_FIELDS: dict[ProductKind, dict[Stage, tuple[str, ...]]] = {
    ProductKind.PERATURAN_BERSAMA: {Stage.DIUNDANGKAN: _BERITA_DESA},
    ProductKind.PERKADES: {Stage.DIUNDANGKAN: _BERITA_DESA},
}
KIND_STEP_FIELDS: dict[ProductKind, dict[Stage, tuple[str, ...]]] = {
    ProductKind.PERATURAN_BERSAMA: {Stage.DIUNDANGKAN: _BERITA_DESA},
    ProductKind.PERKADES: {Stage.DIUNDANGKAN: _BERITA_DESA},
}


def transitions(kind: ProductKind) -> dict[Stage | None, tuple[Stage, ...]]:
    """Which step may follow which, for products of ``kind``."""
    return KIND_TRANSITIONS[kind]


def step_set(kind: ProductKind | str) -> tuple[Stage, ...]:
    """The stages a product of ``kind`` goes through, in order (a Perkades or Kepdes has no
    BPD agreement or consultation). Raises ValueError for an unknown kind."""
    table = KIND_TRANSITIONS[ProductKind(kind)]
    return tuple(s for s in Stage if s in table or any(s in v for v in table.values()))


def parse_kind(raw: object) -> ProductKind | None:
    """The kind named by ``raw`` (a form value; empty means Peraturan Desa), or None."""
    if raw in (None, ""):
        return ProductKind.PERDES
    try:
        return ProductKind(str(raw))
    except ValueError:
        return None


def required_fields(kind: ProductKind, stage: Stage) -> tuple[str, ...]:
    """Fields a step of ``stage`` must carry for a product of ``kind``."""
    return KIND_REQUIRED_FIELDS.get(kind, {}).get(stage, REQUIRED_FIELDS.get(stage, ()))


def step_fields(kind: ProductKind, stage: Stage) -> tuple[str, ...]:
    """Fields a step of ``stage`` may carry for a product of ``kind``."""
    return KIND_STEP_FIELDS.get(kind, {}).get(stage, STEP_FIELDS[stage])

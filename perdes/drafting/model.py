"""The document model of one Peraturan Desa: plain dataclasses, no I/O.

Numbering and cross-references are computed once by the assembler; renderers only
lay the model out. Every label ("BAB I", "Pasal 3", "(2)", "a.") is literal text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class VillageContext:
    """What the drafting engine needs to know about the village enacting the Perdes."""

    desa_name: str
    kecamatan_name: str
    kabupaten_name: str  # as written in the registry, e.g. "Kabupaten Serang"
    provinsi_name: str
    village_code: str
    # Local terms from the profile; the national defaults mean "not set" (the region's data
    # in templates/perdes/local-forms.yaml applies, see perdes.drafting.local_forms).
    sebutan_desa: str = "Desa"
    sebutan_kepala_desa: str = "Kepala Desa"
    sebutan_bpd: str = "Badan Permusyawaratan Desa"
    kepala_desa_name: str = ""
    sekretaris_desa_name: str = ""
    ketua_bpd_name: str = ""
    active_pmi_count: int | None = None
    returned_pmi_count: int | None = None
    # Profile overrides of the local legal forms (None: follow templates/perdes/local-forms.yaml).
    jenis_peraturan: str | None = None
    singkatan_bpd: str | None = None
    sebutan_kecamatan: str | None = None
    sebutan_camat: str | None = None


@dataclass(frozen=True)
class Citation:
    """One rendered Mengingat entry."""

    key: str
    text: str  # with visible markers ("[belum diverifikasi]", "[nomor belum diisi]")
    verified: bool
    label: str = ""
    complete: bool = True  # every printed gazette number known


@dataclass(frozen=True)
class Item:
    """A tabulated item: a. → 1. → a) → 1) (at most four levels)."""

    label: str
    text: str
    level: int
    children: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Para:
    """A plain paragraph inside a Pasal or an ayat."""

    text: str


@dataclass(frozen=True)
class Ayat:
    """An ayat: its number, its lead text, then items and closing paragraphs."""

    number: int
    text: str
    blocks: tuple[Para | Item, ...] = ()
    ordinal: int = 0  # its stable id: position as written in the template (added: from 101)

    @property
    def label(self) -> str:
        return f"({self.number})"


@dataclass(frozen=True)
class Explanation:
    """Penjelasan of one Pasal: general paragraphs, then per ayat ("Ayat (2)", text)."""

    paragraphs: tuple[str, ...] = ()
    ayat: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Pasal:
    """A Pasal: either paragraphs/items, or ayat (which may carry items)."""

    clause_id: str
    number: int
    blocks: tuple[Para | Item | Ayat, ...]
    explanation: Explanation = field(default_factory=Explanation)
    # A Keputusan has diktum ("KESATU", "KEDUA" …) where a regulation has Pasal.
    heading: str = ""

    @property
    def label(self) -> str:
        return self.heading or f"Pasal {self.number}"


@dataclass(frozen=True)
class Bagian:
    """A Bagian inside a BAB ("Bagian Kesatu" + title)."""

    clause_id: str
    label: str
    title: str
    pasal: tuple[Pasal, ...]


@dataclass(frozen=True)
class Bab:
    """A BAB: Roman number, title in capitals, then Pasal or Bagian."""

    clause_id: str
    number: int
    label: str
    title: str
    parts: tuple[Pasal | Bagian, ...]

    def all_pasal(self) -> tuple[Pasal, ...]:
        out: list[Pasal] = []
        for part in self.parts:
            out.extend(part.pasal if isinstance(part, Bagian) else (part,))
        return tuple(out)


@dataclass(frozen=True)
class Header:
    """Title block: enacting office, regency, regulation name, number, year, subject."""

    jabatan: str  # "KEPALA DESA LONTAR"
    kabupaten: str  # "KABUPATEN SERANG"
    jenis: str  # "PERATURAN DESA LONTAR"
    nomor: str  # "NOMOR 3 TAHUN 2026" (dots when not yet numbered)
    title: str  # "PELINDUNGAN PEKERJA MIGRAN INDONESIA"


@dataclass(frozen=True)
class SignatureBlock:
    """Place/date, office with trailing comma, and the name in capitals."""

    lines: tuple[str, ...]  # e.g. ("Ditetapkan di Lontar", "pada tanggal 1 Desember 2026")
    jabatan: str  # "KEPALA DESA LONTAR,"
    name: str  # "JUNALI"


@dataclass(frozen=True)
class Penjelasan:
    """Penjelasan: heading lines, the general part, and Pasal demi Pasal."""

    heading: tuple[str, ...]
    umum: tuple[str, ...]
    pasal: tuple[tuple[Pasal, Explanation], ...]


# The instruments a template can produce (Permendagri 111/2014 Pasal 2, Lampiran).
PERATURAN_DESA = "peraturan-desa"
PERATURAN_KEPALA_DESA = "peraturan-kepala-desa"
KEPUTUSAN_KEPALA_DESA = "keputusan-kepala-desa"
BENTUK = (PERATURAN_DESA, PERATURAN_KEPALA_DESA, KEPUTUSAN_KEPALA_DESA)


@dataclass(frozen=True)
class Document:
    """One assembled village instrument: a Peraturan Desa, a Peraturan Kepala Desa or a
    Keputusan Kepala Desa (``bentuk``)."""

    template_slug: str
    template_version: str
    header: Header
    pembukaan: tuple[str, ...]  # "DENGAN RAHMAT TUHAN YANG MAHA ESA", "KEPALA DESA LONTAR,"
    menimbang: tuple[tuple[str, str], ...]  # ("a.", "bahwa …;")
    mengingat: tuple[Citation, ...]
    kesepakatan: tuple[str, ...]  # "Dengan Kesepakatan Bersama", "BADAN ...", "dan", "KEPALA ..."
    diktum: tuple[str, str]  # ("MEMUTUSKAN:", "PERATURAN DESA TENTANG ...")
    babs: tuple[Bab, ...]
    penetapan: SignatureBlock
    pengundangan: SignatureBlock | None  # None: a Keputusan is not promulgated
    lembaran: str  # "LEMBARAN DESA LONTAR TAHUN 2026 NOMOR ..." ("BERITA DESA …"; "" if none)
    penjelasan: Penjelasan  # an empty heading means the instrument has no Penjelasan
    title: str  # plain title for document properties
    keywords: tuple[str, ...] = ()
    # Values a naskah untuk ditandatangani needs but this document lacks:
    # (field, English label, Indonesian label), e.g. ("nomor", "Perdes number", "Nomor …").
    blanks: tuple[tuple[str, str, str], ...] = ()
    # Local terms taken from unverified data (templates/perdes/local-forms.yaml) and not
    # confirmed in the village profile, e.g. ("Qanun Gampong", "Keuchik").
    unverified_terms: tuple[str, ...] = ()
    # The drafter's edits (perdes.drafting.edits): Pasal carrying one, and edits that could
    # not be applied or whose reference is gone, as (clause id, English, Indonesian).
    edited: tuple[str, ...] = ()
    edit_flags: tuple[tuple[str, str, str], ...] = ()
    bentuk: str = PERATURAN_DESA
    # The raw identity of the instrument, for machine-readable exports (Akoma Ntoso).
    village_code: str = ""
    nomor: str = ""  # "" while not numbered
    tahun: int | None = None
    tanggal_penetapan: date | None = None
    tanggal_pengundangan: date | None = None

    def all_pasal(self) -> tuple[Pasal, ...]:
        return tuple(p for bab in self.babs for p in bab.all_pasal())

    def unverified_citations(self) -> tuple[Citation, ...]:
        """Citations printed with a marker: not verified, or a gazette number missing."""
        return tuple(c for c in self.mengingat if not (c.verified and c.complete))


@dataclass(frozen=True)
class DocComment:
    """A comment on a Pasal, exported as a Word comment (e.g. from a consultation)."""

    author: str
    text: str
    initials: str = ""

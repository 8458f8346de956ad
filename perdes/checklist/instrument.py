"""The parts of a framework that make it a credible instrument (format 2): sources, citations,
evidence rules, personal data, validity and the Desa Migran EMAS pillar of each item.

Pure data and validation helpers used by ``framework.py``; no database, no HTTP.

Format 2 adds, at the top of the file::

    format: 2
    sources:
      uu-18-2017:                     # slug, cited by items
        title: UU No. 18 Tahun 2017 tentang Pelindungan Pekerja Migran Indonesia
        kind: peraturan               # peraturan | program | media | praktik
        published: "2017"             # YYYY, YYYY-MM or YYYY-MM-DD
        url: https://...              # where a reader can check it
        label: ...                    # required for kind "media": how the UI qualifies it

and on every item::

    sources: [{source: uu-18-2017, pinpoint: Pasal 42 huruf d}, ...]
    pasal_42: [d]                     # the village duties of UU 18/2017 Pasal 42 it serves
    evidence_rules: [rekap-jumlah]    # codes of EVIDENCE_RULES, shown on the form
    personal_data: {data: ..., legal_basis: ...}   # only if the evidence names people
    validity: {months: 12} | budget_year | none
    dme_pillar: aman                  # edukatif | maju | aman | sejahtera
    requirement_changed: true         # optional: carried verified answers go back for review
    outcome: true                     # optional, one mandatory item: the measured result
    future_rule: ...                  # optional note: how it will derive from the PMI register
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from perdes.checklist.framework import Path_, _Checker

# UU 18/2017 Pasal 42 (no ayat), verified text; the huruf an item serves is shown beside it.
PASAL_42: dict[str, str] = {
    "a": "menerima dan memberikan informasi dan permintaan pekerjaan dari instansi yang "
    "menyelenggarakan urusan pemerintahan di bidang ketenagakerjaan",
    "b": "melakukan verifikasi data dan pencatatan Calon Pekerja Migran Indonesia",
    "c": "memfasilitasi pemenuhan persyaratan administrasi kependudukan Calon Pekerja Migran "
    "Indonesia",
    "d": "melakukan pemantauan keberangkatan dan kepulangan Pekerja Migran Indonesia",
    "e": "melakukan pemberdayaan kepada Calon Pekerja Migran Indonesia, Pekerja Migran "
    "Indonesia, dan keluarganya",
}

# Desa Migran EMAS pillars as KP2MI officials described them to the press (no published
# instrument exists): the item's pillar makes the checklist usable as a pre-assessment.
DME_PILLARS: dict[str, str] = {
    "edukatif": "Edukatif",
    "maju": "Maju",
    "aman": "Aman",
    "sejahtera": "Sejahtera",
}
DME_LABEL = "menurut keterangan KP2MI di media"

# What an item may ask for as evidence; each code is shown on the form as a plain sentence.
EVIDENCE_RULES: dict[str, str] = {
    "rekap-jumlah": "Rekap jumlah, bukan daftar nama.",
    "tanpa-data-pribadi": (
        "Tanpa nama, NIK, alamat, nomor paspor atau nomor telepon orang perorangan; "
        "hitamkan bila ada."
    ),
    "templat-kosong": "Format atau templat hanya dalam keadaan kosong, bukan yang sudah diisi.",
    "tanpa-foto-anak": "Tanpa foto atau gambar anak.",
    "tanpa-foto-orang": "Foto hanya papan, ruang atau materi, tanpa wajah orang.",
    "dokumen-resmi": (
        "Dokumen resmi desa yang terbuka untuk umum (Peraturan Desa, Keputusan Kepala Desa, "
        "APB Desa) boleh diunggah utuh."
    ),
    "diketahui-bp3mi": "Rekap ditandatangani atau diketahui BP3MI/UPT KP2MI setempat.",
    "tautan-publik": "Cukup tautan ke halaman yang terbuka untuk umum.",
}

MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def indonesian_date(value: str) -> str:
    """A YYYY, YYYY-MM or YYYY-MM-DD text in Indonesian words."""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month = MONTHS[int(parts[1]) - 1]
    return f"{int(parts[2])} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


SOURCE_KINDS: dict[str, str] = {
    "peraturan": "Peraturan",
    "program": "Dokumen program",
    "media": "Pemberitaan media",
    "praktik": "Praktik desa",
}

# Words in an item's evidence text that ask for data about persons (UU 27/2022): such an item
# must declare ``personal_data`` with a legal basis. "bukan"/"tanpa" before them negate.
PERSONAL_DATA_TERMS = (
    "daftar hadir",
    "daftar nama",
    "daftar anggota",
    "nama peserta",
    "nama calon",
    "nik",
    "nomor paspor",
    "paspor",
    "kartu keluarga",
    "ktp",
    "tanggal lahir",
    "nomor telepon",
    "alamat rumah",
    "foto anak",
    "foto kegiatan",
    "foto peserta",
    "formulir yang diisi",
    "formulir terisi",
    "buku catatan surat",
)
_PERSONAL_RE = re.compile(
    r"(?<!bukan )(?<!tanpa )\b(" + "|".join(re.escape(t) for t in PERSONAL_DATA_TERMS) + r")\b",
    re.IGNORECASE,
)
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_URL_RE = re.compile(r"^https://[^\s<>\"']{4,}$")

SOURCE_KEYS = {"title", "kind", "published", "accessed", "url", "label"}
CITATION_KEYS = {"source", "pinpoint"}
PERSONAL_KEYS = {"data", "legal_basis"}
FORMAT2_ITEM_KEYS = {
    "sources",
    "pasal_42",
    "evidence_rules",
    "personal_data",
    "validity",
    "dme_pillar",
    "requirement_changed",
    "future_rule",
    "outcome",
}


@dataclass(frozen=True, slots=True)
class Source:
    """A document an item rests on, with where a reader can check it."""

    id: str
    title: str
    kind: str
    published: str
    url: str
    label: str = ""
    accessed: str = ""

    @property
    def kind_label(self) -> str:
        return SOURCE_KINDS.get(self.kind, self.kind)

    @property
    def date_label(self) -> str:
        """ "19 November 2025", "November 2025", "2017", or "diakses 30 November 2026"."""
        if self.published:
            return indonesian_date(self.published)
        return f"diakses {indonesian_date(self.accessed)}"


@dataclass(frozen=True, slots=True)
class Citation:
    """One item's reference to a source, with the exact place (Pasal, huruf, paragraph)."""

    source_id: str
    pinpoint: str = ""


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Evidence that names people: what it holds and the legal basis for asking for it."""

    data: str
    legal_basis: str


@dataclass(frozen=True, slots=True)
class Validity:
    """How long a verified answer stands before it needs renewing.

    ``kind`` "none": until the facts change; "months": N months after verification;
    "budget_year": until 31 December of the budget year the answer states (APB Desa year =
    calendar year; see ``validity.expires_on``).
    """

    kind: Literal["none", "months", "budget_year"] = "none"
    months: int = 0

    @property
    def label(self) -> str:
        if self.kind == "months":
            return f"{self.months} bulan sejak diverifikasi"
        if self.kind == "budget_year":
            return "sejak diverifikasi sampai akhir tahun anggaran yang diisi desa"
        return "tidak kedaluwarsa"

    def to_data(self) -> Any:
        return {"months": self.months} if self.kind == "months" else self.kind

    @classmethod
    def from_data(cls, value: Any) -> Validity:
        if isinstance(value, dict):
            return cls("months", int(value["months"]))
        if value == "budget_year":
            return cls("budget_year")
        return cls()


NO_VALIDITY = Validity()


def asks_personal_data(evidence: str) -> list[str]:
    """The personal-data terms an evidence text asks for (not those after "bukan"/"tanpa")."""
    return sorted({m.group(1).lower() for m in _PERSONAL_RE.finditer(evidence)})


def parse_sources(check: _Checker, raw: Any) -> dict[str, Source]:
    """The top-level ``sources`` catalogue; every entry needs title, kind, date and https URL."""
    from perdes.checklist.framework import SLUG_RE

    if not isinstance(raw, dict) or not raw:
        check.add(("sources",), "format 2 wajib memuat daftar sumber (sources)")
        return {}
    out: dict[str, Source] = {}
    for key, value in raw.items():
        path: Path_ = ("sources", str(key))
        if not isinstance(key, str) or not SLUG_RE.match(key):
            check.add(path, "id sumber: huruf kecil, angka dan tanda hubung")
            continue
        data = check.mapping(value, path, SOURCE_KEYS)
        title = check.text(data, "title", path, max_length=300)
        kind = data.get("kind")
        if kind not in SOURCE_KINDS:
            check.add((*path, "kind"), f"jenis sumber: {', '.join(SOURCE_KINDS)}")
            kind = ""
        published = _norm_date(data.get("published"))
        accessed = _norm_date(data.get("accessed"))
        for name, when in (("published", published), ("accessed", accessed)):
            if when is not None and not _valid_date(when):
                check.add((*path, name), "tanggal: YYYY, YYYY-MM atau YYYY-MM-DD")
        if published is None and accessed is None:
            check.add((*path, "published"), "wajib: tanggal terbit (published) atau diakses")
        url = data.get("url")
        if not isinstance(url, str) or not _URL_RE.match(url):
            check.add((*path, "url"), "wajib: alamat https tempat sumber dapat diperiksa")
            url = ""
        label = check.text(data, "label", path, required=kind == "media", max_length=200)
        out[key] = Source(
            id=key,
            title=title,
            kind=str(kind),
            published=str(published or ""),
            url=str(url),
            label=label,
            accessed=str(accessed or ""),
        )
    return out


def _norm_date(value: Any) -> Any:
    """YAML reads 2017 as a number and 2017-11-22 as a date: bring both back to text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _valid_date(value: Any) -> bool:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class ItemExtras:
    """The format-2 fields of one item, validated."""

    citations: tuple[Citation, ...] = ()
    pasal_42: tuple[str, ...] = ()
    evidence_rules: tuple[str, ...] = ()
    personal_data: PersonalData | None = None
    validity: Validity = NO_VALIDITY
    dme_pillar: str = ""
    requirement_changed: bool = False
    future_rule: str = ""
    outcome: bool = False  # the measured result; its threshold is set per kabupaten/kota


def parse_item_extras(
    check: _Checker,
    data: dict[str, Any],
    path: Path_,
    label: str | None,
    *,
    sources: Mapping[str, Source],
    evidence: str,
) -> ItemExtras:
    """Validate the format-2 fields of one item (all required except the optional three)."""
    citations: list[Citation] = []
    raw = data.get("sources")
    if not isinstance(raw, list) or not raw:
        check.add((*path, "sources"), "wajib: sekurang-kurangnya satu sumber", label)
        raw = []
    for index, entry in enumerate(raw):
        c_path = (*path, "sources", index)
        if isinstance(entry, str):
            entry = {"source": entry}
        cdata = check.mapping(entry, c_path, CITATION_KEYS, label)
        ref = cdata.get("source")
        if not isinstance(ref, str) or ref not in sources:
            check.add((*c_path, "source"), f"sumber '{ref}' tidak ada di daftar sources", label)
            continue
        pinpoint = check.text(cdata, "pinpoint", c_path, required=False, max_length=300)
        citations.append(Citation(ref, pinpoint))
    huruf = data.get("pasal_42", [])
    if not isinstance(huruf, list) or not all(isinstance(h, str) and h in PASAL_42 for h in huruf):
        check.add((*path, "pasal_42"), "daftar huruf a–e dari UU 18/2017 Pasal 42", label)
        huruf = []
    elif len(set(huruf)) != len(huruf):
        check.add((*path, "pasal_42"), "huruf ganda", label)
    rules = data.get("evidence_rules")
    if not isinstance(rules, list) or not rules:
        check.add(
            (*path, "evidence_rules"),
            f"wajib: aturan bukti dari {', '.join(EVIDENCE_RULES)}",
            label,
        )
        rules = []
    for index, rule in enumerate(rules):
        if rule not in EVIDENCE_RULES:
            check.add(
                (*path, "evidence_rules", index),
                f"aturan bukti tidak dikenal; yang tersedia: {', '.join(EVIDENCE_RULES)}",
                label,
            )
    personal = _parse_personal(check, data.get("personal_data"), (*path, "personal_data"), label)
    asked = asks_personal_data(evidence)
    if asked and personal is None:
        check.add(
            (*path, "evidence"),
            f"bukti meminta data pribadi ({', '.join(asked)}) tanpa dasar hukum; minta rekap "
            "jumlah, atau nyatakan personal_data dengan legal_basis",
            label,
        )
    validity = _parse_validity(check, data.get("validity"), (*path, "validity"), label)
    pillar = data.get("dme_pillar")
    if pillar not in DME_PILLARS:
        check.add((*path, "dme_pillar"), f"pilar Desa Migran EMAS: {', '.join(DME_PILLARS)}", label)
        pillar = ""
    changed = data.get("requirement_changed", False)
    if not isinstance(changed, bool):
        check.add((*path, "requirement_changed"), "harus true atau false", label)
        changed = False
    future = check.text(data, "future_rule", path, required=False, max_length=500, item_id=label)
    outcome = data.get("outcome", False)
    if not isinstance(outcome, bool):
        check.add((*path, "outcome"), "harus true atau false", label)
        outcome = False
    elif outcome and data.get("mandatory") is not True:
        check.add((*path, "outcome"), "butir hasil (outcome) harus wajib", label)
    return ItemExtras(
        citations=tuple(citations),
        pasal_42=tuple(sorted(huruf)),
        evidence_rules=tuple(r for r in rules if r in EVIDENCE_RULES),
        personal_data=personal,
        validity=validity,
        dme_pillar=str(pillar),
        requirement_changed=changed,
        future_rule=future,
        outcome=outcome,
    )


def _parse_personal(
    check: _Checker, raw: Any, path: Path_, label: str | None
) -> PersonalData | None:
    if raw is None:
        return None
    data = check.mapping(raw, path, PERSONAL_KEYS, label)
    what = check.text(data, "data", path, max_length=500, item_id=label)
    basis = check.text(data, "legal_basis", path, max_length=500, item_id=label)
    if not basis:
        return None
    return PersonalData(what, basis)


def _parse_validity(check: _Checker, raw: Any, path: Path_, label: str | None) -> Validity:
    if raw in ("none", "budget_year"):
        return Validity.from_data(raw)
    if isinstance(raw, dict) and set(raw) == {"months"}:
        months = raw["months"]
        if isinstance(months, int) and not isinstance(months, bool) and 1 <= months <= 60:
            return Validity("months", months)
    check.add(path, "masa berlaku wajib: none, budget_year, atau {months: 1–60}", label)
    return NO_VALIDITY


def extras_to_data(extras: ItemExtras) -> dict[str, Any]:
    return {
        "sources": [{"source": c.source_id, "pinpoint": c.pinpoint} for c in extras.citations],
        "pasal_42": list(extras.pasal_42),
        "evidence_rules": list(extras.evidence_rules),
        "personal_data": (
            {"data": extras.personal_data.data, "legal_basis": extras.personal_data.legal_basis}
            if extras.personal_data
            else None
        ),
        "validity": extras.validity.to_data(),
        "dme_pillar": extras.dme_pillar,
        "requirement_changed": extras.requirement_changed,
        "future_rule": extras.future_rule,
        "outcome": extras.outcome,
    }


def extras_from_data(data: Mapping[str, Any]) -> ItemExtras:
    """Rebuild from stored JSON; a format-1 item (no such keys) gets the empty defaults."""
    personal = data.get("personal_data")
    return ItemExtras(
        citations=tuple(Citation(c["source"], c["pinpoint"]) for c in data.get("sources", [])),
        pasal_42=tuple(data.get("pasal_42", [])),
        evidence_rules=tuple(data.get("evidence_rules", [])),
        personal_data=PersonalData(personal["data"], personal["legal_basis"]) if personal else None,
        validity=Validity.from_data(data.get("validity", "none")),
        dme_pillar=data.get("dme_pillar", ""),
        requirement_changed=bool(data.get("requirement_changed", False)),
        future_rule=data.get("future_rule", ""),
        outcome=bool(data.get("outcome", False)),
    )


def sources_to_data(sources: Mapping[str, Source]) -> dict[str, Any]:
    return {
        s.id: {
            "title": s.title,
            "kind": s.kind,
            "published": s.published,
            "accessed": s.accessed,
            "url": s.url,
            "label": s.label,
        }
        for s in sources.values()
    }


def sources_from_data(data: Mapping[str, Any]) -> dict[str, Source]:
    return {key: Source(id=key, **value) for key, value in data.items()}

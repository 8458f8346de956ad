"""The two kinds of output: a *rancangan* and a *naskah untuk ditandatangani*.

A rancangan may carry visible markers ("[belum diverifikasi]", "[nomor belum diisi]",
"…" for a number or date not yet given) and is headed "RANCANGAN". A naskah untuk
ditandatangani is refused, with the list of what to complete, while any marker remains:
an unverified or incomplete citation, or a blank number, date or name.
"""

from __future__ import annotations

from typing import Literal

from perdes.drafting.catalogue import UNVERIFIED_MARK
from perdes.drafting.errors import DraftInputError
from perdes.drafting.model import Document

Kind = Literal["rancangan", "naskah"]
KINDS: tuple[Kind, ...] = ("rancangan", "naskah")
KIND_LABELS = {"rancangan": "Rancangan", "naskah": "Naskah untuk ditandatangani"}
DRAFT_HEADING = "RANCANGAN"


class NotSignable(DraftInputError):
    """A naskah untuk ditandatangani was asked for while markers remain; ``errors`` and
    ``messages_id`` list every item to complete (English and Indonesian)."""


def signing_problems(doc: Document) -> tuple[dict[str, str], dict[str, str]]:
    """What stands between ``doc`` and a naskah untuk ditandatangani (English, Indonesian);
    both empty when it can be signed."""
    en: dict[str, str] = {}
    idn: dict[str, str] = {}
    for field, label_en, label_id in doc.blanks:
        en[field] = f"{label_en} is not filled in"
        idn[field] = f"{label_id} belum diisi"
    for c in doc.mengingat:
        if c.verified and c.complete:
            continue
        what_en, what_id = [], []
        if not c.complete and c.key.startswith("desa-"):  # the village's own instrument
            what_en.append("number, year or Lembaran Desa number missing")
            what_id.append("nomor, tahun, atau nomor Lembaran Desa belum diisi")
        elif not c.complete:
            what_en.append("gazette number missing")
            what_id.append("nomor lembaran negara/berita negara belum diisi")
        if not c.verified:
            what_en.append("not verified against an official source")
            what_id.append("belum diverifikasi terhadap sumber resmi")
        field = f"mengingat.{c.key}"
        number = c.label.rstrip(".")
        en[field] = f"Mengingat item {number} ({c.key}): {', '.join(what_en)}"
        title = c.text.split(" (", 1)[0]  # "Undang-Undang Nomor 6 Tahun 2014 tentang Desa"
        idn[field] = f"Dasar hukum angka {number} ({title}): {'; '.join(what_id)}"
    for n, (_cid, flag_en, flag_id) in enumerate(doc.edit_flags, start=1):
        en[f"edit.{n}"] = f"edit not applied: {flag_en}"
        idn[f"edit.{n}"] = f"Suntingan tidak dapat diterapkan: {flag_id}"
    if doc.unverified_terms:
        terms = ", ".join(doc.unverified_terms)
        en["local_form"] = (
            f"local terms not verified ({terms}): confirm them in the village profile"
        )
        idn["local_form"] = f"Sebutan lokal belum diverifikasi ({terms}); konfirmasi di profil desa"
    return en, idn


def draft_notes(doc: Document) -> list[str]:
    """Lines printed under the RANCANGAN heading (markers that sit outside the body)."""
    if not doc.unverified_terms:
        return []
    return [f"Sebutan lokal {UNVERIFIED_MARK}: {', '.join(doc.unverified_terms)}"]


def check_kind(doc: Document, kind: str) -> Kind:
    """Validate ``kind``; for a naskah, raise ``NotSignable`` while anything is missing."""
    if kind not in KINDS:
        raise DraftInputError(
            {"kind": f"unknown kind {kind!r} (rancangan or naskah)"},
            {"kind": "Jenis keluaran harus rancangan atau naskah."},
        )
    if kind == "naskah":
        en, idn = signing_problems(doc)
        if en:
            raise NotSignable(en, idn)
    return "naskah" if kind == "naskah" else "rancangan"

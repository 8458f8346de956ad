"""The drafter's own wording, layered over a template's output and stored with a revision.

Edits are anchored by ids that the template keeps stable: a Pasal by its clause id, an ayat
by its ordinal as written in the template (ayat the drafter adds get ordinals from 101, a
Pasal the drafter inserts gets the clause id ``sisipan-N``). Numbering stays automatic.
References inside edited text are tokens, ``[[ref:<clause id>]]`` or
``[[ref:<clause id>/<ayat ordinal>]]``, resolved to "Pasal N ayat (M)" when the document is
assembled, so renumbering never breaks them. An edit whose anchor is gone (an option now
excludes it, or a newer template dropped it) is *flagged* by the assembler, never dropped:
it stays stored, is listed in the workspace and blocks the naskah untuk ditandatangani.

Edited text uses the clause-file markup for the body of an ayat: the first line is the
ayat's sentence, further lines are paragraphs, ``- `` starts an item (two spaces of indent
a level, at most four), ``- [atau] `` on the first item of a list sets its conjunction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from perdes.drafting.source import SrcItem, SrcPara, SrcText
from perdes.drafting.textclean import has_control_chars

EDITED_FILE = "<suntingan>"
FIRST_ADDED_AYAT = 101
INSERTED_PREFIX = "sisipan-"
MAX_TEXT_CHARS = 8000  # one ayat; the longest template ayat is under 1,000 characters
MAX_EDITS = 200
MAX_LEVEL = 4

REF_TOKEN = re.compile(r"\[\[ref:([a-z0-9][a-z0-9_.-]*)(?:/(\d{1,4}))?\]\]")
_BRACKETS = re.compile(r"\[\[|\]\]")
_TEMPLATE_CODE = re.compile(r"\{\{|\{%|\{#|%\}|#\}|\[if:", re.IGNORECASE)
# UU 12/2011 Pasal 15 ayat (1): ketentuan pidana only in a UU or a Perda, never in a Perdes.
# "tindak pidana perdagangan orang" (a name of an offence) stays allowed.
_CRIMINAL = re.compile(
    r"\bdipidana\b|\bdiancam\s+(?:dengan\s+)?pidana\b|\bpidana\s+(?:penjara|kurungan|denda)\b"
    r"|\bdenda\s+paling\s+(?:banyak|sedikit)\b|\bhukuman\s+penjara\b|\bketentuan\s+pidana\b",
    re.IGNORECASE,
)
_ITEM = re.compile(r"^( *)-\s+(?:\[(atau|dan/atau|dan)\]\s*)?(.*)$")


@dataclass(frozen=True, slots=True)
class SetText:
    """New wording of one ayat (``ayat`` = its template ordinal) or of the whole body of a
    Pasal without ayat (``ayat`` None)."""

    pasal: str
    ayat: int | None
    text: str


@dataclass(frozen=True, slots=True)
class RemoveAyat:
    """Leave out one ayat of a template Pasal."""

    pasal: str
    ayat: int


@dataclass(frozen=True, slots=True)
class AddAyat:
    """A new ayat in a template Pasal, after the ayat ``after`` (0: before the first)."""

    pasal: str
    after: int
    ayat: int  # its own ordinal, from FIRST_ADDED_AYAT
    text: str


@dataclass(frozen=True, slots=True)
class InsertPasal:
    """A new Pasal after the Pasal ``after``; one text is written without an ayat number."""

    after: str
    pasal: str  # "sisipan-N"
    ayat: tuple[str, ...]


Edit = SetText | RemoveAyat | AddAyat | InsertPasal


class EditFormatError(ValueError):
    """Stored or posted edit operations that are not in the format (a programming error or a
    forged request)."""


def edits_to_json(edits: Iterable[Edit]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for e in edits:
        if isinstance(e, SetText):
            out.append({"op": "set_text", "pasal": e.pasal, "ayat": e.ayat, "text": e.text})
        elif isinstance(e, RemoveAyat):
            out.append({"op": "remove_ayat", "pasal": e.pasal, "ayat": e.ayat})
        elif isinstance(e, AddAyat):
            out.append(
                {"op": "add_ayat", "pasal": e.pasal, "after": e.after, "ayat": e.ayat,
                 "text": e.text}
            )  # fmt: skip
        else:
            out.append({"op": "insert_pasal", "after": e.after, "pasal": e.pasal,
                        "ayat": list(e.ayat)})  # fmt: skip
    return out


def _str(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str):
        raise EditFormatError(f"{key} must be a string")
    return value


def _int(raw: dict[str, Any], key: str, *, optional: bool = False) -> int | None:
    value = raw.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9999:
        raise EditFormatError(f"{key} must be an integer 0-9999")
    return value


def edits_from_json(raw: object) -> list[Edit]:
    """Parse stored operations; raises EditFormatError on anything else."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_EDITS:
        raise EditFormatError(f"edits must be a list of at most {MAX_EDITS} operations")
    out: list[Edit] = []
    for item in raw:
        if not isinstance(item, dict):
            raise EditFormatError("each edit must be an object")
        op = item.get("op")
        if op == "set_text":
            out.append(SetText(_str(item, "pasal"), _int(item, "ayat", optional=True),
                               _str(item, "text")))  # fmt: skip
        elif op == "remove_ayat":
            out.append(RemoveAyat(_str(item, "pasal"), _int(item, "ayat") or 0))
        elif op == "add_ayat":
            out.append(
                AddAyat(_str(item, "pasal"), _int(item, "after") or 0, _int(item, "ayat") or 0,
                        _str(item, "text"))
            )  # fmt: skip
        elif op == "insert_pasal":
            texts = item.get("ayat")
            if (
                not isinstance(texts, list)
                or not texts
                or not all(isinstance(t, str) for t in texts)
            ):
                raise EditFormatError("ayat must be a non-empty list of strings")
            out.append(InsertPasal(_str(item, "after"), _str(item, "pasal"), tuple(texts)))
        else:
            raise EditFormatError(f"unknown edit operation {op!r}")
    return out


def normalize(text: str) -> str:
    """One form for comparing and storing: LF line ends, no trailing spaces, no blank lines
    at either end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def text_problems(text: str) -> list[str]:
    """Why ``text`` cannot be edited wording (Indonesian), the same rules as template text:
    no template code, no control characters, no criminal sanctions, a length limit, and
    references only as tokens chosen from the list; empty list when it is fine."""
    problems: list[str] = []
    if not text.strip():
        return ["Teks tidak boleh kosong (untuk menghapus ayat, pilih Hapus)."]
    if len(text) > MAX_TEXT_CHARS:
        return [
            f"Teks terlalu panjang: paling banyak {MAX_TEXT_CHARS:,} karakter.".replace(",", ".")
        ]
    if has_control_chars(text):
        problems.append("Teks memuat karakter kendali yang tidak diizinkan.")
    if _TEMPLATE_CODE.search(text):
        problems.append("Teks tidak boleh memuat kode templat ({{ }}, {% %}, [if: ]).")
    if _CRIMINAL.search(text):
        problems.append(
            "Peraturan Desa tidak boleh memuat sanksi pidana (UU 12/2011 Pasal 15 ayat (1)); "
            "gunakan sanksi administratif."
        )
    if _BRACKETS.search(REF_TOKEN.sub("", text)):
        problems.append("Rujukan harus dipilih dari daftar ketentuan (bentuk [[ref:…]]).")
    try:
        parse_body(text)
    except EditFormatError as exc:
        problems.append(str(exc))
    return problems


def references(text: str) -> list[tuple[str, int | None]]:
    """The (clause id, ayat ordinal or None) each token in ``text`` points at."""
    return [(m.group(1), int(m.group(2)) if m.group(2) else None) for m in REF_TOKEN.finditer(text)]


def _src(text: str) -> SrcText:
    return SrcText(text.strip(), EDITED_FILE, 0, None, edited=True)


def parse_body(text: str) -> list[SrcPara | SrcItem]:
    """Paragraphs and items of edited text (markup in the module docstring); raises
    EditFormatError (Indonesian) for an item with no parent or too deep."""
    out: list[SrcPara | SrcItem] = []
    stack: list[SrcItem] = []
    for line in normalize(text).split("\n"):
        if not line.strip():
            stack.clear()
            continue
        m = _ITEM.match(line)
        if m is None:
            stack.clear()
            out.append(SrcPara(_src(line)))
            continue
        indent, conj, body = m.groups()
        level = len(indent) // 2 + 1
        if len(indent) % 2 or level > MAX_LEVEL or level > len(stack) + 1:
            raise EditFormatError(
                f"Butir “{body[:40]}” tidak bertingkat dengan benar: geser dua spasi per "
                f"tingkat, paling dalam {MAX_LEVEL} tingkat."
            )
        item = SrcItem(level, False, _src(body), conj or "dan")
        del stack[level - 1 :]
        if stack:
            stack[-1].children.append(item)
        else:
            out.append(item)
        stack.append(item)
    return out


def split_ayat(text: str) -> tuple[SrcText, list[SrcPara | SrcItem]]:
    """An ayat's sentence (its first paragraph) and the blocks after it; raises
    EditFormatError when the text starts with an item."""
    blocks = parse_body(text)
    if not blocks or not isinstance(blocks[0], SrcPara):
        raise EditFormatError("Ayat harus dimulai dengan kalimat, bukan butir.")
    return blocks[0].text, blocks[1:]


def edits_of(edits: Sequence[Edit], pasal: str) -> list[Edit]:
    """The edits that concern one Pasal (its own edits, or the insertion that created it)."""
    return [e for e in edits if e.pasal == pasal]


def next_added_ayat(edits: Sequence[Edit], pasal: str) -> int:
    used = [e.ayat for e in edits if isinstance(e, AddAyat) and e.pasal == pasal]
    return max([FIRST_ADDED_AYAT - 1, *used]) + 1


def next_inserted_pasal(edits: Sequence[Edit]) -> str:
    used = [
        int(e.pasal.removeprefix(INSERTED_PREFIX))
        for e in edits
        if isinstance(e, InsertPasal) and e.pasal.removeprefix(INSERTED_PREFIX).isdigit()
    ]
    return f"{INSERTED_PREFIX}{max([0, *used]) + 1}"

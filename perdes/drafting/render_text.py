"""Plain-text rendering: stable output for diffs (one paragraph per line, no wrapping)."""

from __future__ import annotations

from perdes.drafting.model import Ayat, Bagian, Document, Item, Para, Pasal, SignatureBlock
from perdes.drafting.signing import DRAFT_HEADING, check_kind, draft_notes

INDENT = "    "


def _items(items: tuple[Item, ...], depth: int, out: list[str]) -> None:
    for item in items:
        out.append(f"{INDENT * depth}{item.label} {item.text}")
        _items(item.children, depth + 1, out)


def _pasal_body(pasal: Pasal) -> list[str]:
    out: list[str] = []
    for block in pasal.blocks:
        if isinstance(block, Ayat):
            out.append(f"{block.label} {block.text}")
            for inner in block.blocks:
                if isinstance(inner, Item):
                    _items((inner,), 1, out)
                else:
                    out.append(f"{INDENT}{inner.text}")
        elif isinstance(block, Item):
            _items((block,), 0, out)
        elif isinstance(block, Para):
            out.append(block.text)
    return out


def _signature(block: SignatureBlock) -> list[str]:
    return [*block.lines, "", block.jabatan, "", "", block.name]


def render_text(doc: Document, *, kind: str = "rancangan") -> str:
    """The whole regulation as plain text; a rancangan starts with "RANCANGAN", a naskah
    is refused (``NotSignable``) while markers remain."""
    kind = check_kind(doc, kind)
    h = doc.header
    out: list[str] = [DRAFT_HEADING, *draft_notes(doc), ""] if kind == "rancangan" else []
    out += [h.jabatan, h.kabupaten, "", h.jenis, h.nomor, "", "TENTANG", "", h.title]
    out += ["", doc.pembukaan[0], "", doc.pembukaan[1], ""]
    for i, (label, text) in enumerate(doc.menimbang):
        out.append(f"{'Menimbang :' if i == 0 else '':<11} {label} {text}")
    for i, c in enumerate(doc.mengingat):
        out.append(f"{'Mengingat :' if i == 0 else '':<11} {c.label} {c.text}")
    if doc.kesepakatan:
        out += ["", *doc.kesepakatan]
    out += ["", doc.diktum[0], f"Menetapkan: {doc.diktum[1]}"]
    for bab in doc.babs:
        if bab.label:  # a Keputusan has no BAB
            out += ["", bab.label, bab.title]
        for part in bab.parts:
            pasal_list = part.pasal if isinstance(part, Bagian) else (part,)
            if isinstance(part, Bagian):
                out += ["", part.label, part.title]
            for pasal in pasal_list:
                out += ["", pasal.label, *_pasal_body(pasal)]
    out += ["", *_signature(doc.penetapan)]
    if doc.pengundangan is not None:
        out += ["", *_signature(doc.pengundangan)]
    if doc.lembaran:
        out += ["", doc.lembaran]
    p = doc.penjelasan
    if not p.heading:
        return "\n".join(out) + "\n"
    out += ["", *p.heading, "", "I. UMUM", *p.umum, "", "II. PASAL DEMI PASAL"]
    for pasal, expl in p.pasal:
        out += ["", pasal.label]
        if not expl.paragraphs and not expl.ayat:
            out.append("Cukup jelas.")
        out += list(expl.paragraphs)
        for label, text in expl.ayat:
            out += [label, f"{INDENT}{text}"]
    return "\n".join(out) + "\n"


def pasal_texts(doc: Document) -> list[tuple[str, str, str]]:
    """(clause id, "Pasal N", body text) for every Pasal, for per-Pasal diffs."""
    return [(p.clause_id, p.label, "\n".join(_pasal_body(p))) for p in doc.all_pasal()]

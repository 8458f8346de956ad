"""Apply the drafter's edits (perdes.drafting.edits) to a template's clause tree.

The template is never changed: the tree is copied (shallowly, the compiled Jinja text is
shared) and the edited Pasal get new source nodes. Edits that cannot be applied are returned
as flags; the assembler adds the flags of edits whose anchor an option excludes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from perdes.drafting.edits import (
    AddAyat,
    Edit,
    EditFormatError,
    InsertPasal,
    RemoveAyat,
    SetText,
    parse_body,
    split_ayat,
)
from perdes.drafting.manifest import Template
from perdes.drafting.source import SrcAyat, SrcBab, SrcBagian, SrcPara, SrcPasal

Flag = tuple[str, str, str]  # (clause id, English, Indonesian)


def describe(edit: Edit) -> tuple[str, str]:
    """What an edit is, for a flag (English, Indonesian)."""
    if isinstance(edit, SetText):
        where = f" ayat {edit.ayat}" if edit.ayat is not None else ""
        return f"new wording of {edit.pasal}{where}", f"rumusan baru {edit.pasal}{where}"
    if isinstance(edit, RemoveAyat):
        return (
            f"removal of {edit.pasal} ayat {edit.ayat}",
            f"penghapusan {edit.pasal} ayat {edit.ayat}",
        )
    if isinstance(edit, AddAyat):
        return (
            f"ayat added to {edit.pasal} after ayat {edit.after}",
            f"ayat tambahan pada {edit.pasal} setelah ayat {edit.after}",
        )
    return (
        f"Pasal {edit.pasal} inserted after {edit.after}",
        f"Pasal sisipan {edit.pasal} setelah {edit.after}",
    )


def flag(edit: Edit, why_en: str, why_id: str) -> Flag:
    what_en, what_id = describe(edit)
    return (edit.pasal, f"{what_en}: {why_en}", f"{what_id}: {why_id}")


def _copy_tree(babs: Sequence[SrcBab]) -> tuple[list[SrcBab], dict[str, list[SrcPasal]]]:
    """Copies of the BAB/Bagian/Pasal nodes, and for each Pasal the list that holds it."""
    holder: dict[str, list[SrcPasal]] = {}
    out: list[SrcBab] = []
    for bab in babs:
        parts: list[SrcPasal | SrcBagian] = []
        for part in bab.parts:
            if isinstance(part, SrcBagian):
                kept: list[SrcPasal] = []
                for p in part.pasal:
                    kept.append(dataclasses.replace(p, blocks=list(p.blocks)))
                    holder[p.clause_id] = kept
                parts.append(dataclasses.replace(part, pasal=kept))
            else:
                parts.append(dataclasses.replace(part, blocks=list(part.blocks)))
        out.append(dataclasses.replace(bab, parts=parts))
        top = parts  # Pasal directly in the BAB live in ``parts``
        for part in top:
            if isinstance(part, SrcPasal):
                holder[part.clause_id] = top  # type: ignore[assignment]  # a list of parts
    return out, holder


def _find(holder: dict[str, list[SrcPasal]], cid: str) -> SrcPasal | None:
    for p in holder.get(cid, []):
        if isinstance(p, SrcPasal) and p.clause_id == cid:
            return p
    return None


def _ayat_index(pasal: SrcPasal, ordinal: int) -> int | None:
    for i, b in enumerate(pasal.blocks):
        if isinstance(b, SrcAyat) and b.ordinal == ordinal:
            return i
    return None


def apply_edits(
    template: Template, edits: Sequence[Edit]
) -> tuple[Template, list[tuple[Edit, Flag]], list[str]]:
    """The template with ``edits`` applied, the edits that could not be applied with their
    flag (kept, not applied), and the clause ids of the Pasal that carry an applied edit."""
    if not edits:
        return template, [], []
    babs, holder = _copy_tree(template.babs)
    flags: list[tuple[Edit, Flag]] = []

    def fail(edit: Edit, why_en: str, why_id: str) -> None:
        flags.append((edit, flag(edit, why_en, why_id)))

    edited: list[str] = []
    gone_en, gone_id = "the Pasal is not in the template", "Pasal tidak ada lagi di templat"
    for edit in edits:
        if isinstance(edit, InsertPasal):
            anchor = _find(holder, edit.after)
            if anchor is None:
                fail(edit, "the Pasal before it is gone", "Pasal sebelumnya tidak ada")
                continue
            try:
                if len(edit.ayat) == 1:
                    blocks: list[SrcPara | SrcAyat] = list(parse_body(edit.ayat[0]))  # type: ignore[arg-type]  # paragraphs and items
                else:
                    blocks = []
                    for n, text in enumerate(edit.ayat, start=1):
                        lead, inner = split_ayat(text)
                        blocks.append(SrcAyat(n, lead, None, inner))
            except EditFormatError as exc:
                fail(edit, "bad text", str(exc))
                continue
            container = holder[edit.after]
            new = SrcPasal(edit.pasal, "<suntingan>", 0, anchor.cond, list(blocks))
            container.insert(container.index(anchor) + 1, new)
            holder[edit.pasal] = container
            edited.append(edit.pasal)
            continue
        pasal = _find(holder, edit.pasal)
        if pasal is None:
            fail(edit, gone_en, gone_id)
            continue
        try:
            if isinstance(edit, SetText):
                if edit.ayat is None:
                    if pasal.ayat():
                        fail(edit, "the Pasal now has ayat", "Pasal kini berayat")
                        continue
                    pasal.blocks = list(parse_body(edit.text))
                else:
                    index = _ayat_index(pasal, edit.ayat)
                    if index is None:
                        fail(edit, "the ayat is gone", "ayat tidak ada lagi")
                        continue
                    old = pasal.blocks[index]
                    lead, inner = split_ayat(edit.text)
                    pasal.blocks[index] = SrcAyat(edit.ayat, lead, old.cond, inner)
            elif isinstance(edit, RemoveAyat):
                index = _ayat_index(pasal, edit.ayat)
                if index is None or len(pasal.ayat()) < 2:
                    fail(edit, "the ayat is gone", "ayat tidak ada lagi")
                    continue
                del pasal.blocks[index]
            else:
                if not pasal.ayat():  # the body becomes ayat (1), the new one follows
                    if not pasal.blocks or not isinstance(pasal.blocks[0], SrcPara):
                        fail(edit, "no sentence to number", "Pasal tanpa kalimat")
                        continue
                    first = pasal.blocks[0]
                    rest = [b for b in pasal.blocks[1:] if not isinstance(b, SrcAyat)]
                    pasal.blocks = [SrcAyat(1, first.text, first.cond, rest)]
                position = 0 if edit.after == 0 else _ayat_index(pasal, edit.after)
                if position is None:
                    fail(edit, "the ayat before it is gone", "ayat sebelumnya tidak ada")
                    continue
                after = pasal.blocks[position] if edit.after else None
                lead, inner = split_ayat(edit.text)
                cond = after.cond if isinstance(after, SrcAyat) else None
                pasal.blocks.insert(
                    position + 1 if edit.after else 0, SrcAyat(edit.ayat, lead, cond, inner)
                )
        except EditFormatError as exc:
            fail(edit, "bad text", str(exc))
            continue
        if pasal.clause_id not in edited:
            edited.append(pasal.clause_id)
    return dataclasses.replace(template, babs=babs), flags, edited

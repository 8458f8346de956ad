"""Word-level comparison of two revisions, grouped per Pasal (pure functions)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from perdes.drafting.model import Document
from perdes.drafting.render_text import pasal_texts

_TOKEN = re.compile(r"\s+|[^\s]+")


class Change(StrEnum):
    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class Segment:
    op: str  # "equal", "insert", "delete"
    text: str


@dataclass(frozen=True, slots=True)
class SectionDiff:
    clause_id: str
    old_label: str | None
    new_label: str | None
    change: Change
    segments: tuple[Segment, ...]

    @property
    def renumbered(self) -> bool:
        return bool(self.old_label and self.new_label and self.old_label != self.new_label)


def document_sections(doc: Document) -> list[list[str]]:
    """[clause id, label, text] for the opening, every Pasal, and the explanation."""
    opening = [*(f"{label} {text}" for label, text in doc.menimbang)]
    opening += [f"{c.label} {c.text}".strip() for c in doc.mengingat]
    sections = [["pembukaan", "Konsiderans", "\n".join(opening)]]
    sections += [[cid, label, text] for cid, label, text in pasal_texts(doc)]
    if doc.penjelasan.heading:
        sections.append(["penjelasan-umum", "Penjelasan Umum", "\n".join(doc.penjelasan.umum)])
    return sections


def _words(text: str) -> list[str]:
    return _TOKEN.findall(text)


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    a, b = _words(old), _words(new)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(Segment("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Segment("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Segment("insert", "".join(b[j1:j2])))
    return tuple(out)


def compare_sections(
    old: Sequence[Sequence[str]], new: Sequence[Sequence[str]]
) -> list[SectionDiff]:
    """Pair parts by clause id (so a renumbered Pasal is the same Pasal), in the new order,
    with removed parts placed after the part that preceded them."""
    old_by_id = {s[0]: s for s in old}
    new_ids = {s[0] for s in new}
    result: list[SectionDiff] = []
    for cid, label, text in new:
        before = old_by_id.get(cid)
        if before is None:
            result.append(SectionDiff(cid, None, label, Change.ADDED, (Segment("insert", text),)))
            continue
        segments = word_diff(before[2], text)
        changed = any(s.op != "equal" for s in segments)
        result.append(
            SectionDiff(cid, before[1], label, Change.CHANGED if changed else Change.SAME, segments)
        )
    for index, (cid, label, text) in enumerate(old):
        if cid in new_ids:
            continue
        removed = SectionDiff(cid, label, None, Change.REMOVED, (Segment("delete", text),))
        previous = old[index - 1][0] if index else None
        position = next(
            (i + 1 for i, d in enumerate(result) if d.clause_id == previous), len(result)
        )
        result.insert(position, removed)
    return result

"""Parser for clause files: the batang tubuh of a template as lightly marked-up text.

    BAB ketentuan-umum: KETENTUAN UMUM
    BAGIAN hak: Hak Calon PMI [if: bagian]
    PASAL pendataan.kewajiban [if: berbagi_data]
    Plain line: a paragraph of the Pasal (or, after an ayat, of that ayat).
    (1) An ayat; the number must equal its position as written.
    - an item: a. → 1. → a) → 1) by indentation (two spaces a level)
    + a numbered item "1." (definitions in Ketentuan Umum)
    >> Penjelasan of the Pasal;  >> (2) Penjelasan of its ayat (2)
    # a comment

``[if: expr]`` after a marker (or at the end of a BAB/BAGIAN/PASAL line) includes the
element only when the Jinja expression is true (for a BAGIAN only its heading: its Pasal
then stay in the BAB, ungrouped); ``[atau]`` / ``[dan/atau]`` on the
first item of a list sets its conjunction.
"""

from __future__ import annotations

import re

from perdes.drafting.errors import Problem
from perdes.drafting.source import (
    SrcAyat,
    SrcBab,
    SrcBagian,
    SrcCond,
    SrcExplanation,
    SrcItem,
    SrcPara,
    SrcPasal,
    SrcText,
)

CLAUSE_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HEAD = re.compile(r"^(BAB|BAGIAN|PASAL)\s+(\S+?)(?::\s*(.*?))?\s*(?:\[if:\s*([^\]]*)\])?\s*$")
_AYAT = re.compile(r"^\((\d+)\)\s+(.*)$")
_ITEM = re.compile(r"^( *)([-+])\s+(.*)$")
_TAG = re.compile(r"^\[(if:[^\]]*|atau|dan/atau|dan)\]\s*")
MAX_LEVEL = 4


def _tags(text: str, file: str, line: int) -> tuple[str, SrcCond | None, str | None]:
    cond: SrcCond | None = None
    conj: str | None = None
    while m := _TAG.match(text):
        tag = m.group(1)
        if tag.startswith("if:"):
            cond = SrcCond(tag[3:].strip(), file, line)
        else:
            conj = tag
        text = text[m.end() :]
    return text, cond, conj


def parse_clause_file(text: str, file: str) -> tuple[list[SrcBab], list[Problem]]:
    """Parse one clause file into BAB trees; problems carry file, line and clause id."""
    babs: list[SrcBab] = []
    problems: list[Problem] = []
    bab: SrcBab | None = None
    bagian: SrcBagian | None = None
    pasal: SrcPasal | None = None
    stack: list[SrcItem] = []  # open items, by level

    def problem(line: int, msg: str, clause: str | None = None) -> None:
        cid = clause or (pasal.clause_id if pasal else bagian.clause_id if bagian else None)
        cid = cid or (bab.clause_id if bab else None)
        problems.append(Problem(file, line, cid, msg))

    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        if "\t" in raw[: len(raw) - len(raw.lstrip())]:
            problem(lineno, "indent with spaces, not tabs")
            continue
        head = _HEAD.match(raw)
        if head:
            kind, cid, title, cond_src = head.groups()
            cond = SrcCond(cond_src.strip(), file, lineno) if cond_src is not None else None
            stack.clear()
            if not CLAUSE_ID.match(cid):
                problem(lineno, f"invalid clause id {cid!r} (use a-z, 0-9, '.', '-', '_')", cid)
            if kind == "BAB":
                if not title:
                    problem(lineno, "BAB needs a title: 'BAB id: TITLE'", cid)
                bab = SrcBab(cid, SrcText((title or "").strip(), file, lineno), file, lineno, cond)
                babs.append(bab)
                bagian, pasal = None, None
            elif kind == "BAGIAN":
                if bab is None:
                    problem(lineno, "BAGIAN outside a BAB", cid)
                    continue
                if not title:
                    problem(lineno, "BAGIAN needs a title: 'BAGIAN id: Title'", cid)
                bagian = SrcBagian(
                    cid, SrcText((title or "").strip(), file, lineno), file, lineno, cond
                )
                bab.parts.append(bagian)
                pasal = None
            else:
                if bab is None:
                    problem(lineno, "PASAL outside a BAB", cid)
                    continue
                if title:
                    problem(lineno, "PASAL takes no title", cid)
                pasal = SrcPasal(cid, file, lineno, cond)
                (bagian.pasal if bagian else bab.parts).append(pasal)
            continue
        if pasal is None:
            problem(lineno, "text outside a PASAL")
            continue
        stripped = raw.strip()
        if stripped.startswith(">>"):
            body = stripped[2:].strip()
            body, cond, _ = _tags(body, file, lineno)
            m = _AYAT.match(body)
            ayat_no = int(m.group(1)) if m else None
            if m:
                body = m.group(2)
            pasal.explanations.append(SrcExplanation(ayat_no, SrcText(body, file, lineno), cond))
            continue
        m = _AYAT.match(raw)
        if m:
            stack.clear()
            ordinal = len(pasal.ayat()) + 1
            if int(m.group(1)) != ordinal:
                problem(
                    lineno, f"ayat ({m.group(1)}) should be ({ordinal}): number ayat as written"
                )
            body, cond, _ = _tags(m.group(2), file, lineno)
            pasal.blocks.append(SrcAyat(ordinal, SrcText(body, file, lineno), cond))
            continue
        ayats = pasal.ayat()
        container: list[SrcPara | SrcItem] | list[SrcPara | SrcItem | SrcAyat]
        container = ayats[-1].blocks if ayats else pasal.blocks
        m = _ITEM.match(raw)
        if m:
            indent, marker, body = m.groups()
            if len(indent) % 2:
                problem(lineno, "item indent must be a multiple of two spaces")
            level = len(indent) // 2 + 1
            if level > MAX_LEVEL:
                problem(lineno, f"items may nest at most {MAX_LEVEL} levels")
                continue
            if level > len(stack) + 1:
                problem(lineno, f"item at level {level} has no parent at level {level - 1}")
                continue
            body, cond, conj = _tags(body, file, lineno)
            item = SrcItem(level, marker == "+", SrcText(body, file, lineno), conj or "dan", cond)
            del stack[level - 1 :]
            if stack:
                stack[-1].children.append(item)
            else:
                container.append(item)
            stack.append(item)
            continue
        stack.clear()
        body, cond, _ = _tags(stripped, file, lineno)
        container.append(SrcPara(SrcText(body, file, lineno), cond))
    for b in babs:
        if not b.parts:
            problems.append(Problem(file, b.line, b.clause_id, "BAB has no Pasal"))
        for part in b.parts:
            if isinstance(part, SrcBagian) and not part.pasal:
                problems.append(Problem(file, part.line, part.clause_id, "BAGIAN has no Pasal"))
        for p in b.all_pasal():
            if not p.blocks:
                problems.append(Problem(file, p.line, p.clause_id, "PASAL has no text"))
            elif any(isinstance(x, SrcAyat) for x in p.blocks) and not isinstance(
                p.blocks[0], SrcAyat
            ):
                problems.append(
                    Problem(file, p.line, p.clause_id, "a Pasal with ayat must start with (1)")
                )
    return babs, problems

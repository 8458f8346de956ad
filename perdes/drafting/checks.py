"""Static checks of a parsed template: compile clause text, check names and references."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from jinja2 import TemplateSyntaxError, meta, nodes

from perdes.drafting.errors import Problem
from perdes.drafting.manifest import Template
from perdes.drafting.source import (
    SrcAyat,
    SrcBab,
    SrcBagian,
    SrcCond,
    SrcItem,
    SrcPara,
    SrcPasal,
    SrcText,
)


def _walk(template: Template) -> Iterator[tuple[str | None, SrcText | SrcCond]]:
    for name, expr in template.derived:
        yield f"derived:{name}", expr
    for m in template.menimbang:
        yield "menimbang", m.text
        if m.cond:
            yield "menimbang", m.cond
    for g in template.mengingat:
        if g.cond:
            yield "mengingat", g.cond
        if g.text:
            yield "mengingat", g.text
    for para in template.penjelasan_umum:
        yield "penjelasan", para.text
        if para.cond:
            yield "penjelasan", para.cond

    def blocks(
        cid: str, items: Sequence[SrcPara | SrcItem | SrcAyat]
    ) -> Iterator[tuple[str | None, SrcText | SrcCond]]:
        for b in items:
            yield cid, b.text
            if b.cond:
                yield cid, b.cond
            if isinstance(b, SrcAyat):
                yield from blocks(cid, b.blocks)
            elif isinstance(b, SrcItem):
                yield from blocks(cid, list(b.children))

    for bab in template.babs:
        yield bab.clause_id, bab.title
        if bab.cond:
            yield bab.clause_id, bab.cond
        for part in bab.parts:
            if part.cond:
                yield part.clause_id, part.cond
            if isinstance(part, SrcBagian):
                yield part.clause_id, part.title
            for pasal in part.pasal if isinstance(part, SrcBagian) else [part]:
                if pasal.cond and pasal is not part:
                    yield pasal.clause_id, pasal.cond
                yield from blocks(pasal.clause_id, pasal.blocks)
                for e in pasal.explanations:
                    yield pasal.clause_id, e.text
                    if e.cond:
                        yield pasal.clause_id, e.cond


# What starts Jinja syntax in the sandbox's default configuration (``loader.make_env``).
JINJA_MARKERS = ("{{", "{%", "{#")


def compile_and_check(template: Template, context_names: frozenset[str]) -> list[Problem]:
    """Compile every text and condition; report syntax errors, unknown names, bad refs,
    duplicate clause ids and explanations of missing ayat."""
    problems: list[Problem] = []
    env = template.env
    known = set(template.variables) | set(template.options) | context_names
    known |= {name for name, _ in template.derived}
    pasal: dict[str, SrcPasal] = {}
    seen: dict[str, tuple[str, int]] = {}
    for bab in template.babs:
        entries: list[SrcBab | SrcBagian | SrcPasal] = [bab]
        for part in bab.parts:
            entries.append(part)
            if isinstance(part, SrcBagian):
                entries.extend(part.pasal)
        for e in entries:
            if e.clause_id in seen:
                f, ln = seen[e.clause_id]
                problems.append(
                    Problem(e.file, e.line, e.clause_id, f"duplicate clause id (first at {f}:{ln})")
                )
            seen.setdefault(e.clause_id, (e.file, e.line))
            if isinstance(e, SrcPasal):
                pasal[e.clause_id] = e
                count = len(e.ayat())
                for x in e.explanations:
                    if x.ayat is not None and not 1 <= x.ayat <= count:
                        problems.append(
                            Problem(
                                e.file,
                                x.text.line,
                                e.clause_id,
                                f"penjelasan of ayat ({x.ayat}), which does not exist",
                            )
                        )
    for cid, piece in _walk(template):
        if isinstance(piece, SrcText) and not any(m in piece.source for m in JINJA_MARKERS):
            # Plain wording (most ayat): Jinja would print it unchanged, so the assembler
            # prints the source; compiling it cost half of loading a template.
            piece.compiled = None
            continue
        source = piece.source if isinstance(piece, SrcText) else "{{ (" + piece.source + ") }}"
        try:
            ast = env.parse(source)
            if isinstance(piece, SrcText):
                piece.compiled = env.from_string(ast)
            else:
                if not piece.source:
                    raise TemplateSyntaxError("empty condition", 1)
                piece.compiled = env.compile_expression(piece.source)
        except TemplateSyntaxError as exc:
            problems.append(
                Problem(piece.file, piece.line, cid, f"template syntax error: {exc.message}")
            )
            continue
        for name in sorted(meta.find_undeclared_variables(ast) - known):
            problems.append(Problem(piece.file, piece.line, cid, f"unknown name {name!r}"))
        for call in ast.find_all(nodes.Call):
            if isinstance(call.node, nodes.Name) and call.node.name == "ref":
                problems += _check_ref(call, pasal, piece, cid)
    return problems


def _check_ref(
    call: nodes.Call, pasal: dict[str, SrcPasal], piece: SrcText | SrcCond, cid: str | None
) -> list[Problem]:
    def bad(msg: str) -> list[Problem]:
        return [Problem(piece.file, piece.line, cid, msg)]

    if len(call.args) != 1 or not isinstance(call.args[0], nodes.Const):
        return bad('ref() takes one literal clause id, e.g. ref("pendataan.kewajiban", ayat=2)')
    target = call.args[0].value
    if target not in pasal:
        return bad(f"ref() to unknown Pasal {target!r}")
    for kw in call.kwargs:
        if (
            kw.key != "ayat"
            or not isinstance(kw.value, nodes.Const)
            or not isinstance(kw.value.value, int)
        ):
            return bad("ref() accepts only ayat=<number>")
        count = len(pasal[target].ayat())
        if not 1 <= kw.value.value <= count:
            return bad(f"ref() to ayat ({kw.value.value}) of {target}, which has {count} ayat")
    return []

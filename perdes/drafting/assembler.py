"""Turn (template, village, values, options) into a numbered, resolved ``Document``."""

from __future__ import annotations

import dataclasses
import re
from collections import ChainMap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from jinja2 import Template as JinjaTemplate
from jinja2 import TemplateError as JinjaError
from jinja2.runtime import Context, new_context

from perdes.clock import local_today
from perdes.drafting.edits import REF_TOKEN, AddAyat, Edit, InsertPasal, RemoveAyat, SetText
from perdes.drafting.errors import CrossReferenceError, Problem, TemplateError
from perdes.drafting.framing import frame_document
from perdes.drafting.local_forms import resolve_local_form
from perdes.drafting.manifest import Template
from perdes.drafting.model import (
    Ayat,
    Bab,
    Bagian,
    Document,
    Explanation,
    Item,
    Para,
    Pasal,
    VillageContext,
)
from perdes.drafting.overlay import Flag, apply_edits, flag
from perdes.drafting.signatures import check_dates_and_names
from perdes.drafting.source import (
    SrcAyat,
    SrcBagian,
    SrcCond,
    SrcItem,
    SrcPara,
    SrcPasal,
    SrcText,
)
from perdes.drafting.textclean import clean_text
from perdes.drafting.values import resolve_options, resolve_values
from perdes.drafting.words import (
    bilangan,
    letter,
    number_in_words,
    ordinal_title,
    roman,
    tanggal,
    words,
)
from perdes.regions.eligibility import require_perdes_maker

_SPACES = re.compile(r"[ \t]+")
UNRESOLVED = "[rujukan tidak ditemukan]"
_ITEM_END = " ;.,:"


def _village_context(v: VillageContext, judul: str, today: date) -> dict[str, Any]:
    form = resolve_local_form(v)
    desa = clean_text(form.sebutan_desa)
    return {
        "desa": desa,
        "nama_desa": clean_text(v.desa_name),
        "kades": clean_text(form.sebutan_kepala_desa),
        "bpd": clean_text(form.sebutan_bpd),
        "bpd_singkat": clean_text(form.bpd_singkat),
        "bpd_disingkat": form.singkatan_bpd is not None,
        "pemdes": f"Pemerintah {desa}",
        "perdes": clean_text(form.jenis_peraturan),
        "sekdes": clean_text(form.sebutan_sekretaris),
        "sebutan_kecamatan": clean_text(form.sebutan_kecamatan),
        "camat": clean_text(form.sebutan_camat),
        "daerah": form.daerah,
        "kecamatan": clean_text(v.kecamatan_name),
        "kabupaten": clean_text(v.kabupaten_name),
        "provinsi": clean_text(v.provinsi_name),
        "bupati": form.kepala_daerah,
        "kode_desa": clean_text(v.village_code),
        "jumlah_pmi_aktif": v.active_pmi_count,
        "jumlah_pmi_purna": v.returned_pmi_count,
        "judul": judul,
        "today": today,
        "angka": number_in_words,
        "terbilang": words,
        "tanggal": tanggal,
        "bilangan": bilangan,
        "_unverified_terms": form.unverified,
    }


class Assembly:
    def __init__(self, template: Template, context: dict[str, Any]) -> None:
        self.t = template
        self.ctx = context
        self.current = ""
        self.pasal_no: dict[str, int] = {}
        self.ayat_no: dict[tuple[str, int], int] = {}
        self.single_ayat: set[str] = set()  # Pasal left with one ayat: written unnumbered
        self.tokens = False  # render references as edit tokens (the editor's source form)
        self.flags: list[Flag] = []
        self.removed: set[tuple[str, int]] = set()  # ayat the drafter removed
        self.jinja: Context | None = None
        context["ref"] = self.ref

    def render(self, compiled: JinjaTemplate) -> str:
        """Render one clause's text in the document's one Jinja context.

        ``Template.render`` would build a context per clause (copying the environment's
        globals and every value, about 260 times a document). The shared one reads the values
        through a ChainMap, so names derived later are seen; what a clause assigns with
        ``{% set %}`` is dropped after it, so clauses stay independent as before."""
        env = compiled.environment
        if self.jinja is None:
            values = cast(dict[str, Any], ChainMap(self.ctx, env.globals))  # read as a mapping
            self.jinja = new_context(env, None, {}, values, shared=True)
        context = self.jinja
        try:
            return env.concat(compiled.root_render_func(context))
        except Exception:
            env.handle_exception()
        finally:
            if context.vars:
                context.vars.clear()
                context.exported_vars.clear()

    def when(self, cond: SrcCond | None, clause: str | None) -> bool:
        if cond is None:
            return True
        try:
            return bool(cond.compiled(**self.ctx))
        except JinjaError as exc:
            raise TemplateError([Problem(cond.file, cond.line, clause, str(exc))]) from exc

    def text(self, src: SrcText, clause: str | None) -> str:
        self.current = clause or ""
        if src.edited:
            return src.source if self.tokens else self.edited_text(src.source)
        try:
            out = self.render(src.compiled) if src.compiled is not None else src.source
        except CrossReferenceError:
            raise
        except JinjaError as exc:
            raise TemplateError([Problem(src.file, src.line, clause, str(exc))]) from exc
        return _SPACES.sub(" ", clean_text(out)).strip()

    def edited_text(self, text: str) -> str:
        """The drafter's wording with each reference token resolved; a token whose target
        is gone prints a visible marker and flags the edit."""

        def resolve(m: re.Match[str]) -> str:
            target, ayat = m.group(1), int(m.group(2)) if m.group(2) else None
            try:
                return self.ref(target, ayat)
            except CrossReferenceError:
                where = f"{target}/{ayat}" if ayat else target
                self.flags.append(
                    (
                        self.current,
                        f"edited text of {self.current} refers to {where}, which is not in "
                        "the document",
                        f"rumusan {self.current} merujuk {where} yang tidak ada dalam rancangan",
                    )
                )
                return UNRESOLVED

        return _SPACES.sub(" ", REF_TOKEN.sub(resolve, text)).strip()

    def ref(self, target: str, ayat: int | None = None) -> str:
        if self.tokens:
            return f"[[ref:{target}/{ayat}]]" if ayat else f"[[ref:{target}]]"
        number = self.pasal_no.get(target)
        if number is None:
            raise CrossReferenceError(self.current, target)
        if ayat is None or (target in self.single_ayat and (target, ayat) in self.ayat_no):
            return f"Pasal {number}"
        ayat_number = self.ayat_no.get((target, ayat))
        if ayat_number is None and (target, ayat) in self.removed:
            # The drafter removed an ayat the template refers to: flag the removal, keep going.
            self.flags.append(
                (
                    target,
                    f"removal of {target} ayat {ayat}: {self.current} refers to it",
                    f"penghapusan {target} ayat {ayat}: ayat ini dirujuk oleh {self.current}",
                )
            )
            return UNRESOLVED
        if ayat_number is None:
            raise CrossReferenceError(self.current, f"{target} ayat ({ayat})")
        if target == self.current:
            return f"ayat ({ayat_number})"
        return f"Pasal {number} ayat ({ayat_number})"

    # -- selection and numbering (before any text is rendered) ---------------------
    def select(self) -> list[tuple[Any, list[Any]]]:
        babs: list[tuple[Any, list[Any]]] = []
        counter = 0
        for bab in self.t.babs:
            parts: list[Any] = []
            if self.when(bab.cond, bab.clause_id):
                for part in bab.parts:
                    if isinstance(part, SrcBagian):
                        kept = [p for p in part.pasal if self.when(p.cond, p.clause_id)]
                        if kept and self.when(part.cond, part.clause_id):
                            parts.append((part, kept))
                        else:
                            parts.extend(kept)
                    elif self.when(part.cond, part.clause_id):
                        parts.append(part)
            if not parts:
                continue
            for part in parts:
                for pasal in part[1] if isinstance(part, tuple) else [part]:
                    counter += 1
                    self.pasal_no[pasal.clause_id] = counter
                    kept_ayat = [a for a in pasal.ayat() if self.when(a.cond, pasal.clause_id)]
                    for n, a in enumerate(kept_ayat, start=1):
                        self.ayat_no[(pasal.clause_id, a.ordinal)] = n
                    if len(kept_ayat) == 1:
                        self.single_ayat.add(pasal.clause_id)
            babs.append((bab, parts))
        self.last_pasal = counter
        return babs

    # -- building ------------------------------------------------------------------
    def pasal(self, src: SrcPasal) -> Pasal:
        cid = src.clause_id
        blocks: list[Para | Item | Ayat] = []
        for b in src.blocks:
            if not self.when(b.cond, cid):
                continue
            if isinstance(b, SrcAyat):
                inner = self.blocks(b.blocks, cid)
                number = self.ayat_no[(cid, b.ordinal)]
                blocks.append(Ayat(number, self.text(b.text, cid), tuple(inner), b.ordinal))
        if not any(isinstance(b, SrcAyat) for b in src.blocks):
            blocks = list(self.blocks(src.blocks, cid))  # type: ignore[arg-type]  # no SrcAyat here (checked above), so no Ayat comes back
        elif cid in self.single_ayat:  # one ayat left: UU 12/2011 writes it unnumbered
            only = next(b for b in blocks if isinstance(b, Ayat))
            blocks = [Para(only.text), *only.blocks]
        paragraphs: list[str] = []
        per_ayat: list[tuple[str, str]] = []
        for e in src.explanations:
            if not self.when(e.cond, cid):
                continue
            single = (cid, e.ayat) in self.ayat_no and cid in self.single_ayat
            if e.ayat is None or single:
                paragraphs.append(self.text(e.text, cid))
            elif (cid, e.ayat) in self.ayat_no:
                per_ayat.append((f"Ayat ({self.ayat_no[(cid, e.ayat)]})", self.text(e.text, cid)))
        if per_ayat:
            explained = dict(per_ayat)
            ayat_labels = [f"Ayat ({b.number})" for b in blocks if isinstance(b, Ayat)]
            per_ayat = [(label, explained.get(label, "Cukup jelas.")) for label in ayat_labels]
        return Pasal(
            cid, self.pasal_no[cid], tuple(blocks), Explanation(tuple(paragraphs), tuple(per_ayat))
        )

    def blocks(self, src: Sequence[SrcPara | SrcItem], cid: str) -> list[Para | Item]:
        out: list[Para | Item] = []
        run: list[SrcItem] = []
        conj = "dan"
        first = True
        for b in [*src, None]:
            if isinstance(b, SrcItem):
                if first:
                    conj, first = b.conj, False  # the list's conjunction, even if b is excluded
                if self.when(b.cond, cid):
                    run.append(b)
                continue
            first = True
            if run:
                out.extend(self.items(run, cid, 1, "", conj))
                run = []
            if isinstance(b, SrcPara) and self.when(b.cond, cid):
                out.append(Para(self.text(b.text, cid)))
        return out

    def items(
        self, src: list[SrcItem], cid: str, level: int, parent_tail: str, conj: str
    ) -> list[Item]:
        out: list[Item] = []
        last = len(src) - 1
        for i, s in enumerate(src):
            kids = [k for k in s.children if self.when(k.cond, cid)]
            text = self.text(s.text, cid).rstrip(_ITEM_END)
            if s.numeric:
                label, tail = f"{i + 1}.", "."
            else:
                label = (f"{letter(i + 1)}.", f"{i + 1}.", f"{letter(i + 1)})", f"{i + 1})")[
                    level - 1
                ]
                if i == last - 1:
                    tail = f"; {conj}"
                elif i < last:
                    tail = ";"
                else:
                    tail = "." if level == 1 else ";" + parent_tail
            children: list[Item] = []
            if kids:
                sub_tail = tail.removeprefix(";").removeprefix(".")
                children = self.items(kids, cid, level + 1, sub_tail, s.children[0].conj)
                tail = ":"
            out.append(Item(label, text + tail, level, tuple(children)))
        return out


def _prepare(
    template: Template,
    *,
    village: VillageContext,
    values: Mapping[str, object],
    options: Mapping[str, bool | str],
    today: date | None,
    edits: Sequence[Edit],
) -> tuple[Template, Assembly, list[tuple[Any, list[Any]]], list[str]]:
    require_perdes_maker(village.village_code)
    today = today or local_today()
    opts = resolve_options(template, options)
    vals = resolve_values(template, village, values, today)
    check_dates_and_names(template, values, vals)
    edited_template, failed, edited = apply_edits(template, edits)
    ctx = _village_context(village, template.judul, today)
    ctx.update(vals)
    ctx.update(opts)
    ctx["_values"] = vals
    a = Assembly(edited_template, ctx)
    a.removed = {(e.pasal, e.ayat) for e in edits if isinstance(e, RemoveAyat)}
    for name, expr in template.derived:
        try:
            ctx[name] = expr.compiled(**ctx)
        except JinjaError as exc:
            raise TemplateError(
                [Problem(expr.file, expr.line, f"derived:{name}", str(exc))]
            ) from exc
    selected = a.select()
    if not selected:
        raise TemplateError([Problem("manifest.yaml", None, None, "the options exclude every BAB")])
    not_applied = [e for e, _ in failed]
    a.flags.extend(f for _, f in failed)
    a.flags.extend(_excluded_anchors(a, [e for e in edits if e not in not_applied]))
    return edited_template, a, selected, [cid for cid in edited if cid in a.pasal_no]


def _excluded_anchors(a: Assembly, edits: Sequence[Edit]) -> list[Flag]:
    """Flags for applied edits whose anchor the chosen options leave out."""
    why = ("the chosen options leave it out", "tidak disertakan oleh pilihan pasal")
    out: list[Flag] = []
    for e in edits:
        if isinstance(e, InsertPasal):
            present = e.pasal in a.pasal_no
        elif isinstance(e, SetText):
            present = e.pasal in a.pasal_no and (e.ayat is None or (e.pasal, e.ayat) in a.ayat_no)
        elif isinstance(e, RemoveAyat):
            present = e.pasal in a.pasal_no
        else:
            assert isinstance(e, AddAyat)
            present = (e.pasal, e.ayat) in a.ayat_no
        if not present:
            out.append(flag(e, *why))
    return out


def assemble(
    template: Template,
    *,
    village: VillageContext,
    values: Mapping[str, object],
    options: Mapping[str, bool | str],
    today: date | None = None,
    edits: Sequence[Edit] = (),
) -> Document:
    """Build the complete document, or raise; never returns a half-built document.

    ``edits`` (perdes.drafting.edits) are layered over the template's text; those that
    cannot be applied, or whose reference is gone, are listed in ``Document.edit_flags``
    (and block a naskah untuk ditandatangani) rather than raising.

    Raises ``PerdesNotAllowed`` for a kelurahan, ``DraftInputError`` (bad values/options,
    per field), ``CrossReferenceError`` (a clause refers to an excluded one) or
    ``TemplateError`` (text failing at render).
    """
    edited_template, a, selected, edited = _prepare(
        template, village=village, values=values, options=options, today=today, edits=edits
    )
    ctx = a.ctx
    vals = ctx.pop("_values")
    babs: list[Bab] = []
    for n, (src_bab, parts) in enumerate(selected, start=1):
        built: list[Pasal | Bagian] = []
        bagian_no = 0
        for part in parts:
            if isinstance(part, tuple):
                bagian_no += 1
                src_bagian, kept = part
                built.append(
                    Bagian(
                        src_bagian.clause_id,
                        f"Bagian {ordinal_title(bagian_no)}",
                        a.text(src_bagian.title, src_bagian.clause_id),
                        tuple(a.pasal(p) for p in kept),
                    )
                )
            else:
                built.append(a.pasal(part))
        babs.append(
            Bab(
                src_bab.clause_id,
                n,
                f"BAB {roman(n)}",
                a.text(src_bab.title, src_bab.clause_id).upper(),
                tuple(built),
            )
        )
    doc = frame_document(edited_template, village, vals, ctx, a, babs)
    if not edits:
        return doc
    return dataclasses.replace(doc, edited=tuple(edited), edit_flags=tuple(dict.fromkeys(a.flags)))


@dataclass(frozen=True, slots=True)
class EditableUnit:
    """One editable piece of a Pasal as the editor shows it: an ayat (by ordinal) or the
    whole body of a Pasal without ayat (``ordinal`` None), in edit markup with tokens."""

    ordinal: int | None
    text: str


def editable_units(
    template: Template,
    *,
    village: VillageContext,
    values: Mapping[str, object],
    options: Mapping[str, bool | str],
    today: date | None = None,
    edits: Sequence[Edit] = (),
    clause_id: str,
) -> list[EditableUnit] | None:
    """The pieces of one Pasal in edit markup (references as tokens), with ``edits``
    applied; None when the Pasal is not in the document."""
    edited_template, a, _selected, _edited = _prepare(
        template, village=village, values=values, options=options, today=today, edits=edits
    )
    a.tokens = True
    src = next(
        (p for bab in edited_template.babs for p in bab.all_pasal() if p.clause_id == clause_id),
        None,
    )
    if src is None or clause_id not in a.pasal_no:
        return None
    if not src.ayat():
        return [EditableUnit(None, "\n".join(_markup(a, src.blocks, clause_id)))]  # type: ignore[arg-type]  # no ayat here
    units: list[EditableUnit] = []
    for b in src.blocks:
        if isinstance(b, SrcAyat) and a.when(b.cond, clause_id):
            lines = [a.text(b.text, clause_id), *_markup(a, b.blocks, clause_id)]
            units.append(EditableUnit(b.ordinal, "\n".join(lines)))
    return units


def _markup(a: Assembly, blocks: Sequence[SrcPara | SrcItem], cid: str) -> list[str]:
    out: list[str] = []
    first_of_list = True
    for b in blocks:
        if not a.when(b.cond, cid):
            continue
        if isinstance(b, SrcPara):
            out.append(a.text(b.text, cid))
            first_of_list = True
            continue
        out.extend(_item_markup(a, b, cid, first_of_list))
        first_of_list = False
    return out


def _item_markup(a: Assembly, item: SrcItem, cid: str, first: bool) -> list[str]:
    tag = f"[{item.conj}] " if first and item.conj != "dan" else ""
    text = a.text(item.text, cid).rstrip(_ITEM_END)
    out = [f"{'  ' * (item.level - 1)}- {tag}{text}"]
    kids = [k for k in item.children if a.when(k.cond, cid)]
    for i, kid in enumerate(kids):
        out.extend(_item_markup(a, kid, cid, i == 0))
    return out

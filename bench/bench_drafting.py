"""Benchmark the drafting engine against docxtpl for the same content.

Renders the default template (all options on) for a Desa Lontar-like village to DOCX,
HTML and text, and renders the same content with docxtpl from a template this script
builds with python-docx (same named styles). Prints medians and the ratio.

    .venv/bin/python bench/bench_drafting.py [iterations]
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import docx
from docxtpl import DocxTemplate

from perdes.drafting.assembler import assemble
from perdes.drafting.docx_base import STYLES, _style
from perdes.drafting.edits import AddAyat, Edit, InsertPasal, SetText
from perdes.drafting.loader import load_template
from perdes.drafting.model import Ayat, Bagian, Document, Item, Para, Pasal, VillageContext
from perdes.drafting.render_akn import render_akn
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import render_text

LONTAR = VillageContext(
    desa_name="Lontar",
    kecamatan_name="Tirtayasa",
    kabupaten_name="Kabupaten Serang",
    provinsi_name="Banten",
    village_code="36.04.13.2007",
    kepala_desa_name="Junali Abdullah",
    sekretaris_desa_name="Siti Rohmah",
    active_pmi_count=412,
    returned_pmi_count=1130,
)
ITEM_STYLES = [f"PD Butir {n}" for n in range(1, 5)] + [f"PD Butir Ayat {n}" for n in range(1, 5)]


# -- the docxtpl side ---------------------------------------------------------------
def _flat_items(items: tuple[Item, ...], in_ayat: bool, out: list[dict[str, str]]) -> None:
    for it in items:
        style = f"PD Butir Ayat {it.level}" if in_ayat else f"PD Butir {it.level}"
        out.append({"style": style, "label": it.label, "text": it.text})
        _flat_items(it.children, in_ayat, out)


def _pasal_blocks(p: Pasal) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for b in p.blocks:
        if isinstance(b, Ayat):
            out.append({"style": "PD Ayat", "label": b.label, "text": b.text})
            for inner in b.blocks:
                if isinstance(inner, Item):
                    _flat_items((inner,), True, out)
                else:
                    out.append({"style": "PD Ayat Lanjut", "label": "", "text": inner.text})
        elif isinstance(b, Item):
            _flat_items((b,), False, out)
        elif isinstance(b, Para):
            out.append({"style": "PD Teks", "label": "", "text": b.text})
    return out


def context_for(doc: Document) -> dict[str, Any]:
    """The model as plain data for docxtpl (prepared once, outside the timing)."""
    babs = []
    for bab in doc.babs:
        pasal = []
        for part in bab.parts:
            group = part.pasal if isinstance(part, Bagian) else (part,)
            for i, p in enumerate(group):
                first = isinstance(part, Bagian) and i == 0
                pasal.append(
                    {
                        "bagian_label": part.label if first else "",  # type: ignore[union-attr]
                        "bagian_title": part.title if first else "",  # type: ignore[union-attr]
                        "label": p.label,
                        "blocks": _pasal_blocks(p),
                    }
                )
        babs.append({"label": bab.label, "title": bab.title, "pasal": pasal})
    expl = []
    for p, e in doc.penjelasan.pasal:
        lines = [] if (e.paragraphs or e.ayat) else [{"indent": False, "text": "Cukup jelas."}]
        lines += [{"indent": False, "text": t} for t in e.paragraphs]
        for label, text in e.ayat:
            lines += [{"indent": False, "text": label}, {"indent": True, "text": text}]
        expl.append({"label": p.label, "lines": lines})
    return {
        "h": doc.header,
        "pembukaan": doc.pembukaan,
        "menimbang": [{"label": lab, "text": t} for lab, t in doc.menimbang],
        "mengingat": [{"label": c.label, "text": c.text} for c in doc.mengingat],
        "kesepakatan": doc.kesepakatan,
        "diktum": doc.diktum,
        "babs": babs,
        "penetapan": doc.penetapan,
        "pengundangan": doc.pengundangan,
        "lembaran": doc.lembaran,
        "pj": doc.penjelasan,
        "expl": expl,
    }


def build_docxtpl_template() -> bytes:
    d = docx.Document()
    for name, kw in STYLES.items():
        _style(d, name, **kw)

    def p(style: str, *runs: str) -> None:
        para = d.add_paragraph(style=style)
        for r in runs:
            para.add_run(r)

    p("PD Judul", "{{ h.jabatan }}")
    p("PD Judul", "{{ h.kabupaten }}")
    p("PD Judul", "{{ h.jenis }}")
    for text in ("{{ h.nomor }}", "", "TENTANG", "", "{{ h.title }}", "", "{{ pembukaan[0] }}"):
        p("PD Judul", text)
    p("PD Tengah", "")
    p("PD Judul", "{{ pembukaan[1] }}")
    p("PD Tengah", "")
    for key, word in (("menimbang", "Menimbang"), ("mengingat", "Mengingat")):
        p("PD Konsiderans", f"{{%p for m in {key} %}}")
        p("PD Konsiderans", "{%p if loop.first %}")
        p("PD Konsiderans", f"{word}\t:\t{{{{ m.label }}}}\t{{{{ m.text }}}}")
        p("PD Konsiderans", "{%p else %}")
        p("PD Konsiderans", "\t\t{{ m.label }}\t{{ m.text }}")
        p("PD Konsiderans", "{%p endif %}")
        p("PD Konsiderans", "{%p endfor %}")
        p("PD Tengah", "")
    p("PD Tengah", "{{ kesepakatan[0] }}")
    p("PD Judul", "{{ kesepakatan[1] }}")
    p("PD Tengah", "{{ kesepakatan[2] }}")
    p("PD Judul", "{{ kesepakatan[3] }}")
    p("PD Tengah", "")
    p("PD Judul", "{{ diktum[0] }}")
    p("PD Konsiderans", "Menetapkan\t:\t{{ diktum[1] }}")
    p("PD Teks", "{%p for bab in babs %}")
    p("PD Bab", "{{ bab.label }}")
    p("PD Judul", "{{ bab.title }}")
    p("PD Teks", "{%p for pasal in bab.pasal %}")
    p("PD Teks", "{%p if pasal.bagian_label %}")
    p("PD Bab", "{{ pasal.bagian_label }}")
    p("PD Judul", "{{ pasal.bagian_title }}")
    p("PD Teks", "{%p endif %}")
    p("PD Pasal", "{{ pasal.label }}")
    p("PD Teks", "{%p for b in pasal.blocks %}")
    p("PD Teks", "{%p if b.style == 'PD Teks' %}")
    p("PD Teks", "{{ b.text }}")
    p("PD Teks", "{%p elif b.style == 'PD Ayat' %}")
    p("PD Ayat", "{{ b.label }}\t{{ b.text }}")
    p("PD Teks", "{%p elif b.style == 'PD Ayat Lanjut' %}")
    p("PD Ayat Lanjut", "{{ b.text }}")
    for style in ITEM_STYLES:
        p("PD Teks", f"{{%p elif b.style == '{style}' %}}")
        p(style, "{{ b.label }}\t{{ b.text }}")
    p("PD Teks", "{%p endif %}")
    p("PD Teks", "{%p endfor %}")
    p("PD Teks", "{%p endfor %}")
    p("PD Teks", "{%p endfor %}")
    p("PD Tengah", "")
    for block, style in (("penetapan", "PD TTD"), ("pengundangan", "PD TTD Kiri")):
        p(style, f"{{{{ {block}.lines[0] }}}}")
        p(style, f"{{{{ {block}.lines[1] }}}}")
        p(style, f"{{{{ {block}.jabatan }}}}")
        for _ in range(3):
            p(style, "")
        p(style, f"{{{{ {block}.name }}}}")
        p(style, "")
    p("PD Lembaran", "{{ lembaran }}")
    heading = d.add_paragraph(style="PD Judul")
    heading.add_run("{{ pj.heading[0] }}")
    heading.paragraph_format.page_break_before = True
    for i in range(1, 6):
        p("PD Judul", f"{{{{ pj.heading[{i}] }}}}")
    p("PD Kiri", "I.\tUMUM")
    p("PD Teks", "{%p for t in pj.umum %}")
    p("PD Teks", "{{ t }}")
    p("PD Teks", "{%p endfor %}")
    p("PD Kiri", "II.\tPASAL DEMI PASAL")
    p("PD Teks", "{%p for e in expl %}")
    p("PD Kiri", "{{ e.label }}")
    p("PD Teks", "{%p for line in e.lines %}")
    p("PD Ayat Lanjut", "{{ line.text }}")
    p("PD Teks", "{%p endfor %}")
    p("PD Teks", "{%p endfor %}")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def render_docxtpl(template_bytes: bytes, context: dict[str, Any]) -> bytes:
    tpl = DocxTemplate(io.BytesIO(template_bytes))
    tpl.render(context, autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# -- timing -------------------------------------------------------------------------
def median_ms(
    fn: Callable[[], object], iterations: int, warmup: int = 3
) -> tuple[float, float, float]:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def main(iterations: int = 50) -> None:
    template = load_template("pelindungan-pmi")
    options: dict[str, bool | str] = {
        n: True for n, o in template.options.items() if o.type == "bool"
    }
    values = {"nomor": "3", "tanggal_penetapan": "2026-11-20", "tanggal_pengundangan": "2026-11-21"}
    today = date(2026, 11, 27)
    doc = assemble(template, village=LONTAR, values=values, options=options, today=today)
    tpl_bytes = build_docxtpl_template()
    context = context_for(doc)

    ours = [p.text for p in docx.Document(io.BytesIO(render_docx(doc))).paragraphs]
    theirs = [
        p.text for p in docx.Document(io.BytesIO(render_docxtpl(tpl_bytes, context))).paragraphs
    ]
    same = sum(a == b for a, b in zip(ours, theirs, strict=False))
    n_pasal = len(doc.all_pasal())
    print(
        f"content: {n_pasal} Pasal, {len(ours)} paragraphs "
        f"(docxtpl: {len(theirs)}, identical text: {same})"
    )

    def run_assemble() -> Document:
        return assemble(template, village=LONTAR, values=values, options=options, today=today)

    ayat = [
        (p.clause_id, a.ordinal) for b in template.babs for p in b.all_pasal() for a in p.ayat()
    ]
    pasal_ids = [p.clause_id for b in template.babs for p in b.all_pasal()]
    edits: list[Edit] = [
        *(SetText(c, o, f"Rumusan baru merujuk [[ref:{c}/{o}]].") for c, o in ayat[:10]),
        *(AddAyat(c, o, 101, "Ayat tambahan.") for c, o in ayat[10:15]),
        *(InsertPasal(c, f"sisipan-{i}", ("Pasal sisipan.",)) for i, c in enumerate(pasal_ids[:5])),
    ]

    def run_assemble_edited() -> Document:
        return assemble(
            template, village=LONTAR, values=values, options=options, today=today, edits=edits
        )

    rows: list[tuple[str, Callable[[], object]]] = [
        ("assemble (template → model)", run_assemble),
        ("assemble with 20 edits", run_assemble_edited),
        ("render_docx", lambda: render_docx(doc)),
        ("docxtpl (load + render + save)", lambda: render_docxtpl(tpl_bytes, context)),
        ("render_html", lambda: render_html(doc)),
        ("render_text", lambda: render_text(doc)),
        ("render_akn (Akoma Ntoso XML)", lambda: render_akn(doc)),
    ]
    results: dict[str, float] = {}
    print(f"{'what':34} {'median ms':>10} {'min':>8} {'max':>8}   ({iterations} runs)")
    for name, fn in rows:
        med, lo, hi = median_ms(fn, iterations)
        results[name] = med
        print(f"{name:34} {med:10.2f} {lo:8.2f} {hi:8.2f}")
    ratio = results["render_docx"] / results["docxtpl (load + render + save)"]
    print(f"render_docx / docxtpl = {ratio:.3f}  (target ≤ 0.5)")
    total = (results["render_docx"] + results["assemble (template → model)"]) / results[
        "docxtpl (load + render + save)"
    ]
    print(f"(assemble + render_docx) / docxtpl = {total:.3f}")
    print(f"render_html median {results['render_html']:.2f} ms  (target < 5 ms)")
    print(f"render_akn median {results['render_akn (Akoma Ntoso XML)']:.2f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)

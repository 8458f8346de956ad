"""Akoma Ntoso 3.0 (OASIS LegalDocML) XML of one assembled instrument.

``<act>`` with FRBR metadata, a preface (title block), a preamble (pembukaan, Menimbang as
recitals, Mengingat as citations, the agreement and enacting formulas), the body (BAB as
``chapter``, Bagian as ``section``, Pasal or diktum as ``article``, ayat as ``paragraph``,
items as ``blockList``/``item``), the conclusions (signatures, Lembaran/Berita Desa line) and
the Penjelasan as an attachment. eIds follow the AKN naming convention
(``chp_1``, ``art_3``, ``art_3__para_2``, ``art_3__para_2__list_1__item_a``). Numbers and
references come from the model, computed once by the assembler; unverified facts keep their
visible markers. Tests validate the output against the official schema.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial

from lxml import etree

from perdes.clock import local_today
from perdes.drafting.model import (
    KEPUTUSAN_KEPALA_DESA,
    PERATURAN_DESA,
    Ayat,
    Bab,
    Bagian,
    Document,
    Item,
    Para,
    Pasal,
    SignatureBlock,
)
from perdes.drafting.signing import DRAFT_HEADING, check_kind
from perdes.drafting.textclean import clean_text

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"


def _element(tag: str, *children: etree._Element | str, **attrs: str) -> etree._Element:
    """An AKN element with children; strings become text (or the previous child's tail)."""
    node = etree.Element(f"{{{AKN_NS}}}{tag}", attrs, nsmap={None: AKN_NS})  # type: ignore[dict-item]  # the default namespace has the key None; lxml-stubs only allows str
    for child in children:
        if isinstance(child, str):
            last = node[-1] if len(node) else None
            if last is None:
                node.text = (node.text or "") + child
            else:
                last.tail = (last.tail or "") + child
        else:
            node.append(child)
    return node


class _Maker:
    """``E.article(E.num("Pasal 1"), eId="art_1")``: one builder per AKN element name."""

    def __getattr__(self, tag: str) -> Callable[..., etree._Element]:
        return partial(_element, tag)


E = _Maker()
_SUBTYPES = {
    PERATURAN_DESA: "perdes",
    "peraturan-kepala-desa": "perkades",
    KEPUTUSAN_KEPALA_DESA: "kepdes",
}
_NUM_KEY = re.compile(r"[^0-9a-z]+")


def _t(text: str) -> str:
    return clean_text(text)


def _p(text: str, **attrs: str) -> etree._Element:
    return E.p(_t(text), **attrs)


def _key(label: str) -> str:
    """ "a." → "a", "(2)" → "2", "1)" → "1": the numbering part of an eId."""
    return _NUM_KEY.sub("", label.lower()) or "x"


def _blocks(blocks: Sequence[Para | Item], prefix: str, counter: list[int]) -> list[etree._Element]:
    """Paragraphs and items as AKN blocks: each run of items is one ``blockList``."""
    out: list[etree._Element] = []
    run: list[Item] = []
    for block in [*blocks, None]:
        if isinstance(block, Item):
            run.append(block)
            continue
        if run:
            counter[0] += 1
            out.append(_list(run, f"{prefix}__list_{counter[0]}"))
            run = []
        if isinstance(block, Para):
            out.append(_p(block.text))
    return out


def _list(items: Sequence[Item], eid: str) -> etree._Element:
    element = E.blockList(eId=eid)
    for item in items:
        item_id = f"{eid}__item_{_key(item.label)}"
        node = E.item(E.num(item.label), _p(item.text), eId=item_id)
        if item.children:
            node.append(_list(item.children, f"{item_id}__list_1"))
        element.append(node)
    return element


def _article(pasal: Pasal, number: int) -> etree._Element:
    eid = f"art_{number}"
    article = E.article(E.num(pasal.label), eId=eid)
    ayat = [b for b in pasal.blocks if isinstance(b, Ayat)]
    if ayat:
        for a in ayat:
            pid = f"{eid}__para_{a.number}"
            counter = [0]
            content = E.content(_p(a.text), *_blocks(a.blocks, pid, counter))
            article.append(E.paragraph(E.num(a.label), content, eId=pid))
    else:
        pid = f"{eid}__para_1"
        plain = [b for b in pasal.blocks if not isinstance(b, Ayat)]
        content = E.content(*_blocks(plain, pid, [0]))
        article.append(E.paragraph(content, eId=pid))
    return article


def _body(babs: Sequence[Bab]) -> etree._Element:
    body = E.body()
    n = 0
    for bab in babs:
        parent = body
        if bab.label:  # a Keputusan has no BAB: its diktum sit directly in the body
            cid = f"chp_{bab.number}"
            parent = E.chapter(E.num(bab.label), E.heading(_t(bab.title)), eId=cid)
            body.append(parent)
        bagian_no = 0
        for part in bab.parts:
            if isinstance(part, Bagian):
                bagian_no += 1
                sec = E.section(
                    E.num(part.label),
                    E.heading(_t(part.title)),
                    eId=f"chp_{bab.number}__sec_{bagian_no}",
                )
                parent.append(sec)
                for pasal in part.pasal:
                    n += 1
                    sec.append(_article(pasal, n))
            else:
                n += 1
                parent.append(_article(part, n))
    return body


def _signature(block: SignatureBlock, role_id: str, person_id: str) -> list[etree._Element]:
    lines = [_p(line) for line in block.lines]
    lines.append(E.p(E.signature(E.role(_t(block.jabatan), refersTo=f"#{role_id}"))))
    lines.append(E.p(E.signature(E.person(_t(block.name), refersTo=f"#{person_id}"))))
    return lines


def _meta(doc: Document, kind: str, generated_on: date) -> tuple[etree._Element, str]:
    subtype = _SUBTYPES.get(doc.bentuk, "perdes")
    actor = doc.village_code or "desa"
    work_date = doc.tanggal_penetapan or generated_on
    number = doc.nomor if (doc.nomor and kind == "naskah") else "rancangan"
    work = f"/akn/id/act/{subtype}/{actor}/{work_date.isoformat()}/{_key(number) or 'x'}"
    expression = f"{work}/ind@{work_date.isoformat()}"
    ident = E.identification(
        E.FRBRWork(
            E.FRBRthis(value=f"{work}/!main"),
            E.FRBRuri(value=work),
            E.FRBRdate(
                date=work_date.isoformat(),
                name="penetapan" if doc.tanggal_penetapan else "pembuatan",
            ),
            E.FRBRauthor(href="#kepala-desa"),
            E.FRBRcountry(value="id"),
            E.FRBRsubtype(value=subtype),
            E.FRBRnumber(value=number),
            E.FRBRname(value=_t(doc.header.jenis.title())),
            E.FRBRprescriptive(value="true" if kind == "naskah" else "false"),
        ),
        E.FRBRExpression(
            E.FRBRthis(value=f"{expression}/!main"),
            E.FRBRuri(value=expression),
            E.FRBRdate(date=work_date.isoformat(), name="versi"),
            E.FRBRauthor(href="#kepala-desa"),
            E.FRBRlanguage(language="ind"),
        ),
        E.FRBRManifestation(
            E.FRBRthis(value=f"{expression}/!main.xml"),
            E.FRBRuri(value=f"{expression}.akn"),
            E.FRBRdate(date=generated_on.isoformat(), name="pembuatan"),
            E.FRBRauthor(href="#perdes-pmi"),
        ),
        source="#perdes-pmi",
    )
    refs = E.references(
        E.TLCOrganization(
            eId="perdes-pmi", href="/ontology/organization/id/perdes-pmi", showAs="Perdes PMI"
        ),
        E.TLCRole(
            eId="kepala-desa",
            href="/ontology/role/id/kepala-desa",
            showAs=_t(doc.penetapan.jabatan.rstrip(",")),
        ),
        E.TLCPerson(
            eId="penandatangan", href="/ontology/person/id/penandatangan",
            showAs=_t(doc.penetapan.name),
        ),
        source="#perdes-pmi",
    )  # fmt: skip
    if doc.pengundangan is not None:
        refs.append(
            E.TLCRole(
                eId="sekretaris-desa",
                href="/ontology/role/id/sekretaris-desa",
                showAs=_t(doc.pengundangan.jabatan.rstrip(",")),
            )
        )
        refs.append(
            E.TLCPerson(
                eId="pengundang",
                href="/ontology/person/id/pengundang",
                showAs=_t(doc.pengundangan.name),
            )
        )
    return E.meta(ident, refs), subtype


def render_akn(
    doc: Document, *, kind: str = "rancangan", generated_on: date | None = None
) -> bytes:
    """The instrument as Akoma Ntoso 3.0 XML (UTF-8 bytes). A rancangan is marked as such
    (preface line "RANCANGAN", ``FRBRprescriptive`` false); a naskah is refused
    (``NotSignable``) while markers remain, as in every other output."""
    kind = check_kind(doc, kind)
    generated_on = generated_on or local_today()
    meta, subtype = _meta(doc, kind, generated_on)
    h = doc.header
    preface = E.preface()
    if kind == "rancangan":
        preface.append(_p(DRAFT_HEADING, **{"class": "tanda-rancangan"}))
    preface.append(_p(h.jabatan))
    preface.append(_p(h.kabupaten))
    preface.append(
        E.longTitle(
            E.p(
                E.docType(_t(h.jenis)),
                " ",
                E.docNumber(_t(h.nomor)),
                " TENTANG ",
                E.docTitle(_t(h.title)),
            )
        )
    )
    preamble = E.preamble(E.formula(*(_p(x) for x in doc.pembukaan), name="pembukaan"))
    recitals = E.recitals(E.intro(_p("Menimbang:")), eId="recitals_1")
    for label, text in doc.menimbang:
        recitals.append(E.recital(E.num(label), _p(text), eId=f"recitals_1__recital_{_key(label)}"))
    preamble.append(recitals)
    citations = E.citations(E.intro(_p("Mengingat:")), eId="citations_1")
    for c in doc.mengingat:
        attrs = {} if c.verified and c.complete else {"class": "belum-diverifikasi"}
        citations.append(
            E.citation(
                E.num(c.label), _p(c.text), eId=f"citations_1__citation_{_key(c.label)}", **attrs
            )
        )
    preamble.append(citations)
    if doc.kesepakatan:
        preamble.append(E.formula(*(_p(x) for x in doc.kesepakatan), name="kesepakatanBersama"))
    preamble.append(
        E.formula(_p(doc.diktum[0]), _p(f"Menetapkan: {doc.diktum[1]}"), name="enactingFormula")
    )
    conclusions = E.conclusions(*_signature(doc.penetapan, "kepala-desa", "penandatangan"))
    if doc.pengundangan is not None:
        conclusions.extend(_signature(doc.pengundangan, "sekretaris-desa", "pengundang"))
    if doc.lembaran:
        conclusions.append(_p(doc.lembaran, **{"class": "lembaran"}))
    act = E.act(meta, preface, preamble, _body(doc.babs), conclusions, name=subtype)
    if doc.penjelasan.heading:
        act.append(_penjelasan(doc, subtype, meta))
    root = E.akomaNtoso(act)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _penjelasan(doc: Document, subtype: str, act_meta: etree._Element) -> etree._Element:
    """The Penjelasan as an attached ``doc`` with its own FRBR identity."""
    ident = act_meta.find(f"{{{AKN_NS}}}identification")
    assert ident is not None  # built by _meta just above
    meta = E.meta(etree.fromstring(etree.tostring(ident)))
    for uri in meta.iter(f"{{{AKN_NS}}}FRBRthis", f"{{{AKN_NS}}}FRBRuri"):
        value = uri.get("value", "")
        uri.set("value", value.replace("/!main", "/!penjelasan"))
    p = doc.penjelasan
    body = E.mainBody(
        *(_p(x) for x in p.heading),
        _p("I. UMUM"),
        *(_p(x) for x in p.umum),
        _p("II. PASAL DEMI PASAL"),
    )
    for pasal, expl in p.pasal:
        body.append(_p(pasal.label, **{"class": "pasal"}))
        if not expl.paragraphs and not expl.ayat:
            body.append(_p("Cukup jelas."))
        body.extend(_p(x) for x in expl.paragraphs)
        for label, text in expl.ayat:
            body.append(_p(label, **{"class": "ayat"}))
            body.append(_p(text))
    return E.attachments(
        E.attachment(E.doc(meta, body, name="penjelasan"), eId="att_1"),
    )

"""Akoma Ntoso 3.0 export (issue #17, point 6), validated against the official OASIS schema
vendored in tests/drafting/akn/ (see NOTICE.md there)."""

from collections import Counter
from functools import cache
from pathlib import Path

import pytest
from drafting_support import GAMPONG, GOLDEN_VALUES, LONTAR, TODAY
from hypothesis import HealthCheck, given, settings
from lxml import etree
from test_properties import TEMPLATE, option_sets, value_sets, verified_template  # noqa: F401

from perdes.drafting.assembler import assemble
from perdes.drafting.errors import DraftInputError
from perdes.drafting.loader import load_template
from perdes.drafting.model import Ayat, Document, VillageContext
from perdes.drafting.render_akn import AKN_NS, render_akn
from perdes.drafting.signing import NotSignable

XSD = Path(__file__).parent / "akn" / "akomantoso30.xsd"
NS = {"a": AKN_NS}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    if not schema().validate(root):
        errors = "\n".join(f"{e.line}: {e.message}" for e in list(schema().error_log)[:10])
        pytest.fail(f"not valid Akoma Ntoso 3.0:\n{errors}")
    return root


def _doc(
    slug: str,
    options: dict[str, bool | str],
    values: dict[str, object] | None = None,
    village: VillageContext = LONTAR,
) -> Document:
    return assemble(
        load_template(slug), village=village, values=values or {}, options=options, today=TODAY
    )  # fmt: skip


def _all_off(slug: str) -> dict[str, bool | str]:
    """Every switch off and the first of each choice (the other end from the defaults)."""
    options = load_template(slug).options.items()
    return {n: False if s.type == "bool" else next(iter(s.choices)) for n, s in options}


CASES = [
    ("pelindungan-pmi", "default"),
    ("pelindungan-pmi", "all-off"),
    ("perkades-pendataan-pmi", "default"),
    ("perkades-pendataan-pmi", "all-off"),
    ("kepdes-satgas-pmi", "default"),
]


@pytest.mark.parametrize(("slug", "variant"), CASES)
def test_export_validates_and_mirrors_the_model(slug: str, variant: str) -> None:
    doc = _doc(slug, _all_off(slug) if variant == "all-off" else {})
    root = _valid(render_akn(doc, generated_on=TODAY))
    eids = [e.get("eId") for e in root.iter() if e.get("eId")]
    assert [k for k, n in Counter(eids).items() if n > 1] == []
    act = root.find("a:act", NS)
    assert act is not None
    # One chapter per BAB (none for a Keputusan), one article per Pasal or diktum.
    chapters = act.findall("a:body/a:chapter", NS)
    assert [c.findtext("a:num", namespaces=NS) for c in chapters] == [
        b.label for b in doc.babs if b.label
    ]
    articles = act.findall(".//a:body//a:article", NS)
    assert [a.findtext("a:num", namespaces=NS) for a in articles] == [
        p.label for p in doc.all_pasal()
    ]
    for article, pasal in zip(articles, doc.all_pasal(), strict=True):
        ayat = [b.label for b in pasal.blocks if isinstance(b, Ayat)]
        nums = [p.findtext("a:num", namespaces=NS) for p in article.findall("a:paragraph", NS)]
        assert nums == (ayat or [None])
    recitals = act.findall("a:preamble/a:recitals/a:recital", NS)
    assert len(recitals) == len(doc.menimbang)
    flagged = act.findall("a:preamble/a:citations/a:citation[@class='belum-diverifikasi']", NS)
    assert len(flagged) == len(doc.unverified_citations())
    assert act.findtext("a:preface/a:longTitle/a:p/a:docTitle", namespaces=NS) == doc.header.title
    assert act.findtext("a:preface/a:p[@class='tanda-rancangan']", namespaces=NS) == "RANCANGAN"


def test_perdes_naskah_identity_and_penjelasan() -> None:
    doc = _doc("pelindungan-pmi", {}, GOLDEN_VALUES)
    root = _valid(render_akn(doc, generated_on=TODAY))
    work = root.find("a:act/a:meta/a:identification/a:FRBRWork", NS)
    assert work is not None
    uri = work.find("a:FRBRuri", NS).get("value")
    assert uri == "/akn/id/act/perdes/36.04.13.2007/2026-11-20/rancangan"
    assert work.find("a:FRBRdate", NS).get("date") == "2026-11-20"
    assert work.find("a:FRBRcountry", NS).get("value") == "id"
    kesepakatan = root.find("a:act/a:preamble/a:formula[@name='kesepakatanBersama']", NS)
    assert kesepakatan is not None and "BADAN PERMUSYAWARATAN DESA LONTAR" in "".join(
        kesepakatan.itertext()
    )
    conclusions = "".join(root.find("a:act/a:conclusions", NS).itertext())
    assert "LEMBARAN DESA LONTAR TAHUN 2026 NOMOR 3" in conclusions
    attachment = root.find("a:act/a:attachments/a:attachment/a:doc[@name='penjelasan']", NS)
    assert attachment is not None and "PASAL DEMI PASAL" in "".join(attachment.itertext())


def test_keputusan_has_no_chapters_nor_promulgation() -> None:
    root = _valid(render_akn(_doc("kepdes-satgas-pmi", {}), generated_on=TODAY))
    act = root.find("a:act", NS)
    assert act.get("name") == "kepdes"
    assert act.findall("a:body/a:chapter", NS) == []
    assert [a.findtext("a:num", namespaces=NS) for a in act.findall("a:body/a:article", NS)] == [
        "KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA",
    ]  # fmt: skip
    assert "Diundangkan" not in "".join(act.find("a:conclusions", NS).itertext())
    assert act.find("a:attachments", NS) is None


def test_local_terms_and_unsafe_text_stay_well_formed() -> None:
    """A gampong's local forms, and text with characters XML forbids, still validate."""
    doc = _doc("pelindungan-pmi", {}, {"nama_komunitas": "KKBM <b>&amp;</b> \x0b"}, GAMPONG)
    root = _valid(render_akn(doc, generated_on=TODAY))
    doc_type = root.findtext("a:act/a:preface/a:longTitle/a:p/a:docType", namespaces=NS)
    assert doc_type is not None and doc_type.startswith("QANUN GAMPONG")


def test_naskah_is_refused_while_markers_remain() -> None:
    with pytest.raises(NotSignable):
        render_akn(_doc("perkades-pendataan-pmi", {}), kind="naskah")


def test_the_schema_rejects_a_broken_export() -> None:
    """The validation can fail: an act without its metadata is not Akoma Ntoso."""
    root = etree.fromstring(render_akn(_doc("kepdes-satgas-pmi", {}), generated_on=TODAY))
    act = root.find("a:act", NS)
    act.remove(act.find("a:meta", NS))
    assert not schema().validate(root)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(options=option_sets(), values=value_sets)
def test_any_option_set_exports_valid_akn(
    options: dict[str, bool | str], values: dict[str, object]
) -> None:
    """Random options and values (text with markup and odd characters included) always give
    valid Akoma Ntoso with unique eIds, one article per Pasal."""
    try:
        doc = assemble(TEMPLATE, village=LONTAR, values=values, options=options, today=TODAY)
    except DraftInputError:
        return  # refused input (an option needing another): nothing to export
    root = _valid(render_akn(doc, generated_on=TODAY))
    eids = [e.get("eId") for e in root.iter() if e.get("eId")]
    assert len(eids) == len(set(eids))
    assert len(root.findall(".//a:body//a:article", NS)) == len(doc.all_pasal())


def test_a_naskah_is_prescriptive_and_named_by_its_number(verified_template) -> None:  # noqa: F811
    """With every citation verified (as once the sources are found) a naskah exports as the
    prescriptive text, identified by its number, without the RANCANGAN line."""
    values = {**GOLDEN_VALUES, "nama_kepala_desa": "Junali", "nama_sekretaris_desa": "Siti"}
    doc = assemble(verified_template, village=LONTAR, values=values, options={}, today=TODAY)
    root = _valid(render_akn(doc, kind="naskah", generated_on=TODAY))
    work = root.find("a:act/a:meta/a:identification/a:FRBRWork", NS)
    assert work.find("a:FRBRnumber", NS).get("value") == "3"
    assert work.find("a:FRBRprescriptive", NS).get("value") == "true"
    assert work.find("a:FRBRuri", NS).get("value").endswith("/2026-11-20/3")
    assert root.find("a:act/a:preface/a:p[@class='tanda-rancangan']", NS) is None
    assert root.findall(".//a:citation[@class='belum-diverifikasi']", NS) == []

"""Edits layered over the template (issue #17, 1): wording, ayat, inserted Pasal, clause
references, flags for orphaned edits, and the checks edited text goes through."""

import re

import pytest
from drafting_support import LONTAR, TODAY
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perdes.drafting.assembler import UNRESOLVED, assemble, editable_units
from perdes.drafting.edits import (
    AddAyat,
    EditFormatError,
    InsertPasal,
    RemoveAyat,
    SetText,
    edits_from_json,
    edits_to_json,
    text_problems,
)
from perdes.drafting.loader import load_template
from perdes.drafting.model import Ayat, Document, Pasal
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import pasal_texts, render_text
from perdes.drafting.signing import NotSignable, signing_problems

TEMPLATE = load_template("pelindungan-pmi")


def build(edits=(), **options) -> Document:
    return assemble(TEMPLATE, village=LONTAR, values={}, options=options, today=TODAY, edits=edits)


def pasal(doc: Document, cid: str) -> Pasal:
    return next(p for p in doc.all_pasal() if p.clause_id == cid)


def body(doc: Document, cid: str) -> str:
    return next(t for c, _, t in pasal_texts(doc) if c == cid)


def test_new_wording_of_an_ayat_with_a_reference_that_follows_renumbering() -> None:
    edit = SetText(
        "tugas.pemdes",
        2,
        "Tugas sebagaimana dimaksud pada [[ref:tugas.pemdes/1]] dilaksanakan sesuai "
        "[[ref:pemberdayaan.pengasuhan]].\n- [atau] di kantor Desa\n- di rumah warga",
    )
    doc = build([edit])
    target = pasal(doc, "pemberdayaan.pengasuhan").label
    text = body(doc, "tugas.pemdes")
    assert f"(2) Tugas sebagaimana dimaksud pada ayat (1) dilaksanakan sesuai {target}." in text
    assert "a. di kantor Desa; atau" in text and "b. di rumah warga." in text
    assert doc.edited == ("tugas.pemdes",) and doc.edit_flags == ()
    # An option that removes an earlier Pasal renumbers the target: the reference follows.
    fewer = build([edit], pelaporan_perekrut=False, sanksi=False)
    moved = pasal(fewer, "pemberdayaan.pengasuhan").label
    assert moved != target
    assert f"sesuai {moved}." in body(fewer, "tugas.pemdes")


def test_adding_and_removing_ayat_keeps_numbering_automatic() -> None:
    doc = build(
        [
            RemoveAyat("tugas.pemdes", 2),
            AddAyat("tugas.pemdes", 3, 101, "Kepala Desa melaporkan pelaksanaan tugas."),
            AddAyat("hak.keluarga", 1, 101, "Hak sebagaimana dimaksud pada [[ref:hak.keluarga/1]] "
                    "dipenuhi tanpa biaya."),
        ]
    )  # fmt: skip
    ayat = [b for b in pasal(doc, "tugas.pemdes").blocks if isinstance(b, Ayat)]
    assert [a.number for a in ayat] == [1, 2, 3]
    assert [a.ordinal for a in ayat] == [1, 3, 101]
    assert ayat[2].text == "Kepala Desa melaporkan pelaksanaan tugas."
    # A Pasal without ayat that gets one: its body becomes ayat (1).
    keluarga = body(doc, "hak.keluarga")
    assert keluarga.startswith("(1) Keluarga PMI berhak:")
    assert "(2) Hak sebagaimana dimaksud pada ayat (1) dipenuhi tanpa biaya." in keluarga


def test_one_ayat_left_is_written_unnumbered() -> None:
    doc = build([RemoveAyat("informasi.sosialisasi", 2)])
    assert not any(isinstance(b, Ayat) for b in pasal(doc, "informasi.sosialisasi").blocks)


def test_inserted_pasal_renumbers_the_rest_and_template_references_follow() -> None:
    plain = build()
    doc = build([InsertPasal("asas.asas", "sisipan-1", ("Asas tambahan berlaku.",))])
    labels = [p.label for p in doc.all_pasal()]
    assert labels == [f"Pasal {n}" for n in range(1, len(labels) + 1)]
    assert len(labels) == len(plain.all_pasal()) + 1
    assert pasal(doc, "sisipan-1").number == pasal(plain, "asas.asas").number + 1
    # kewajiban.pencari-kerja refers to pendataan.kewajiban: the number moved by one
    old = pasal(plain, "pendataan.kewajiban").number
    assert f"Pasal {old + 1}." in body(doc, "kewajiban.pencari-kerja")
    assert "Asas tambahan berlaku." in render_text(doc)


def test_an_edit_whose_anchor_an_option_removes_is_flagged_not_lost() -> None:
    edits = [
        SetText("pemberdayaan.literasi", 1, "Pemerintah Desa melatih literasi keuangan."),
        AddAyat("pembiayaan.sumber", 2, 101, "Anggaran dilaporkan setiap tahun."),
    ]
    on = build(edits)
    assert on.edit_flags == ()
    off = build(edits, literasi_keuangan=False, anggaran_rinci=False)
    flagged = {cid for cid, _en, _id in off.edit_flags}
    assert flagged == {"pemberdayaan.literasi", "pembiayaan.sumber"}
    assert all("tidak disertakan oleh pilihan pasal" in m for _c, _e, m in off.edit_flags)
    en, idn = signing_problems(off)
    assert {"edit.1", "edit.2"} <= set(en) and "Suntingan tidak dapat diterapkan" in idn["edit.1"]
    with pytest.raises(NotSignable):
        render_text(off, kind="naskah")


def test_a_reference_to_a_clause_an_option_removes_is_flagged_and_marked() -> None:
    edit = SetText("tugas.pemdes", 3, "Lihat [[ref:pemberdayaan.literasi]].")
    assert build([edit]).edit_flags == ()
    off = build([edit], literasi_keuangan=False)
    assert f"Lihat {UNRESOLVED}." in body(off, "tugas.pemdes")
    assert off.edit_flags[0][0] == "tugas.pemdes"
    assert "merujuk pemberdayaan.literasi" in off.edit_flags[0][2]


def test_removing_an_ayat_the_template_refers_to_is_flagged_not_a_broken_document() -> None:
    doc = build([RemoveAyat("prosedural.sasaran", 2)])
    assert UNRESOLVED in body(doc, "pengawasan.laporan")
    assert doc.edit_flags[0][0] == "prosedural.sasaran"
    assert "dirujuk oleh pengawasan.laporan" in doc.edit_flags[0][2]
    with pytest.raises(NotSignable):
        render_text(doc, kind="naskah")


def test_an_edit_of_a_clause_the_template_no_longer_has_is_flagged() -> None:
    doc = build([SetText("tidak.ada", 1, "Teks."), InsertPasal("hilang", "sisipan-1", ("X.",))])
    assert [f[0] for f in doc.edit_flags] == ["tidak.ada", "sisipan-1"]


def test_html_in_edited_text_is_escaped_in_the_output() -> None:
    doc = build([SetText("tugas.pemdes", 3, "Koordinasi <script>alert(1)</script> & <b>x</b>.")])
    html = render_html(doc)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; &lt;b&gt;x&lt;/b&gt;" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "tidak boleh kosong"),
        ("   \n ", "tidak boleh kosong"),
        ("Nilai {{ nomor }} berlaku.", "kode templat"),
        ("{% for x in y %}x{% endfor %}", "kode templat"),
        ("[if: sanksi] Teks.", "kode templat"),
        ("Teks\x00dengan nol.", "karakter kendali"),
        ("Teks\x1bescape.", "karakter kendali"),
        ("x" * 100_000, "terlalu panjang"),
        ("Pelanggar dipidana dengan pidana kurungan.", "sanksi pidana"),
        ("Dikenakan denda paling banyak Rp1.000.000.", "sanksi pidana"),
        ("Lihat [[Pasal 3]].", "dipilih dari daftar"),
        ("Lihat [[ref:Tugas Pemdes]].", "dipilih dari daftar"),
        ("Kalimat.\n    - terlalu dalam", "tidak bertingkat"),
    ],
)
def test_edited_text_is_refused(text: str, message: str) -> None:
    assert any(message in p for p in text_problems(text)), text_problems(text)


def test_ordinary_legal_text_passes_the_checks() -> None:
    text = (
        "Pencegahan tindak pidana perdagangan orang dilakukan bersama [[ref:tugas.pemdes/1]]:\n"
        "- sosialisasi\n  - [atau] tatap muka\n  - daring\n- pendataan"
    )
    assert text_problems(text) == []


def test_edits_round_trip_through_json_and_bad_json_is_refused() -> None:
    edits = [
        SetText("a", None, "x"),
        SetText("a", 2, "y"),
        RemoveAyat("b", 1),
        AddAyat("b", 0, 101, "z"),
        InsertPasal("c", "sisipan-1", ("p", "q")),
    ]
    assert edits_from_json(edits_to_json(edits)) == edits
    for bad in (
        {"op": "set_text"},
        [{"op": "drop_table"}],
        [{"op": "remove_ayat", "pasal": "a", "ayat": "1"}],
        [{"op": "insert_pasal", "after": "a", "pasal": "s", "ayat": []}],
        [1],
    ):
        with pytest.raises(EditFormatError):
            edits_from_json(bad)


def test_editable_units_show_references_as_tokens() -> None:
    units = editable_units(
        TEMPLATE,
        village=LONTAR,
        values={},
        options={},
        today=TODAY,
        clause_id="kewajiban.pencari-kerja",
    )
    assert units is not None and [u.ordinal for u in units] == [1, 2]
    assert "[[ref:pendataan.kewajiban]]" in units[0].text
    assert units[0].text.splitlines()[1].startswith("- ")
    gone = editable_units(
        TEMPLATE, village=LONTAR, values={}, options={"literasi_keuangan": False}, today=TODAY,
        clause_id="pemberdayaan.literasi",
    )  # fmt: skip
    assert gone is None


# -- property: random edits plus random options keep numbering and references sound ----

PASAL_IDS = [p.clause_id for bab in TEMPLATE.babs for p in bab.all_pasal()]
AYAT_IDS = [
    (p.clause_id, a.ordinal) for bab in TEMPLATE.babs for p in bab.all_pasal() for a in p.ayat()
]
REF_OUT = re.compile(r"Pasal (\d+)(?: ayat \((\d+)\))?")


@st.composite
def random_edits(draw: st.DrawFn) -> list:
    refs = st.one_of(
        st.sampled_from(PASAL_IDS).map(lambda c: f"[[ref:{c}]]"),
        st.sampled_from(AYAT_IDS).map(lambda ca: f"[[ref:{ca[0]}/{ca[1]}]]"),
    )
    out: list = []
    inserted = 0
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["set", "remove", "add", "insert"]))
        text = f"Rumusan {draw(refs)} berlaku."
        if kind == "set":
            cid, ordinal = draw(st.sampled_from(AYAT_IDS))
            out.append(SetText(cid, ordinal, text))
        elif kind == "remove":
            cid, ordinal = draw(st.sampled_from(AYAT_IDS))
            out.append(RemoveAyat(cid, ordinal))
        elif kind == "add":
            cid, ordinal = draw(st.sampled_from(AYAT_IDS))
            out.append(AddAyat(cid, ordinal, 101 + len(out), text))
        else:
            inserted += 1
            out.append(
                InsertPasal(draw(st.sampled_from(PASAL_IDS)), f"sisipan-{inserted}", (text,))
            )
    return out


@st.composite
def option_sets(draw: st.DrawFn) -> dict:
    out: dict = {}
    for name, spec in TEMPLATE.options.items():
        if spec.type != "choice" and draw(st.booleans()):
            out[name] = draw(st.booleans())
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=random_edits(), options=option_sets())
def test_random_edits_keep_numbering_contiguous_and_references_resolved(edits, options) -> None:
    try:
        doc = build(edits, **options)
    except Exception as exc:  # only the template's own refusal of an option set is allowed
        assert "sanksi" in str(exc)
        return
    numbers = [p.number for p in doc.all_pasal()]
    assert numbers == list(range(1, len(numbers) + 1))
    ayat_of: dict[int, set[int]] = {}
    for p in doc.all_pasal():
        ayat = [b.number for b in p.blocks if isinstance(b, Ayat)]
        assert ayat == list(range(1, len(ayat) + 1))
        ayat_of[p.number] = set(ayat)
    flagged = {cid for cid, _en, _id in doc.edit_flags}
    for cid, _label, text in pasal_texts(doc):
        assert "[[ref:" not in text  # every token is resolved or replaced by the marker
        if UNRESOLVED in text:  # flagged: on this Pasal's edit, or on the removal it names
            assert any(f[0] == cid or f"oleh {cid}" in f[2] for f in doc.edit_flags)
        for m in REF_OUT.finditer(text):
            number = int(m.group(1))
            assert number in ayat_of, m.group(0)
            if m.group(2) and ayat_of[number]:
                assert int(m.group(2)) in ayat_of[number], m.group(0)
    # every edit is either applied to a Pasal present in the document, or flagged
    present = {p.clause_id for p in doc.all_pasal()}
    for e in edits:
        assert e.pasal in present or e.pasal in flagged

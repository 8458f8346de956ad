import re
from pathlib import Path

import pytest
from drafting_support import GOLDEN_VALUES, LONTAR, NAGARI, TODAY, write_template

from perdes.drafting.assembler import assemble
from perdes.drafting.catalogue import load_catalogue
from perdes.drafting.errors import CrossReferenceError, DraftInputError
from perdes.drafting.loader import load_template
from perdes.drafting.manifest import Template
from perdes.drafting.model import Bagian, Document, Pasal
from perdes.drafting.render_text import pasal_texts, render_text


def _pasal(doc: Document, clause_id: str) -> Pasal:
    return next(p for p in doc.all_pasal() if p.clause_id == clause_id)


def _text(doc: Document, clause_id: str) -> str:
    return next(t for cid, _, t in pasal_texts(doc) if cid == clause_id)


def test_numbering_is_contiguous(lontar_doc: Document) -> None:
    assert [b.label for b in lontar_doc.babs][:5] == [
        "BAB I",
        "BAB II",
        "BAB III",
        "BAB IV",
        "BAB V",
    ]
    numbers = [p.number for p in lontar_doc.all_pasal()]
    assert numbers == list(range(1, len(numbers) + 1))
    assert 40 <= len(numbers) <= 55
    bab4 = lontar_doc.babs[3]
    assert [(b.label, b.title) for b in bab4.parts if isinstance(b, Bagian)] == [
        ("Bagian Kesatu", "Hak"),
        ("Bagian Kedua", "Kewajiban"),
    ]


def test_cross_references_resolve_after_numbering(lontar_doc: Document) -> None:
    target = _pasal(lontar_doc, "pendataan.kewajiban").number
    assert f"sebagaimana dimaksud dalam Pasal {target}." in _text(
        lontar_doc, "kewajiban.pencari-kerja"
    )
    tugas = _pasal(lontar_doc, "tugas.pemdes").number
    assert f"dalam Pasal {tugas} ayat (1)." in _text(lontar_doc, "tugas.pelaksana")
    # a reference inside the same Pasal says only "ayat (n)"
    assert "sebagaimana dimaksud pada ayat (2) digunakan" in _text(lontar_doc, "pembiayaan.sumber")


def test_excluding_a_pasal_renumbers_and_keeps_references_right(template: Template) -> None:
    doc = assemble(
        template, village=LONTAR, values={}, options={"berbagi_data": False}, today=TODAY
    )
    ids = [p.clause_id for p in doc.all_pasal()]
    assert "pendataan.penyampaian" not in ids
    full = assemble(template, village=LONTAR, values={}, options={}, today=TODAY)
    assert len(full.all_pasal()) == len(ids) + 1
    target = _pasal(doc, "pendataan.kewajiban").number
    assert f"dalam Pasal {target}." in _text(doc, "kewajiban.pencari-kerja")
    # the register is always kept, so UU 27/2022 and its Menimbang stay (issue #12, 4)
    assert any(c.key == "uu-27-2022" for c in doc.mengingat)
    assert len(doc.menimbang) == len(full.menimbang)
    assert "hanya disampaikan kepada pihak lain berdasarkan ketentuan" in _text(
        doc, "pendataan.pelindungan-data"
    )


def test_bagian_option_only_removes_the_subdivision(template: Template) -> None:
    doc = assemble(template, village=LONTAR, values={}, options={"bagian": False}, today=TODAY)
    assert not any(isinstance(part, Bagian) for bab in doc.babs for part in bab.parts)
    full = assemble(template, village=LONTAR, values={}, options={}, today=TODAY)
    assert [p.clause_id for p in doc.all_pasal()] == [p.clause_id for p in full.all_pasal()]


def test_alternative_wording_for_the_institution(template: Template) -> None:
    doc = assemble(
        template, village=LONTAR, values={}, options={"lembaga": "komunitas"}, today=TODAY
    )
    assert (
        "Komunitas Keluarga Pekerja Migran Indonesia Desa Lontar yang selanjutnya disebut "
        "Komunitas PMI" in _text(doc, "umum.definisi")
    )
    assert "mengukuhkan Komunitas PMI" in _text(doc, "kelembagaan.pembentukan")
    assert "perka-bnp2tki-6-2017" in [c.key for c in doc.mengingat]
    assert "membentuk Satgas PMI" in _text(
        assemble(template, village=LONTAR, values={}, options={}, today=TODAY),
        "kelembagaan.pembentukan",
    )


def test_option_dependency_violation_is_reported(template: Template) -> None:
    with pytest.raises(DraftInputError) as err:
        assemble(
            template, village=LONTAR, values={}, options={"pelaporan_perekrut": False}, today=TODAY
        )
    assert "requires 'pelaporan_perekrut'" in err.value.errors["sanksi"]
    assert "memerlukan" in err.value.messages_id["sanksi"]
    doc = assemble(
        template,
        village=LONTAR,
        values={},
        options={"pelaporan_perekrut": "off", "sanksi": "off"},
        today=TODAY,
    )
    assert "SANKSI ADMINISTRATIF" not in [b.title for b in doc.babs]
    assert "Perekrut telah melapor" not in render_text(doc)


def test_reference_to_an_excluded_clause_names_both(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        """\
        BAB a: SATU
        PASAL a.opsional [if: tambahan]
        Teks.
        PASAL a.perujuk
        Lihat {{ ref("a.opsional") }}.
        """,
        "options:\n  tambahan: {label: Tambahan, default: true}\n",
    )
    t = load_template(folder)
    assert "Pasal 1." in render_text(
        assemble(t, village=LONTAR, values={}, options={}, today=TODAY)
    )
    with pytest.raises(CrossReferenceError) as err:
        assemble(t, village=LONTAR, values={}, options={"tambahan": False}, today=TODAY)
    assert err.value.source_id == "a.perujuk" and err.value.target_id == "a.opsional"
    assert "a.perujuk" in str(err.value) and "a.opsional" in str(err.value)


def test_plain_wording_prints_as_jinja_would_and_jinja_wording_still_runs(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        """\
        BAB a: SATU
        PASAL a.polos
        Tanda {kurung} 50% dan #1 } { tetap.
        PASAL a.jinja
        Desa {{ nama_desa }}.
        PASAL a.komentar
        Hanya{# catatan penyusun #} komentar.
        PASAL a.pernyataan
        {% if true %}Pernyataan{% endif %} saja.
        """,
    )
    text = render_text(
        assemble(load_template(folder), village=LONTAR, values={}, options={}, today=TODAY)
    )
    assert "Tanda {kurung} 50% dan #1 } { tetap." in text
    assert f"Desa {LONTAR.desa_name}." in text
    assert "Hanya komentar." in text and "catatan" not in text
    assert "Pernyataan saja." in text and "endif" not in text


@pytest.mark.parametrize(
    ("keep", "expected"),
    [
        ("false", "sebagaimana dimaksud dalam huruf a, perlu menetapkan"),
        ("true", "sebagaimana dimaksud dalam huruf a dan huruf b, perlu menetapkan"),
    ],
)
def test_last_menimbang_for_one_and_two_items(tmp_path: Path, keep: str, expected: str) -> None:
    folder = write_template(
        tmp_path,
        "BAB a: SATU\nPASAL a.b\nTeks.\n",
        f"options:\n  dua: {{label: Dua, default: {keep}}}\n",
    )
    manifest = folder / "manifest.yaml"
    manifest.write_text(
        manifest.read_text().replace("  - bahwa dua\n", "  - {text: bahwa dua, if: dua}\n"),
        encoding="utf-8",
    )
    doc = assemble(load_template(folder), village=LONTAR, values={}, options={}, today=TODAY)
    assert expected in doc.menimbang[-1][1]
    assert doc.menimbang[-1][1].endswith(
        "perlu menetapkan Peraturan Desa tentang Contoh Pengaturan;"
    )


def test_last_menimbang_for_many_items(lontar_doc: Document) -> None:
    letters = [label.rstrip(".") for label, _ in lontar_doc.menimbang[:-1]]
    assert letters == ["a", "b", "c", "d"]
    assert "dalam huruf a, huruf b, huruf c, dan huruf d, perlu" in lontar_doc.menimbang[-1][1]


def test_mengingat_ordered_by_level_then_year(lontar_doc: Document) -> None:
    cat = load_catalogue()
    keys = [cat.instruments[c.key].sort_key() for c in lontar_doc.mengingat]
    assert keys == sorted(keys)
    assert [c.label for c in lontar_doc.mengingat][:2] == ["1.", "2."]


def test_local_terms_everywhere(template: Template) -> None:
    doc = assemble(
        template,
        village=NAGARI,
        values={"tanggal_penetapan": "2025-12-30", "tanggal_pengundangan": "2026-01-05"},
        options={},
        today=TODAY,
    )
    assert doc.header.jabatan == "WALI NAGARI SUNGAI PUA"
    assert doc.header.nomor == "NOMOR … TAHUN 2025"  # the year of enactment
    assert doc.header.jenis == "PERATURAN NAGARI SUNGAI PUA"
    assert doc.kesepakatan[1] == "BADAN PERMUSYAWARATAN NAGARI SUNGAI PUA"
    # the Lembaran year is the year of promulgation
    assert doc.lembaran.startswith("LEMBARAN NAGARI SUNGAI PUA TAHUN 2026")
    assert doc.pengundangan.jabatan == "SEKRETARIS NAGARI SUNGAI PUA,"
    definitions = _text(doc, "umum.definisi")
    assert "Nagari adalah Nagari Sungai Pua" in definitions
    # no abbreviation is invented where none is known (local-forms.yaml)
    assert "Badan Permusyawaratan Nagari adalah lembaga" in definitions
    assert "BPN" not in render_text(doc) and "BPD" not in render_text(doc)
    assert "anggota Badan Permusyawaratan Nagari" in _text(doc, "pencegahan.larangan")
    body = "\n".join(t for _, _, t in pasal_texts(doc))
    assert re.search(r"\bDesa\b", body) is None
    assert re.search(r"\bKepala Desa\b", render_text(doc)) is None


def test_no_criminal_sanctions(lontar_doc: Document) -> None:
    body = "\n".join(t for _, _, t in pasal_texts(lontar_doc)).lower()
    for phrase in ("pidana penjara", "pidana kurungan", "denda paling banyak"):
        assert phrase not in body
    assert "sanksi administratif secara bertahap berupa" in body
    # graded, no public naming of a person (issue #12, 5)
    assert "pengumuman" not in _text(lontar_doc, "sanksi.jenis").lower()
    assert "huruf b dijatuhkan apabila" in _text(lontar_doc, "sanksi.jenis")


def test_header_signatures_and_closing(lontar_doc: Document) -> None:
    assert lontar_doc.header.nomor == "NOMOR 3 TAHUN 2026"
    assert lontar_doc.penetapan.lines == ("Ditetapkan di Lontar", "pada tanggal 20 November 2026")
    assert lontar_doc.penetapan.name == "JUNALI ABDULLAH"
    assert lontar_doc.lembaran == "LEMBARAN DESA LONTAR TAHUN 2026 NOMOR 3"
    last = lontar_doc.all_pasal()[-1]
    assert "mulai berlaku pada tanggal diundangkan" in _text(lontar_doc, last.clause_id)
    assert lontar_doc.penjelasan.pasal[-1][0].number == last.number


def test_draft_without_number_shows_dots(template: Template) -> None:
    doc = assemble(template, village=LONTAR, values={}, options={}, today=TODAY)
    assert doc.header.nomor == "NOMOR … TAHUN 2026"
    assert doc.penetapan.lines[1] == "pada tanggal …"
    assert GOLDEN_VALUES["nomor"] == "3"


def test_nested_items_labels_and_punctuation(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        """\
        BAB a: SATU
        PASAL a.daftar
        (1) Kegiatan meliputi:
        - [atau] pertama;
        - kedua
          - satu
          - dua
            - alfa
              - angka satu
              - angka dua
            - beta
        - [if: tidak_ada_opsi == 1] dibuang
        - ketiga.
        (2) Ayat kedua.
        """,
        "options:\n  tidak_ada_opsi: {type: choice, label: X, choices: ['0', '1'], default: '0'}\n",
    )
    doc = assemble(load_template(folder), village=LONTAR, values={}, options={}, today=TODAY)
    assert render_text(doc).split("Pasal 1\n")[1].split("\n\n")[0].splitlines() == [
        "(1) Kegiatan meliputi:",
        "    a. pertama;",
        "    b. kedua:",
        "        1. satu; dan",
        "        2. dua:",
        "            a) alfa:",
        "                1) angka satu; dan",
        "                2) angka dua; dan",  # alfa is second-to-last: its conjunction
        "            b) beta; atau",  # kedua is second-to-last at the top: "atau"
        "    c. ketiga.",
        "(2) Ayat kedua.",
    ]


def test_a_pasal_left_with_one_ayat_is_unnumbered(template: Template) -> None:
    doc = assemble(
        template, village=LONTAR, values={}, options={"anggaran_rinci": False}, today=TODAY
    )
    text = _text(doc, "pembiayaan.sumber")
    assert text.splitlines()[0] == "Pembiayaan pelaksanaan Peraturan Desa ini bersumber dari:"
    assert "(1)" not in text and "a. APB Desa; dan" in text


def test_list_conjunction_survives_an_excluded_first_item(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        """\
        BAB a: SATU
        PASAL a.daftar
        Pilihan:
        - [dan/atau] [if: nol] dibuang
        - pertama
        - kedua
        """,
        "options:\n  nol: {label: Nol, default: false}\n",
    )
    doc = assemble(load_template(folder), village=LONTAR, values={}, options={}, today=TODAY)
    assert _text(doc, "a.daftar").splitlines() == ["Pilihan:", "a. pertama; dan/atau", "b. kedua."]


def test_a_name_set_in_one_clause_does_not_leak_into_the_next(tmp_path) -> None:
    # One Jinja context serves the whole document; what a clause assigns stays in it.
    folder = write_template(
        tmp_path,
        """\
        BAB a: SATU
        PASAL a.pertama
        {% set nama_desa = "Lain" %}Desa {{ nama_desa }}.
        PASAL a.kedua
        Desa {{ nama_desa }}.
        """,
    )
    doc = assemble(load_template(folder), village=LONTAR, values={}, options={}, today=TODAY)
    assert _text(doc, "a.pertama") == "Desa Lain."
    assert _text(doc, "a.kedua") == f"Desa {LONTAR.desa_name}."

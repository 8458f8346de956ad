"""The Peraturan Kepala Desa and the Keputusan Kepala Desa that implement the PMI Perdes
(issue #17, point 4): form per Permendagri 111/2014, golden files, what a naskah needs."""

import io
import os
from pathlib import Path

import docx
import pytest
from drafting_support import LONTAR, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.companions import (
    COMPANION_TEMPLATES,
    delegating_clauses,
    is_promulgated,
    needs_bpd_agreement,
    values_from_perdes,
)
from perdes.drafting.errors import DraftInputError
from perdes.drafting.loader import check_template, list_templates, load_template
from perdes.drafting.model import (
    KEPUTUSAN_KEPALA_DESA,
    PERATURAN_DESA,
    PERATURAN_KEPALA_DESA,
    Document,
    VillageContext,
)
from perdes.drafting.render_docx import render_docx
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import render_text
from perdes.drafting.signing import NotSignable, check_kind, signing_problems
from perdes.regions.eligibility import PerdesNotAllowed

GOLDEN = Path(__file__).parent / "golden"
PERKADES_VALUES: dict[str, object] = {
    "nomor": "1",
    "tahun": 2026,
    "tanggal_penetapan": "2026-11-24",
    "tanggal_pengundangan": "2026-11-24",
    "nomor_lembaran": "1",
    "perdes_nomor": "3",
    "perdes_tahun": "2026",
    "perdes_lembaran_tahun": "2026",
    "perdes_lembaran_nomor": "3",
    "pasal_delegasi": "Pasal 13 ayat (4), Pasal 20 ayat (8), dan Pasal 37 ayat (4)",
}
KEPDES_VALUES: dict[str, object] = {
    "nomor": "7",
    "tanggal_penetapan": "2026-11-24",
    "perdes_nomor": "3",
    "perdes_tahun": "2026",
    "perdes_lembaran_tahun": "2026",
    "perdes_lembaran_nomor": "3",
    "pasal_pembentukan": "Pasal 37 ayat (2)",
    "nama_ketua": "Casmah",
    "nama_sekretaris": "Dedi Supriatna",
    "nama_bendahara": "Sumiati",
    "nama_anggota": "Rina Marlina, Ujang, Nurhayati",
}


def _doc(slug: str, values: dict[str, object], village: VillageContext = LONTAR) -> Document:
    return assemble(load_template(slug), village=village, values=values, options={}, today=TODAY)


def _paragraphs(doc: Document) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(doc))).paragraphs) + "\n"


@pytest.mark.parametrize(
    ("slug", "values"),
    [("perkades-pendataan-pmi", PERKADES_VALUES), ("kepdes-satgas-pmi", KEPDES_VALUES)],
)
@pytest.mark.parametrize(("suffix", "render"), [("docx.txt", _paragraphs), ("txt", render_text)])
def test_golden(slug: str, values: dict[str, object], suffix: str, render: object) -> None:
    assert callable(render)
    actual = render(_doc(slug, values))
    path = GOLDEN / f"{slug}.{suffix}"
    if os.environ.get("PERDES_UPDATE_GOLDEN") == "1":
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("slug", sorted(COMPANION_TEMPLATES.values()))
def test_templates_are_sound_and_listed(slug: str) -> None:
    assert check_template(slug) == []
    assert slug in {t.slug for t in list_templates()}


def test_perkades_form() -> None:
    """Set by the Kepala Desa alone, promulgated in the Berita Desa, no Penjelasan."""
    doc = _doc("perkades-pendataan-pmi", PERKADES_VALUES)
    text = render_text(doc)
    assert doc.bentuk == PERATURAN_KEPALA_DESA
    assert doc.header.jenis == "PERATURAN KEPALA DESA LONTAR"
    assert doc.kesepakatan == () and "Kesepakatan Bersama" not in text
    assert "Menetapkan: PERATURAN KEPALA DESA TENTANG TATA CARA PENDATAAN" in text
    assert doc.lembaran == "BERITA DESA LONTAR TAHUN 2026 NOMOR 1"
    assert "penempatannya dalam Berita Desa Lontar." in text
    assert "PENJELASAN" not in text
    # The Perdes it implements is the last Mengingat item, with its Lembaran Desa.
    assert doc.mengingat[-1].text == (
        "Peraturan Desa Lontar Nomor 3 Tahun 2026 tentang Pelindungan Pekerja Migran Indonesia "
        "(Lembaran Desa Lontar Tahun 2026 Nomor 3);"
    )
    # Numbers of days inherited from the Perdes are the Perdes' own: postponement 5 days.
    assert "paling lama 5 (lima) hari kerja sebagaimana ditentukan dalam Peraturan Desa" in text


def test_kepdes_form() -> None:
    """Diktum KESATU … instead of Pasal, in force when set, not promulgated."""
    doc = _doc("kepdes-satgas-pmi", KEPDES_VALUES)
    labels = [p.label for p in doc.all_pasal()]
    assert labels == ["KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA"]
    assert doc.pengundangan is None and doc.lembaran == "" and doc.kesepakatan == ()
    html = render_html(doc)
    assert "Diundangkan" not in html and "BAB" not in html
    paragraphs = _paragraphs(doc)
    assert "KESATU\t:\tMembentuk Satuan Tugas Pelindungan Pekerja Migran Indonesia Desa Lontar" in (
        paragraphs
    )
    assert "d.\tAnggota: Rina Marlina, Ujang, Nurhayati." in paragraphs
    assert "KELIMA\t:\tKeputusan Kepala Desa ini mulai berlaku pada tanggal ditetapkan." in (
        paragraphs
    )


def test_kepdes_naskah_needs_the_members_and_the_perdes_numbers() -> None:
    doc = _doc("kepdes-satgas-pmi", {"nomor": "7", "tanggal_penetapan": "2026-11-24"})
    _, idn = signing_problems(doc)
    assert {"nama_ketua", "nama_sekretaris", "nama_bendahara", "nama_anggota"} <= set(idn)
    assert idn["nama_ketua"] == "Ketua belum diisi"
    local = [k for k in idn if k.startswith("mengingat.desa-")]
    assert local and "nomor, tahun, atau nomor Lembaran Desa belum diisi" in idn[local[0]]
    with pytest.raises(NotSignable):
        check_kind(doc, "naskah")
    # Filled in, the members and the Perdes no longer block; only the national catalogue's
    # unverified entries remain (they are data, verified by a catalogue change).
    _, idn = signing_problems(_doc("kepdes-satgas-pmi", KEPDES_VALUES))
    assert all(k.startswith("mengingat.") and "desa-" not in k for k in idn)


def test_perkades_naskah_names_the_berita_desa() -> None:
    doc = _doc("perkades-pendataan-pmi", {})
    _, idn = signing_problems(doc)
    assert idn["nomor_lembaran"] == "Nomor Berita Desa belum diisi"
    assert idn["nomor"] == "Nomor Peraturan Kepala Desa belum diisi"


@pytest.mark.parametrize("slug", sorted(COMPANION_TEMPLATES.values()))
def test_kelurahan_cannot(slug: str) -> None:
    kelurahan = VillageContext("Cipare", "Serang", "Kota Serang", "Banten", "36.73.01.1001")
    with pytest.raises(PerdesNotAllowed):
        _doc(slug, {}, kelurahan)


def test_bad_values_are_refused_per_field() -> None:
    with pytest.raises(DraftInputError) as caught:
        _doc("kepdes-satgas-pmi", {"masa_tugas_tahun": 9, "nama_ketua": "x" * 101})
    assert {"masa_tugas_tahun", "nama_ketua"} <= set(caught.value.messages_id)


def test_delegations_follow_the_perdes_numbering(lontar_doc: Document) -> None:
    """The delegating Pasal are read from the assembled Perdes, so an option that renumbers
    it renumbers them too; each names the ayat that says "diatur/ditetapkan dengan …"."""
    where = delegating_clauses(lontar_doc, PERATURAN_KEPALA_DESA)
    parts = where.replace(", dan ", ", ").split(", ")
    assert len(parts) == 3
    by_id = {p.clause_id: p for p in lontar_doc.all_pasal()}
    delegating = ["pendataan.kewajiban", "dokumen.izin-keluarga", "kelembagaan.pembentukan"]
    for part, cid in zip(parts, delegating, strict=True):
        pasal_label, ayat = part.split(" ayat ")
        assert pasal_label == by_id[cid].label
        number = int(ayat.strip("()"))
        ayat_text = next(b.text for b in by_id[cid].blocks if getattr(b, "number", 0) == number)
        assert "diatur dengan Peraturan Kepala Desa" in ayat_text
    kepdes = delegating_clauses(lontar_doc, KEPUTUSAN_KEPALA_DESA)
    assert kepdes.startswith(by_id["kelembagaan.pembentukan"].label + " ayat (2)")
    # The Perdes' own closing Pasal cites the same three places.
    closing = by_id["penutup.perkades"].blocks[0]
    assert all(p in getattr(closing, "text", "") for p in parts)


def test_values_from_perdes(lontar_doc: Document) -> None:
    tracked = {"nomor": "3", "tahun": "2026", "nomor_lembaran": "3",
               "tanggal_pengundangan": "2026-11-21"}  # fmt: skip
    values = values_from_perdes(lontar_doc, tracked, KEPUTUSAN_KEPALA_DESA)
    assert values["perdes_nomor"] == "3" and values["perdes_lembaran_tahun"] == "2026"
    assert values["pasal_pembentukan"].endswith("ayat (2)")
    assert values_from_perdes(None, {}, PERATURAN_KEPALA_DESA) == {}


def test_steps_by_instrument() -> None:
    assert needs_bpd_agreement(PERATURAN_DESA)
    assert not needs_bpd_agreement(PERATURAN_KEPALA_DESA)
    assert not needs_bpd_agreement(KEPUTUSAN_KEPALA_DESA)
    assert is_promulgated(PERATURAN_KEPALA_DESA) and not is_promulgated(KEPUTUSAN_KEPALA_DESA)

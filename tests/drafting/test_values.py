import pytest
from drafting_support import LONTAR, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.errors import DraftInputError
from perdes.drafting.manifest import Template
from perdes.drafting.model import VillageContext
from perdes.drafting.render_html import render_html
from perdes.drafting.render_text import render_text


def _errors(
    template: Template,
    values: dict[str, object],
    options: dict[str, bool | str] | None = None,
    village: VillageContext = LONTAR,
) -> DraftInputError:
    with pytest.raises(DraftInputError) as err:
        assemble(template, village=village, values=values, options=options or {}, today=TODAY)
    return err.value


@pytest.mark.parametrize(
    ("values", "field", "fragment"),
    [
        ({"nama_kepala_desa": "Budi\x07"}, "nama_kepala_desa", "control characters"),
        ({"nama_kepala_desa": "Budi\x00"}, "nama_kepala_desa", "control characters"),
        ({"nama_kepala_desa": "x" * 10_000}, "nama_kepala_desa", "longer than 100"),
        ({"nama_kepala_desa": "Budi\x0bSantoso"}, "nama_kepala_desa", "single line"),
        ({"nama_kepala_desa": "{{ desa }}"}, "nama_kepala_desa", "template markers"),
        ({"tahun": 3000}, "tahun", "between 2014–2027"),
        ({"tahun": 1900}, "tahun", "between"),
        ({"tahun": "dua ribu"}, "tahun", "whole number"),
        ({"tanggal_penetapan": "2026-02-30"}, "tanggal_penetapan", "date"),
        ({"tanggal_penetapan": "3026-01-01"}, "tanggal_penetapan", "year must be"),
        ({"batas_lapor_hari": 0}, "batas_lapor_hari", "between 1–30"),
        ({"frekuensi_rekap": "mingguan"}, "frekuensi_rekap", "one of"),
        ({"mengingat_tambahan": ["uu-99-1999"]}, "mengingat_tambahan", "unknown citation"),
        ({"variabel_asing": "x"}, "variabel_asing", "unknown variable"),
    ],
)
def test_bad_values_are_refused_per_field(
    template: Template, values: dict[str, object], field: str, fragment: str
) -> None:
    err = _errors(template, values)
    assert fragment in err.errors[field]
    assert err.messages_id[field] and err.messages_id[field] != err.errors[field]


def test_empty_required_value_without_default(template: Template) -> None:
    nameless = VillageContext(
        desa_name="Lontar", kecamatan_name="Tirtayasa", kabupaten_name="Kabupaten Serang",
        provinsi_name="Banten", village_code="36.04.13.2007",
    )  # fmt: skip
    err = _errors(template, {"nama_kepala_desa": "  "}, village=nameless)
    assert err.errors["nama_kepala_desa"] == "is required"
    assert err.messages_id["nama_kepala_desa"] == "wajib diisi"
    assert "nama_sekretaris_desa" in err.errors  # every bad field at once


@pytest.mark.parametrize(
    ("options", "field", "fragment"),
    [
        ({"opsi_asing": True}, "opsi_asing", "unknown option"),
        ({"lembaga": "rt"}, "lembaga", "one of"),
        ({"koperasi_bumdes": "mungkin"}, "koperasi_bumdes", "on or off"),
    ],
)
def test_bad_options_are_refused(
    template: Template, options: dict[str, bool | str], field: str, fragment: str
) -> None:
    assert fragment in _errors(template, {}, options).errors[field]


def test_html_in_values_is_text_not_markup(template: Template) -> None:
    name = "CV <Maju> & Jaya"
    doc = assemble(
        template,
        village=LONTAR,
        values={"nama_kepala_desa": name, "singkatan_lembaga": "<b>KKBM</b>"},
        options={},
        today=TODAY,
    )
    html = render_html(doc)
    assert "CV &lt;MAJU&gt; &amp; JAYA" in html
    assert "&lt;b&gt;KKBM&lt;/b&gt;" in html and "<b>" not in html
    assert "CV <MAJU> & JAYA" in render_text(doc)


def test_values_are_typed_from_strings(template: Template) -> None:
    doc = assemble(
        template,
        village=LONTAR,
        values={"tahun": "2025", "batas_lapor_hari": "14", "tanggal_penetapan": "2025-03-01"},
        options={"anggaran_rinci": "off"},
        today=TODAY,
    )
    assert doc.header.nomor.endswith("TAHUN 2025")
    assert "14 (empat belas) hari" in render_text(doc)
    assert doc.penetapan.lines[1] == "pada tanggal 1 Maret 2025"

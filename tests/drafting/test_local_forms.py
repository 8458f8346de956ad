"""Local legal forms as data (templates/perdes/local-forms.yaml) and profile overrides."""

import dataclasses
from pathlib import Path

import pytest
from drafting_support import DESA_KOTA, GAMPONG, LONTAR, NAGARI_TIKU, TODAY

from perdes.drafting.assembler import assemble
from perdes.drafting.errors import TemplateError
from perdes.drafting.local_forms import (
    check_local_forms,
    daerah_of,
    load_local_forms,
    resolve_local_form,
)
from perdes.drafting.manifest import Template
from perdes.drafting.render_text import pasal_texts, render_text
from perdes.drafting.signing import signing_problems

PAPUA = dataclasses.replace(
    LONTAR,
    desa_name="Sereh",
    kecamatan_name="Sentani",
    kabupaten_name="Kabupaten Jayapura",
    provinsi_name="Papua",
    village_code="91.03.01.2004",
)


def _body(template: Template, village) -> str:
    doc = assemble(template, village=village, values={}, options={}, today=TODAY)
    return "\n".join(t for _, _, t in pasal_texts(doc))


def test_the_data_file_is_sound() -> None:
    assert check_local_forms() == []
    data = load_local_forms()
    assert data.default["jenis_peraturan"] == "Peraturan Desa"


def test_kabupaten_or_kota_follows_the_code(template: Template) -> None:
    assert daerah_of("36.04.13.2007") == "kabupaten"
    assert daerah_of("35.79.01.2005") == "kota"
    assert daerah_of("36.71") == "kota" and daerah_of("36.69.01.2001") == "kabupaten"
    kota = _body(template, DESA_KOTA)
    assert "perangkat daerah kota yang menyelenggarakan" in kota
    assert "kepada Wali Kota melalui Camat" in kota and "pemerintah kota" in kota
    assert "perangkat daerah kabupaten" not in kota and "Bupati" not in kota
    desa = _body(template, LONTAR)
    assert "perangkat daerah kabupaten yang menyelenggarakan" in desa
    assert "kepada Bupati melalui Camat" in desa


def test_aceh_gets_a_qanun_gampong_without_an_invented_abbreviation(template: Template) -> None:
    doc = assemble(template, village=GAMPONG, values={}, options={}, today=TODAY)
    assert doc.header.jenis == "QANUN GAMPONG KEUDE BAKONGAN"
    assert doc.diktum[1] == "QANUN GAMPONG TENTANG PELINDUNGAN PEKERJA MIGRAN INDONESIA."
    assert doc.kesepakatan[1] == "TUHA PEUT GAMPONG KEUDE BAKONGAN"
    assert doc.pengundangan.jabatan == "SEKRETARIS GAMPONG KEUDE BAKONGAN,"
    body = "\n".join(t for _, _, t in pasal_texts(doc))
    assert "Tuha Peut Gampong adalah lembaga" in body and "TPG" not in body
    assert "selanjutnya disingkat BPD" not in body
    # the terms are not verified in domain.md: marked in a rancangan, block a naskah
    assert "Qanun Gampong" in doc.unverified_terms
    assert "Sebutan lokal [belum diverifikasi]: Qanun Gampong" in render_text(doc)
    assert "local_form" in signing_problems(doc)[0]


def test_papua_uses_distrik(template: Template) -> None:
    body = _body(template, PAPUA)
    assert "Kampung Sereh, Distrik Sentani, Kabupaten Jayapura" in body
    assert "melalui Kepala Distrik" in body and "Camat" not in body


def test_nagari_from_the_data(template: Template) -> None:
    doc = assemble(template, village=NAGARI_TIKU, values={}, options={}, today=TODAY)
    assert doc.header.jenis == "PERATURAN NAGARI TIKU SELATAN"
    assert "Badan Permusyawaratan Nagari adalah lembaga" in _body(template, NAGARI_TIKU)


def test_profile_overrides_win_and_confirm_the_terms(template: Template) -> None:
    confirmed = dataclasses.replace(
        GAMPONG,
        jenis_peraturan="Qanun Gampong",
        sebutan_desa="Gampong",
        sebutan_kepala_desa="Keuchik",
        sebutan_bpd="Tuha Peut Gampong",
        singkatan_bpd="TPG",
    )
    form = resolve_local_form(confirmed)
    assert form.unverified == () and form.bpd_singkat == "TPG"
    doc = assemble(template, village=confirmed, values={}, options={}, today=TODAY)
    assert "Tuha Peut Gampong yang selanjutnya disingkat TPG adalah" in "\n".join(
        t for _, _, t in pasal_texts(doc)
    )
    assert "local_form" not in signing_problems(doc)[0]
    # a profile still holding the national default does not override the region
    untouched = dataclasses.replace(GAMPONG, sebutan_desa="Desa")
    assert resolve_local_form(untouched).sebutan_desa == "Gampong"
    # and a desa outside the listed regions keeps the national, verified form
    assert resolve_local_form(LONTAR).unverified == ()


def test_a_broken_or_unsourced_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "local-forms.yaml"
    path.write_text(
        "default:\n  jenis_peraturan: Peraturan Desa\n"
        "regions:\n  '11': {jenis_peraturan: Qanun, verified: true, warna: merah}\n",
        encoding="utf-8",
    )
    messages = [p.message for p in check_local_forms(path)]
    assert any("missing 'sebutan_desa'" in m for m in messages)
    assert any("unknown keys: warna" in m for m in messages)
    assert any("needs 'source'" in m for m in messages)
    with pytest.raises(TemplateError):
        load_local_forms(path)

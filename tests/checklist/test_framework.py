"""The framework format: the shipped v1 is valid, and every problem is reported with where it is."""

from pathlib import Path

import pytest

from perdes.checklist.framework import (
    FrameworkInvalid,
    bundled_files,
    content_hash,
    from_data,
    load_framework_file,
    parse_framework,
    to_data,
)

GOOD = """\
id: mini
version: 1
title: Mini
description: Kerangka uji.
pillars:
  - id: satu
    title: Pilar satu
    items:
      - id: a
        title: Butir A
        description: Penjelasan A.
        legal_basis: UU No. 18 Tahun 2017, Pasal 42
        evidence: Dokumen A.
        weight: 2
        mandatory: true
"""


def problems(text):
    with pytest.raises(FrameworkInvalid) as caught:
        parse_framework(text, source="uji.yaml")
    return caught.value.problems


def test_shipped_framework_is_valid_indonesian_and_says_it_is_a_proposal():
    path = bundled_files()[0]
    framework = load_framework_file(path)
    assert (framework.id, framework.version) == ("desa-pmi-prosedural", 1)
    assert [p.title for p in framework.pillars] == [
        "Regulasi dan kelembagaan",
        "Layanan informasi dan sosialisasi",
        "Pendataan dan pemantauan",
        "Administrasi kependudukan",
        "Pengaduan dan penanganan kasus",
        "Pemberdayaan",
    ]
    assert "bukan standar atau penetapan resmi" in framework.description
    assert "usulan" in framework.description
    items = {i.id: i for i in framework.items()}
    assert len(items) == 13
    assert items["perdes-diundangkan"].rule.fact == "tracker.promulgated"
    assert items["data-pmi-profil-terkini"].rule.params == {"days": 180}
    assert all(i.legal_basis and i.evidence for i in items.values())


def test_round_trip_through_stored_json_keeps_content_and_hash():
    framework = parse_framework(GOOD)
    again = from_data(to_data(framework))
    assert again == framework
    assert content_hash(again) == content_hash(framework)
    reformatted = GOOD.replace("weight: 2", "weight:    2.0")
    assert content_hash(parse_framework(reformatted)) == content_hash(framework)


def test_item_problems_name_the_item_the_yaml_path_and_the_line():
    text = GOOD.replace("weight: 2", "weight: -1").replace(
        "        mandatory: true\n", "        mandatory: ya\n        rule: {fact: nope}\n"
    )
    found = {p.path: p for p in problems(text)}
    weight = found["pillars[0].items[0].weight"]
    assert weight.item_id == "a" and weight.line == 14 and "antara 0 dan" in weight.message
    assert found["pillars[0].items[0].mandatory"].line == 15
    rule = found["pillars[0].items[0].rule.fact"]
    assert "fakta tidak dikenal" in rule.message and "tracker.promulgated" in rule.message
    assert str(weight).startswith("uji.yaml:14: pillars[0].items[0].weight (butir a): ")


def test_missing_and_mistyped_top_level_fields():
    text = "id: Bukan Slug\nversion: satu\npillars: []\nextra: 1\n"
    found = {p.path: p.message for p in problems(text)}
    assert "huruf kecil" in found["id"]
    assert "bilangan bulat" in found["version"]
    assert found["title"] == "wajib diisi" and found["description"] == "wajib diisi"
    assert "sekurang-kurangnya satu" in found["pillars"]
    assert "kunci tidak dikenal" in found["extra"]


def test_duplicate_ids_and_duplicate_keys_are_reported():
    item = GOOD[GOOD.index("      - id: a") :]
    text = GOOD + item + "        title: Lagi\n"
    found = problems(text)
    messages = [(p.path, p.message, p.line) for p in found]
    assert ("pillars[0].items[1].id", "id butir 'a' dipakai lebih dari sekali", 16) in messages
    assert any(p.message == "kunci ganda" and p.line == 23 for p in found)


def test_rule_parameters_are_checked_against_the_fact():
    base = GOOD.replace("        mandatory: true\n", "        mandatory: true\n        rule:\n")
    missing = problems(base + "          fact: profile.pmi_data_recent\n")
    assert [p.path for p in missing] == ["pillars[0].items[0].rule.params.days"]
    wrong = problems(
        base + "          fact: profile.pmi_data_recent\n          params: {days: 0, x: 1}\n"
    )
    assert {p.path for p in wrong} == {
        "pillars[0].items[0].rule.params.days",
        "pillars[0].items[0].rule.params.x",
    }


def test_a_framework_needs_a_mandatory_item():
    found = problems(GOOD.replace("mandatory: true", "mandatory: false"))
    assert "sekurang-kurangnya satu butir harus wajib" in found[0].message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("id: [unclosed\n", "YAML tidak valid"),
        ("- just\n- a list\n", "harus berupa pemetaan"),
        ("", "harus berupa pemetaan"),
    ],
)
def test_broken_yaml_is_one_clear_problem(text, expected):
    assert expected in problems(text)[0].message


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path):
    bad = tmp_path / "x.yaml"
    bad.write_bytes(b"\xff\xfe id: x")
    with pytest.raises(FrameworkInvalid, match="tidak dapat dibaca"):
        load_framework_file(bad)


# --- format 2: sources, evidence rules, personal data, validity, Desa Migran EMAS pillar ------

GOOD2 = """\
id: mini
version: 1
format: 2
title: Mini
description: Kerangka uji.
sources:
  uu-18-2017:
    title: UU No. 18 Tahun 2017
    kind: peraturan
    published: 2017
    url: https://example.org/uu-18-2017
  berita:
    title: Berita
    kind: media
    published: 2025-11-19
    url: https://example.org/berita
    label: menurut keterangan KP2MI di media
pillars:
  - id: satu
    title: Pilar satu
    items:
      - id: a
        title: Butir A
        description: Penjelasan A.
        evidence: Rekap jumlah keberangkatan.
        evidence_rules: [rekap-jumlah]
        weight: 2
        mandatory: true
        validity: {months: 12}
        dme_pillar: aman
        pasal_42: [d]
        sources:
          - {source: uu-18-2017, pinpoint: Pasal 42 huruf d}
          - berita
      - id: b
        title: Butir B
        description: Penjelasan B.
        evidence: Kutipan APB Desa.
        evidence_rules: [dokumen-resmi]
        weight: 1
        mandatory: false
        validity: budget_year
        dme_pillar: maju
        sources: [uu-18-2017]
"""


def test_format_2_fields_are_parsed_and_survive_the_stored_json():
    framework = parse_framework(GOOD2)
    assert framework.format == 2
    assert framework.sources["uu-18-2017"].published == "2017"
    assert framework.sources["berita"].published == "2025-11-19"
    assert framework.sources["berita"].label == "menurut keterangan KP2MI di media"
    a, b = framework.items()
    assert [(c.source_id, c.pinpoint) for c in a.extras.citations] == [
        ("uu-18-2017", "Pasal 42 huruf d"),
        ("berita", ""),
    ]
    assert a.extras.pasal_42 == ("d",) and a.extras.evidence_rules == ("rekap-jumlah",)
    assert (a.validity.kind, a.validity.months) == ("months", 12)
    assert b.validity.kind == "budget_year" and b.legal_basis == ()
    again = from_data(to_data(framework))
    assert again == framework and content_hash(again) == content_hash(framework)


def test_format_1_content_keeps_its_stored_shape_and_hash():
    """Versions stored before format 2 existed must keep their hash (they never change)."""
    [v1, _] = [load_framework_file(p) for p in bundled_files()[:2]]
    data = to_data(v1)
    assert "format" not in data and "sources" not in data
    assert set(data["pillars"][0]["items"][0]) == {
        "id", "title", "description", "legal_basis", "evidence", "weight", "mandatory", "rule",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        (("    url: https://example.org/berita\n", "    url: http://x\n"), "sources.berita.url",
         "alamat https"),
        (("    published: 2017\n", ""), "sources.uu-18-2017.published", "tanggal terbit"),
        (("    published: 2017\n", "    published: 2017-13\n"), "sources.uu-18-2017.published",
         "YYYY-MM"),
        (("    label: menurut keterangan KP2MI di media\n", ""), "sources.berita.label",
         "wajib diisi"),
        (("    kind: peraturan\n", "    kind: blog\n"), "sources.uu-18-2017.kind", "jenis sumber"),
        (("          - berita\n", "          - hilang\n"), "pillars[0].items[0].sources[1].source",
         "tidak ada di daftar sources"),
        (("        sources: [uu-18-2017]\n", ""), "pillars[0].items[1].sources",
         "sekurang-kurangnya"),
        (("        pasal_42: [d]\n", "        pasal_42: [f]\n"), "pillars[0].items[0].pasal_42",
         "huruf a–e"),
        (("        evidence_rules: [rekap-jumlah]\n", "        evidence_rules: [foto-bebas]\n"),
         "pillars[0].items[0].evidence_rules[0]", "aturan bukti tidak dikenal"),
        (("        evidence_rules: [dokumen-resmi]\n", ""), "pillars[0].items[1].evidence_rules",
         "wajib"),
        (("        validity: {months: 12}\n", "        validity: {months: 0}\n"),
         "pillars[0].items[0].validity", "masa berlaku"),
        (("        validity: budget_year\n", ""), "pillars[0].items[1].validity", "masa berlaku"),
        (("        dme_pillar: aman\n", "        dme_pillar: emas\n"),
         "pillars[0].items[0].dme_pillar", "edukatif, maju, aman, sejahtera"),
    ],
)  # fmt: skip
def test_format_2_problems_are_reported_where_they_are(change, path, message):
    old, new = change
    assert old in GOOD2
    found = {p.path: p.message for p in problems(GOOD2.replace(old, new, 1))}
    assert path in found, found
    assert message in found[path]


@pytest.mark.parametrize(
    "evidence",
    ["Daftar hadir sosialisasi.", "Foto kegiatan anak.", "Salinan KTP dan nomor paspor calon PMI."],
)
def test_evidence_that_asks_for_personal_data_needs_a_declared_legal_basis(evidence):
    text = GOOD2.replace("Rekap jumlah keberangkatan.", evidence)
    [problem] = problems(text)
    assert problem.path == "pillars[0].items[0].evidence" and problem.item_id == "a"
    assert "data pribadi" in problem.message and "tanpa dasar hukum" in problem.message
    declared = text.replace(
        "        dme_pillar: aman\n",
        "        dme_pillar: aman\n        personal_data:\n"
        "          data: nama calon PMI\n"
        "          legal_basis: UU No. 27 Tahun 2022 Pasal 20 (tugas pemerintahan)\n",
    )
    assert parse_framework(declared).item("a").extras.personal_data is not None
    empty_basis = declared.replace("UU No. 27 Tahun 2022 Pasal 20 (tugas pemerintahan)", "''")
    assert any("tanpa dasar hukum" in p.message for p in problems(empty_basis))


def test_negated_personal_data_terms_are_not_requests():
    text = GOOD2.replace("Rekap jumlah keberangkatan.", "Rekap jumlah, bukan daftar nama.")
    assert parse_framework(text).item("a") is not None


def test_format_2_keys_are_unknown_in_format_1():
    found = {
        p.path
        for p in problems(
            GOOD.replace("mandatory: true", "mandatory: true\n        validity: none")
        )
    }
    assert "pillars[0].items[0].validity" in found


def test_a_derived_item_cannot_expire():
    text = GOOD2.replace(
        "        validity: {months: 12}\n",
        "        validity: {months: 12}\n        rule: {fact: tracker.promulgated}\n",
    )
    [problem] = problems(text)
    assert problem.path == "pillars[0].items[0].validity"


def test_shipped_v2_is_a_credible_instrument():
    """Every item has sources with addresses, evidence rules, validity and an EMAS pillar;
    the outcome is mandatory; nothing asks for personal data; media claims are labelled."""
    v2 = load_framework_file(bundled_files()[1])
    assert (v2.id, v2.version, v2.format) == ("desa-pmi-prosedural", 2, 2)
    items = {i.id: i for i in v2.items()}
    outcome = items["keberangkatan-prosedural"]
    assert outcome.mandatory and outcome.weight == max(i.weight for i in items.values())
    assert "diketahui-bp3mi" in outcome.extras.evidence_rules
    assert (
        outcome.title == "Semua keberangkatan warga yang diketahui desa menempuh jalur prosedural"
    )
    assert items["layanan-pengaduan"].mandatory
    for name in ("BP3MI", "dinas", "kepolisian", "bantuan hukum"):
        assert name in items["layanan-pengaduan"].description
    assert "data-pmi-profil-terkini" not in items, "the automatic profile item is removed"
    assert not any(i.rule and i.rule.fact == "profile.pmi_data_recent" for i in items.values())
    for new in (
        "kunjungan-keluarga-pmi", "penggerak-terlatih", "kontrol-perekrut",
        "pelaporan-nonprosedural", "kontak-pmi-luar-negeri", "reintegrasi-purna",
        "pelatihan-calon-pmi", "koperasi-bumdes", "mitra-bantuan-hukum", "informasi-situs-desa",
        "pelindungan-data-pendataan", "kegiatan-berkelanjutan",
    ):  # fmt: skip
        assert new in items
    assert items["anggaran-apbdes"].validity.kind == "budget_year"
    for item in items.values():
        assert item.extras.citations and item.extras.evidence_rules and item.extras.dme_pillar
        assert item.extras.personal_data is None
        if item.rule is None:
            expected = (
                ("budget_year", 0)
                if item.id == "anggaran-apbdes"
                else ("none", 0)
                if item.id == "satgas-komunitas-pmi"
                else ("months", 12)
            )
            assert (item.validity.kind, item.validity.months) == expected, item.id
    huruf = {h for i in items.values() for h in i.extras.pasal_42}
    assert huruf == {"a", "b", "c", "d", "e"}, "every village duty of Pasal 42 is served"
    for source in v2.sources.values():
        assert source.url.startswith("https://") and (source.published or source.accessed)
        if source.kind == "media":
            assert "di media" in source.label or "pemberitaan media" in source.label
    dme = [s for s in v2.sources.values() if s.id.startswith("dme-") and s.kind == "media"]
    assert dme and all("menurut keterangan KP2MI di media" in s.label for s in dme)
    text = bundled_files()[1].read_text(encoding="utf-8")
    for wrong in (
        "meja layanan",
        "Surat Keputusan",
        "pemeriksaan perekrutnya",
        "Seluruh keberangkatan",
    ):
        assert wrong not in text
    assert "Keputusan Kepala Desa" in text and "pos atau loket layanan" in text
    assert "terdaftar resmi" in items["surat-izin-keluarga"].description


def test_one_outcome_item_and_it_must_be_mandatory():
    one = GOOD2.replace(
        "        dme_pillar: aman\n", "        dme_pillar: aman\n        outcome: true\n"
    )
    assert parse_framework(one).item("a").extras.outcome
    optional = GOOD2.replace(
        "        dme_pillar: maju\n", "        dme_pillar: maju\n        outcome: true\n"
    )
    assert (
        "harus wajib"
        in {p.path: p.message for p in problems(optional)}["pillars[0].items[1].outcome"]
    )
    two = one.replace(
        "        dme_pillar: maju\n", "        dme_pillar: maju\n        outcome: true\n"
    )
    assert any("paling banyak satu" in p.message for p in problems(two))
    v2 = load_framework_file(bundled_files()[1])
    assert [i.id for i in v2.items() if i.extras.outcome] == ["keberangkatan-prosedural"]

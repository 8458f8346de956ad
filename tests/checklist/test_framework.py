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
    [path] = bundled_files()
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

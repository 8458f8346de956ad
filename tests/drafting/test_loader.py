from pathlib import Path

import pytest
from drafting_support import write_template

from perdes.drafting.errors import TemplateError, TemplateNotFound
from perdes.drafting.loader import check_template, list_templates, load_template


def test_list_and_load_by_slug_and_path(template_copy: Path) -> None:
    infos = list_templates()
    assert "pelindungan-pmi" in [i.slug for i in infos]
    t = load_template("pelindungan-pmi")
    assert t.info.title == "Pelindungan Pekerja Migran Indonesia"
    assert load_template(template_copy).slug == "pelindungan-pmi"
    assert [i.slug for i in list_templates(template_copy.parent)] == ["pelindungan-pmi"]


def test_unknown_template() -> None:
    with pytest.raises(TemplateNotFound):
        load_template("tidak-ada")
    with pytest.raises(TemplateNotFound):
        load_template("../../etc")


def test_real_template_is_sound_and_big_enough() -> None:
    assert check_template("pelindungan-pmi") == []
    t = load_template("pelindungan-pmi")
    assert len(t.options) >= 6
    assert sum(len(b.all_pasal()) for b in t.babs) >= 30


FAULTS = """
BAB rusak: BAB RUSAK
PASAL rusak.nama
Teks dengan {{ tidak_ada }} nama.
PASAL rusak.sintaks
Teks dengan {{ desa sintaks rusak.
PASAL rusak.rujukan
(1) Lihat {{ ref("tidak.ada") }}.
(3) Nomor ayat salah.
PASAL rusak.ayat-rujukan
Lihat {{ ref("rusak.rujukan", ayat=9) }}.
PASAL rusak.nama
Ganda.
PASAL rusak.butir
Daftar:
- satu
      - terlalu dalam
PASAL rusak.kondisi [if: opsi_tidak_ada]
Teks.
"""


def test_broken_template_reports_every_problem_with_location(template_copy: Path) -> None:
    clause_file = template_copy / "batang-tubuh" / "05-kelembagaan-dan-penutup.txt"
    before = len(clause_file.read_text(encoding="utf-8").splitlines())
    with clause_file.open("a", encoding="utf-8") as fh:
        fh.write(FAULTS)
    manifest = template_copy / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("requires: [pelaporan_perekrut]", "requires: [opsi_hilang]")
    text = text.replace("  - pp-59-2021\n", "  - pp-99-2099\n")
    text = text.replace(
        "    type: int\n    label: Batas waktu lapor",
        "    type: integer\n    label: Batas waktu lapor",
    )
    manifest.write_text(text, encoding="utf-8")

    problems = check_template(template_copy)
    found = {(p.file, p.line, p.clause_id) for p in problems}
    name = "batang-tubuh/05-kelembagaan-dan-penutup.txt"

    def at(offset: int, clause: str) -> tuple[str, int, str]:
        return (name, before + offset, clause)

    expected = {
        at(4, "rusak.nama"),  # unknown name
        at(6, "rusak.sintaks"),  # syntax error
        at(8, "rusak.rujukan"),  # ref to unknown Pasal
        at(9, "rusak.rujukan"),  # ayat (3) written where (2) belongs
        at(11, "rusak.ayat-rujukan"),  # ref to a missing ayat
        at(12, "rusak.nama"),  # duplicate id
        at(17, "rusak.butir"),  # item level jump
        at(18, "rusak.kondisi"),  # unknown option in a condition
    }
    assert expected <= found, sorted(map(str, problems))
    manifest_problems = {p.clause_id for p in problems if p.file == "manifest.yaml"}
    assert {"option:sanksi", "mengingat", "variable:batas_lapor_hari"} <= manifest_problems
    messages = "\n".join(map(str, problems))
    assert "unknown name 'tidak_ada'" in messages
    assert "ref() to unknown Pasal 'tidak.ada'" in messages
    assert f"{name}:{before + 4} [rusak.nama]" in messages
    with pytest.raises(TemplateError) as err:
        load_template(template_copy)
    assert len(err.value.problems) == len(problems)


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    folder = write_template(tmp_path, "BAB a: A\nPASAL a.b\nTeks.\n", "variables: [unclosed\n")
    problems = check_template(folder)
    assert problems and problems[0].file == "manifest.yaml" and problems[0].line is not None


def test_structure_problems(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        "Teks di luar.\nBAB a: A\nBAB b: B\nPASAL b.kosong\nPASAL b.campur\nTeks.\n(1) Ayat.\n",
    )
    messages = [str(p) for p in check_template(folder)]
    assert any("isi.txt:1" in m and "outside a PASAL" in m for m in messages)
    assert any("isi.txt:2 [a]" in m and "BAB has no Pasal" in m for m in messages)
    assert any("[b.kosong]" in m and "PASAL has no text" in m for m in messages)
    assert any("[b.campur]" in m and "must start with (1)" in m for m in messages)


def test_option_dependency_cycle_is_reported(tmp_path: Path) -> None:
    folder = write_template(
        tmp_path,
        "BAB a: A\nPASAL a.b\nTeks.\n",
        "options:\n  x: {label: X, requires: [y]}\n  y: {label: Y, requires: [x]}\n",
    )
    assert any("circular" in p.message for p in check_template(folder))

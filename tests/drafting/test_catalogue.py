from pathlib import Path

import pytest

from perdes.drafting.catalogue import check_catalogue, load_catalogue
from perdes.drafting.errors import TemplateError


def test_mengingat_ordered_by_level_then_year() -> None:
    cat = load_catalogue()
    keys = ["permendagri-111-2014", "pp-43-2014", "uu-18-2017", "uu-6-2014", "uu-39-1999"]
    assert [c.key for c in cat.mengingat(keys)] == [
        "uu-39-1999",
        "uu-6-2014",
        "uu-18-2017",
        "pp-43-2014",
        "permendagri-111-2014",
    ]


def test_amendment_chains() -> None:
    cat = load_catalogue()
    once = cat.citation("uu-18-2017").text
    assert once.startswith("Undang-Undang Nomor 18 Tahun 2017 tentang Pelindungan Pekerja Migran")
    assert "(Lembaran Negara Republik Indonesia Tahun 2017 Nomor 242, Tambahan Lembaran" in once
    assert " sebagaimana telah diubah dengan Undang-Undang Nomor 6 Tahun 2023" in once
    several = cat.citation("pp-43-2014").text
    assert (
        "sebagaimana telah diubah beberapa kali terakhir dengan Peraturan Pemerintah Nomor 11"
        in several
    )
    assert "Nomor 47 Tahun 2015" not in several


def test_unverified_entries_and_unknown_numbers_are_marked_in_the_text() -> None:
    cat = load_catalogue()
    pp59 = cat.citation("pp-59-2021")  # numbers from one source only (domain.md §4.1)
    assert not pp59.verified and pp59.complete
    assert pp59.text.endswith("Nomor 6678) [belum diverifikasi]")
    permendagri = cat.citation("permendagri-111-2014")
    assert not permendagri.complete
    assert "Tahun [tahun belum diisi] Nomor [nomor belum diisi]" in permendagri.text
    hak_asasi = cat.citation("uu-39-1999")
    assert hak_asasi.verified and "[" not in hak_asasi.text
    # the last amendment decides: UU 6/2014 is last amended by UU 3/2024, whose numbers
    # are unknown — the unsourced "LN 2024 No. 77" is gone
    desa = cat.citation("uu-6-2014")
    assert not desa.verified and not desa.complete
    assert "Tahun 2024 Nomor [nomor belum diisi]" in desa.text and "77" not in desa.text


def test_every_verified_entry_names_its_source() -> None:
    cat = load_catalogue()
    verified = [i for i in cat.instruments.values() if i.verified]
    assert verified and all(i.source for i in verified)
    assert cat.instruments["uu-18-2017"].source.startswith("own text uu/2017/18.md")


def test_a_verified_entry_without_source_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "citations.yaml"
    path.write_text(
        "a:\n  jenis: uu\n  nomor: '1'\n  tahun: 2000\n  judul: X\n  verified: true\n"
        "b:\n  jenis: uu\n  nomor: '2'\n  tahun: 2001\n  judul: Y\n  verified: true\n"
        "  source: own text uu/2001/2.md\n",
        encoding="utf-8",
    )
    problems = check_catalogue(path)
    assert [(p.clause_id, p.line) for p in problems] == [("a", 1)]
    assert "source" in problems[0].message
    with pytest.raises(TemplateError, match="source"):
        load_catalogue(path)


def test_broken_catalogue_reports_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "citations.yaml"
    path.write_text(
        "a:\n  jenis: uu\n  nomor: '1'\n  tahun: 2000\n  judul: X\n  diubah: [nope]\n"
        "b:\n  jenis: undang\n  nomor: '2'\n  tahun: 2001\n  judul: Y\n",
        encoding="utf-8",
    )
    problems = check_catalogue(path)
    assert {(p.clause_id, p.line) for p in problems} == {("a", 1), ("b", 7)}
    with pytest.raises(TemplateError):
        load_catalogue(path)

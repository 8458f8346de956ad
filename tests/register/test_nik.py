"""NIK checks: form, region prefix against the region table, birth-date digits."""

from __future__ import annotations

from datetime import date

import pytest

from perdes.errors import ValidationFailed
from perdes.regions.importer import import_regions, read_region_csv
from perdes.register.models import Sex
from perdes.register.nik import parse_nik, validate_nik

TODAY = date(2026, 11, 30)


def test_a_woman_born_in_1995_registered_in_tirtayasa(db, regions):
    facts = validate_nik("3604134506950001", session=db, today=TODAY)
    assert facts.sex is Sex.P
    assert facts.birth_date == date(1995, 6, 5)
    assert (facts.regency_code, facts.district_code) == ("36.04", "36.04.13")


def test_a_man_and_the_century_that_keeps_the_birth_in_the_past(db, regions):
    facts = validate_nik(" 3604130101040007 ", session=db, today=TODAY)
    assert (facts.sex, facts.birth_date) == (Sex.L, date(2004, 1, 1))
    # "26" with a December birthday lies in the future for 2026: born in 1926.
    assert parse_nik("3604131512260001", today=TODAY).birth_date == date(1926, 12, 15)
    assert parse_nik("3604131511260001", today=TODAY).birth_date == date(2026, 11, 15)


def test_a_kabupaten_without_kecamatan_in_the_table_checks_only_four_digits(db, regions):
    import_regions(db, read_region_csv(b"kode,nama\n36.03,Kabupaten Tangerang\n"))
    assert validate_nik("3603990202900003", session=db, today=TODAY).regency_code == "36.03"
    with pytest.raises(ValidationFailed, match="kecamatan"):
        validate_nik("3604990202900003", session=db, today=TODAY)  # Serang's are known


@pytest.mark.parametrize(
    ("nik", "message"),
    [
        ("", "wajib diisi"),
        ("   ", "wajib diisi"),
        ("360413450695000", "16 angka"),
        ("36041345069500011", "16 angka"),
        ("3604 1345 0695 0001", "16 angka"),
        ("3604134506950OO1", "16 angka"),
        ("36041345069500²1", "hanya boleh berisi angka 0-9"),
        ("٣٦٠٤١٣٤٥٠٦٩٥٠٠٠١", "hanya boleh berisi angka 0-9"),
        ("<script>1</script>", "16 angka"),
        ("3604131\x0006950001", "16 angka"),
        ("9999134506950001", "kabupaten/kota"),
        ("3601134506950001", "kabupaten/kota"),  # Kab. Pandeglang: not in this table
        ("3604994506950001", "kecamatan"),
        ("3604133206950001", "tanggal lahir"),  # day 32
        ("3604137206950001", "tanggal lahir"),  # woman, day 32
        ("3604130013950001", "tanggal lahir"),  # day 0, month 13
        ("3604134000950001", "tanggal lahir"),  # day 0 for a woman, month 0
        ("3604132902950001", "tanggal lahir"),  # 29 Feb 1995
        ("3604130506950000", "0000"),
    ],
)
def test_bad_niks_are_refused_with_an_indonesian_message(db, regions, nik, message):
    with pytest.raises(ValidationFailed) as caught:
        validate_nik(nik, session=db, today=TODAY)
    assert message in caught.value.errors["nik"]
    assert nik.strip() == "" or nik not in caught.value.errors["nik"]


def test_the_field_name_is_the_callers(db, regions):
    with pytest.raises(ValidationFailed) as caught:
        validate_nik("123", session=db, field="baris 4: nik")
    assert list(caught.value.errors) == ["baris 4: nik"]


def test_leap_day_only_in_a_leap_year():
    assert parse_nik("3604132902960001", today=TODAY).birth_date == date(1996, 2, 29)
    assert parse_nik("3604136902000001", today=TODAY).birth_date == date(2000, 2, 29)

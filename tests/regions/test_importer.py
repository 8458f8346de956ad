"""The region importer: validation, all-or-nothing, idempotent upsert, CLI."""

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from perdes import migrate
from perdes.cli import app as cli_app
from perdes.db import make_engine
from perdes.regions.importer import ImportFileError, import_regions, read_region_csv
from perdes.regions.models import Region, RegionLevel, VillageKind

GOOD = (
    "kode,nama\n36,Banten\n36.04,Kabupaten Serang\n36.04.13,Tirtayasa\n"
    "36.04.13.2007,Lontar\n36.04.13.2008,Susukan\n"
)


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Region))


def test_good_file_is_imported_with_levels_parents_and_kinds(db):
    report = import_regions(db, read_region_csv(GOOD.encode()))
    assert report.written and not report.bad_rows
    assert report.levels[RegionLevel.DESA].inserted == 2
    lontar = db.get(Region, "36.04.13.2007")
    assert lontar.name == "Lontar" and lontar.parent_code == "36.04.13"
    assert lontar.village_kind is VillageKind.DESA
    assert (lontar.province_code, lontar.regency_code, lontar.district_code) == (
        "36",
        "36.04",
        "36.04.13",
    )


def test_reimport_is_idempotent_and_renames_by_code(db):
    import_regions(db, read_region_csv(GOOD.encode()))
    again = import_regions(db, read_region_csv(GOOD.replace("Susukan", "Susukan Baru").encode()))
    assert count(db) == 5
    assert again.levels[RegionLevel.DESA].updated == 1
    assert again.levels[RegionLevel.DESA].unchanged == 1
    assert db.get(Region, "36.04.13.2008").name == "Susukan Baru"


def test_semicolon_separator_and_utf8_bom_are_accepted(db):
    data = "\ufeff" + GOOD.replace(",", ";")
    report = import_regions(db, read_region_csv(data.encode("utf-8")))
    assert report.written and count(db) == 5


def test_parent_already_in_database_is_enough(db):
    import_regions(db, read_region_csv(GOOD.encode()))
    report = import_regions(db, read_region_csv(b"kode,nama\n36.04.13.2009,Wargasara\n"))
    assert report.written and db.get(Region, "36.04.13.2009") is not None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("36.04.13.207,Lontar", "not a region code"),
        ("36.04.99.2001,Yatim", "parent 36.04.99 not in file or database"),
        ("36.04.13.2007,Lontar Lagi", "duplicate code (first on line 5)"),
        ("36.04.13.2010,", "empty name"),
        ("36.04.13.2010,La\x07ban", "name contains control characters"),
        ("36.04.13.2010,Laban,extra", "expected exactly 2 columns"),
        ("36.04.13.2010," + "x" * 121, "name longer than 120 characters"),
    ],
)
def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(db, row, reason):
    report = import_regions(db, read_region_csv((GOOD + row + "\n").encode()))
    assert not report.written
    assert [(b.line, b.reason[: len(reason)]) for b in report.bad_rows] == [(7, reason)]
    assert count(db) == 0


def test_skip_invalid_imports_the_rest_and_refuses_children_of_bad_rows(db):
    data = GOOD + "37.01,Kabupaten Tanpa Provinsi\n37.01.01,Anak Yatim\n36.04.13.2009,Wargasara\n"
    report = import_regions(db, read_region_csv(data.encode()), skip_invalid=True)
    assert report.written
    assert {b.code for b in report.bad_rows} == {"37.01", "37.01.01"}
    assert count(db) == 6


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (GOOD.replace(",", "\t").encode(), "first line must be the header"),
        ("kode,nama\n36,Bantén\n".encode("latin-1"), "file is not UTF-8"),
        (b"code,name\n36,Banten\n", "first line must be the header"),
    ],
)
def test_unreadable_files_are_refused_whole(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_region_csv(data)


@pytest.fixture()
def cli_db(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    monkeypatch.setenv("PERDES_DATABASE_URL", url)
    monkeypatch.setenv("PERDES_INSTANCE_PATH", str(tmp_path))
    yield engine
    engine.dispose()


def test_cli_import_prints_a_summary_per_level(cli_db, tmp_path):
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["regions", "import", str(path), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "desa" in result.output and "5 rows read" in result.output
    with cli_db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Region)) == 5


def test_cli_import_of_a_bad_file_exits_non_zero_and_writes_nothing(cli_db, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(GOOD + "36.04.99.2001,Yatim\n", encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["regions", "import", str(path), "--quiet"])
    assert result.exit_code == 1
    assert "line 7: 36.04.99.2001: parent 36.04.99 not in file or database" in result.output
    assert "nothing imported" in result.output
    with cli_db.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Region)) == 0


def test_cli_import_of_a_missing_file_fails_cleanly(cli_db, tmp_path):
    result = CliRunner().invoke(cli_app, ["regions", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "cannot read" in result.output

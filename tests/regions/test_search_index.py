"""Village name search through the name index (SQLite FTS5 trigram, PostgreSQL pg_trgm) finds
exactly what a plain case-insensitive substring match finds, and long lists count to a cap."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from perdes.regions import services
from perdes.regions.importer import RawRow, import_regions
from perdes.regions.models import Region, RegionLevel
from perdes.regions.scope import Scope

NAMES = [
    "Sukasari",
    "SARIMULYA",
    "Cisari Wetan",
    "Mekar Jaya",
    "Karang_Anyar",
    "Tanjung 100%",
    "Sari",
    "Bojongsari Baru",
]
FRAGMENTS = [
    "sari",
    "ar j",
    "SARI",
    "ari",
    "sa",
    "s",
    "jaya",
    "_",
    "ng_a",
    "%",
    "ung %",
    "mulya",
    "zz",
]


@pytest.fixture()
def named(db, regions):
    rows = [RawRow(1, "35", "Jawa Timur"), RawRow(2, "35.99", "Kabupaten Uji")]
    rows.append(RawRow(3, "35.99.01", "Uji"))
    for i, name in enumerate(NAMES, start=1):
        rows.append(RawRow(4 + i, f"35.99.01.{2000 + i}", name))
    assert import_regions(db, rows).written


def plain(db, fragment: str) -> set[str]:
    names = db.execute(select(Region.code, Region.name).where(Region.level == RegionLevel.DESA))
    return {code for code, name in names if fragment.lower() in name.lower()}


@pytest.fixture(params=["index", "walk"])
def strategy(request, monkeypatch):
    """Both ways to read a page of a name search: through the index and sorting the matches, and
    walking the names in order (made to apply to these few matches, as it does to many)."""
    if request.param == "walk":
        monkeypatch.setattr(services, "WALK_MIN_MATCHES", 1)
        monkeypatch.setattr(services, "WALK_MAX_ROWS", 10_000)
    return request.param


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_indexed_search_finds_what_a_substring_match_finds(db, named, strategy, fragment):
    page = services.search_villages(db, scope=Scope.all(), query=fragment, per_page=500)
    assert {r.region.code for r in page.items} == plain(db, fragment)
    assert page.total == len(plain(db, fragment)) and not page.capped


def _pages(db, **filters) -> tuple[list[list[str]], int]:
    pages = []
    for number in (1, 2, 3):
        page = services.search_villages(db, page=number, per_page=2, **filters)
        pages.append([r.region.code for r in page.items])
    return pages, page.total


@pytest.mark.parametrize("fragment", ["sari", "ari", "jaya", "a"])
def test_walking_the_names_gives_the_same_pages_in_the_same_order(db, named, monkeypatch, fragment):
    more = [RawRow(1, "35.98", "Kabupaten Lain"), RawRow(2, "35.98.01", "Lain")]
    more += [RawRow(3, "35.98.01.2001", "Sari"), RawRow(4, "35.98.01.1002", "Arisari")]
    more += [RawRow(5, "35.99.02", "Dua"), RawRow(6, "35.99.02.2001", "Cisari Wetan")]
    assert import_regions(db, more).written
    cases = [
        {"scope": Scope.all()},
        {"scope": Scope.of("35.98")},
        {"scope": Scope.of("35.99.01", "35.98.01.2001")},
        {"scope": Scope.of()},
        {"scope": Scope.all(), "province": "35"},
        {"scope": Scope.all(), "regency": "35.99"},
        {"scope": Scope.all(), "district": "35.99.02"},
        {"scope": Scope.all(), "province": "35.99"},  # not a province code: nothing
        {"scope": Scope.all(), "regency": "x"},
        {"scope": Scope.of("35.98"), "regency": "35.99"},
    ]
    indexed = [_pages(db, query=fragment, **case) for case in cases]
    monkeypatch.setattr(services, "WALK_MIN_MATCHES", 1)
    monkeypatch.setattr(services, "WALK_MAX_ROWS", 10_000)
    walked = [_pages(db, query=fragment, **case) for case in cases]
    assert walked == indexed
    expected = []
    for case in cases:
        filters = {k: v for k, v in case.items() if k != "scope"}
        rows = db.scalars(
            select(Region)
            .where(
                Region.level == RegionLevel.DESA,
                case["scope"].region_clause(),
                Region.province_code == filters.get("province", Region.province_code),
                Region.regency_code == filters.get("regency", Region.regency_code),
                Region.district_code == filters.get("district", Region.district_code),
            )
            .order_by(Region.name, Region.code)
        )
        codes = [r.code for r in rows if fragment in r.name.lower()]
        expected.append(([codes[0:2], codes[2:4], codes[4:6]], len(codes)))
    assert indexed == expected


def test_renamed_added_and_removed_villages_are_found_by_their_new_names(db, named):
    assert import_regions(db, [RawRow(1, "35.99.01.2004", "Sindangsari")]).written
    found = services.search_villages(db, scope=Scope.all(), query="indangsar")
    assert [r.region.name for r in found.items] == ["Sindangsari"]
    assert services.search_villages(db, scope=Scope.all(), query="mekar jaya").total == 0
    db.delete(db.get(Region, "35.99.01.2001"))
    db.flush()
    codes = {
        r.region.code for r in services.search_villages(db, scope=Scope.all(), query="sari").items
    }
    assert "35.99.01.2001" not in codes and "35.99.01.2004" in codes


def test_a_long_list_counts_to_the_cap_and_still_pages_on(db, named):
    page = services.search_villages(db, scope=Scope.all(), query="sari", per_page=2, count_cap=3)
    assert (page.total, page.capped, page.has_next, page.pages) == (3, True, True, 2)
    far = services.search_villages(
        db, scope=Scope.all(), query="sari", per_page=2, count_cap=3, page=3
    )
    assert far.capped and len(far.items) == 1 and not far.has_next and far.pages == 3
    exact = services.search_villages(db, scope=Scope.all(), query="sari", count_cap=10)
    assert (exact.total, exact.capped) == (5, False)


def test_the_directory_shows_a_capped_count_as_a_lower_bound(client, db, named, monkeypatch):
    from perdes.web.routes import regions as routes

    monkeypatch.setattr(routes, "COUNT_CAP", 3)
    client.login_as(db, "admin")
    text = client.get("/desa?q=sari").text
    assert "3+ desa/kelurahan ditemukan" in text
    monkeypatch.setattr(routes, "COUNT_CAP", 1000)
    assert "5 desa/kelurahan ditemukan" in client.get("/desa?q=sari").text


def test_postgresql_search_uses_the_trigram_index(db, named):
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    db.execute(select(func.set_config("enable_seqscan", "off", True)))
    stmt = select(Region.code).where(services.name_contains("postgresql", "sari"))
    compiled = stmt.compile(db.get_bind(), compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.scalars(text(f"EXPLAIN {compiled}")))
    assert "ix_region_name_trgm" in plan

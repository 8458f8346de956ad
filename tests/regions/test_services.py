"""Village search, scope filtering and profile validation against the database."""

import pytest
from sqlalchemy import select

from perdes.accounts.models import AuditEntry
from perdes.accounts.permissions import Role
from perdes.accounts.principal import Principal
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.profiles import services as profiles
from perdes.regions import services
from perdes.regions.scope import Scope
from tests.factories import KELURAHAN, LONTAR, PONTANG, SUKRA, SUSUKAN

EVERYTHING = Scope.all()


def names(page):
    return [row.region.name for row in page.items]


def test_search_by_name_is_case_insensitive_and_carries_ancestor_names(db, regions):
    page = services.search_villages(db, scope=EVERYTHING, query="LONTAR")
    assert names(page) == ["Lontar"]
    row = page.items[0]
    assert (row.district_name, row.regency_name, row.province_name) == (
        "Tirtayasa",
        "Kabupaten Serang",
        "Banten",
    )


def test_search_by_code_prefix(db, regions):
    page = services.search_villages(db, scope=EVERYTHING, query="36.04.13.200")
    assert page.total == 9
    assert all(row.region.code.startswith("36.04.13.200") for row in page.items)


def test_filters_narrow_by_region_and_paginate(db, regions):
    page1 = services.search_villages(db, scope=EVERYTHING, regency="36.04", per_page=10)
    page2 = services.search_villages(db, scope=EVERYTHING, regency="36.04", per_page=10, page=2)
    assert page1.total == page2.total and page1.total > 10
    assert not set(names(page1)) & set(names(page2))
    tirtayasa = services.search_villages(db, scope=EVERYTHING, district="36.04.13", per_page=50)
    assert tirtayasa.total == 14


def test_search_treats_like_wildcards_literally(db, regions):
    assert services.search_villages(db, scope=EVERYTHING, query="%").total == 0
    assert services.search_villages(db, scope=EVERYTHING, query="_").total == 0


def test_scope_limits_search_and_detail(db, regions):
    serang = Scope.of("36.04")
    codes = {
        row.region.code for row in services.search_villages(db, scope=serang, per_page=100).items
    }
    assert LONTAR in codes and SUKRA not in codes
    with pytest.raises(NotFound):
        services.get_village(db, code=SUKRA, scope=serang)
    one = Scope.of(LONTAR, SUSUKAN)
    assert services.search_villages(db, scope=one).total == 2


def test_children_for_cascading_filters_include_ancestors_of_the_scope(db, regions):
    scope = Scope.of("36.04.13")
    provinces = services.list_children(db, parent_code=None, scope=scope)
    assert [r.code for r in provinces] == ["36"]
    regencies = services.list_children(db, parent_code="36", scope=scope)
    assert [r.code for r in regencies] == ["36.04"]
    districts = services.list_children(db, parent_code="36.04", scope=scope)
    assert [r.code for r in districts] == ["36.04.13"]


def test_village_view_has_defaults_until_saved(db, regions):
    view = services.get_village(db, code=LONTAR, scope=EVERYTHING)
    assert not view.profile_saved
    assert view.profile.sebutan_desa == "Desa"
    assert view.profile.sebutan_bpd == "Badan Permusyawaratan Desa"
    assert view.region.can_make_perdes
    kelurahan = services.get_village(db, code=KELURAHAN, scope=EVERYTHING)
    assert not kelurahan.region.can_make_perdes


def test_non_village_codes_are_not_villages(db, regions):
    with pytest.raises(NotFound):
        services.get_village(db, code="36.04.13", scope=EVERYTHING)
    with pytest.raises(NotFound):
        services.get_village(db, code="../etc", scope=EVERYTHING)


def operator(code=LONTAR):
    return Principal(
        user_id=None, username="op", full_name="Op", role=Role.OPERATOR, scope=Scope.of(code)
    )


def valid_profile(**changes):
    data = {
        "sebutan_desa": "Nagari",
        "sebutan_kepala_desa": "Wali Nagari",
        "sebutan_bpd": "Badan Permusyawaratan Nagari",
        "kepala_desa_name": "Ahmad",
        "pmi_active_count": "1.200",
        "pmi_returned_count": "",
        "contact_phone": "+62 254 (123)",
        "contact_email": "desa@example.org",
    }
    data.update(changes)
    return data


def test_profile_update_saves_cleans_and_audits(db, regions):
    profile = profiles.update_profile(db, actor=operator(), code=LONTAR, data=valid_profile())
    assert profile.pmi_active_count == 1200 and profile.pmi_returned_count is None
    assert profile.sebutan_kepala_desa == "Wali Nagari"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.village_code == LONTAR)).one()
    assert entry.action == "create" and entry.changes["kepala_desa_name"] == ["", "Ahmad"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sebutan_desa", "", "Wajib diisi."),
        ("kepala_desa_name", "x" * 101, "Terlalu panjang"),
        ("kepala_desa_name", "Ahmad\x00", "karakter kontrol"),
        ("kepala_desa_name", "Ahmad\nSobari", "karakter kontrol"),
        ("pmi_active_count", "-3", "bilangan bulat"),
        ("pmi_active_count", "tiga", "bilangan bulat"),
        ("pmi_active_count", "99999999999", "bilangan bulat"),
        ("pmi_returned_count", "20000000", "Terlalu besar"),
        ("contact_phone", "0254<script>", "Nomor telepon"),
        ("contact_email", "bukan surel", "tidak valid"),
    ],
)
def test_bad_profile_input_is_refused_per_field_and_nothing_is_written(
    db, regions, field, value, message
):
    with pytest.raises(ValidationFailed) as caught:
        profiles.update_profile(
            db, actor=operator(), code=LONTAR, data=valid_profile(**{field: value})
        )
    assert message in caught.value.errors[field]
    assert services.get_village(db, code=LONTAR, scope=EVERYTHING).profile_saved is False


def test_another_village_cannot_be_edited(db, regions):
    with pytest.raises(NotFound):
        profiles.update_profile(db, actor=operator(), code=PONTANG, data=valid_profile())
    pemantau = Principal(
        user_id=None, username="p", full_name="P", role=Role.PEMANTAU, scope=Scope.of("36.04")
    )
    with pytest.raises(OutOfScope):
        profiles.update_profile(db, actor=pemantau, code=LONTAR, data=valid_profile())


def test_local_form_overrides_are_saved_and_reach_the_draft(db, regions):
    from perdes.drafting.village import village_context

    data = {
        **valid_profile(),
        "jenis_peraturan": "Peraturan Desa",
        "singkatan_bpd": "  ",
        "sebutan_kecamatan": "Kecamatan",
        "sebutan_camat": "Camat",
    }
    profiles.update_profile(db, actor=operator(), code=LONTAR, data=data)
    context = village_context(db, code=LONTAR, scope=Scope.all())
    assert context.jenis_peraturan == "Peraturan Desa"
    assert context.singkatan_bpd is None  # blank means "use the regional data"
    assert context.sebutan_camat == "Camat"
    with pytest.raises(ValidationFailed) as err:
        profiles.update_profile(
            db, actor=operator(), code=LONTAR, data={**data, "singkatan_bpd": "X" * 21}
        )
    assert "singkatan_bpd" in err.value.errors

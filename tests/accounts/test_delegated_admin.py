"""Admin daerah: manages users and deadline rules inside its provinces/kabupaten only."""

from __future__ import annotations

import pytest

from perdes.accounts import services as accounts
from perdes.accounts.permissions import Role
from perdes.errors import NotFound, OutOfScope, ValidationFailed
from perdes.tracking import rules
from tests.factories import LONTAR, PASSWORD, SUKRA, make_user


@pytest.fixture()
def serang(db, regions):
    """The admin daerah of Kabupaten Serang (36.04), as a principal."""
    return accounts.principal_for(make_user(db, Role.ADMIN_DAERAH, ("36.04",)))


def _create(db, actor, role="operator", scopes=(LONTAR,), username="op.baru"):
    return accounts.create_user(
        db,
        actor=actor,
        username=username,
        full_name="Operator Baru",
        role=role,
        password=PASSWORD,
        scope_codes=scopes,
    )


def test_admin_daerah_creates_users_inside_its_kabupaten(db, serang):
    user = _create(db, serang)
    assert user.role is Role.OPERATOR
    pemantau = _create(db, serang, "pemantau", ("36.04.13",), username="pemantau.tirtayasa")
    assert [s.region_code for s in pemantau.scopes] == ["36.04.13"]


@pytest.mark.parametrize(
    ("role", "scopes", "field"),
    [
        ("operator", (SUKRA,), "scopes"),  # another province
        ("pemantau", ("36",), "scopes"),  # the whole province holds more than Serang
        ("pendamping", (LONTAR, SUKRA), "scopes"),
        ("admin", (), "role"),
        ("admin_daerah", ("36.04",), "role"),  # never its own rank
    ],
)
def test_admin_daerah_never_grants_more_than_it_holds(db, serang, role, scopes, field):
    with pytest.raises(ValidationFailed) as exc:
        _create(db, serang, role, scopes)
    assert field in exc.value.errors
    assert accounts.find_user(db, username="op.baru") is None


def test_admin_daerah_sees_and_changes_only_users_inside_its_scope(db, serang):
    inside = make_user(db, Role.PEMANTAU, ("36.04",), username="pemantau.serang")
    straddling = make_user(db, Role.PENDAMPING, (LONTAR, SUKRA), username="pendamping.dua")
    elsewhere = make_user(db, Role.OPERATOR, (SUKRA,), username="operator.sukra")
    admin = make_user(db, Role.ADMIN, username="admin.pusat")
    peer = make_user(db, Role.ADMIN_DAERAH, ("36.04",), username="admin.serang2")
    listed = {u.username for u in accounts.list_users(db, actor=serang)}
    assert listed == {"pemantau.serang"}
    for hidden in (straddling, elsewhere, admin, peer):
        with pytest.raises(NotFound):
            accounts.get_user(db, actor=serang, user_id=hidden.id)
        with pytest.raises(NotFound):
            accounts.set_password(db, actor=serang, user_id=hidden.id, password="sandi-baru-1234")
        with pytest.raises(NotFound):
            accounts.set_active(db, actor=serang, user_id=hidden.id, active=False)
    accounts.set_scopes(db, actor=serang, user_id=inside.id, scope_codes=["36.04.12"])
    with pytest.raises(ValidationFailed) as exc:
        accounts.set_scopes(db, actor=serang, user_id=inside.id, scope_codes=["32.12"])
    assert "wilayah tugas" in exc.value.errors["scopes"]


def test_admin_daerah_scope_must_be_provinces_or_kabupaten(db, regions):
    system = accounts.principal_for(make_user(db, Role.ADMIN))
    for codes in ((), (LONTAR,), ("36.04.13",)):
        with pytest.raises(ValidationFailed):
            _create(db, system, "admin_daerah", codes, username="ad.salah")
    ok = _create(db, system, "admin_daerah", ("36", "32.12"), username="ad.banten")
    assert ok.role is Role.ADMIN_DAERAH


def test_admin_daerah_sets_deadline_rules_only_for_its_kabupaten(db, serang):
    admin = accounts.principal_for(make_user(db, Role.ADMIN))
    national = rules.set_rule(
        db, actor=admin, kind="penyerahan", regency_code="", days=9, legal_basis="Uji"
    )
    indramayu = rules.set_rule(
        db, actor=admin, kind="penyerahan", regency_code="32.12", days=8, legal_basis="Perbup"
    )
    mine = rules.set_rule(
        db, actor=serang, kind="penyerahan", regency_code="36.04", days=10, legal_basis="Perbup"
    )
    shown = {row.rule.id for row in rules.list_rules(db, actor=serang)}
    assert shown == {national.id, mine.id}
    for code in ("32.12", ""):
        with pytest.raises(ValidationFailed) as exc:
            rules.set_rule(
                db, actor=serang, kind="penyerahan", regency_code=code, days=3, legal_basis="x"
            )
        assert "regency_code" in exc.value.errors
    for rule in (national, indramayu):
        with pytest.raises(OutOfScope):
            rules.delete_rule(db, actor=serang, rule_id=rule.id)
    rules.delete_rule(db, actor=serang, rule_id=mine.id)

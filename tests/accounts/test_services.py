"""Users, scopes per role, passwords, throttling and sessions."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from perdes.accounts import services as accounts
from perdes.accounts.models import AuditEntry, LoginSession
from perdes.accounts.permissions import PERMISSIONS, VILLAGE_ONLY, Role, can
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import OutOfScope, ValidationFailed
from tests.factories import KELURAHAN, LONTAR, PASSWORD, SUSUKAN, make_user

SYSTEM = Principal.system()


def create(db, **kw):
    args = {
        "username": "budi",
        "full_name": "Budi",
        "role": "operator",
        "password": PASSWORD,
        "scope_codes": [LONTAR],
    }
    args.update(kw)
    return accounts.create_user(db, actor=SYSTEM, **args)


def test_every_action_in_the_table_names_known_roles_and_admin_can_do_all():
    for action, roles in PERMISSIONS.items():
        assert roles <= set(Role)
        assert can(Role.ADMIN, action) or action in VILLAGE_ONLY, action
    for action in VILLAGE_ONLY:
        for role in (Role.ADMIN, Role.ADMIN_DAERAH, Role.PEMANTAU):
            assert not can(role, action), (role, action)
    assert not can(None, "village.view")
    assert not can(Role.ADMIN, "no.such.action")


def test_create_user_lowercases_name_hashes_password_and_audits(db, regions):
    user = create(db, username="Budi.Santoso", scope_codes=[LONTAR.replace(".", "")])
    assert user.username == "budi.santoso"
    assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash
    entry = db.scalars(select(AuditEntry).where(AuditEntry.entity == "user")).one()
    assert entry.changes["scopes"] == [None, [LONTAR]]


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"username": ""}, "username"),
        ({"username": "a"}, "username"),
        ({"username": "budi<script>"}, "username"),
        ({"full_name": "x" * 101}, "full_name"),
        ({"password": "pendek"}, "password"),
        ({"password": "x" * 129}, "password"),
        ({"role": "raja"}, "role"),
        ({"scope_codes": []}, "scopes"),
        ({"scope_codes": [LONTAR, SUSUKAN]}, "scopes"),
        ({"scope_codes": ["36.04"]}, "scopes"),
        ({"scope_codes": [KELURAHAN]}, "scopes"),
        ({"scope_codes": ["99.99.99.2999"]}, "scopes"),
        ({"scope_codes": ["bukan-kode"]}, "scopes"),
        ({"role": "pemantau", "scope_codes": [LONTAR]}, "scopes"),
        ({"role": "admin", "scope_codes": ["36"]}, "scopes"),
    ],
)
def test_bad_user_input_is_refused(db, regions, kw, field):
    with pytest.raises(ValidationFailed) as caught:
        create(db, **kw)
    assert field in caught.value.errors


@pytest.mark.parametrize(
    "password",
    [
        "1234567890",  # a top-100 password
        "qwertyuiop",  # a keyboard row
        "abcdefghij",  # a sequence
        "passwordpassword",  # a repeat
        "rahasia1234",  # "secret" in Indonesian, which zxcvbn's English lists lack
        "Merdeka1945!",  # a word and a famous year
        "BudiSantoso",  # the account's own name
        "operatordesa",  # local words only
    ],
)
def test_easily_guessed_passwords_are_refused_with_advice(db, regions, password):
    with pytest.raises(ValidationFailed) as caught:
        create(db, username="budi.santoso", full_name="Budi Santoso", password=password)
    assert caught.value.errors["password"] == accounts.WEAK_PASSWORD
    assert accounts.find_user(db, username="budi.santoso") is None


def test_the_accounts_own_words_count_against_its_password(db, regions):
    assert accounts.password_score("ayu.wulandari") >= accounts.MIN_PASSWORD_SCORE
    assert (
        accounts.password_score("ayu.wulandari", context=("ayu.w", "Ayu Wulandari", "ayu@desa.id"))
        < accounts.MIN_PASSWORD_SCORE
    )
    user = create(db, username="ayu.w", full_name="Ayu Wulandari")
    with pytest.raises(ValidationFailed) as caught:
        accounts.set_password(db, actor=SYSTEM, user_id=user.id, password="ayu.wulandari")
    assert caught.value.errors == {"password": accounts.WEAK_PASSWORD}
    accounts.set_password(db, actor=SYSTEM, user_id=user.id, password="kopi-tubruk-hujan")


def test_taken_username_is_refused(db, regions):
    create(db)
    with pytest.raises(ValidationFailed) as caught:
        create(db, username="BUDI")
    assert caught.value.errors["username"] == "Nama pengguna sudah dipakai."


def test_only_admins_manage_users(db, regions):
    pemantau = accounts.principal_for(make_user(db, Role.PEMANTAU))
    with pytest.raises(OutOfScope):
        accounts.create_user(
            db, actor=pemantau, username="x1x", full_name="X", role="admin", password=PASSWORD
        )


def test_authenticate_with_one_generic_message(db, regions):
    user = create(db)
    assert (
        accounts.authenticate(db, username="BUDI", password=PASSWORD, client_addr="1.1.1.1") is user
    )
    for name, pw in (("budi", "salah-sandi-123"), ("tidakada", PASSWORD)):
        with pytest.raises(accounts.LoginRefused) as caught:
            accounts.authenticate(db, username=name, password=pw, client_addr="1.1.1.1")
        assert caught.value.message == "Nama pengguna atau kata sandi salah."


def test_disabled_accounts_cannot_sign_in(db, regions):
    user = create(db)
    accounts.set_active(db, actor=SYSTEM, user_id=user.id, active=False)
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(db, username="budi", password=PASSWORD, client_addr="1.1.1.1")


def test_throttling_per_account_even_with_the_right_password(db, regions):
    create(db)
    for _ in range(accounts.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(
                db, username="budi", password="salah-salah-1", client_addr="2.2.2.2"
            )
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(db, username="budi", password=PASSWORD, client_addr="3.3.3.3")
    later = utcnow() + accounts.THROTTLE_WINDOW + timedelta(seconds=1)
    assert accounts.authenticate(
        db, username="budi", password=PASSWORD, client_addr="3.3.3.3", now=later
    )


def test_throttling_per_client_address_across_accounts(db, regions):
    create(db)
    for i in range(accounts.MAX_FAILURES_PER_ADDRESS):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(
                db, username=f"tebak{i}", password="x" * 12, client_addr="4.4.4.4"
            )
    with pytest.raises(accounts.LoginThrottled):
        accounts.authenticate(db, username="budi", password=PASSWORD, client_addr="4.4.4.4")
    assert accounts.authenticate(db, username="budi", password=PASSWORD, client_addr="5.5.5.5")


def test_sessions_resolve_expire_and_revoke(db, regions):
    user = create(db)
    new = accounts.start_session(db, user=user, client_addr="1.1.1.1", user_agent="uji", days=1)
    principal = accounts.resolve_session(db, token=new.token)
    assert principal and principal.scope.codes == (LONTAR,) and principal.role is Role.OPERATOR
    assert db.get(LoginSession, new.token) is None, "the raw token is never stored"
    new.record.expires_at = utcnow() - timedelta(seconds=1)
    db.flush()
    assert accounts.resolve_session(db, token=new.token) is None
    other = accounts.start_session(db, user=user, client_addr="1.1.1.1", user_agent="uji", days=1)
    accounts.set_password(db, actor=SYSTEM, user_id=user.id, password="kata-sandi-baru-456")
    assert accounts.resolve_session(db, token=other.token) is None
    assert accounts.resolve_session(db, token="x" * 500) is None


def test_disabling_ends_sessions_and_admin_cannot_disable_self(db, regions):
    user = create(db)
    new = accounts.start_session(db, user=user, client_addr="1", user_agent="", days=1)
    accounts.set_active(db, actor=SYSTEM, user_id=user.id, active=False)
    assert accounts.resolve_session(db, token=new.token) is None
    admin = make_user(db, Role.ADMIN, username="kepala")
    from perdes.errors import Conflict

    with pytest.raises(Conflict):
        accounts.set_active(db, actor=accounts.principal_for(admin), user_id=admin.id, active=False)


def test_grant_scopes_validated_against_role(db, regions):
    user = make_user(db, Role.PENDAMPING)
    accounts.set_scopes(db, actor=SYSTEM, user_id=user.id, scope_codes=[LONTAR])
    assert [s.region_code for s in user.scopes] == [LONTAR]
    with pytest.raises(ValidationFailed):
        accounts.set_scopes(db, actor=SYSTEM, user_id=user.id, scope_codes=["36"])

"""Invitations, password reset and e-mail verification: one-time, expiring, hashed links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from perdes.accounts import selfservice
from perdes.accounts import services as accounts
from perdes.accounts.models import AccountToken, TokenPurpose, User
from perdes.accounts.principal import Principal
from perdes.db import utcnow
from perdes.errors import Conflict, ValidationFailed
from perdes.mail.models import OutboxMessage
from tests.factories import LONTAR, PASSWORD, make_user

BASE = "https://perdes.example.id"
NEW_PASSWORD = "sandi-baru-yang-panjang"


def _invited(db, email: str | None = "sekdes@example.id") -> User:
    return accounts.create_user(
        db,
        actor=Principal.system(),
        username="sekdes.lontar",
        full_name="Sekdes Lontar",
        role="operator",
        password=None,
        scope_codes=[LONTAR],
        email=email or "",
    )


def _secret(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _mails(db, to: str) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage).where(OutboxMessage.to_address == to).order_by(OutboxMessage.id)
        )
    )


def test_an_invited_user_sets_a_password_once_and_the_address_is_verified(db, regions):
    user = _invited(db)
    with pytest.raises(accounts.LoginRefused):  # no password yet: cannot sign in
        accounts.authenticate(db, username="sekdes.lontar", password="", client_addr="t")
    link = selfservice.invite_user(db, actor=Principal.system(), user=user, base_url=BASE)
    assert link.url.startswith(f"{BASE}/undangan/") and link.mailed_to == "sekdes@example.id"
    [mail] = _mails(db, "sekdes@example.id")
    assert link.url in mail.body_text and "sekdes.lontar" in mail.body_text
    stored = db.scalar(select(AccountToken.token_hash))
    assert _secret(link.url) not in stored, "only the hash is stored"
    selfservice.complete_password(
        db,
        purpose=TokenPurpose.INVITATION,
        secret=_secret(link.url),
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD,
    )
    assert accounts.authenticate(
        db, username="sekdes.lontar", password=NEW_PASSWORD, client_addr="t"
    )
    assert user.email_verified_at is not None
    with pytest.raises(selfservice.TokenInvalid):  # single use
        selfservice.complete_password(
            db,
            purpose=TokenPurpose.INVITATION,
            secret=_secret(link.url),
            password="lagi-sandi-lain-123",
            password_confirm="lagi-sandi-lain-123",
        )
    with pytest.raises(Conflict):
        selfservice.invite_user(db, actor=Principal.system(), user=user, base_url=BASE)


def test_links_expire_are_replaced_and_are_tied_to_their_purpose(db, regions):
    user = _invited(db, email=None)
    first = selfservice.invite_user(db, actor=Principal.system(), user=user, base_url=BASE)
    assert first.mailed_to is None and not db.scalar(select(func.count(OutboxMessage.id)))
    second = selfservice.invite_user(db, actor=Principal.system(), user=user, base_url=BASE)
    with pytest.raises(selfservice.TokenInvalid):
        selfservice.peek(db, purpose=TokenPurpose.INVITATION, secret=_secret(first.url))
    with pytest.raises(selfservice.TokenInvalid):
        selfservice.peek(db, purpose=TokenPurpose.PASSWORD_RESET, secret=_secret(second.url))
    later = utcnow() + timedelta(days=7, seconds=1)
    with pytest.raises(selfservice.TokenInvalid):
        selfservice.peek(db, purpose=TokenPurpose.INVITATION, secret=_secret(second.url), now=later)
    for bad in ("", "x" * 101, "tidak-ada"):
        with pytest.raises(selfservice.TokenInvalid):
            selfservice.peek(db, purpose=TokenPurpose.INVITATION, secret=bad)


@pytest.mark.parametrize(
    ("password", "confirm", "field"),
    [
        ("pendek", "pendek", "password"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "password_confirm"),
        ("sandi\x00panjang-sekali", "sandi\x00panjang-sekali", "password"),
        ("qwerty12345", "qwerty12345", "password"),  # long enough, easy to guess
    ],
)
def test_a_bad_password_keeps_the_link_usable(db, regions, password, confirm, field):
    user = _invited(db)
    link = selfservice.invite_user(db, actor=Principal.system(), user=user, base_url=BASE)
    with pytest.raises(ValidationFailed) as exc:
        selfservice.complete_password(
            db,
            purpose=TokenPurpose.INVITATION,
            secret=_secret(link.url),
            password=password,
            password_confirm=confirm,
        )
    assert field in exc.value.errors
    selfservice.peek(db, purpose=TokenPurpose.INVITATION, secret=_secret(link.url))


def _verified_operator(db) -> User:
    user = make_user(db, "operator", username="operator.surel")
    user.email = "operator@example.id"
    user.email_verified_at = utcnow()
    db.flush()
    return user


def test_reset_mails_only_verified_addresses_and_ends_sessions(db, regions):
    user = _verified_operator(db)
    session = accounts.start_session(db, user=user, client_addr="t", user_agent="t", days=1)
    selfservice.request_password_reset(
        db, email="OPERATOR@example.id ", client_addr="1.1.1.1", base_url=BASE
    )
    selfservice.request_password_reset(
        db, email="tidak.ada@example.id", client_addr="1.1.1.1", base_url=BASE
    )
    unverified = make_user(db, "pendamping", username="pendamping.surel")
    unverified.email = "belum@example.id"
    db.flush()
    selfservice.request_password_reset(
        db, email="belum@example.id", client_addr="1.1.1.1", base_url=BASE
    )
    assert [m.to_address for m in db.scalars(select(OutboxMessage))] == ["operator@example.id"]
    [mail] = _mails(db, "operator@example.id")
    url = next(w for w in mail.body_text.split() if w.startswith(BASE))
    selfservice.complete_password(
        db,
        purpose=TokenPurpose.PASSWORD_RESET,
        secret=_secret(url),
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD,
    )
    assert accounts.resolve_session(db, token=session.token) is None
    db.refresh(session.record)
    assert session.record.revoked_at is not None
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(db, username="operator.surel", password=PASSWORD, client_addr="t")


def test_reset_requests_are_throttled_alike_for_known_and_unknown_addresses(db, regions):
    _verified_operator(db)
    for address in ("operator@example.id", "tidak.ada@example.id"):
        for _ in range(selfservice.RESETS_PER_EMAIL):
            selfservice.request_password_reset(
                db, email=address, client_addr=f"c-{address}", base_url=BASE
            )
        with pytest.raises(selfservice.ResetThrottled):
            selfservice.request_password_reset(db, email=address, client_addr="lain", base_url=BASE)
    for i in range(2):
        selfservice.request_password_reset(
            db, email=f"x{i}@example.id", client_addr="c-operator@example.id", base_url=BASE
        )
    with pytest.raises(selfservice.ResetThrottled):  # 5 from one client
        selfservice.request_password_reset(
            db, email="y@example.id", client_addr="c-operator@example.id", base_url=BASE
        )


def test_an_email_change_is_verified_and_notifies_the_old_address(db, regions):
    user = _verified_operator(db)
    actor = accounts.principal_for(user)
    selfservice.request_email_change(db, actor=actor, new_email="baru@example.id", base_url=BASE)
    [notice] = _mails(db, "operator@example.id")
    assert "b***@example.id" in notice.body_text and "baru@example.id" not in notice.body_text
    [verify] = _mails(db, "baru@example.id")
    assert user.email == "operator@example.id", "unchanged until the link is used"
    status = selfservice.email_status(db, actor=actor)
    assert (status.email, status.verified, status.pending) == (
        "operator@example.id",
        True,
        "baru@example.id",
    )
    url = next(w for w in verify.body_text.split() if w.startswith(BASE))
    selfservice.confirm_email(db, secret=_secret(url))
    assert user.email == "baru@example.id" and user.email_verified_at is not None
    with pytest.raises(selfservice.TokenInvalid):
        selfservice.confirm_email(db, secret=_secret(url))


def test_an_address_of_another_account_cannot_be_taken(db, regions):
    _verified_operator(db)
    other = make_user(db, "pendamping", username="pendamping.lain")
    with pytest.raises(ValidationFailed) as exc:
        selfservice.request_email_change(
            db,
            actor=accounts.principal_for(other),
            new_email="operator@example.id",
            base_url=BASE,
        )
    assert "dipakai" in exc.value.errors["email"]
    with pytest.raises(ValidationFailed):
        accounts.create_user(
            db,
            actor=Principal.system(),
            username="dobel",
            full_name="Dobel",
            role="operator",
            password=None,
            scope_codes=[LONTAR],
            email="Operator@Example.id",
        )

"""Re-encryption after a key rotation: resumable, also when the key changes again mid-way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from perdes.register.crypto import Keyring, SealError, generate_key, token_key_id, unseal
from perdes.register.models import PmiPerson
from perdes.register.rekey import reencrypt
from tests.factories import LONTAR
from tests.register.conftest import make_person

KEYS = {kid: generate_key() for kid in ("k1", "k2", "k3")}
LOOKUP = generate_key()


def ring(*ids: str) -> Keyring:
    return Keyring.parse(",".join(f"{i}:{KEYS[i]}" for i in ids), LOOKUP)


def key_ids(db) -> set[str]:
    db.expire_all()
    out = set()
    for p in db.scalars(select(PmiPerson)):
        out |= {token_key_id(t) for t in (p.nik_sealed, p.phone_sealed) if t}
    return out


@pytest.fixture()
def five(db, regions):
    people = [make_person(db, LONTAR, keyring=ring("k1")) for _ in range(5)]
    db.commit()
    return people


def test_a_key_change_mid_way_resumes_and_finishes(db, session_factory, five):
    niks = {p.id: unseal(p.nik_sealed, keyring=ring("k1")) for p in five}
    versions = {p.id: p.version for p in five}
    first = reencrypt(session_factory, keyring=ring("k2", "k1"), batch=2, max_batches=1)
    assert (first.resealed, first.done) == (4, False)  # 2 persons x (NIK, phone)
    assert key_ids(db) == {"k1", "k2"}
    # The key changes again before the job finished: k3 is current, k2 and k1 still open.
    second = reencrypt(session_factory, keyring=ring("k3", "k2", "k1"), batch=2)
    assert second.done and second.resealed == 10 and second.unreadable == 0
    assert key_ids(db) == {"k3"}
    only_k3 = ring("k3")
    for p in db.scalars(select(PmiPerson)):
        assert unseal(p.nik_sealed, keyring=only_k3) == niks[p.id]
        assert p.version == versions[p.id], "re-encryption is not an edit"
    again = reencrypt(session_factory, keyring=only_k3)
    assert (again.resealed, again.batches, again.done) == (0, 0, True)


def test_a_value_under_a_retired_key_is_reported_not_lost(db, session_factory, five):
    report = reencrypt(session_factory, keyring=ring("k3"))
    assert report.done and report.resealed == 0 and report.unreadable == 10
    assert key_ids(db) == {"k1"}
    with pytest.raises(SealError):
        unseal(five[0].nik_sealed, keyring=ring("k3"))

"""Sealing, look-up hashes and key rotation of the register's personal data."""

from __future__ import annotations

import json

import pytest

from perdes.config import Settings
from perdes.register.crypto import (
    KEY_FILE_NAME,
    Keyring,
    RegisterKeyError,
    SealError,
    generate_key,
    keyring_from_settings,
    lookup_hash,
    needs_reseal,
    reseal,
    seal,
    token_key_id,
    unseal,
)

NIK = "3604134506950001"


def ring(*ids: str, lookup: str | None = None, keys: dict[str, str] | None = None) -> Keyring:
    keys = keys if keys is not None else {}
    spec = ",".join(f"{i}:{keys.setdefault(i, generate_key())}" for i in ids)
    return Keyring.parse(spec, lookup or generate_key())


def test_round_trip_and_every_seal_differs():
    keyring = ring("k1")
    first, second = seal(NIK, keyring=keyring), seal(NIK, keyring=keyring)
    assert first != second  # fresh nonce: equal NIKs are not linkable by their ciphertext
    assert NIK not in first
    assert unseal(first, keyring=keyring) == unseal(second, keyring=keyring) == NIK
    assert token_key_id(first) == "k1"
    assert unseal(seal("Siti Ñurhayati 😀", keyring=keyring), keyring=keyring) == (
        "Siti Ñurhayati 😀"
    )
    assert unseal(seal("", keyring=keyring), keyring=keyring) == ""


@pytest.mark.parametrize("position", [10, 20, -2])
def test_a_changed_character_fails_authentication(position):
    keyring = ring("k1")
    token = seal(NIK, keyring=keyring)
    head, payload = token[:8], token[8:]
    index = position if position >= 0 else len(payload) + position
    flipped = "A" if payload[index] != "A" else "B"
    tampered = head + payload[:index] + flipped + payload[index + 1 :]
    with pytest.raises(SealError) as caught:
        unseal(tampered, keyring=keyring)
    assert NIK not in str(caught.value)


def test_a_token_relabelled_with_another_key_id_does_not_open():
    keys: dict[str, str] = {}
    keyring = ring("k1", "k2", keys=keys)
    token = seal(NIK, keyring=keyring).replace("v1.k1.", "v1.k2.")
    with pytest.raises(SealError, match="authentication"):
        unseal(token, keyring=keyring)


@pytest.mark.parametrize(
    "token", ["", NIK, "v1..abc", "v2.k1.AAAA", "v1.k1.", "v1.k1.!!!!", "v1.k1.QUJD", "v1.k 1.QUJD"]
)
def test_malformed_tokens_are_refused(token):
    with pytest.raises(SealError):
        unseal(token, keyring=ring("k1"))


def test_wrong_key_and_unknown_key_id():
    token = seal(NIK, keyring=ring("k1"))
    with pytest.raises(SealError, match="authentication"):
        unseal(token, keyring=ring("k1"))  # same id, another key
    with pytest.raises(SealError, match="no register key"):
        unseal(token, keyring=ring("k9"))


def test_rotation_old_tokens_open_new_ones_use_the_new_key():
    keys: dict[str, str] = {}
    lookup = generate_key()
    old = ring("k1", keys=keys, lookup=lookup)
    token = seal(NIK, keyring=old)
    rotated = ring("k2", "k1", keys=keys, lookup=lookup)
    assert unseal(token, keyring=rotated) == NIK
    assert needs_reseal(token, keyring=rotated)
    fresh = reseal(token, keyring=rotated)
    assert token_key_id(fresh) == "k2" and not needs_reseal(fresh, keyring=rotated)
    assert reseal(fresh, keyring=rotated) == fresh
    assert unseal(fresh, keyring=rotated) == NIK
    # Once k1 is retired, only the resealed token still opens.
    retired = Keyring.parse(f"k2:{keys['k2']}", lookup)
    assert unseal(fresh, keyring=retired) == NIK
    with pytest.raises(SealError):
        unseal(token, keyring=retired)
    # The look-up hash does not depend on the encryption keys.
    assert lookup_hash(NIK, keyring=old) == lookup_hash(NIK, keyring=retired)


def test_lookup_hash_is_keyed_and_stable():
    lookup = generate_key()
    one, same = ring("k1", lookup=lookup), ring("k2", lookup=lookup)
    digest = lookup_hash(NIK, keyring=one)
    assert len(digest) == 64 and NIK not in digest
    assert digest == lookup_hash(NIK, keyring=same)
    assert digest != lookup_hash("3604134506950002", keyring=one)
    assert digest != lookup_hash(NIK, keyring=ring("k1"))  # another look-up key


@pytest.mark.parametrize(
    ("keys", "lookup", "message"),
    [
        ("", generate_key(), "no register key"),
        ("k1", generate_key(), "id:key"),
        (f"k1:{generate_key()},k1:{generate_key()}", generate_key(), "twice"),
        ("k1:c2hvcnQ=", generate_key(), "32 bytes"),
        (f"bad id:{generate_key()}", generate_key(), "bad register key id"),
        (f"k1:{generate_key()}", "c2hvcnQ=", "look-up key"),
    ],
    # named, not by the random keys: every pytest-xdist worker must collect the same ids
    ids=["no-key", "no-colon", "twice", "short-key", "bad-id", "short-lookup"],
)
def test_bad_key_configuration_is_refused(keys, lookup, message):
    with pytest.raises(RegisterKeyError, match=message):
        Keyring.parse(keys, lookup)


def test_development_keys_are_generated_once_into_the_instance_folder(tmp_path):
    settings = Settings(instance_path=tmp_path / "inst")
    keyring = keyring_from_settings(settings)
    key_file = tmp_path / "inst" / KEY_FILE_NAME
    assert key_file.stat().st_mode & 0o777 == 0o600
    stored = json.loads(key_file.read_text())
    token = seal(NIK, keyring=keyring)
    again = keyring_from_settings(Settings(instance_path=tmp_path / "inst"))
    assert unseal(token, keyring=again) == NIK
    assert json.loads(key_file.read_text()) == stored


def test_configured_keys_are_used_and_production_requires_them(tmp_path):
    keys, lookup = f"prod1:{generate_key()}", generate_key()
    configured = Settings(
        instance_path=tmp_path,
        environment="production",
        register_keys=keys,
        register_lookup_key=lookup,
    )
    assert keyring_from_settings(configured).current_id == "prod1"
    assert not (tmp_path / KEY_FILE_NAME).exists()
    with pytest.raises(RegisterKeyError, match="production"):
        keyring_from_settings(Settings(instance_path=tmp_path, environment="production"))
    with pytest.raises(RegisterKeyError, match="production"):
        keyring_from_settings(
            Settings(instance_path=tmp_path, environment="production", register_keys=keys)
        )
    assert not (tmp_path / KEY_FILE_NAME).exists()


def test_the_app_refuses_to_start_in_production_without_register_keys(tmp_path):
    from perdes.web.app import create_app

    with pytest.raises(RegisterKeyError):
        create_app(Settings(instance_path=tmp_path, environment="production", secret_key="x"))
    app = create_app(
        Settings(
            instance_path=tmp_path,
            environment="production",
            secret_key="x",
            register_keys=f"p1:{generate_key()}",
            register_lookup_key=generate_key(),
        )
    )
    app.state.engine.dispose()

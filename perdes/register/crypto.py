"""Encryption at rest and keyed look-up hashes for the PMI register (UU 27/2022 Pasal 16, 35).

A sealed value is a text token ``v1.<key id>.<base64url(nonce | ciphertext | tag)>`` made
with AES-256-GCM; the key id travels in the token (and in the authenticated data), so a
keyring holding the current key and older ones opens every token while only the current key
seals. A NIK is never searched by its ciphertext (a fresh nonce each time): a separate key
makes an HMAC-SHA256 of it, stable across encryption-key rotations, for look-up and
duplicate detection.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from perdes.config import Settings

TOKEN_VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE_NAME = "register_keys.json"
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


class RegisterKeyError(RuntimeError):
    """The register's keys are missing or malformed (a configuration error, not user input)."""


class SealError(ValueError):
    """A token could not be opened: malformed, unknown key id, or failed authentication.

    The message never contains the token or any part of the plaintext.
    """


@dataclass(frozen=True)
class Keyring:
    """Encryption keys by id (the first one seals) and the look-up key."""

    current_id: str
    keys: dict[str, bytes] = field(repr=False)
    lookup_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if self.current_id not in self.keys:
            raise RegisterKeyError("the current key id is not in the keyring")
        for key_id, key in self.keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise RegisterKeyError(f"bad register key id {key_id!r} (letters, digits, - _)")
            if len(key) != KEY_BYTES:
                raise RegisterKeyError(f"register key {key_id!r} must be {KEY_BYTES} bytes")
        if len(self.lookup_key) < KEY_BYTES:
            raise RegisterKeyError(f"the register look-up key must be {KEY_BYTES} bytes or more")

    @classmethod
    def parse(cls, keys: str, lookup_key: str) -> Keyring:
        """Build from the settings' text form: ``'id:key,id:key'`` and one key (urlsafe b64)."""
        parsed: dict[str, bytes] = {}
        order: list[str] = []
        for part in keys.split(","):
            part = part.strip()
            if not part:
                continue
            key_id, sep, encoded = part.partition(":")
            if not sep:
                raise RegisterKeyError("register keys are written 'id:key,id:key'")
            if key_id in parsed:
                raise RegisterKeyError(f"register key id {key_id!r} appears twice")
            parsed[key_id] = _b64decode_key(encoded, what=f"register key {key_id!r}")
            order.append(key_id)
        if not order:
            raise RegisterKeyError("no register key configured")
        return cls(
            current_id=order[0],
            keys=parsed,
            lookup_key=_b64decode_key(lookup_key, what="register look-up key"),
        )


def generate_key() -> str:
    """A fresh 32-byte key in the settings' text form (urlsafe base64)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def keyring_from_settings(settings: Settings) -> Keyring:
    """The configured keyring; in development, keys generated once into the instance folder.

    Raises ``RegisterKeyError`` in production when ``register_keys`` or
    ``register_lookup_key`` is not set, so the app refuses to start rather than invent keys.
    """
    if settings.register_keys and settings.register_lookup_key:
        return _cached_keyring(settings.register_keys, settings.register_lookup_key)
    if settings.environment == "production":
        raise RegisterKeyError(
            "PERDES_REGISTER_KEYS and PERDES_REGISTER_LOOKUP_KEY must be set in production"
        )
    keys, lookup = _development_keys(settings.instance_path)
    return _cached_keyring(settings.register_keys or keys, settings.register_lookup_key or lookup)


@lru_cache(maxsize=8)
def _cached_keyring(keys: str, lookup_key: str) -> Keyring:
    return Keyring.parse(keys, lookup_key)


def _development_keys(instance_path: Path) -> tuple[str, str]:
    key_file = instance_path / KEY_FILE_NAME
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        material = {"keys": f"dev1:{generate_key()}", "lookup_key": generate_key()}
        # O_EXCL: two processes starting at once must not each write their own keys.
        try:
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(material, handle)
    data = json.loads(key_file.read_text(encoding="utf-8"))
    return str(data["keys"]), str(data["lookup_key"])


def seal(value: str, *, keyring: Keyring) -> str:
    """Encrypt ``value`` with the current key; a new random nonce every time."""
    key_id = keyring.current_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keyring.keys[key_id]).encrypt(nonce, value.encode("utf-8"), _aad(key_id))
    payload = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{TOKEN_VERSION}.{key_id}.{payload}"


def unseal(token: str, *, keyring: Keyring) -> str:
    """Decrypt a token made by ``seal`` with any key of the ring; ``SealError`` otherwise."""
    key_id, raw = _split(token)
    key = keyring.keys.get(key_id)
    if key is None:
        raise SealError(f"no register key with id {key_id!r}")
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(key_id))
    except InvalidTag:
        raise SealError("sealed value failed authentication (tampered or wrong key)") from None
    return plain.decode("utf-8")


def token_key_id(token: str) -> str:
    """The id of the key a token was sealed with (``SealError`` when malformed)."""
    return _split(token)[0]


def needs_reseal(token: str, *, keyring: Keyring) -> bool:
    """True when the token was sealed with a key other than the current one."""
    return token_key_id(token) != keyring.current_id


def reseal(token: str, *, keyring: Keyring) -> str:
    """The same value sealed with the current key (the token itself when already current)."""
    if not needs_reseal(token, keyring=keyring):
        return token
    return seal(unseal(token, keyring=keyring), keyring=keyring)


def lookup_hash(value: str, *, keyring: Keyring) -> str:
    """HMAC-SHA256 of ``value`` (hex, 64 characters): equal values, equal hashes.

    Callers normalise first (a NIK is its 16 ASCII digits). Without the look-up key the
    hash cannot be recomputed from a guessed NIK, unlike a plain SHA-256 of a 16-digit space.
    """
    return hmac.new(keyring.lookup_key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _aad(key_id: str) -> bytes:
    return f"perdes-register/{TOKEN_VERSION}/{key_id}".encode("ascii")


def _split(token: str) -> tuple[str, bytes]:
    version, _, rest = token.partition(".")
    key_id, _, payload = rest.partition(".")
    if version != TOKEN_VERSION or not _KEY_ID.fullmatch(key_id) or not payload:
        raise SealError("not a sealed register value")
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        raise SealError("not a sealed register value") from None
    if len(raw) < NONCE_BYTES + 16:
        raise SealError("not a sealed register value")
    return key_id, raw


def _b64decode_key(encoded: str, *, what: str) -> bytes:
    encoded = encoded.strip()
    try:
        return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise RegisterKeyError(f"{what} is not urlsafe base64") from None

"""Authenticated encryption, key rings and the blind index.

Everything here is AES-256-GCM or HMAC-SHA256 from the `cryptography` package; nothing is
home-made. A sealed value is a short ASCII token:

    e1.<key id>.<base64url(nonce || ciphertext || tag)>

`e1` names the format (AES-256-GCM, 96-bit random nonce). The key id says which key sealed it.
Associated data (never stored in the token) binds a token to where it belongs — e.g. model,
field and row — so a token copied elsewhere does not open.

Failures are loud: `DecryptionError` is raised and its message never carries the value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

FORMAT = "e1"
NONCE_BYTES = 12
KEY_BYTES = 32
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class DecryptionError(Exception):
    """A value could not be opened: tampered, misplaced, or its key is unknown."""


class KeyDestroyed(DecryptionError):
    """The value's data key was destroyed: the person was erased (crypto-shredded)."""


class KeyRingError(Exception):
    """A key ring setting is malformed."""


@dataclass(frozen=True)
class KeyRing:
    """Named keys, newest (current) first."""

    keys: dict[str, bytes]
    current_id: str

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """Read "id:base64key,id:base64key" — the first entry is the current key."""
        keys: dict[str, bytes] = {}
        for entry in (part.strip() for part in text.split(",")):
            if not entry:
                continue
            key_id, _, encoded = entry.partition(":")
            if not _KEY_ID.match(key_id):
                raise KeyRingError(f"Key id {key_id!r} must be 1-32 letters, digits, _ or -.")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error:
                raise KeyRingError(f"Key {key_id!r} is not valid base64.") from None
            if len(key) != KEY_BYTES:
                raise KeyRingError(f"Key {key_id!r} must be {KEY_BYTES} bytes, not {len(key)}.")
            if key_id in keys:
                raise KeyRingError(f"Key id {key_id!r} appears twice.")
            keys[key_id] = key
        if not keys:
            raise KeyRingError("The key ring is empty.")
        return cls(keys=keys, current_id=next(iter(keys)))

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


def generate_key_entry(key_id: str) -> str:
    """A new ring entry for operators: "id:base64key"."""
    if not _KEY_ID.match(key_id):
        raise KeyRingError(f"Key id {key_id!r} must be 1-32 letters, digits, _ or -.")
    return f"{key_id}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}"


@cache
def master_ring() -> KeyRing:
    return KeyRing.parse(settings.ENCRYPTION_KEYS)


@cache
def blind_index_ring() -> KeyRing:
    return KeyRing.parse(settings.BLIND_INDEX_KEYS)


def reset_key_caches() -> None:
    """Forget parsed rings (after settings change, e.g. in tests or after rotation)."""
    master_ring.cache_clear()
    blind_index_ring.cache_clear()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seal(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> str:
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext, aad)
    return f"{FORMAT}.{key_id}.{_b64encode(nonce + sealed)}"


def token_key_id(token: str) -> str:
    """The key id a token names, without opening it."""
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != FORMAT:
        raise DecryptionError("Not a sealed value of a known format.")
    return parts[1]


def unseal(token: str, key: bytes, aad: bytes) -> bytes:
    payload = token.split(".")[-1]
    try:
        raw = _b64decode(payload)
    except (binascii.Error, ValueError):
        raise DecryptionError("Sealed value is not valid base64.") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError("Sealed value is too short.")
    try:
        return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
    except InvalidTag:
        raise DecryptionError(
            "Sealed value failed authentication: tampered, or not sealed for this place."
        ) from None


def seal_with_ring(ring: KeyRing, plaintext: bytes, aad: bytes) -> str:
    return seal(ring.current, ring.current_id, plaintext, aad)


def unseal_with_ring(ring: KeyRing, token: str, aad: bytes) -> bytes:
    key_id = token_key_id(token)
    key = ring.keys.get(key_id)
    if key is None:
        raise DecryptionError(f"Sealed under key {key_id!r}, which is not in the key ring.")
    return unseal(token, key, aad)


def master_encrypt(text: str, *, context: str) -> str:
    """Seal a small secret (e.g. a TOTP secret) directly under the master key ring.

    `context` is the associated data: the same context must be given to open it.
    """
    return seal_with_ring(master_ring(), text.encode(), context.encode())


def master_decrypt(token: str, *, context: str) -> str:
    return unseal_with_ring(master_ring(), token, context.encode()).decode()


# --- Blind index -----------------------------------------------------------------------------

IndexKind = Literal["name", "phone", "date"]

# 32 bits: at 100,000 clients a search returns the person plus, on average, far fewer than one
# stranger; every candidate is confirmed by decrypting. Shorter indexes would leak less to
# frequency analysis but make searches decrypt more; longer ones add nothing.
INDEX_HEX_CHARS = 8

# Anything that is not a letter or digit (spaces, hyphens, apostrophes, commas…) separates words.
_NOT_A_WORD = re.compile(r"[\W_]+")


def normalise_name(value: str) -> str:
    """Case, accents, spacing, punctuation and word order do not matter for names.

    "Amina  Diallo", "amina diallo", "DIALLO, Amina" and "Amína Diallo" are one name.
    """
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # The dotless i (U+0131) is what a Turkish keyboard gives for the I that others type.
    text = text.casefold().replace("\u0131", "i")
    words = [word for word in _NOT_A_WORD.split(text) if word]
    return " ".join(sorted(words))


def normalise_phone(value: str) -> str:
    """Digits only, compared on the last nine: "+41 79 123 45 67" is "079 123 45 67".

    Nine digits is the national number length of most European mobile numbers; the country
    prefix and a leading trunk 0 are written inconsistently and are dropped.
    """
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    return digits[-9:]


def normalise_date(value: date | str) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return date.fromisoformat(value.strip()).isoformat()


def normalise(kind: IndexKind, value: str | date) -> str:
    if kind == "date":
        return normalise_date(value)
    if isinstance(value, date):
        raise TypeError(f"A {kind} is text, not a date.")
    return normalise_name(value) if kind == "name" else normalise_phone(value)


def _index_with(key: bytes, kind: IndexKind, normalised: str) -> str:
    # The kind is part of the message: one key serves all kinds without cross-kind matches.
    digest = hmac.new(key, f"{kind}\x00{normalised}".encode(), hashlib.sha256).hexdigest()
    return digest[:INDEX_HEX_CHARS]


def blind_index(kind: IndexKind, value: str | date | None) -> str:
    """The index value to store, under the current blind-index key ("" for no value)."""
    if value is None or value == "":
        return ""
    normalised = normalise(kind, value)
    if not normalised:
        return ""
    return _index_with(blind_index_ring().current, kind, normalised)


def blind_index_candidates(kind: IndexKind, value: str | date) -> list[str]:
    """Index values to search for: one per key in the ring, so that search keeps working
    while `rotate_keys --blind-index` rebuilds the stored values."""
    normalised = normalise(kind, value)
    if not normalised:
        return []
    ring = blind_index_ring()
    return sorted({_index_with(key, kind, normalised) for key in ring.keys.values()})


def same_normalised(kind: IndexKind, left: str | date | None, right: str | date) -> bool:
    """Confirm a blind-index candidate after decrypting it."""
    if left is None or left == "":
        return False
    return normalise(kind, left) == normalise(kind, right)

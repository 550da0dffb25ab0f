"""Sealing one value with one person's key: AES-256-GCM, the person's id as associated data.

A sealed value is text (``sealed:v1:`` + base64 of nonce and ciphertext), so it fits the same
JSON field and the published contracts still validate. The associated data binds a sealed
value to its person: it cannot be moved to someone else's record and opened with their key.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import orjson
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "sealed:v1:"
_NONCE_BYTES = 12


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, subject: str, value: Any) -> str:  # noqa: ANN401 - any JSON value
    """``value`` (any JSON value) sealed for ``subject``."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, orjson.dumps(value), subject.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(key: bytes, subject: str, text: str) -> Any:  # noqa: ANN401 - any JSON value
    """The value ``seal`` sealed; raises ``cryptography.exceptions.InvalidTag`` if tampered."""
    raw = base64.b64decode(text.removeprefix(PREFIX))
    nonce, sealed = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    return orjson.loads(AESGCM(key).decrypt(nonce, sealed, subject.encode()))


def is_sealed(value: object) -> bool:
    """Whether ``value`` is a sealed value (as stored, published and served)."""
    return isinstance(value, str) and value.startswith(PREFIX)

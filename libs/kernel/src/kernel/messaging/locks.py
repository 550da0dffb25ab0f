"""Keys for Postgres advisory locks, derived from names so that no registry of numbers is needed."""

from __future__ import annotations

import struct
import zlib


def _int4(text: str) -> int:
    (value,) = struct.unpack(">i", struct.pack(">I", zlib.crc32(text.encode())))
    return int(value)


def advisory_key(kind: str, name: str) -> tuple[int, int]:
    """The ``(int4, int4)`` key for ``pg_advisory_lock(key1, key2)``.

    The two-int form lives in a different key space from the single ``bigint`` form the
    migration runner uses, so the two cannot collide; ``kind`` separates our own uses.
    """
    return _int4(kind), _int4(name)

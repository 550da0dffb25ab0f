"""Keys for Postgres advisory locks, derived from names so that no registry of numbers is needed."""

from __future__ import annotations

import struct
import zlib

from kernel.messaging.handler import DbConnection


def _int4(text: str) -> int:
    (value,) = struct.unpack(">i", struct.pack(">I", zlib.crc32(text.encode())))
    return int(value)


def advisory_key(kind: str, name: str) -> tuple[int, int]:
    """The ``(int4, int4)`` key for ``pg_advisory_lock(key1, key2)``.

    The two-int form lives in a different key space from the single ``bigint`` form the
    migration runner uses, so the two cannot collide; ``kind`` separates our own uses.
    """
    return _int4(kind), _int4(name)


async def release_session_lock(conn: DbConnection, key: tuple[int, int]) -> None:
    """Release a session-level advisory lock before its connection goes back to the pool.

    Service pools do not reset connections on release (a round trip on every release; see
    ``kernel.postgres.pool``), so a lock left behind would stay with an idle connection. If
    the unlock cannot be confirmed (an error, or cancellation mid-way), the connection is
    terminated instead: ending the session is what releases the lock then.
    """
    if conn.is_closed():
        return
    try:
        await conn.execute("SELECT pg_advisory_unlock($1, $2)", *key)
    except BaseException:
        conn.terminate()
        raise

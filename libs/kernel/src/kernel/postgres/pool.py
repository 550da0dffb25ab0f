"""The connection pool every service (and the benchmarks) uses."""

from __future__ import annotations

import asyncpg


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    """An asyncpg pool whose connections are not reset on release (see below)."""
    pool: asyncpg.Pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        reset=_reset_if_in_transaction,
        # No idle timer armed and disarmed on every release (~10 % of a pooled query's CPU,
        # measured); a service's few connections stay open while it runs.
        max_inactive_connection_lifetime=0,
    )
    return pool


async def _reset_if_in_transaction(conn: asyncpg.Connection) -> None:
    """What a released connection needs, and no more.

    asyncpg's default reset (unlock all advisory locks, close cursors, UNLISTEN, RESET ALL) is
    one more round trip on every release: measured, ~20% of a membership command's cost, and
    one serial round trip per group commit. Kernel code leaves none of that behind: session
    locks are released by ``kernel.messaging.locks.release_session_lock``, the store's listener
    removes itself, and nothing sets session state or keeps cursors. Only a transaction left
    open by a failure is worth a round trip to roll back.
    """
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")

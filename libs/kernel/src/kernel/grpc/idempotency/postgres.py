"""Idempotency keys in Postgres (``<schema>.idempotency_keys``, kernel migration 0003).

Claims are one ``INSERT ... ON CONFLICT`` each, so two replicas receiving the same retried request
at once can never both act: Postgres lets exactly one insert (or take over) the row.
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg

from kernel.grpc.idempotency.store import (
    DEFAULT_RETENTION,
    IdempotencyScope,
    IdempotencyStore,
    StoredRequest,
)
from kernel.postgres.identifiers import checked_schema


class PostgresIdempotencyStore(IdempotencyStore):
    """An ``IdempotencyStore`` shared by every replica of a service.

    Args:
        pool: the service's asyncpg pool.
        schema: the service's schema, migrated with ``kernel_migrations()``.
        retention: how long a completed request answers retries; older rows are reclaimable
            at once and removed by ``purge_expired``.
    """

    def __init__(
        self, pool: asyncpg.Pool, schema: str, *, retention: timedelta = DEFAULT_RETENTION
    ) -> None:
        self._pool = pool
        self._retention = retention
        table = f"{checked_schema(schema)}.idempotency_keys"
        self._table = table
        self._claim_sql = (
            f"INSERT INTO {table} AS k (principal, method, key, fingerprint, owner, locked_until)"
            " VALUES ($1, $2, $3, $4, $5, now() + $6::interval)"
            " ON CONFLICT (principal, method, key) DO UPDATE SET"
            " fingerprint = excluded.fingerprint, owner = excluded.owner,"
            " locked_until = excluded.locked_until, response = NULL, completed_at = NULL,"
            " created_at = now()"
            # An abandoned reservation may be taken over by a retry of the same request; a
            # response past its retention frees the key for anything.
            " WHERE (k.response IS NULL AND k.locked_until < now()"
            "        AND k.fingerprint = excluded.fingerprint)"
            "    OR k.completed_at < now() - $7::interval"
            " RETURNING k.owner"
        )
        self._stored_sql = (
            f"SELECT fingerprint, response FROM {table}"
            " WHERE principal = $1 AND method = $2 AND key = $3"
        )

    async def claim(
        self, scope: IdempotencyScope, fingerprint: bytes, owner: str, lease: timedelta
    ) -> StoredRequest | None:
        key = (scope.principal, scope.method, scope.key)
        async with self._pool.acquire() as conn:
            while True:
                claimed = await conn.fetchval(
                    self._claim_sql, *key, fingerprint, owner, lease, self._retention
                )
                if claimed is not None:
                    return None
                row = await conn.fetchrow(self._stored_sql, *key)
                # The holder may have released the key between the two statements: claim again.
                if row is not None:
                    return StoredRequest(bytes(row["fingerprint"]), row["response"])

    async def complete(self, scope: IdempotencyScope, owner: str, response: bytes) -> None:
        await self._pool.execute(
            f"UPDATE {self._table} SET response = $5, completed_at = now(), owner = NULL,"
            " locked_until = NULL WHERE principal = $1 AND method = $2 AND key = $3"
            " AND owner = $4",
            scope.principal,
            scope.method,
            scope.key,
            owner,
            response,
        )

    async def release(self, scope: IdempotencyScope, owner: str) -> None:
        await self._pool.execute(
            f"DELETE FROM {self._table} WHERE principal = $1 AND method = $2 AND key = $3"
            " AND owner = $4 AND response IS NULL",
            scope.principal,
            scope.method,
            scope.key,
            owner,
        )

    async def purge_expired(self) -> int:
        """Delete responses older than the retention; returns how many were deleted."""
        result: str = await self._pool.execute(
            f"DELETE FROM {self._table} WHERE completed_at < now() - $1::interval",
            self._retention,
        )
        return int(result.split()[-1])

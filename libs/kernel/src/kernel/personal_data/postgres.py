"""Keys in ``<schema>.personal_data_keys`` (kernel migration 0004)."""

from __future__ import annotations

from collections.abc import Collection

import asyncpg

from kernel.personal_data.cipher import new_key
from kernel.personal_data.vault import KeyVault, PersonalDataErased
from kernel.postgres.identifiers import checked_schema


class PostgresKeyVault(KeyVault):
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        table = f"{checked_schema(schema)}.personal_data_keys"
        self._pool = pool
        # One round trip: the CTE's insert is invisible to the outer SELECT of the same
        # statement, so the union is "what existed" plus "what this call made".
        self._keys_for = (
            f"WITH made AS (INSERT INTO {table} (subject, key)"
            " SELECT * FROM unnest($1::text[], $2::bytea[])"
            " ON CONFLICT (subject) DO NOTHING RETURNING subject, key)"
            f" SELECT subject, key FROM made UNION ALL"
            f" SELECT subject, key FROM {table} WHERE subject = ANY($1::text[])"
        )
        self._existing = (
            f"SELECT subject, key FROM {table} WHERE subject = ANY($1::text[]) AND key IS NOT NULL"
        )
        self._forget = (
            f"INSERT INTO {table} AS k (subject, key, forgotten_at) VALUES ($1, NULL, now())"
            " ON CONFLICT (subject) DO UPDATE"
            " SET key = NULL, forgotten_at = coalesce(k.forgotten_at, now())"
        )

    async def keys_for(self, subjects: Collection[str]) -> dict[str, bytes]:
        wanted = sorted(set(subjects))
        rows = await self._pool.fetch(self._keys_for, wanted, [new_key() for _ in wanted])
        keys = {row["subject"]: row["key"] for row in rows}
        if erased := [s for s in wanted if keys.get(s) is None]:
            raise PersonalDataErased(erased)
        return keys

    async def existing_keys(self, subjects: Collection[str]) -> dict[str, bytes]:
        rows = await self._pool.fetch(self._existing, sorted(set(subjects)))
        return {row["subject"]: row["key"] for row in rows}

    async def forget(self, subject: str) -> None:
        await self._pool.execute(self._forget, subject)

"""Keys in ``<schema>.personal_data_keys`` (kernel migration 0004)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import asyncpg

from kernel.events import RecordedEvent
from kernel.personal_data.cipher import new_key
from kernel.personal_data.vault import KeyVault, PersonalDataErased
from kernel.postgres.connection import DbConnection
from kernel.postgres.identifiers import checked_schema


def _table(schema: str) -> str:
    return f"{checked_schema(schema)}.personal_data_keys"


def _forget_statement(schema: str) -> str:
    table = _table(schema)
    return (
        f"INSERT INTO {table} AS k (subject, key, forgotten_at) VALUES ($1, NULL, now())"
        " ON CONFLICT (subject) DO UPDATE"
        " SET key = NULL, forgotten_at = coalesce(k.forgotten_at, now())"
    )


class PostgresKeyVault(KeyVault):
    def __init__(self, pool: asyncpg.Pool, schema: str) -> None:
        table = _table(schema)
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
        self._forget = _forget_statement(schema)

    async def keys_for(self, subjects: Collection[str]) -> dict[str, bytes]:
        wanted = sorted(set(subjects))
        rows = await self._pool.fetch(self._keys_for, wanted, [new_key() for _ in wanted])
        keys = {row["subject"]: row["key"] for row in rows}
        if unseen := [s for s in wanted if s not in keys]:
            # A concurrent first call made these keys: this statement's insert waited for it
            # and did nothing, and its snapshot predates that commit. A new one sees them.
            keys.update(await self.existing_keys(unseen))
        if erased := [s for s in wanted if keys.get(s) is None]:
            raise PersonalDataErased(erased)
        return keys

    async def existing_keys(self, subjects: Collection[str]) -> dict[str, bytes]:
        rows = await self._pool.fetch(self._existing, sorted(set(subjects)))
        return {row["subject"]: row["key"] for row in rows}

    async def forget(self, subject: str) -> None:
        await self._pool.execute(self._forget, subject)


class ErasureFollower:
    """Forgets this service's keys for people another service erased (an ``EventHandler``).

    A service that seals personal data about another service's subjects subscribes this to
    that service, so its erasure event (say ``membership.PersonErased``) shreds this
    service's copies too, in the consumer's transaction with its checkpoint.

    Args:
        schema: this service's schema (where its keys are).
        erasures: the other service's erasing event types, each with the field naming whom.
    """

    name = "personal-data-erasures"

    def __init__(self, schema: str, erasures: Mapping[str, str]) -> None:
        self._erasures = dict(erasures)
        self._forget = _forget_statement(schema)

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        for event in events:
            if (field := self._erasures.get(event.event_type)) is not None:
                await conn.execute(self._forget, str(event.data[field]))

"""The SQL behind a consumer's inbox: checkpoint, failed attempts and dead letters of one source.

Checkpoints only ever move forward (the projection rebuild's swap included), which is what
lets the consumer keep an in-memory lower bound and skip known duplicates without a query.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import asyncpg

from kernel.events import RecordedEvent
from kernel.messaging.handler import DbConnection
from kernel.messaging.message import event_body
from kernel.postgres.identifiers import checked_schema

#: Longest error text stored or sent; a traceback's last lines are what an operator needs.
MAX_ERROR_CHARS = 4000


class Inbox:
    """One consumer's state for one source, in ``<schema>.consumer_*`` and ``dead_letters``."""

    def __init__(self, schema: str, consumer: str, source: str) -> None:
        s = checked_schema(schema)
        self.schema = s
        self.consumer = consumer
        self.source = source
        self._ensure = (
            f"INSERT INTO {s}.consumer_checkpoints (consumer, source, position)"
            " VALUES ($1, $2, 0) ON CONFLICT DO NOTHING"
        )
        self._get = (
            f"SELECT position FROM {s}.consumer_checkpoints WHERE consumer = $1 AND source = $2"
        )
        self._lock = self._get + " FOR UPDATE"
        self._save = (
            f"UPDATE {s}.consumer_checkpoints SET position = $3, updated_at = now()"
            " WHERE consumer = $1 AND source = $2"
        )
        self._fail = (
            f"INSERT INTO {s}.consumer_failures AS f"
            " (consumer, source, position, attempts, last_error) VALUES ($1, $2, $3, 1, $4)"
            " ON CONFLICT (consumer, source, position) DO UPDATE"
            " SET attempts = f.attempts + 1, last_error = $4, failed_at = now()"
            " RETURNING attempts"
        )
        self._clear = (
            f"DELETE FROM {s}.consumer_failures"
            " WHERE consumer = $1 AND source = $2 AND position <= $3"
        )
        self._bury = (
            f"INSERT INTO {s}.dead_letters AS d (consumer, source, position, event_id,"
            " event_type, event, error, attempts) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8)"
            " ON CONFLICT (consumer, source, position) DO UPDATE SET event = $6::jsonb,"
            " error = $7, attempts = $8, dead_at = now(), redriven_at = NULL,"
            " redrive_error = NULL RETURNING id"
        )

    async def ensure(self, db: DbConnection | asyncpg.Pool) -> None:
        """Create the checkpoint row at 0 if this consumer has never seen this source."""
        await db.execute(self._ensure, self.consumer, self.source)

    async def position(self, db: DbConnection | asyncpg.Pool) -> int:
        """The committed checkpoint (0 when there is none yet)."""
        value = await db.fetchval(self._get, self.consumer, self.source)
        return int(value or 0)

    async def lock(self, conn: DbConnection) -> int:
        """Lock the checkpoint row until the transaction ends and return it."""
        value = await conn.fetchval(self._lock, self.consumer, self.source)
        if value is None:
            raise LookupError(f"no checkpoint row for {self.consumer}/{self.source}")
        return int(value)

    async def save(self, conn: DbConnection, position: int) -> None:
        await conn.execute(self._save, self.consumer, self.source, position)

    async def record_failure(
        self, db: DbConnection | asyncpg.Pool, position: int, error: str
    ) -> int:
        """Count one more failed attempt at ``position``; return the attempts so far."""
        attempts = await db.fetchval(
            self._fail, self.consumer, self.source, position, error[:MAX_ERROR_CHARS]
        )
        return int(attempts)

    async def clear_failures(self, db: DbConnection | asyncpg.Pool, up_to: int) -> None:
        """Forget failed attempts at positions that are behind us now."""
        await db.execute(self._clear, self.consumer, self.source, up_to)

    async def bury(
        self, conn: DbConnection, event: RecordedEvent, error: str, attempts: int
    ) -> int:
        """Store ``event`` as a dead letter (in the caller's transaction); return its id."""
        dead_id = await conn.fetchval(
            self._bury,
            self.consumer,
            self.source,
            event.position,
            event.event_id,
            event.event_type,
            event_body(event).decode(),
            error[:MAX_ERROR_CHARS],
            attempts,
        )
        return int(dead_id)


class CheckpointGroup:
    """The checkpoints of several consumers of one source, locked and moved in one statement each.

    For handlers that apply the same events in one transaction (a service's own projections):
    two round trips per batch instead of two per handler.
    """

    def __init__(self, schema: str, consumers: Sequence[str], source: str) -> None:
        s = checked_schema(schema)
        self.consumers = sorted(consumers)  # one lock order for every transaction
        self.source = source
        self._lock = (
            f"SELECT consumer, position FROM {s}.consumer_checkpoints"
            " WHERE source = $1 AND consumer = ANY($2::text[]) ORDER BY consumer FOR UPDATE"
        )
        self._save = (
            f"UPDATE {s}.consumer_checkpoints AS c SET position = m.position, updated_at = now()"
            " FROM unnest($2::text[], $3::bigint[]) AS m (consumer, position)"
            " WHERE c.source = $1 AND c.consumer = m.consumer"
        )

    async def lock(self, conn: DbConnection) -> dict[str, int]:
        """Lock every checkpoint row until the transaction ends; consumer to position."""
        rows = await conn.fetch(self._lock, self.source, self.consumers)
        positions = {row["consumer"]: int(row["position"]) for row in rows}
        if missing := set(self.consumers) - positions.keys():
            raise LookupError(f"no checkpoint rows for {sorted(missing)} of {self.source}")
        return positions

    async def save(self, conn: DbConnection, positions: Mapping[str, int]) -> None:
        """Move the given consumers' checkpoints (in the caller's transaction)."""
        if positions:
            consumers = list(positions)
            await conn.execute(
                self._save, self.source, consumers, [positions[c] for c in consumers]
            )


def error_text(error: BaseException) -> str:
    """A one-line description of ``error`` for storage, headers and logs."""
    text = f"{type(error).__name__}: {error}"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 1] + "…"

"""Helpers for testing and benchmarking consumers, relays and projections on real infrastructure.

Not used in production code (schemas and URLs come from ``kernel.testing.infrastructure``).
``RecordingHandler`` is also what the benchmarks apply: one ``INSERT ... SELECT unnest(...)``
per batch, so it measures the consumer, not the handler.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from kernel.events import NewEvent, RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.messaging.handler import DbConnection
from kernel.postgres.identifiers import checked_schema


async def wait_until(
    check: Callable[[], bool | Awaitable[bool]], *, within: float = 10.0, interval: float = 0.02
) -> None:
    """Poll ``check`` (sync or async) until it is true; ``TimeoutError`` after ``within`` s."""
    deadline = time.monotonic() + within
    while True:
        outcome = check()
        if inspect.isawaitable(outcome):
            outcome = await outcome
        if outcome:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {within} s")
        await asyncio.sleep(interval)


async def append_numbered(
    store: EventStore, count: int, *, streams: int = 10, per_append: int = 100
) -> None:
    """Append ``count`` small events (``data={"n": i}``) spread over ``streams`` streams."""
    n = 0
    while n < count:
        size = min(per_append, count - n)
        stream = f"thing-{(n // per_append) % streams}"
        events = [
            NewEvent("test.Numbered", {"n": n + i, "text": "Llanfair-ym-Muallt"})
            for i in range(size)
        ]
        await store.append(stream, None, events)
        n += size


class RecordingHandler:
    """Records every event it is given in ``<schema>.handled``, in the order it saw them.

    The table has no unique key, so a duplicate effect shows up as a repeated position.

    Args:
        schema: where the ``handled`` table lives (created by ``create``).
        name: the consumer name (checkpoint key).
        fail: called per event before recording; raise from it to make the batch fail.
    """

    def __init__(
        self,
        schema: str,
        name: str = "recorder",
        fail: Callable[[RecordedEvent], None] | None = None,
    ) -> None:
        self.schema = checked_schema(schema)
        self.name = name
        self.fail = fail
        self.calls = 0

    async def create(self, pool: asyncpg.Pool) -> None:
        await pool.execute(
            f"CREATE TABLE IF NOT EXISTS {self.schema}.handled (seq bigserial PRIMARY KEY,"
            " consumer text NOT NULL, position bigint NOT NULL, event_id uuid NOT NULL)"
        )

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        self.calls += 1
        if self.fail is not None:
            for event in events:
                self.fail(event)
        await conn.execute(
            f"INSERT INTO {self.schema}.handled (consumer, position, event_id)"
            " SELECT $1, p, e FROM unnest($2::bigint[], $3::uuid[]) AS u(p, e)",
            self.name,
            [e.position for e in events],
            [e.event_id for e in events],
        )

    async def positions(self, pool: asyncpg.Pool) -> list[int]:
        """Every position recorded, in the order it was recorded."""
        rows = await pool.fetch(
            f"SELECT position FROM {self.schema}.handled WHERE consumer = $1 ORDER BY seq",
            self.name,
        )
        return [r[0] for r in rows]

"""A rebuild's shadow: the projection writing to its ``__rebuild`` tables, and how it is fed.

Only the rebuild writes the shadow and its checkpoints (under the rebuild's advisory lock), so
feeding it needs none of ``SourceApplier``'s care for replicas and redeliveries. What it does
need is to read ten years of a source fast: it reads a window of positions at a time and, when
the projection names the event types it applies (``event_types``), asks the source for those
alone (``kernel.feed.read_window``), then moves the shadow checkpoint to the window's end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import asyncpg

from kernel.events import RecordedEvent
from kernel.feed import EventSource, read_window
from kernel.messaging.applier import TRANSIENT_ERRORS, HandlerFailed
from kernel.messaging.handler import DbConnection
from kernel.messaging.inbox import Inbox, error_text
from kernel.projections.projection import (
    REBUILD_SUFFIX,
    Projection,
    handled_types,
    physical_tables,
)

#: The statistics target of the ANALYZEs while the shadow grows (Postgres's default is 100).
_GROWING_SAMPLE = 10


class Shadow:
    """The projection writing to its shadow tables, under its shadow checkpoint."""

    def __init__(self, projection: Projection, schema: str) -> None:
        self._projection = projection
        self.schema = schema
        self.name = projection.name + REBUILD_SUFFIX
        self.tables = physical_tables(schema, projection, REBUILD_SUFFIX)
        self.event_types = handled_types(projection)
        self.applied = 0  # events handed to the projection (and committed, outside the swap)

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await self._projection.apply(conn, events, self.tables)

    async def catch_up(self, pool: asyncpg.Pool, source: EventSource, window: int) -> int:
        """Feed the shadow from its checkpoint to the source's end; return the positions passed.

        A window shorter than ``window`` was the end of the source when read. While one window
        is applied the next is already being read, so the rebuild waits on the source and the
        database at once, not in turn.
        """
        inbox = Inbox(self.schema, self.name, source.name)
        start = position = await inbox.position(pool)
        windows = 0
        reading = asyncio.ensure_future(read_window(source, position, window, self.event_types))
        try:
            while True:
                events, through = await reading
                more = through - position == window
                if more:
                    reading = asyncio.ensure_future(
                        read_window(source, through, window, self.event_types)
                    )
                if through > position:
                    await self._apply(pool, inbox, events, position, through)
                    position = through
                    windows += 1
                    if windows & (windows - 1) == 0:  # 1, 2, 4, 8...: stats within 2x of true
                        await self.analyze(pool, sample=_GROWING_SAMPLE)
                if not more:
                    return position - start
        finally:
            if not reading.done():
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reading

    async def analyze(self, pool: asyncpg.Pool, *, sample: int | None = None) -> None:
        """Give the planner statistics of the shadow tables (``sample``: a statistics target).

        They are new, so autovacuum has not analysed them yet, and without statistics the
        planner reads a projection's ``key = ANY($1)`` lookups and deletes as sequential scans
        comparing every row with every key: most of the database's work in a rebuild, rising
        with the table. A few ANALYZEs while they grow keep those on the indexes; a small
        sample is enough for that and costs a tenth of the default one.
        """
        async with pool.acquire() as conn, conn.transaction():
            if sample is not None:
                await conn.execute(f"SET LOCAL default_statistics_target = {int(sample)}")
            await conn.execute(f"ANALYZE {', '.join(self.tables.values())}")

    async def apply_rest(
        self, conn: DbConnection, source: EventSource, position: int, window: int
    ) -> int:
        """Apply the source's events after ``position`` on ``conn`` (the swap's transaction).

        Returns the last position passed.
        """
        while True:
            events, through = await read_window(source, position, window, self.event_types)
            if through == position:
                return position
            if events:
                await self.handle(conn, events)
                self.applied += len(events)
            position = through

    async def _apply(
        self,
        pool: asyncpg.Pool,
        inbox: Inbox,
        events: list[RecordedEvent],
        position: int,
        through: int,
    ) -> None:
        """One window in one transaction; should it fail, find the event that broke it."""
        try:
            await self._commit(pool, inbox, events, position, through)
        except TRANSIENT_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - any handler error: retried one event at a time
            for event in events:
                try:
                    await self._commit(pool, inbox, [event], position, event.position)
                except TRANSIENT_ERRORS:
                    raise
                except Exception as error:
                    text = error_text(error)
                    raise HandlerFailed(inbox.source, event.position, 1, text) from error
                position = event.position
            await self._commit(pool, inbox, [], position, through)

    async def _commit(
        self,
        pool: asyncpg.Pool,
        inbox: Inbox,
        events: list[RecordedEvent],
        position: int,
        through: int,
    ) -> None:
        async with pool.acquire() as conn, conn.transaction():
            checkpoint = await inbox.lock(conn)
            if checkpoint != position:
                raise RuntimeError(f"{self.name}/{inbox.source} moved to {checkpoint} meanwhile")
            if events:
                await self.handle(conn, events)
            await inbox.save(conn, through)
        self.applied += len(events)

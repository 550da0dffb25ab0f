"""A service's projections of its own events, fed from its store without the broker."""

import asyncio

import asyncpg
import pytest

from kernel.events import RecordedEvent
from kernel.messaging.testing import RecordingHandler, append_numbered
from kernel.postgres.eventstore import PostgresEventStore
from kernel.projections import LocalProjector

pytestmark = pytest.mark.integration


async def test_projects_committed_events_in_order_and_supports_read_your_writes(
    pool: asyncpg.Pool, schema: str
) -> None:
    store = PostgresEventStore(pool, schema)
    handler = RecordingHandler(schema)
    await handler.create(pool)
    # A 30 s poll: only the store's notifications can make this fast enough to pass.
    projector = LocalProjector(pool, schema, store, handler, source_name="me", poll_interval=30)
    running = asyncio.create_task(projector.run())
    try:
        await append_numbered(store, 250)
        await projector.wait_for(250, timeout=5)
        assert await handler.positions(pool) == list(range(1, 251))
        assert await projector.lag() == 0
    finally:
        running.cancel()
        await store.close()


async def test_a_failing_event_is_retried_on_a_later_pass_and_nothing_is_skipped(
    pool: asyncpg.Pool, schema: str
) -> None:
    store = PostgresEventStore(pool, schema)
    failures = {"left": 2}

    def fail_twice_at_seven(event: RecordedEvent) -> None:
        if event.position == 7 and failures["left"]:
            failures["left"] -= 1
            raise RuntimeError("transient trouble")

    handler = RecordingHandler(schema, fail=fail_twice_at_seven)
    await handler.create(pool)
    projector = LocalProjector(
        pool, schema, store, handler, source_name="me", poll_interval=0.05, retry_delay=0.05
    )
    running = asyncio.create_task(projector.run())
    try:
        await append_numbered(store, 20)
        await projector.wait_for(20, timeout=5)
        assert await handler.positions(pool) == list(range(1, 21))
        assert failures["left"] == 0
    finally:
        running.cancel()
        await store.close()

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
    projector = LocalProjector(pool, schema, store, [handler], source_name="me", poll_interval=30)
    running = asyncio.create_task(projector.run())
    try:
        await append_numbered(store, 250)
        await projector.wait_for(250, timeout=5)
        assert await handler.positions(pool) == list(range(1, 251))
        assert await projector.lags() == {"recorder": 0}
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
        pool, schema, store, [handler], source_name="me", poll_interval=0.05, retry_delay=0.05
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


async def test_projections_share_one_transaction_per_batch_and_keep_their_own_checkpoints(
    pool: asyncpg.Pool, schema: str
) -> None:
    store = PostgresEventStore(pool, schema)
    first, second = RecordingHandler(schema, "first"), RecordingHandler(schema, "second")
    await first.create(pool)
    projector = LocalProjector(pool, schema, store, [first, second], source_name="me")
    for applier in projector.appliers:
        await applier.ensure()
    # "second" is ahead, as after a rebuild swapped it in: it must not see 1..5 again.
    await pool.execute(
        f"UPDATE {schema}.consumer_checkpoints SET position = 5 WHERE consumer = 'second'"
    )
    await append_numbered(store, 12)
    assert await projector.catch_up() == 12
    assert await first.positions(pool) == list(range(1, 13))
    assert await second.positions(pool) == list(range(6, 13))
    assert (first.calls, second.calls) == (1, 1)
    assert await projector.lags() == {"first": 0, "second": 0}
    await store.close()


async def test_one_failing_projection_holds_back_only_itself(
    pool: asyncpg.Pool, schema: str
) -> None:
    store = PostgresEventStore(pool, schema)

    def refuse_four(event: RecordedEvent) -> None:
        if event.position == 4:
            raise RuntimeError("cannot project 4")

    healthy, failing = (
        RecordingHandler(schema, "healthy"),
        RecordingHandler(schema, "failing", refuse_four),
    )
    await healthy.create(pool)
    projector = LocalProjector(
        pool, schema, store, [healthy, failing], source_name="me", max_attempts=2, retry_delay=0
    )
    for applier in projector.appliers:
        await applier.ensure()
    await append_numbered(store, 6)
    await projector.catch_up()  # attempt 1 at 4: "failing" stops at 3, "healthy" goes on
    assert await healthy.positions(pool) == list(range(1, 7))
    assert await failing.positions(pool) == [1, 2, 3]
    await projector.catch_up()  # attempt 2: dead-lettered, and the rest flows
    assert await failing.positions(pool) == [1, 2, 3, 5, 6]
    assert projector.floor == 6
    dead = await pool.fetch(f"SELECT consumer, position FROM {schema}.dead_letters")
    assert [tuple(row) for row in dead] == [("failing", 4)]
    await store.close()

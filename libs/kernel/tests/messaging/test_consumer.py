"""The consumer end to end: relay -> Redis (FastStream) -> handler, on real Redis and Postgres."""

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from faststream.redis import RedisBroker
from redis.asyncio import Redis

from kernel.events import RecordedEvent
from kernel.feed import LocalEventSource
from kernel.messaging import applier as applier_module
from kernel.messaging.consumer import Consumer, ConsumerOptions
from kernel.messaging.dead_letters import list_dead_letters
from kernel.messaging.message import dead_letter_stream, unframe
from kernel.messaging.publisher import RedisBulkPublisher
from kernel.messaging.relay import Relay
from kernel.messaging.testing import RecordingHandler, append_numbered, wait_until
from kernel.postgres.eventstore import PostgresEventStore
from kernel.testing.infrastructure import unique_name

pytestmark = pytest.mark.integration

FAST = ConsumerOptions(
    batch_size=50,
    max_attempts=3,
    retry_delay=0.05,
    min_idle_time=0.2,
    catch_up_interval=60,  # off unless a test turns it on: proves the broker path did it
    polling_interval=0.05,
)


class CountingSource:
    """The source's feed, counting reads (to tell broker deliveries from backfills)."""

    def __init__(self, inner: LocalEventSource) -> None:
        self.inner = inner
        self.reads = 0

    @property
    def name(self) -> str:
        return self.inner.name

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        self.reads += 1
        return await self.inner.read(after_position, limit)


@dataclass
class World:
    pool: asyncpg.Pool
    schema: str
    source_schema: str
    store: PostgresEventStore
    feed: CountingSource
    relay: Relay
    broker: RedisBroker
    redis: Redis
    consumers: list[Consumer] = field(default_factory=list)

    @property
    def stream(self) -> str:
        return self.relay.stream

    def consumer(
        self, handler: Any, instance: str = "a", options: ConsumerOptions = FAST
    ) -> Consumer:
        consumer = Consumer(
            self.broker,
            self.pool,
            schema=self.schema,
            service="reporting",
            instance=instance,
            handler=handler,
            sources=[self.feed],
            options=options,
        )
        self.consumers.append(consumer)
        return consumer

    async def recorder(self, name: str = "recorder", **options: Any) -> RecordingHandler:
        handler = RecordingHandler(self.schema, name=name, **options)
        await handler.create(self.pool)
        return handler

    async def publish(self, count: int) -> None:
        await append_numbered(self.store, count)
        await self.relay.publish_pending()

    async def applied(self, consumer: Consumer, position: int, within: float = 10) -> None:
        async def reached() -> bool:
            return (await consumer.checkpoints())[self.feed.name] >= position

        await wait_until(reached, within=within)

    async def pending(self, group: str) -> int:
        return int((await self.redis.xpending(self.stream, group))["pending"])


async def _world(
    pool: asyncpg.Pool, schema: str, source_schema: str, broker: RedisBroker, service: str
) -> AsyncIterator[World]:
    redis = await broker.connect()
    store = PostgresEventStore(pool, source_schema)
    relay = Relay(store, pool, RedisBulkPublisher(redis), service=service, schema=source_schema)
    feed = CountingSource(LocalEventSource(service, store))
    world = World(pool, schema, source_schema, store, feed, relay, broker, redis)
    try:
        yield world
    finally:
        for consumer in world.consumers:
            await consumer.stop()
        await store.close()


@pytest.fixture
async def world(
    pool: asyncpg.Pool, schema: str, source_schema: str, broker: RedisBroker, service: str
) -> AsyncIterator[World]:
    async for world in _world(pool, schema, source_schema, broker, service):
        yield world


async def test_a_group_created_after_publishing_receives_everything_once_in_order(
    world: World,
) -> None:
    await world.publish(300)  # before the consumer (and its group) exists
    handler = await world.recorder()
    consumer = world.consumer(handler)
    await consumer.start()
    await world.applied(consumer, 300)
    await world.publish(20)
    await world.applied(consumer, 320)
    assert await handler.positions(world.pool) == list(range(1, 321))
    assert world.feed.reads == 0  # all of it came through Redis
    assert await consumer.lag() == {world.feed.name: 0}
    assert await world.pending(consumer.group) == 0


async def test_duplicate_deliveries_have_one_effect(world: World) -> None:
    handler = await world.recorder()
    consumer = world.consumer(handler)
    await consumer.start()
    await world.publish(100)
    await world.applied(consumer, 100)
    # The relay forgets its checkpoint and publishes everything again.
    await world.pool.execute(f"UPDATE {world.source_schema}.relay_checkpoints SET position = 0")
    await world.relay.publish_pending()
    await world.publish(10)
    await world.applied(consumer, 110)
    await wait_until(lambda: _no_pending(world, consumer.group))
    assert await handler.positions(world.pool) == list(range(1, 111))


def _fail_twice_at(position: int) -> Any:
    # Twice: the first failure, in a batch, is retried at once alone (to find the culprit).
    failures: list[int] = []

    def fail(event: RecordedEvent) -> None:
        if event.position == position and len(failures) < 2:
            failures.append(position)
            raise RuntimeError(f"transient trouble at {position}")

    return fail


async def test_a_failed_message_is_retried_by_the_claimer(world: World) -> None:
    handler = await world.recorder(fail=_fail_twice_at(7))
    consumer = world.consumer(handler)
    # Published first, so all 20 arrive in one batch: no later message can arrive beyond the
    # failed one and make the consumer backfill the gap from the feed instead of the claimer.
    await world.publish(20)
    await consumer.start()
    await world.applied(consumer, 6)
    await asyncio.sleep(0.1)
    assert (await consumer.checkpoints())[world.feed.name] == 6  # stuck until reclaimed
    assert await world.pending(consumer.group) == 20
    await world.applied(consumer, 20, within=10)
    assert await handler.positions(world.pool) == list(range(1, 21))
    assert world.feed.reads == 0  # not the feed: Redis redelivered it, via the claimer
    await wait_until(lambda: _no_pending(world, consumer.group))


class _Stuck(RecordingHandler):
    """Hangs on its first batch, as a replica that died mid-batch would (never acking)."""

    def __init__(self, schema: str) -> None:
        super().__init__(schema)
        self.entered = asyncio.Event()

    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        self.entered.set()
        await asyncio.Event().wait()


async def test_a_dead_consumers_pending_entries_are_reclaimed_by_another(world: World) -> None:
    stuck = _Stuck(world.schema)
    await stuck.create(world.pool)
    # Its own claimer stays out of the way, so only the survivor's can take the entries.
    dying = world.consumer(stuck, instance="a", options=_with(min_idle_time=60))
    await dying.start()
    await world.publish(30)
    await asyncio.wait_for(stuck.entered.wait(), 5)
    assert await dying.lag() == {world.feed.name: 30}
    await dying.stop()  # killed: its entries stay pending, owned by "a"
    assert await world.pending(dying.group) > 0

    handler = await world.recorder()
    survivor = world.consumer(handler, instance="b")
    await survivor.start()
    await world.applied(survivor, 30)
    assert await handler.positions(world.pool) == list(range(1, 31))
    assert world.feed.reads == 0
    await wait_until(lambda: _no_pending(world, survivor.group))


async def test_a_poison_message_is_dead_lettered_and_later_ones_flow(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    alerts: list[tuple[str, str]] = []
    monkeypatch.setattr(applier_module, "count_dead_letter", lambda c, s: alerts.append((c, s)))

    def poison(event: RecordedEvent) -> None:
        if event.position == 5:
            raise ValueError("cannot make sense of event 5")

    handler = await world.recorder(fail=poison)
    consumer = world.consumer(handler)
    await consumer.start()
    await world.publish(20)
    await world.applied(consumer, 20)
    await world.publish(10)
    await world.applied(consumer, 30)

    assert await handler.positions(world.pool) == [*range(1, 5), *range(6, 31)]
    [letter] = await list_dead_letters(world.pool, world.schema)
    assert (letter.position, letter.attempts) == (5, 3)
    assert letter.error == "ValueError: cannot make sense of event 5"
    assert alerts == [("recorder", world.feed.name)]
    [(_, fields)] = await world.redis.xrange(dead_letter_stream(world.stream))
    body, headers = unframe(fields[b"__data__"])
    assert headers["dead-letter-error"] == "ValueError: cannot make sense of event 5"
    assert headers["dead-letter-id"] == str(letter.id)
    assert headers["position"] == "5"
    assert b'"position":5' in body


async def test_entries_that_are_not_events_are_dead_lettered_as_they_are(
    world: World,
) -> None:
    handler = await world.recorder()
    consumer = world.consumer(handler)
    await consumer.start()
    await world.redis.xadd(world.stream, {b"__data__": b"not json at all"})
    await world.redis.xadd(world.stream, {b"other": b"field"})
    await world.publish(5)
    await world.applied(consumer, 5)
    assert await handler.positions(world.pool) == [1, 2, 3, 4, 5]
    dead = await world.redis.xrange(dead_letter_stream(world.stream))
    assert [unframe(fields[b"__data__"])[0] for _, fields in dead] == [b"not json at all", b""]
    assert all("dead-letter-error" in unframe(f[b"__data__"])[1] for _, f in dead)


async def test_a_gap_in_the_stream_is_backfilled_from_the_feed(world: World) -> None:
    await world.publish(50)
    entries = await world.redis.xrange(world.stream)
    await world.redis.xdel(world.stream, *[entry_id for entry_id, _ in entries[10:20]])
    handler = await world.recorder()
    consumer = world.consumer(handler)
    await consumer.start()
    await world.applied(consumer, 50)
    assert await handler.positions(world.pool) == list(range(1, 51))
    assert world.feed.reads > 0


async def test_lost_trailing_messages_are_caught_up_from_the_feed(world: World) -> None:
    await world.publish(40)
    await world.redis.xtrim(world.stream, maxlen=0, approximate=False)  # all lost
    handler = await world.recorder()
    consumer = world.consumer(handler, options=_with(catch_up_interval=0.2))
    await consumer.start()
    await world.applied(consumer, 40)
    assert await handler.positions(world.pool) == list(range(1, 41))


class _Slow(RecordingHandler):
    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        await asyncio.sleep(random.uniform(0.001, 0.02))
        await super().handle(conn, events)


async def test_two_instances_sharing_a_group_apply_the_source_once_in_order(
    world: World,
) -> None:
    a, b = _Slow(world.schema), _Slow(world.schema)
    await a.create(world.pool)
    options = _with(batch_size=10)
    first = world.consumer(a, instance="a", options=options)
    second = world.consumer(b, instance="b", options=options)
    await first.start()
    await second.start()
    for _ in range(6):
        await world.publish(50)
    await world.applied(first, 300)
    assert await a.positions(world.pool) == list(range(1, 301))  # same table, one sequence
    assert a.calls > 0
    assert b.calls > 0


def _with(**changes: Any) -> ConsumerOptions:
    values = {name: getattr(FAST, name) for name in ConsumerOptions.__slots__}
    return ConsumerOptions(**{**values, **changes})


async def _no_pending(world: World, group: str) -> bool:
    return await world.pending(group) == 0


FLUSH_DB = 9  # a Redis database of its own: this test flushes it


@pytest.fixture
async def flushable_broker(redis_url: str) -> AsyncIterator[RedisBroker]:
    url = urlunsplit(urlsplit(redis_url)._replace(path=f"/{FLUSH_DB}"))
    broker = RedisBroker(url, graceful_timeout=0.5)
    await broker.connect()
    yield broker
    await broker.stop()


async def test_redis_flushed_mid_stream_loses_no_event(
    pool: asyncpg.Pool, schema: str, source_schema: str, flushable_broker: RedisBroker
) -> None:
    service = unique_name("flushed")
    async for world in _world(pool, schema, source_schema, flushable_broker, service):
        handler = _Slow(world.schema, name="recorder")
        await handler.create(world.pool)
        consumer = world.consumer(handler, options=_with(batch_size=10, catch_up_interval=0.2))
        await consumer.start()
        await world.publish(300)
        await world.applied(consumer, 30)
        await world.redis.flushdb()  # mid-stream: ~270 published events are gone
        assert (await consumer.checkpoints())[service] < 300
        await world.publish(50)  # into a new stream, without the group
        await world.applied(consumer, 350, within=20)
        assert world.feed.reads > 0
        # The group and the subscribers are back: Redis delivers again.
        await world.publish(10)
        await world.applied(consumer, 360)
        [group] = await world.redis.xinfo_groups(world.stream)
        [last] = await world.redis.xrevrange(world.stream, count=1)
        assert group["last-delivered-id"] == last[0]
        assert await handler.positions(world.pool) == list(range(1, 361))
        await world.redis.flushdb()

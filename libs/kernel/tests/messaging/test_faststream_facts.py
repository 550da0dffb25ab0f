"""FastStream 0.7.8 + Redis 7 behaviour the consumer is built on (DESIGN.md, "Consuming").

Each test pins one fact against a real Redis, so an upgrade that changes one fails here first.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import pytest
from faststream import AckPolicy
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage, RedisStreamMessage
from faststream.redis.parser import BinaryMessageFormatV1
from faststream.redis.subscriber.usecases.stream_subscriber import StreamSubscriber
from redis.asyncio import Redis

from kernel.messaging.subscription import ensure_group
from kernel.messaging.testing import wait_until
from kernel.testing.infrastructure import unique_name

pytestmark = pytest.mark.integration


@pytest.fixture
async def stream(redis: Redis) -> AsyncIterator[str]:
    name = unique_name("facts")
    yield name
    await redis.delete(name)


def _failing_subscriber(
    broker: RedisBroker,
    sub: StreamSub[Literal[False]],
    calls: list[Any],
    *,
    fail: Callable[[], bool],
) -> StreamSubscriber:
    subscriber = broker.subscriber(stream=sub, ack_policy=AckPolicy.NACK_ON_ERROR, persistent=False)

    @subscriber
    async def handle(body: dict[str, int]) -> None:
        calls.append(body)
        if fail():
            raise RuntimeError("boom")

    return subscriber


async def _pending(redis: Redis, stream: str, group: str = "g") -> int:
    return int((await redis.xpending(stream, group))["pending"])


async def test_a_failed_message_stays_pending_and_is_never_redelivered_to_its_consumer(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    calls: list[Any] = []
    sub = StreamSub(stream, group="g", consumer="c1")
    first = _failing_subscriber(broker, sub, calls, fail=lambda: True)
    await first.start()
    await broker.publish({"n": 1}, stream=stream)
    await wait_until(lambda: len(calls) == 1)
    await asyncio.sleep(0.4)
    assert len(calls) == 1
    assert await _pending(redis, stream) == 1
    await first.stop()

    # Even a restarted consumer of the same name reads only new entries (">").
    again = _failing_subscriber(
        broker, StreamSub(stream, group="g", consumer="c1"), calls, fail=lambda: True
    )
    await again.start()
    await asyncio.sleep(0.4)
    await again.stop()
    assert len(calls) == 1
    assert await _pending(redis, stream) == 1


async def test_only_a_min_idle_time_subscriber_reclaims_and_it_reads_nothing_new(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    calls: list[Any] = []
    reader = _failing_subscriber(
        broker, StreamSub(stream, group="g", consumer="c1"), calls, fail=lambda: True
    )
    await reader.start()
    await broker.publish({"n": 1}, stream=stream)
    await wait_until(lambda: len(calls) == 1)
    await reader.stop()

    claimed: list[Any] = []
    claimer = _failing_subscriber(
        broker,
        StreamSub(stream, group="g", consumer="c2", min_idle_time=100),
        claimed,
        fail=lambda: False,
    )
    await claimer.start()
    await wait_until(lambda: claimed == [{"n": 1}])
    assert await _pending(redis, stream) == 0
    await broker.publish({"n": 2}, stream=stream)  # never delivered to any consumer yet
    await asyncio.sleep(0.4)
    await claimer.stop()
    assert claimed == [{"n": 1}]


async def test_there_is_no_retry_cap_or_dead_letter_queue_only_a_delivery_count(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    await ensure_group(redis, stream, "g")
    await broker.publish({"n": 1}, stream=stream)
    counts: list[int] = []
    claimer = broker.subscriber(
        stream=StreamSub(stream, group="g", consumer="c1", min_idle_time=50),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        persistent=False,
    )

    @claimer
    async def handle(message: RedisStreamMessage) -> None:
        counts.append(await message.get_delivery_count())
        raise RuntimeError("poison")

    await redis.xreadgroup("g", "c0", {stream: ">"})  # deliver once, never ack: pending
    await claimer.start()
    await wait_until(lambda: len(counts) >= 4, within=5)
    await claimer.stop()
    assert counts[:4] == [2, 3, 4, 5]  # it just keeps coming back
    assert await _pending(redis, stream) == 1
    assert await redis.exists(f"{stream}.dlq", f"{stream}:dlq") == 0


async def test_last_id_zero_on_an_existing_group_hot_loops_and_starves_new_entries(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    await ensure_group(redis, stream, "g")
    await broker.publish({"n": 1}, stream=stream)
    await redis.xreadgroup("g", "c1", {stream: ">"})  # c1 now has one pending entry
    calls: list[Any] = []
    sub = _failing_subscriber(
        broker, StreamSub(stream, group="g", consumer="c1", last_id="0"), calls, fail=lambda: True
    )
    await sub.start()
    await broker.publish({"n": 2}, stream=stream)
    await asyncio.sleep(0.5)
    await sub.stop()
    # Re-reading its own pending entry with no blocking, over and over; {"n": 2} never comes.
    assert len(calls) > 20
    assert {"n": 2} not in calls


async def test_groups_are_created_at_dollar_so_earlier_entries_are_skipped(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    await broker.publish({"n": 1}, stream=stream)  # before any group exists
    calls: list[Any] = []
    sub = _failing_subscriber(
        broker, StreamSub(stream, group="late", consumer="c1"), calls, fail=lambda: False
    )
    await sub.start()
    await broker.publish({"n": 2}, stream=stream)
    await wait_until(lambda: calls == [{"n": 2}])

    # Creating the group at 0 ourselves first is the fix.
    assert await ensure_group(redis, stream, "early") is True
    assert await ensure_group(redis, stream, "early") is False  # BUSYGROUP is ignored
    early: list[Any] = []
    fixed = _failing_subscriber(
        broker, StreamSub(stream, group="early", consumer="c1"), early, fail=lambda: False
    )
    await fixed.start()
    await wait_until(lambda: early == [{"n": 1}, {"n": 2}])
    await sub.stop()
    await fixed.stop()


async def test_header_values_must_be_strings(broker: RedisBroker, stream: str) -> None:
    with pytest.raises(TypeError):
        await broker.publish({"n": 1}, stream=stream, headers={"position": 5})


async def test_faststreams_encoder_mangles_non_ascii_header_values() -> None:
    # It writes character counts where its parser reads byte counts: values are cut short or
    # the table misaligns. Hence ``message.header_value`` percent-encodes them.
    for headers in ({"ce-subject": "Ynys Môn"}, {"ce-subject": "Môn", "x": "y"}):
        raw = await BinaryMessageFormatV1.encode(
            message=b"{}", reply_to=None, headers=headers, correlation_id="c"
        )
        _, parsed = BinaryMessageFormatV1.parse(raw)
        assert parsed.get("ce-subject") != headers["ce-subject"]


async def test_a_batch_is_acked_or_failed_as_a_whole(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    await ensure_group(redis, stream, "g")
    for n in range(3):
        await broker.publish({"n": n}, stream=stream)
    batches: list[list[Any]] = []
    failing = True
    sub = broker.subscriber(
        stream=StreamSub(stream, group="g", consumer="c1", batch=True, max_records=10),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        persistent=False,
    )

    @sub
    async def handle(body: list[dict[str, int]]) -> None:
        batches.append(body)
        if failing:
            raise RuntimeError("one bad apple")

    await sub.start()
    await wait_until(lambda: len(batches) == 1)
    assert len(batches[0]) == 3
    assert await _pending(redis, stream) == 3  # all of them, not just one
    failing = False
    for n in range(3, 5):
        await broker.publish({"n": n}, stream=stream)
    await wait_until(lambda: sum(map(len, batches)) == 5)
    await sub.stop()
    assert await _pending(redis, stream) == 3  # the good batch was acked whole


async def test_a_lost_group_stops_the_subscriber_for_good(
    broker: RedisBroker, redis: Redis, stream: str
) -> None:
    await ensure_group(redis, stream, "g")
    sub = broker.subscriber(
        stream=StreamSub(stream, group="g", consumer="c1", batch=True),
        persistent=False,
    )

    @sub
    async def handle(message: RedisBatchStreamMessage) -> None:
        return None

    await sub.start()
    assert sub.running
    await redis.delete(stream)  # as FLUSHDB or an empty restart would
    await wait_until(lambda: not sub.running, within=5)
    await ensure_group(redis, stream, "g")
    await asyncio.sleep(0.3)
    assert not sub.running  # it does not come back by itself
    await sub.stop()

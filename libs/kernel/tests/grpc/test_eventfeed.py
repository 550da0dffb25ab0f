from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from grpc import aio

from clwstwr.eventfeed.v1 import event_feed_pb2 as pb
from clwstwr.eventfeed.v1 import event_feed_pb2_grpc as pb_grpc
from kernel.errors import FieldViolation
from kernel.events import NewEvent, RecordedEvent
from kernel.eventstore.memory import InMemoryEventStore
from kernel.eventstore.port import EventStore
from kernel.grpc import EventFeedClient
from kernel.grpc.errors import field_violations
from kernel.grpc.eventfeed import event_from_proto, event_to_proto
from kernel.postgres.eventstore import PostgresEventStore
from kernel.testing.grpc import ServedApi, call_metadata, serving

PENCE = 2**53 + 1  # not representable as a double: proves data is not carried as Struct


@pytest.fixture
async def closing() -> AsyncIterator[list[EventStore]]:
    """Stores to close after the test, before their schema is dropped."""
    stores: list[EventStore] = []
    yield stores
    for store in stores:
        await store.close()


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def store(request: pytest.FixtureRequest) -> EventStore:
    # Sync, so that it may ask for the async Postgres fixtures only when it needs them.
    if request.param == "memory":
        return InMemoryEventStore()
    pool: asyncpg.Pool = request.getfixturevalue("pg_pool")
    store = PostgresEventStore(pool, request.getfixturevalue("pg_schema"))
    request.getfixturevalue("closing").append(store)
    return store


@pytest.fixture
async def api(store: EventStore) -> AsyncIterator[ServedApi]:
    async with serving(event_store=store) as served:
        yield served


@pytest.fixture
async def client(api: ServedApi) -> EventFeedClient:
    return EventFeedClient(api.channel, "ledger", "service")


async def append(store: EventStore, stream_id: str, count: int) -> None:
    await store.append(
        stream_id,
        None,
        [
            NewEvent(
                "ledger.Posted",
                {"amount": PENCE + i, "note": "Ysbyty Gwynedd \u2013 \u00a3", "list": [1, 2.5]},
                metadata={"correlation_id": f"c{i}", "actor": "tester"},
                occurred_at=datetime(2025, 4, 1, 9, 30, 15, 123456, tzinfo=UTC) + timedelta(days=i),
            )
            for i in range(count)
        ],
    )


async def test_read_returns_exactly_what_the_store_holds(
    store: EventStore, client: EventFeedClient
) -> None:
    await append(store, "ledger-7A1", 3)
    await append(store, "ledger-7A2", 2)

    events = await client.read(0, 100)

    assert events == await store.read_all(0, 100)
    assert [e.position for e in events] == [1, 2, 3, 4, 5]
    assert events[0].data["amount"] == PENCE
    assert events[0].occurred_at.tzinfo is not None
    assert client.name == "ledger"


async def test_read_pages_after_a_position_and_reports_the_last_position(
    store: EventStore, api: ServedApi
) -> None:
    await append(store, "ledger-7A1", 5)
    stub = pb_grpc.EventFeedServiceStub(api.channel)

    page = await stub.ReadEvents(
        pb.ReadEventsRequest(after_position=1, limit=2), metadata=call_metadata("service")
    )
    empty = await stub.ReadEvents(
        pb.ReadEventsRequest(after_position=5), metadata=call_metadata("operator")
    )

    assert [e.position for e in page.events] == [2, 3]
    assert page.last_position == 5
    assert list(empty.events) == []
    assert empty.last_position == 5


async def test_a_window_read_sends_only_the_types_asked_for_and_where_it_ended(
    store: EventStore, client: EventFeedClient
) -> None:
    await append(store, "ledger-7A1", 3)
    await store.append("notes", None, [NewEvent("ledger.Noted", {"n": i}) for i in range(4)])
    await append(store, "ledger-7A2", 2)  # positions: 1-3 posted, 4-7 noted, 8-9 posted

    first = await client.read_window(0, 5, {"ledger.Posted"})
    second = await client.read_window(5, 5, {"ledger.Posted"})
    none = await client.read_window(1, 6, {"ledger.Unknown"})
    end = await client.read_window(9, 5, {"ledger.Posted"})

    everything = await store.read_all(0, 100)
    assert first == (everything[:3], 5)
    assert second == (everything[7:], 9)  # the log's end, not 10
    assert none == ([], 7)
    assert end == ([], 9)


async def test_limit_0_means_the_default_page_of_1000(
    store: EventStore, client: EventFeedClient
) -> None:
    for i in range(11):
        await store.append(f"s-{i}", None, [NewEvent("t", {"i": j}) for j in range(100)])

    assert len(await client.read(0, 0)) == 1000
    assert len(await client.read(0, 1100)) == 1100


AFTER = FieldViolation("after_position", "must be 0 or more")
LIMIT = FieldViolation("limit", "must be 0 (default) to 10000")


@pytest.mark.parametrize(
    ("after_position", "limit", "violations"),
    [(-1, 10, [AFTER]), (0, 10_001, [LIMIT]), (-5, -1, [AFTER, LIMIT])],
)
async def test_bad_read_arguments_are_invalid_argument(
    client: EventFeedClient, after_position: int, limit: int, violations: list[FieldViolation]
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.read(after_position, limit)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value) == violations


@pytest.mark.parametrize(
    ("caller", "code"),
    [
        ("board-7a1", grpc.StatusCode.PERMISSION_DENIED),
        ("nobody", grpc.StatusCode.UNAUTHENTICATED),
    ],
)
async def test_only_services_operators_and_national_may_read_the_feed(
    api: ServedApi, caller: str, code: grpc.StatusCode
) -> None:
    client = EventFeedClient(api.channel, "ledger", caller)

    with pytest.raises(aio.AioRpcError) as raised:
        await client.read(0, 10)

    assert raised.value.code() == code


async def test_subscribe_streams_the_backlog_then_new_events_until_cancelled(
    store: EventStore, client: EventFeedClient
) -> None:
    await append(store, "ledger-7A1", 3)
    batches: asyncio.Queue[list[RecordedEvent]] = asyncio.Queue()

    async def follow() -> None:
        async for batch in client.subscribe(after_position=1):
            await batches.put(batch)

    follower = asyncio.create_task(follow())
    seen = await asyncio.wait_for(batches.get(), 5)
    await append(store, "ledger-7A2", 2)
    while len(seen) < 4:
        seen += await asyncio.wait_for(batches.get(), 5)
    follower.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await follower

    assert seen == await store.read_all(1, 100)
    if isinstance(store, PostgresEventStore):
        # The server noticed the cancellation and let go of the store's listener.
        await eventually(lambda: not store._listener._waiters)


async def test_subscribe_refuses_a_negative_position(client: EventFeedClient) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        async for _ in client.subscribe(after_position=-1):
            pass

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_client_given_a_target_opens_and_closes_its_own_channel(
    store: EventStore, api: ServedApi
) -> None:
    await append(store, "ledger-7A1", 1)
    client = EventFeedClient(api.target, "ledger", "national")
    try:
        assert [e.position for e in await client.read(0, 10)] == [1]
    finally:
        await client.close()


async def test_conversion_round_trips_every_field(store: EventStore) -> None:
    await append(store, "ledger-7A1", 1)
    [event] = await store.read_all()

    message = event_to_proto(event)

    assert event_from_proto(message) == event
    assert message.event_id == str(event.event_id)
    assert message.metadata["correlation_id"] == "c0"
    assert message.occurred_at.ToDatetime(tzinfo=UTC) == event.occurred_at


async def eventually(condition: Callable[[], bool]) -> None:
    for _ in range(200):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition never held")

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import orjson
import pytest

from kernel.errors import ConcurrencyError
from kernel.events import NO_STREAM, NewEvent
from kernel.postgres.eventstore import PostgresEventStore, append_in_transaction
from kernel.postgres.pool import create_pool
from kernel.testing import infrastructure
from kernel.testing.eventstore_contract import EventStoreContract, make_event
from kernel.upcasting import Upcasters

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(pg_pool: asyncpg.Pool, pg_schema: str) -> AsyncIterator[PostgresEventStore]:
    store = PostgresEventStore(pg_pool, pg_schema)
    yield store
    await store.close()


class TestPostgresEventStore(EventStoreContract):
    """The shared contract, on real PostgreSQL."""


async def test_one_bad_request_does_not_fail_the_group_it_was_committed_with(
    store: PostgresEventStore,
) -> None:
    # jsonb refuses the NUL character, so this request fails inside Postgres, not in Python.
    poisoned = NewEvent(event_type="t", data={"text": "bad\u0000"})
    results = await asyncio.gather(
        store.append("good-1", NO_STREAM, [make_event(1)]),
        store.append("bad", NO_STREAM, [poisoned]),
        store.append("good-2", NO_STREAM, [make_event(2)]),
        return_exceptions=True,
    )
    assert isinstance(results[1], asyncpg.PostgresError)
    assert not isinstance(results[0], BaseException)
    assert not isinstance(results[2], BaseException)
    assert [e.stream_id for e in await store.read_all()] == ["good-1", "good-2"]


async def test_a_group_taken_one_request_at_a_time_moves_the_counter_by_what_it_stored(
    store: PostgresEventStore,
) -> None:
    first = make_event(0)
    await store.append("s-1", NO_STREAM, [first])
    # One group commit: a stream twice, a repeat and a conflict send it down the one-by-one path.
    results = await asyncio.gather(
        store.append("s-2", NO_STREAM, [make_event(1), make_event(2)]),
        store.append("s-2", 2, [make_event(3)]),
        store.append("s-1", NO_STREAM, [first]),  # a repeat: stores nothing
        store.append("s-3", 5, [make_event(4)]),  # a conflict: stores nothing
        return_exceptions=True,
    )
    assert [r.positions for r in results[:3] if not isinstance(r, BaseException)] == [
        (2, 3),
        (4,),
        (1,),
    ]
    assert isinstance(results[3], ConcurrencyError)
    assert await store.last_position() == 4
    after = await store.append("s-4", NO_STREAM, [make_event(5)])
    assert after.positions == (5,)
    assert [e.position for e in await store.read_all()] == [1, 2, 3, 4, 5]


async def test_appends_that_cannot_get_a_connection_fail_instead_of_waiting(
    pg_schema: str,
) -> None:
    pool = await create_pool(infrastructure.database_url(), min_size=1, max_size=1)
    store = PostgresEventStore(pool, pg_schema)
    await pool.close()  # every acquire now raises
    async with asyncio.timeout(5):
        results = await asyncio.gather(
            store.append("s-1", NO_STREAM, [make_event(1)]),
            store.append("s-2", NO_STREAM, [make_event(2)]),
            return_exceptions=True,
        )
    assert all(isinstance(r, asyncpg.InterfaceError) for r in results)


async def test_concurrent_writers_never_let_a_tailing_reader_skip_or_reorder(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    writers, per_writer = 8, 1250  # 10,000 events
    # Two store instances stand for two processes: they share only the database's lock.
    stores = [PostgresEventStore(pg_pool, pg_schema) for _ in range(2)]
    reader = PostgresEventStore(pg_pool, pg_schema)
    seen: list[int] = []

    async def write(writer: int) -> None:
        store = stores[writer % 2]
        for n in range(per_writer):
            await store.append(f"w{writer}", n, [make_event(n)])

    async def tail() -> None:
        # A page size smaller than a group commit makes the reader catch commits mid-flight.
        async for batch in reader.subscribe(0, batch_size=7, poll_interval=0.05):
            seen.extend(e.position for e in batch)
            if len(seen) >= writers * per_writer:
                return

    tailing = asyncio.create_task(tail())
    await asyncio.gather(*(write(w) for w in range(writers)))
    await asyncio.wait_for(tailing, 30)
    assert seen == list(range(1, writers * per_writer + 1))
    for w in range(writers):
        versions = [e.stream_version for e in await reader.read_stream(f"w{w}")]
        assert versions == list(range(1, per_writer + 1))
    for store in [*stores, reader]:
        await store.close()


async def test_an_append_in_a_callers_transaction_commits_or_rolls_back_with_it(
    pg_pool: asyncpg.Pool, store: PostgresEventStore, pg_schema: str
) -> None:
    async with pg_pool.acquire() as conn:
        failed = conn.transaction()  # the handler fails after appending: it rolls back
        await failed.start()
        await append_in_transaction(conn, pg_schema, "outbox", NO_STREAM, [make_event(1)])
        await failed.rollback()
        assert await store.read_all() == []
        async with conn.transaction():
            result = await append_in_transaction(
                conn, pg_schema, "outbox", NO_STREAM, [make_event(1), make_event(2)]
            )
        assert (result.stream_version, result.duplicate) == (2, False)
        async with conn.transaction():
            with pytest.raises(ConcurrencyError):
                await append_in_transaction(conn, pg_schema, "outbox", 0, [make_event(3)])
    stored = await store.read_stream("outbox")
    assert [e.data for e in stored] == [make_event(1).data, make_event(2).data]
    assert [e.position for e in stored] == list(result.positions)


async def test_read_all_encoded_is_read_all_with_the_data_left_as_json_text(
    pg_pool: asyncpg.Pool, pg_schema: str
) -> None:
    upcasters = Upcasters()
    upcasters.register("t.Old", 1, lambda data: {**data, "lifted": True})
    store = PostgresEventStore(pg_pool, pg_schema, upcasters)
    await store.append(
        "s",
        NO_STREAM,
        [
            NewEvent("t.Old", {"n": 2**53 + 1}, metadata={"actor": "a"}),
            NewEvent("t.New", {"text": "Llandaf ŵ", "nested": {"x": [1, 2.5]}}),
        ],
    )
    decoded = await store.read_all(0, 10)
    encoded = await store.read_all_encoded(0, 10)
    assert [(e.position, e.schema_version, orjson.loads(e.data_json)) for e in encoded] == [
        (e.position, e.schema_version, e.data) for e in decoded
    ]
    assert encoded[0].schema_version == 2
    assert encoded[0].metadata == decoded[0].metadata == {"actor": "a"}
    assert [e.occurred_at for e in encoded] == [e.occurred_at for e in decoded]
    await store.close()

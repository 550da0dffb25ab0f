import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import pytest
from faststream.redis import RedisBroker

from kernel.errors import RuleViolated
from kernel.events import NewEvent, RecordedEvent
from kernel.feed import LocalEventSource
from kernel.messaging.consumer import Consumer, ConsumerOptions
from kernel.messaging.locks import advisory_key
from kernel.messaging.publisher import RedisBulkPublisher
from kernel.messaging.relay import Relay
from kernel.messaging.testing import append_numbered, wait_until
from kernel.postgres.eventstore import PostgresEventStore
from kernel.projections import ProjectionHandler, create_tables, rebuild

pytestmark = pytest.mark.integration


class Totals:
    """Per stream: how many events and the sum of their ``n``; plus the last position seen."""

    def __init__(self, name: str = "totals") -> None:
        self.name = name
        self.tables: Mapping[str, str] = {
            name: "CREATE TABLE {table} (stream_id text PRIMARY KEY,"
            " events bigint NOT NULL, total bigint NOT NULL)",
            f"{name}_high_water": "CREATE TABLE {table} (source text PRIMARY KEY,"
            " position bigint NOT NULL); CREATE INDEX {name}_by_position ON {table} (position)",
        }
        self.seen_tables: set[str] = set()

    async def apply(
        self, conn: Any, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None:
        self.seen_tables.update(tables.values())
        await conn.execute(
            f"INSERT INTO {tables[self.name]} AS t (stream_id, events, total)"
            " SELECT s, count(*), sum(n) FROM unnest($1::text[], $2::bigint[]) AS u(s, n)"
            " GROUP BY s ON CONFLICT (stream_id) DO UPDATE"
            " SET events = t.events + excluded.events, total = t.total + excluded.total",
            [e.stream_id for e in events],
            [e.data["n"] for e in events],
        )
        await conn.execute(
            f"INSERT INTO {tables[self.name + '_high_water']} AS h VALUES ('s', $1)"
            " ON CONFLICT (source) DO UPDATE SET position = excluded.position",
            events[-1].position,
        )


async def _expected(store: PostgresEventStore) -> dict[str, tuple[int, int]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for event in await store.read_all(0, 1_000_000):
        totals[event.stream_id][0] += 1
        totals[event.stream_id][1] += event.data["n"]
    return {k: (v[0], v[1]) for k, v in totals.items()}


async def _table(
    pool: asyncpg.Pool, schema: str, name: str = "totals"
) -> dict[str, tuple[int, int]]:
    rows = await pool.fetch(f"SELECT stream_id, events, total FROM {schema}.{name}")
    return {r[0]: (r[1], r[2]) for r in rows}


async def test_rebuild_matches_the_live_model_and_swaps_while_events_arrive(
    pool: asyncpg.Pool, schema: str, source_schema: str, broker: RedisBroker, service: str
) -> None:
    store = PostgresEventStore(pool, source_schema)
    feed = LocalEventSource(service, store)
    redis = await broker.connect()
    relay = Relay(
        store,
        pool,
        RedisBulkPublisher(redis),
        service=service,
        schema=source_schema,
        poll_interval=0.1,
    )
    projection, twin = Totals(), Totals("twin")  # the twin is never rebuilt
    options = ConsumerOptions(batch_size=200, min_idle_time=0.2, catch_up_interval=0.3)
    consumers = []
    for p in (projection, twin):
        async with pool.acquire() as conn:
            await create_tables(conn, schema, p)
        handler = ProjectionHandler(p, schema)
        consumers.append(
            Consumer(
                broker,
                pool,
                schema=schema,
                service="reporting",
                instance="r1",
                handler=handler,
                sources=[feed],
                options=options,
            )
        )
    await append_numbered(store, 3000)
    relay_task = asyncio.create_task(relay.run())
    for consumer in consumers:
        await consumer.start()
    live_oid = await pool.fetchval("SELECT to_regclass($1)::oid", f"{schema}.totals")

    stop = asyncio.Event()

    async def keep_appending() -> None:
        # Stops between appends: a cancelled append may still commit (the store shields it).
        while not stop.is_set():
            await append_numbered(store, 50, streams=7)
            await asyncio.sleep(0.01)

    appender = asyncio.create_task(keep_appending())
    try:
        await asyncio.sleep(0.2)
        result = await rebuild(pool, schema, projection, [feed], batch_size=500)
        await asyncio.sleep(0.2)  # and a little more afterwards
    finally:
        stop.set()
        await appender
    head = await store.last_position()
    assert result.positions[service] > 3000
    assert result.events >= result.positions[service]

    async def caught_up() -> bool:
        return all([(await c.checkpoints())[service] == head for c in consumers])

    await wait_until(caught_up)
    for consumer in consumers:
        await consumer.stop()
    relay_task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await relay_task
    await store.close()

    assert await _table(pool, schema) == await _table(pool, schema, "twin")
    assert await _table(pool, schema) == await _expected(store)
    assert await pool.fetchval("SELECT to_regclass($1)::oid", f"{schema}.totals") != live_oid
    assert f"{schema}.totals__rebuild" in projection.seen_tables  # written through its names
    high_water = await pool.fetchval(f"SELECT position FROM {schema}.totals_high_water")
    assert high_water == head
    leftovers = await pool.fetch(
        "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = $1 AND (relname LIKE '%\\_\\_rebuild' OR relname LIKE '%\\_\\_old')",
        schema,
    )
    assert leftovers == []
    rows = await pool.fetch(
        f"SELECT consumer, position FROM {schema}.consumer_checkpoints ORDER BY consumer"
    )
    assert [(r[0], r[1]) for r in rows] == [("totals", head), ("twin", head)]


async def test_a_second_rebuild_of_the_same_projection_is_refused(
    pool: asyncpg.Pool, schema: str, source_schema: str
) -> None:
    store = PostgresEventStore(pool, source_schema)
    async with pool.acquire() as conn:
        await conn.execute(
            "SELECT pg_advisory_lock($1, $2)", *advisory_key("clwstwr.rebuild", f"{schema}/totals")
        )
        with pytest.raises(RuleViolated) as refused:
            await rebuild(pool, schema, Totals(), [LocalEventSource("src", store)])
        assert refused.value.reason == "REBUILD_IN_PROGRESS"


async def test_rebuild_builds_a_projection_that_never_ran(
    pool: asyncpg.Pool, schema: str, source_schema: str
) -> None:
    store = PostgresEventStore(pool, source_schema)
    await append_numbered(store, 1234)
    result = await rebuild(pool, schema, Totals(), [LocalEventSource("src", store)], batch_size=100)
    assert result.positions == {"src": 1234}
    assert await _table(pool, schema) == await _expected(store)
    await store.close()


async def test_a_projection_rebuilds_again_and_keeps_its_index_names(
    pool: asyncpg.Pool, schema: str, source_schema: str
) -> None:
    store = PostgresEventStore(pool, source_schema)
    await append_numbered(store, 300)
    source = LocalEventSource("src", store)
    for _ in range(2):  # the second used to collide with the first's swapped-in index names
        await rebuild(pool, schema, Totals(), [source], batch_size=100)
    indexes = await pool.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = $1 ORDER BY 1", schema
    )
    names = [r[0] for r in indexes]
    assert "totals_high_water_by_position" in names
    assert not [n for n in names if "__rebuild" in n]
    assert await _table(pool, schema) == await _expected(store)
    await store.close()


class NumberedTotals(Totals):
    """``Totals`` of ``test.Numbered`` events only, saying so: a rebuild reads no other type."""

    event_types = frozenset({"test.Numbered"})

    async def apply(
        self, conn: Any, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None:
        assert {e.event_type for e in events} == {"test.Numbered"}
        await super().apply(conn, events, tables)


class PlainSource:
    """An ``EventSource`` that can only read every type (a rebuild filters its pages itself)."""

    def __init__(self, source: LocalEventSource) -> None:
        self.name = source.name
        self.read = source.read


@pytest.mark.parametrize("plain", [False, True])
async def test_a_projection_naming_its_types_is_rebuilt_from_those_alone(
    pool: asyncpg.Pool, schema: str, source_schema: str, plain: bool
) -> None:
    store = PostgresEventStore(pool, source_schema)
    for _ in range(3):
        await append_numbered(store, 150)
        await store.append("noise", None, [NewEvent("test.Noise", {"n": i}) for i in range(70)])
    local = LocalEventSource("src", store)
    source = PlainSource(local) if plain else local

    result = await rebuild(pool, schema, NumberedTotals(), [source], batch_size=100)

    assert (result.events, result.applied, result.positions) == (660, 450, {"src": 660})
    numbered = [e for e in await store.read_all(0, 1000) if e.event_type == "test.Numbered"]
    expected: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for event in numbered:
        expected[event.stream_id][0] += 1
        expected[event.stream_id][1] += event.data["n"]
    assert await _table(pool, schema) == {k: (v[0], v[1]) for k, v in expected.items()}
    await store.close()

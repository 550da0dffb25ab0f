"""Relay, consumer and end-to-end latency benchmarks (imported by ``run.py``)."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Sequence

import asyncpg
from faststream.redis import RedisBroker

from kernel.events import NewEvent, RecordedEvent
from kernel.feed import LocalEventSource
from kernel.messaging import Consumer, ConsumerOptions, DbConnection, RedisBulkPublisher, Relay
from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.settings import ServiceSettings

RELAY_MIN_INTERVAL = ServiceSettings.model_fields["relay_min_interval"].default
RELAY_CHECKPOINT_INTERVAL = ServiceSettings.model_fields["relay_checkpoint_interval"].default

PAYLOAD = "x" * 250


class CountingProjection:
    """A realistic cheap read model: one upsert per batch, rows per stream."""

    name = "counts"

    def __init__(self, schema: str) -> None:
        self.schema = schema
        self._sql = (
            f"INSERT INTO {schema}.counts (stream_id, events) SELECT s, count(*) FROM"
            " unnest($1::text[]) AS s GROUP BY s ON CONFLICT (stream_id)"
            " DO UPDATE SET events = counts.events + EXCLUDED.events"
        )

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await conn.execute(self._sql, [e.stream_id for e in events])


class NotifyingProjection(CountingProjection):
    """Also announces its highest position; NOTIFY is delivered only when the effect commits."""

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await super().handle(conn, events)
        await conn.execute("SELECT pg_notify('bench_effects', $1)", str(events[-1].position))


async def _schemas(pool: asyncpg.Pool) -> tuple[str, str]:
    source, consumer = f"src_{uuid.uuid4().hex[:6]}", f"dst_{uuid.uuid4().hex[:6]}"
    async with pool.acquire() as conn:
        await migrate(conn, source, kernel_migrations())
        await migrate(conn, consumer, kernel_migrations())
        await conn.execute(
            f"CREATE TABLE {consumer}.counts (stream_id text PRIMARY KEY, events bigint NOT NULL)"
        )
    return source, consumer


def _consumer(
    broker: RedisBroker,
    pool: asyncpg.Pool,
    projection: CountingProjection,
    source: str,
    store: PostgresEventStore,
    polling_interval: float,
) -> Consumer:
    """A consumer in the projection's schema, reading ``source`` (its store is the feed)."""
    return Consumer(
        broker,
        pool,
        schema=projection.schema,
        service=projection.schema,
        instance="bench",
        handler=projection,
        sources=[LocalEventSource(source, store)],
        options=ConsumerOptions(polling_interval=polling_interval),
    )


async def _fill(store: PostgresEventStore, events: int) -> None:
    """Write ``events`` quickly: 100 streams per group commit, 10 events each."""
    for b in range(events // 1000):
        await asyncio.gather(
            *(
                store.append(
                    f"s-{b}-{k}",
                    0,
                    [NewEvent("bench.Changed", {"note": PAYLOAD, "n": n}) for n in range(10)],
                )
                for k in range(100)
            )
        )


async def bench_relay_and_consumer(
    pool: asyncpg.Pool, redis_url: str, events: int
) -> dict[str, float]:
    source, consumer_schema = await _schemas(pool)
    store = PostgresEventStore(pool, source)
    await _fill(store, events)
    broker = RedisBroker(redis_url)
    redis = await broker.connect()
    relay = Relay(store, pool, RedisBulkPublisher(redis), service=source, schema=source)
    started = time.perf_counter()
    await relay.publish_pending()
    relay_eps = events / (time.perf_counter() - started)

    consumer = _consumer(broker, pool, CountingProjection(consumer_schema), source, store, 0.01)
    started = time.perf_counter()
    await consumer.start()
    while (await consumer.checkpoints()).get(source, 0) < events:
        await asyncio.sleep(0.01)
    consumer_eps = events / (time.perf_counter() - started)
    await consumer.stop()
    await redis.delete(f"{source}.events.v1")
    await broker.stop()
    await store.close()
    return {"relay_eps": round(relay_eps), "consumer_eps": round(consumer_eps)}


async def bench_latency(
    pool: asyncpg.Pool, database_url: str, redis_url: str, rate: int = 1000, seconds: float = 10.0
) -> dict[str, float]:
    """Append at ``rate`` events/s; time from append committed to consumer effect committed."""
    source, consumer_schema = await _schemas(pool)
    store = PostgresEventStore(pool, source)
    broker = RedisBroker(redis_url)
    redis = await broker.connect()
    relay = Relay(
        store,
        pool,
        RedisBulkPublisher(redis),
        service=source,
        schema=source,
        poll_interval=0.05,
        # As services run it: its rest is part of the trip.
        min_interval=RELAY_MIN_INTERVAL,
        checkpoint_interval=RELAY_CHECKPOINT_INTERVAL,
    )
    consumer = _consumer(broker, pool, NotifyingProjection(consumer_schema), source, store, 0.005)
    appended: dict[int, float] = {}
    latencies: list[float] = []
    listener = await asyncpg.connect(database_url)

    def on_effect(*args: object) -> None:
        now, up_to = time.perf_counter(), int(str(args[3]))
        latencies.extend(now - appended.pop(p) for p in [p for p in appended if p <= up_to])

    await listener.add_listener("bench_effects", on_effect)
    relaying = asyncio.create_task(relay.run())
    await consumer.start()
    total = int(rate * seconds)
    started = time.perf_counter()

    async def append(n: int) -> None:
        result = await store.append(f"l-{n}", 0, [NewEvent("bench.Changed", {"note": PAYLOAD})])
        appended[result.positions[0]] = time.perf_counter()

    tasks = []
    for n in range(total):
        # Paced open loop: each append starts on schedule, whether or not earlier ones finished.
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(append(n)))
    await asyncio.gather(*tasks)
    deadline = time.perf_counter() + 10
    while appended and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    relaying.cancel()
    await consumer.stop()
    await listener.close()
    await redis.delete(f"{source}.events.v1")
    await broker.stop()
    await store.close()
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "events": len(latencies),
        "lost": len(appended),
        "p50_ms": round(quantiles[49] * 1000, 2),
        "p99_ms": round(quantiles[98] * 1000, 2),
    }

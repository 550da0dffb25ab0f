"""The relay: tails the service's event store and publishes every event to its Redis stream.

Nothing is published from request handlers; an append commits, Postgres notifies, the relay
reads the new events in position order and publishes them (a transactional outbox by
construction). Publishing is at least once: the checkpoint is written only after the broker
has acknowledged a batch (while busy, at most every ``checkpoint_interval``), so a crash in
between re-publishes what followed it and consumers, which dedupe by position, apply it once.

One relay publishes per service however many replicas run: each replica tries a session-level
Postgres advisory lock on a dedicated connection and only the holder publishes; the others
retry every ``lock_retry_interval``. If the holder dies, its connection (and lock) goes with
it and another replica takes over from the stored checkpoint.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Sequence

import asyncpg
from opentelemetry import metrics
from opentelemetry.trace import SpanKind

from kernel.events import RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.messaging.handler import DbConnection
from kernel.messaging.locks import advisory_key, release_session_lock
from kernel.messaging.message import event_body, event_headers, events_stream
from kernel.messaging.publisher import Publisher
from kernel.messaging.tracing import batch_span
from kernel.postgres.identifiers import checked_schema

_log = logging.getLogger(__name__)
_published = metrics.get_meter(__name__).create_counter(
    "clwstwr.relay.published", unit="{event}", description="Events the relay has published."
)


class Relay:
    """Publishes ``store``'s events, in position order, to ``<service>.events.v1``.

    Args:
        store: the service's own event store.
        pool: the service's pool; the relay holds one connection while it is the leader.
        publisher: how batches reach the broker (``RedisBulkPublisher`` by default in services).
        service: the service name: the stream prefix and the CloudEvents source.
        schema: the service's schema, migrated with ``kernel_migrations()``.
        batch_size: events read and published per batch.
        poll_interval: seconds between polls when no notification arrives.
        min_interval: seconds the relay rests after a drain that published something, so a
            busy store goes out in fewer, larger batches (each batch costs a read, a broker
            call and a checkpoint write whatever its size); an idle store's first event still
            goes out at once. At most this much is added to an event's way to the broker.
        checkpoint_interval: seconds between checkpoint writes while publishing; the checkpoint
            also catches up on the first pass that finds nothing new (a notification or, at the
            latest, ``poll_interval`` later). 0 writes one per batch.
        lock_retry_interval: seconds a standby replica waits before trying the lock again.
    """

    def __init__(
        self,
        store: EventStore,
        pool: asyncpg.Pool,
        publisher: Publisher,
        *,
        service: str,
        schema: str,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        min_interval: float = 0.0,
        checkpoint_interval: float = 0.0,
        lock_retry_interval: float = 2.0,
    ) -> None:
        self._store = store
        self._pool = pool
        self._publisher = publisher
        self._service = service
        self._schema = checked_schema(schema)
        self._stream = events_stream(service)
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._min_interval = min_interval
        self._checkpoint_interval = checkpoint_interval
        self._published = self._saved = 0  # acknowledged by the broker; written as checkpoint
        self._saved_at = 0.0
        self._lock_retry_interval = lock_retry_interval
        self._lock_key = advisory_key("clwstwr.relay", f"{self._schema}/{self._stream}")
        self._leader = False
        self._attributes = {"stream": self._stream}

    @property
    def stream(self) -> str:
        return self._stream

    @property
    def is_leader(self) -> bool:
        """Whether this replica holds the relay lock right now."""
        return self._leader

    async def run(self) -> None:
        """Publish forever: wait for the lock, publish while holding it, recover from errors."""
        while True:
            try:
                async with self._leadership() as conn:
                    position = await self._checkpoint(conn)
                    wakeups = self._store.wakeups(self._poll_interval)
                    try:
                        async for _ in wakeups:
                            drained = await self._drain(conn, position)
                            if drained == position:
                                # Nothing new: the store is quiet, so the checkpoint catches up.
                                await self._keep(conn, drained, now=True)
                            elif self._min_interval > 0:
                                # Notifications meanwhile are kept: the next pass is at once.
                                await asyncio.sleep(self._min_interval)
                            position = drained
                    finally:
                        await _aclose(wakeups)
            except Exception:  # noqa: BLE001
                # Broker or database trouble: keep the process alive, let the lock go, retry.
                _log.exception("relay for %s failed; retrying", self._stream)
                await asyncio.sleep(self._lock_retry_interval)

    async def publish_pending(self) -> int:
        """Take the lock, publish everything up to the current head once, let the lock go.

        For tools, tests and benchmarks; services call ``run``. Returns the last position
        published (the new checkpoint).
        """
        async with self._leadership() as conn:
            position = await self._drain(conn, await self._checkpoint(conn))
            await self._keep(conn, position, now=True)
            return position

    async def relay_lag(self) -> int:
        """Events committed but not yet acknowledged by the broker (for the lag metric)."""
        head = await self._store.last_position()
        if self._leader:
            return head - self._published  # ahead of the checkpoint written (see _keep)
        done = await self._pool.fetchval(
            f"SELECT position FROM {self._schema}.relay_checkpoints WHERE stream = $1",
            self._stream,
        )
        return head - int(done or 0)

    @contextlib.asynccontextmanager
    async def _leadership(self) -> AsyncIterator[DbConnection]:
        while True:
            async with self._pool.acquire() as conn:
                # Session-level: held until released or the connection dies.
                if await conn.fetchval("SELECT pg_try_advisory_lock($1, $2)", *self._lock_key):
                    self._leader = True
                    try:
                        yield conn
                    finally:
                        self._leader = False
                        with contextlib.suppress(asyncpg.PostgresError, OSError):
                            await release_session_lock(conn, self._lock_key)
                    return
            await asyncio.sleep(self._lock_retry_interval)

    async def _checkpoint(self, conn: DbConnection) -> int:
        await conn.execute(
            f"INSERT INTO {self._schema}.relay_checkpoints (stream, position) VALUES ($1, 0)"
            " ON CONFLICT DO NOTHING",
            self._stream,
        )
        position: int = await conn.fetchval(
            f"SELECT position FROM {self._schema}.relay_checkpoints WHERE stream = $1",
            self._stream,
        )
        self._published = self._saved = position
        self._saved_at = time.monotonic()
        return position

    async def _keep(self, conn: DbConnection, position: int, *, now: bool = False) -> None:
        """Write ``position`` as the checkpoint: ``now``, or if the last write is old enough.

        Publishing is at least once anyway; a checkpoint written at most every
        ``checkpoint_interval`` while busy (and as soon as the store is quiet) only widens what
        a crash re-publishes, and saves a write per batch.
        """
        if position == self._saved:
            return
        if not now and time.monotonic() - self._saved_at < self._checkpoint_interval:
            return
        await conn.execute(
            f"UPDATE {self._schema}.relay_checkpoints SET position = $2, updated_at = now()"
            " WHERE stream = $1",
            self._stream,
            position,
        )
        self._saved, self._saved_at = position, time.monotonic()

    async def _drain(self, conn: DbConnection, position: int) -> int:
        """Publish every event after ``position``; return the last position published."""
        batch = await self._store.read_all(position, self._batch_size)
        while batch:
            # Read the next batch while this one is encoded and published.
            ahead = (
                asyncio.create_task(self._store.read_all(batch[-1].position, self._batch_size))
                if len(batch) == self._batch_size
                else None
            )
            try:
                await self._publish(conn, batch)
            except BaseException:
                if ahead is not None:
                    ahead.cancel()
                    with contextlib.suppress(BaseException):
                        await ahead
                raise
            position = batch[-1].position
            batch = await ahead if ahead is not None else []
        return position

    async def _publish(self, conn: DbConnection, batch: Sequence[RecordedEvent]) -> None:
        if conn.is_closed():
            # The lock went with the connection; another replica may be publishing already.
            raise ConnectionError("lost the relay lock connection")
        service = self._service
        with batch_span(f"publish {self._stream}", batch, self._attributes, SpanKind.PRODUCER):
            await self._publisher.publish(
                self._stream, [(event_body(e), event_headers(e, service)) for e in batch]
            )
        # Only after the broker acknowledged the whole batch.
        self._published = batch[-1].position
        await self._keep(conn, self._published)
        _published.add(len(batch), self._attributes)


async def _aclose(iterator: AsyncIterator[None]) -> None:
    aclose = getattr(iterator, "aclose", None)
    if aclose is not None:
        await aclose()

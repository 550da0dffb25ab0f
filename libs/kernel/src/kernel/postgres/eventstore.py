"""The Postgres event store (asyncpg), with group commit.

Every append takes one lock (the position counter row) until commit; that is what makes the
global order gapless and commit-ordered, and it caps a single Postgres at roughly one commit per
fsync. So appends that arrive together are coalesced: callers queue their requests, one writer
task sends the whole queue to ``append_events`` in a single round trip and a single transaction,
and each caller gets its own outcome. Per-request checks (expected version, event-id repeats) are
done one request at a time inside that transaction, so batching never weakens them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import orjson

from kernel.errors import ConcurrencyError, EventIdConflict
from kernel.events import AppendResult, EncodedEvent, NewEvent, RecordedEvent
from kernel.eventstore.memory import check_append_arguments
from kernel.eventstore.port import EventStore, window_end
from kernel.postgres.connection import DbConnection
from kernel.postgres.identifiers import checked_schema
from kernel.upcasting import NO_UPCASTERS, Upcasters

_COLUMNS = (
    "position, stream_id, stream_version, event_id, event_type, schema_version,"
    " data::text, metadata::text, occurred_at, recorded_at"
)


@dataclass(slots=True)
class _Request:
    stream_id: str
    expected_version: int | None
    events: Sequence[NewEvent]
    done: asyncio.Future[AppendResult] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class PostgresEventStore(EventStore):
    """An ``EventStore`` in ``<schema>.events``; see the module docstring for group commit.

    Args:
        pool: the service's asyncpg pool.
        schema: the service's schema, migrated with ``kernel_migrations()``.
        upcasters: lift old event shapes on read.
        max_batch_events: the most events one group commit carries.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        upcasters: Upcasters = NO_UPCASTERS,
        *,
        max_batch_events: int = 2000,
    ) -> None:
        self._pool = pool
        self._schema = checked_schema(schema)
        self._upcasters = upcasters
        self._max_batch_events = max_batch_events
        self._queue: deque[_Request] = deque()
        self._writer: asyncio.Task[None] | None = None
        self._listener = _Listener(pool, f"{self._schema}_events")
        self._append_sql = _append_sql(self._schema)
        self._read_all_sql = (
            f"SELECT {_COLUMNS} FROM {self._schema}.events"
            " WHERE position > $1 ORDER BY position LIMIT $2"
        )
        # Each stream by its own index look-up, whatever the plan makes of the array.
        self._read_streams_sql = (
            f"SELECT e.* FROM unnest($1::text[], $2::bigint[]) AS k(stream_id, after),"
            f" LATERAL (SELECT {_COLUMNS} FROM {self._schema}.events"
            "  WHERE stream_id = k.stream_id AND stream_version > k.after"
            "  ORDER BY stream_version) AS e"
        )
        self._read_window_sql = (
            f"SELECT {_COLUMNS} FROM {self._schema}.events"
            " WHERE position > $1 AND position <= $2 AND event_type = ANY($3::text[])"
            " ORDER BY position"
        )

    @property
    def schema(self) -> str:
        return self._schema

    async def append(
        self,
        stream_id: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        check_append_arguments(stream_id, expected_version, events)
        request = _Request(stream_id, expected_version, events)
        self._queue.append(request)
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued())
        # shield: a caller cancelled mid-commit must not cancel the batch other callers share.
        return await asyncio.shield(request.done)

    async def _write_queued(self) -> None:
        while self._queue:
            try:
                # One connection for as long as appends keep coming (not one per batch); a
                # new one if it breaks.
                async with self._pool.acquire() as conn:
                    while self._queue and not conn.is_closed():
                        await self._write_taken(conn, self._take_batch())
            except Exception:  # noqa: BLE001 - no connection: each caller gets its own error
                for request in self._take_batch():
                    await self._write_alone(request)

    async def _write_taken(self, conn: DbConnection, batch: list[_Request]) -> None:
        try:
            await self._write_batch(conn, batch)
        except Exception:  # noqa: BLE001 - isolate the request that broke the batch
            for request in batch:
                await self._write_alone(request)

    def _take_batch(self) -> list[_Request]:
        batch: list[_Request] = []
        size = 0
        while self._queue and (
            not batch or size + len(self._queue[0].events) <= self._max_batch_events
        ):
            request = self._queue.popleft()
            batch.append(request)
            size += len(request.events)
        return batch

    async def _write_alone(self, request: _Request) -> None:
        # A connection of its own: the shared one may be what broke the batch.
        try:
            async with self._pool.acquire() as conn:
                await self._write_batch(conn, [request])
        except Exception as error:  # noqa: BLE001 - the caller gets its own error
            if not request.done.done():
                request.done.set_exception(error)

    async def _write_batch(self, conn: DbConnection, batch: list[_Request]) -> None:
        rows = await conn.fetch(self._append_sql, *_append_arguments(batch))
        for row in rows:
            request = batch[row["request"] - 1]
            if not request.done.done():
                _settle(request, row)

    async def read_stream(
        self,
        stream_id: str,
        *,
        up_to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM {self._schema}.events WHERE stream_id = $1"
            " AND ($2::bigint IS NULL OR stream_version <= $2)"
            " AND ($3::timestamptz IS NULL OR recorded_at <= $3)"
            " ORDER BY stream_version",
            stream_id,
            up_to_version,
            as_of,
        )
        return self._decode(rows)

    async def read_streams(self, known: Mapping[str, int]) -> dict[str, list[RecordedEvent]]:
        streams: dict[str, list[RecordedEvent]] = {stream_id: [] for stream_id in known}
        rows = await self._pool.fetch(self._read_streams_sql, list(known), list(known.values()))
        for event in self._decode(rows):
            streams[event.stream_id].append(event)
        return streams

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        return self._decode(await self._pool.fetch(self._read_all_sql, after_position, limit))

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        rows, through = await self._window_rows(after_position, limit, event_types)
        return self._decode(rows), through

    async def read_all_encoded(
        self, after_position: int = 0, limit: int = 1000
    ) -> list[EncodedEvent]:
        """``read_all`` with each event's data left as JSON text (what the EventFeed sends)."""
        return self._encode(await self._pool.fetch(self._read_all_sql, after_position, limit))

    async def read_window_encoded(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[EncodedEvent], int]:
        """``read_window`` with each event's data left as JSON text (what the EventFeed sends)."""
        rows, through = await self._window_rows(after_position, limit, event_types)
        return self._encode(rows), through

    async def _window_rows(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[asyncpg.Record], int]:
        # The last position first: everything up to it is committed (positions are handed out
        # in commit order), so the window below it has no event still to come.
        through = window_end(after_position, limit, await self.last_position())
        if through == after_position:
            return [], through
        rows = await self._pool.fetch(
            self._read_window_sql, after_position, through, list(event_types)
        )
        return rows, through

    def _encode(self, rows: Sequence[asyncpg.Record]) -> list[EncodedEvent]:
        """Rows as ``EncodedEvent``; one an upcaster lifts is decoded, lifted and encoded again."""
        current = self._upcasters.current_version
        loads = orjson.loads
        encoded = []
        for r in rows:
            if r[5] < current(r[4]):
                lifted = self._decode([r])[0]
                data, version = orjson.dumps(lifted.data).decode(), lifted.schema_version
            else:
                data, version = r[6], r[5]
            encoded.append(
                EncodedEvent(r[1], r[2], r[0], r[3], r[4], version, data, loads(r[7]), r[8], r[9])
            )
        return encoded

    async def last_position(self) -> int:
        position: int = await self._pool.fetchval(
            f"SELECT position FROM {self._schema}.event_position"
        )
        return position

    async def stream_version(self, stream_id: str) -> int:
        version: int = await self._pool.fetchval(
            f"SELECT coalesce(max(stream_version), 0) FROM {self._schema}.events"
            " WHERE stream_id = $1",
            stream_id,
        )
        return version

    def wakeups(self, poll_interval: float) -> AsyncIterator[None]:
        return self._listener.wakeups(poll_interval)

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer
        await self._listener.close()

    def _decode(self, rows: Sequence[asyncpg.Record]) -> list[RecordedEvent]:
        upcast = self._upcasters.upcast
        loads = orjson.loads
        return [
            upcast(
                RecordedEvent(
                    position=r[0],
                    stream_id=r[1],
                    stream_version=r[2],
                    event_id=r[3],
                    event_type=r[4],
                    schema_version=r[5],
                    data=loads(r[6]),
                    metadata=loads(r[7]),
                    occurred_at=r[8],
                    recorded_at=r[9],
                )
            )
            for r in rows
        ]


async def append_in_transaction(
    conn: DbConnection,
    schema: str,
    stream_id: str,
    expected_version: int | None,
    events: Sequence[NewEvent],
) -> AppendResult:
    """Append ``events`` on ``conn``, inside the transaction its caller holds.

    They commit, or roll back, with the caller's other writes: a transactional outbox for a
    handler that derives events from what it consumes (payments' ledger entries), so a
    redelivered batch can neither lose nor repeat them. The store's position lock is held until
    that transaction ends, so keep it short. Readers are woken on commit, as for ``append``.

    Raises:
        ConcurrencyError, EventIdConflict: as ``EventStore.append``.
    """
    check_append_arguments(stream_id, expected_version, events)
    request = _Request(stream_id, expected_version, events)
    [row] = await conn.fetch(_append_sql(checked_schema(schema)), *_append_arguments([request]))
    return _outcome(request, row)


def _append_sql(schema: str) -> str:
    return f"SELECT * FROM {schema}.append_events($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"


def _append_arguments(batch: list[_Request]) -> tuple[list[Any], ...]:
    events = [e for request in batch for e in request.events]

    def dumps(value: object) -> str:
        return orjson.dumps(value).decode()

    return (
        [r.stream_id for r in batch],
        [-1 if r.expected_version is None else r.expected_version for r in batch],
        [len(r.events) for r in batch],
        [n for n, request in enumerate(batch, start=1) for _ in request.events],
        [e.event_id for e in events],
        [e.event_type for e in events],
        [e.schema_version for e in events],
        [dumps(e.data) for e in events],
        [dumps(e.metadata) for e in events],
        [e.occurred_at for e in events],
    )


def _settle(request: _Request, row: asyncpg.Record) -> None:
    try:
        request.done.set_result(_outcome(request, row))
    except (ConcurrencyError, EventIdConflict) as refused:
        request.done.set_exception(refused)


def _outcome(request: _Request, row: asyncpg.Record) -> AppendResult:
    """What ``append_events`` said of one request.

    Raises:
        ConcurrencyError: the stream was not at the expected version.
        EventIdConflict: some, not all, of its event ids are stored already.
    """
    outcome = row["outcome"]
    if outcome in ("ok", "duplicate"):
        return AppendResult(
            stream_id=request.stream_id,
            stream_version=row["stream_version"],
            positions=tuple(row["positions"]),
            duplicate=outcome == "duplicate",
        )
    if outcome == "conflict":
        raise ConcurrencyError(request.stream_id, request.expected_version, row["stream_version"])
    raise EventIdConflict(f"some of the event ids are stored already ({request.stream_id!r})")


class _Listener:
    """One LISTEN connection per store, shared by every reader waiting for new events."""

    def __init__(self, pool: asyncpg.Pool, channel: str) -> None:
        self._pool = pool
        self._channel = channel
        self._connection: asyncpg.pool.PoolConnectionProxy | None = None
        self._waiters: set[asyncio.Event] = set()
        self._lock = asyncio.Lock()

    async def wakeups(self, poll_interval: float) -> AsyncIterator[None]:
        wake = asyncio.Event()
        self._waiters.add(wake)
        try:
            await self._ensure_listening()
            while True:
                wake.clear()
                yield
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), poll_interval)
        finally:
            self._waiters.discard(wake)

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._connection is not None and not self._connection.is_closed():
                return
            with contextlib.suppress(OSError, asyncpg.PostgresError):
                # If this fails, readers still poll; the next wakeups() call tries again.
                connection = await self._pool.acquire()
                await connection.add_listener(self._channel, self._notify)
                self._connection = connection

    def _notify(self, *_: object) -> None:
        for wake in self._waiters:
            wake.set()

    async def close(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.remove_listener(self._channel, self._notify)
            await self._pool.release(self._connection)
            self._connection = None

"""Applying one source's events to one handler: in order, exactly once, with gaps backfilled.

Every path into a consumer (a broker batch, the claimer, the periodic catch-up, a projection
rebuild) goes through ``SourceApplier.apply``. Each step is one transaction that locks the
consumer's checkpoint row, drops what is at or below it, applies the next run of consecutive
events and moves the checkpoint, so duplicates have one effect and replicas sharing the work
still apply the source in order. When the next event is not checkpoint + 1 the missing ones
are read from the source's ``EventSource`` (outside any transaction) and applied first.

A failing batch is retried one event at a time to find the culprit; its failed attempts are
counted in their own transaction (they must survive the rollback, and the event may come back
from the broker or from the feed). Below ``max_attempts`` the failure is raised so the broker
redelivers later; at ``max_attempts`` the event is stored as a dead letter, the checkpoint
moves past it, the ``clwstwr.consumer.dead_letters`` counter goes up and later events flow.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence

import asyncpg
from opentelemetry import metrics

from kernel.events import RecordedEvent
from kernel.feed import EventSource
from kernel.messaging.dead_letters import DeadLetter
from kernel.messaging.handler import DbConnection, EventHandler
from kernel.messaging.inbox import Inbox, error_text
from kernel.messaging.tracing import batch_span

_dead_letters = metrics.get_meter(__name__).create_counter(
    "clwstwr.consumer.dead_letters",
    unit="{event}",
    description="Events a consumer gave up on after repeated failures (alert on any).",
)

#: Failures that say nothing about the event (the database went away, a deadlock, a
#: serialisation conflict): retried without counting towards dead-lettering.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.InterfaceError,
    asyncpg.PostgresConnectionError,
    asyncpg.TransactionRollbackError,
    asyncpg.OperatorInterventionError,
)

DeadLetterHook = Callable[[DeadLetter], Awaitable[None]]


def count_dead_letter(consumer: str, source: str) -> None:
    """Raise the dead-letter alert metric by one."""
    _dead_letters.add(1, {"consumer": consumer, "source": source})


class HandlerFailed(Exception):
    """An event failed and will be retried (the broker message stays pending)."""

    def __init__(self, source: str, position: int, attempts: int, error: str) -> None:
        self.source = source
        self.position = position
        self.attempts = attempts
        super().__init__(f"{source} event {position} failed (attempt {attempts}): {error}")


class RetryLater(Exception):
    """The next event failed moments ago; wait ``retry_delay`` before trying it again."""


class GapNotFilled(Exception):
    """The source could not supply the events between the checkpoint and an arrival."""


class _Gap(Exception):
    pass


class _Failed(Exception):
    def __init__(self, run: list[RecordedEvent], error: Exception) -> None:
        self.run = run
        self.error = error


class SourceApplier:
    """Applies one source's events to one handler under one checkpoint.

    Args:
        pool: the consuming service's pool.
        schema: the consuming service's schema.
        handler: what to apply.
        source: the source's catch-up path; its ``name`` is the checkpoint's source key.
        consumer: the checkpoint's consumer key (default ``handler.name``).
        batch_size: most events per transaction.
        max_attempts: failures of one event before it is dead-lettered; ``None`` never
            dead-letters and raises on the first failure (projection rebuilds).
        retry_delay: seconds before an event that just failed is tried again.
        on_dead_letter: called after a dead letter is committed (the consumer publishes it
            to ``<stream>.dlq``).
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        handler: EventHandler,
        source: EventSource,
        *,
        consumer: str | None = None,
        batch_size: int = 1000,
        max_attempts: int | None = 5,
        retry_delay: float = 1.0,
        on_dead_letter: DeadLetterHook | None = None,
    ) -> None:
        self._pool = pool
        self._handler = handler
        self._source = source
        self.inbox = Inbox(schema, consumer or handler.name, source.name)
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._on_dead_letter = on_dead_letter
        self._floor = 0  # a committed checkpoint: never above the real one
        self._retry_at: dict[int, float] = {}
        self.head = 0  # the highest position seen from any path (for the lag metric)
        self._span_attributes = {
            "clwstwr.consumer": self.inbox.consumer,
            "clwstwr.source": source.name,
        }

    @property
    def floor(self) -> int:
        """The last checkpoint this applier knows to be committed."""
        return self._floor

    async def ensure(self) -> None:
        """Create the checkpoint row if missing and load it."""
        await self.inbox.ensure(self._pool)
        self._floor = max(self._floor, await self.inbox.position(self._pool))

    async def position(self) -> int:
        """The committed checkpoint, read now."""
        self._floor = max(self._floor, await self.inbox.position(self._pool))
        return self._floor

    async def apply(self, arrived: Sequence[RecordedEvent]) -> int:
        """Apply ``arrived`` (any order, duplicates allowed) and whatever precedes it.

        Returns how many events this call applied. Raises ``HandlerFailed``, ``RetryLater``
        or ``GapNotFilled`` when it could not get past some event; nothing after that event
        is applied then, and calling again later resumes from the checkpoint.
        """
        queue = sorted({e.position: e for e in arrived}.values(), key=lambda e: e.position)
        if queue:
            self.head = max(self.head, queue[-1].position)
        applied = 0
        one_by_one_until = 0
        while True:
            queue = [e for e in queue if e.position > self._floor]
            if not queue:
                return applied
            limit = 1 if self._floor < one_by_one_until else self._batch_size
            try:
                applied += await self._step(queue, limit)
            except _Gap:
                queue = [e for e in queue if e.position > self._floor]
                queue = [*await self._fill(queue[0].position), *queue]
            except _Failed as failure:
                if len(failure.run) > 1:
                    # Find the event that broke the batch: apply up to it one at a time.
                    one_by_one_until = failure.run[-1].position
                else:
                    await self._failed(failure.run[0], failure.error)

    def steady(self) -> bool:
        """Whether no event is waiting out its retry delay (so a group may apply for us)."""
        return not self._retry_at

    async def apply_within(
        self, conn: DbConnection, events: Sequence[RecordedEvent], checkpoint: int
    ) -> int:
        """Apply the events after ``checkpoint`` in the caller's transaction; return the new one.

        For a group of appliers sharing one transaction (``kernel.projections.local``): the
        caller has locked the checkpoint and saves the returned position. Raises whatever the
        handler raises, or ``GapNotFilled`` when ``events`` do not start right after
        ``checkpoint``; the caller then rolls back and falls back to ``apply``.
        """
        try:
            run = _next_run(list(events), checkpoint, self._batch_size)
        except _Gap:
            raise GapNotFilled(f"{self.inbox.source}: nothing after {checkpoint} here") from None
        if not run:
            return checkpoint
        self.head = max(self.head, run[-1].position)
        with batch_span(f"apply {self.inbox.source}", run, self._span_attributes):
            await self._handler.handle(conn, run)
        return run[-1].position

    def committed(self, position: int) -> None:
        """Record a checkpoint that a group transaction has committed for us."""
        self._floor = max(self._floor, position)
        if self._retry_at:
            self._retry_at = {p: t for p, t in self._retry_at.items() if p > self._floor}

    async def catch_up(self) -> int:
        """Read the source from the checkpoint to its end and apply it; return the count.

        Reads from the checkpoint as last committed here (no query for it): if another replica
        has moved it on, the extra events read are skipped under the checkpoint lock. A page
        shorter than the batch size was the end of the source when read, so no empty read
        follows it. While a full page is applied the next one is already being read, so a
        long catch-up (a rebuild) waits on the source and the database at once, not in turn;
        should applying stop short, that page is only an arrival after a gap, filled as usual.
        """
        total = 0
        reading = asyncio.ensure_future(self._source.read(self._floor, self._batch_size))
        try:
            while True:
                events = await reading
                more = len(events) == self._batch_size
                if more:
                    after = events[-1].position
                    reading = asyncio.ensure_future(self._source.read(after, self._batch_size))
                if events:
                    total += await self.apply(events)
                if not more:
                    return total
        finally:
            if not reading.done():
                reading.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await reading

    async def _step(self, queue: list[RecordedEvent], limit: int) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            checkpoint = await self.inbox.lock(conn)
            self._floor = max(self._floor, checkpoint)
            run = _next_run(queue, checkpoint, limit)
            if not run:
                return 0
            deadline = self._retry_at.get(run[0].position)
            if deadline is not None and time.monotonic() < deadline:
                raise RetryLater(f"{self.inbox.source} event {run[0].position} failed just now")
            try:
                with batch_span(f"apply {self.inbox.source}", run, self._span_attributes):
                    await self._handler.handle(conn, run)
            except TRANSIENT_ERRORS:
                raise
            except Exception as error:
                raise _Failed(run, error) from error
            await self.inbox.save(conn, run[-1].position)
        self.committed(run[-1].position)
        return len(run)

    async def _fill(self, before: int) -> list[RecordedEvent]:
        after = self._floor
        events = await self._source.read(after, min(self._batch_size, before - after - 1))
        if not events or events[0].position != after + 1:
            raise GapNotFilled(
                f"{self.inbox.source} has no events after {after} yet (next arrival: {before})"
            )
        self.head = max(self.head, events[-1].position)
        return events

    async def _failed(self, event: RecordedEvent, error: Exception) -> None:
        text = error_text(error)
        source = self.inbox.source
        if self._max_attempts is None:
            raise HandlerFailed(source, event.position, 1, text) from error
        attempts = await self.inbox.record_failure(self._pool, event.position, text)
        self._retry_at[event.position] = time.monotonic() + self._retry_delay
        if attempts < self._max_attempts:
            raise HandlerFailed(source, event.position, attempts, text) from error
        letter = await self._bury(event, text, attempts)
        if letter is not None and self._on_dead_letter is not None:
            await self._on_dead_letter(letter)

    async def _bury(self, event: RecordedEvent, error: str, attempts: int) -> DeadLetter | None:
        async with self._pool.acquire() as conn, conn.transaction():
            checkpoint = await self.inbox.lock(conn)
            if checkpoint != event.position - 1:
                return None  # another replica got past it meanwhile
            dead_id = await self.inbox.bury(conn, event, error, attempts)
            await self.inbox.save(conn, event.position)
            await self.inbox.clear_failures(conn, event.position)
            dead_at = await conn.fetchval("SELECT now()")
        self._floor = event.position
        count_dead_letter(self.inbox.consumer, self.inbox.source)
        return DeadLetter(
            id=dead_id,
            consumer=self.inbox.consumer,
            source=self.inbox.source,
            position=event.position,
            event=event,
            error=error,
            attempts=attempts,
            dead_at=dead_at,
        )


def _next_run(queue: list[RecordedEvent], checkpoint: int, limit: int) -> list[RecordedEvent]:
    """The consecutive events right after ``checkpoint`` (``queue`` is sorted and unique)."""
    start = 0
    while start < len(queue) and queue[start].position <= checkpoint:
        start += 1
    if start == len(queue):
        return []
    if queue[start].position != checkpoint + 1:
        raise _Gap
    end = start + 1
    stop = min(len(queue), start + limit)
    while end < stop and queue[end].position == queue[end - 1].position + 1:
        end += 1
    return queue[start:end]

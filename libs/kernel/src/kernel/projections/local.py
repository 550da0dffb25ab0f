"""Projections of a service's own events, fed straight from its store (no broker round trip).

One ``LocalProjector`` feeds all of a service's projections: it reads each new page of events
once and applies it to every projection in one transaction, locking and moving their
checkpoints with one statement each. A command's effects on the read models thus cost a few
round trips in all, not a few per projection.

Each projection keeps its own checkpoint (a rebuild swaps one projection without stopping the
rest), and the guarantees are a consumer's: effects and checkpoint in one transaction, events in
order, failures counted and dead-lettered after ``max_attempts``. Those come from one
``SourceApplier`` per projection: when the shared transaction cannot go through (a handler
fails, the checkpoints have drifted apart, an event waits out a retry delay) it is rolled back
and each projection's applier takes the page on its own, isolating the culprit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import asyncpg

from kernel.events import RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.feed import LocalEventSource
from kernel.messaging import EventHandler, GapNotFilled, HandlerFailed, RetryLater, SourceApplier
from kernel.messaging.applier import TRANSIENT_ERRORS
from kernel.messaging.inbox import CheckpointGroup

_log = logging.getLogger(__name__)

#: What stops one pass; the next wake-up (or poll) tries again.
_PASS_STOPPERS: tuple[type[BaseException], ...] = (
    HandlerFailed,
    RetryLater,
    GapNotFilled,
    *TRANSIENT_ERRORS,
)


class LocalProjector:
    """Keeps ``handlers`` up to date with ``store``'s events.

    Args:
        pool: the service's pool.
        schema: the service's schema (checkpoints live there).
        store: the service's own event store.
        handlers: the projections, e.g. ``ProjectionHandler``s (distinct names).
        source_name: the checkpoints' source key: the service's own name.
        poll_interval: seconds between catch-up reads when no notification arrives.
        batch_size: most events read and applied per transaction.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        store: EventStore,
        handlers: Sequence[EventHandler],
        *,
        source_name: str,
        poll_interval: float = 1.0,
        batch_size: int = 1000,
        max_attempts: int = 5,
        retry_delay: float = 1.0,
    ) -> None:
        if not handlers:
            raise ValueError("a LocalProjector needs at least one handler")
        self._pool = pool
        self._store = store
        self._poll_interval = poll_interval
        self._batch_size = batch_size
        self._source = LocalEventSource(source_name, store)
        self._passed = asyncio.Event()  # set, and replaced, after every catch-up pass
        self.appliers = [
            SourceApplier(
                pool,
                schema,
                handler,
                self._source,
                batch_size=batch_size,
                max_attempts=max_attempts,
                retry_delay=retry_delay,
            )
            for handler in handlers
        ]
        self._checkpoints = CheckpointGroup(
            schema, [a.inbox.consumer for a in self.appliers], source_name
        )

    @property
    def names(self) -> list[str]:
        return [a.inbox.consumer for a in self.appliers]

    @property
    def floor(self) -> int:
        """The checkpoint every projection has committed (the slowest one's)."""
        return min(a.floor for a in self.appliers)

    async def run(self) -> None:
        """Apply new events as they are committed, forever."""
        for applier in self.appliers:
            await applier.ensure()
        async for _ in self._store.wakeups(self._poll_interval):
            await self.catch_up()

    async def catch_up(self) -> int:
        """Apply everything committed so far; return how far the slowest projection moved.

        A failing event is retried on a later pass (and dead-lettered in the end), as is a
        pass cut short by the database going away.
        """
        start = self.floor
        try:
            while True:
                events = await self._source.read(self.floor, self._batch_size)
                if events and not await self._apply_together(events):
                    await self._apply_one_by_one(events)
                if len(events) < self._batch_size:
                    break
        except _PASS_STOPPERS as failure:
            _log.warning("projections %s will retry: %s", ", ".join(self.names), failure)
        finally:
            self._passed.set()
            self._passed = asyncio.Event()
        return self.floor - start

    async def _apply_together(self, events: list[RecordedEvent]) -> bool:
        """Apply ``events`` to every projection in one transaction; False if it rolled back."""
        if not all(applier.steady() for applier in self.appliers):
            return False
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                locked = await self._checkpoints.lock(conn)
                moved: dict[str, int] = {}
                for applier in self.appliers:
                    before = locked[applier.inbox.consumer]
                    after = await applier.apply_within(conn, events, before)
                    if after != before:
                        moved[applier.inbox.consumer] = after
                await self._checkpoints.save(conn, moved)
        except TRANSIENT_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - each applier retries alone, recording the failure
            _log.debug("projections %s: one at a time", ", ".join(self.names), exc_info=True)
            return False
        for applier in self.appliers:
            applier.committed(moved.get(applier.inbox.consumer, locked[applier.inbox.consumer]))
        return True

    async def _apply_one_by_one(self, events: list[RecordedEvent]) -> None:
        """Each projection on its own, so one failing does not hold back the others."""
        failures: list[Exception] = []
        for applier in self.appliers:
            try:
                await applier.apply(events)
            except (HandlerFailed, RetryLater, GapNotFilled) as failure:
                failures.append(failure)
        if failures:
            raise failures[0]

    async def wait_for(self, position: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once every projection has applied ``position`` (read-your-writes).

        Needs ``run`` going in this process. Compares with the checkpoints as last committed
        here, so it costs no query: a command's caller waits on memory, not on the database.
        """
        async with asyncio.timeout(timeout):
            while True:
                passed = self._passed
                if self.floor >= position:
                    return
                await passed.wait()

    async def lags(self) -> dict[str, int]:
        """Events each projection is behind the store's last position."""
        last = await self._store.last_position()
        return {a.inbox.consumer: last - await a.position() for a in self.appliers}

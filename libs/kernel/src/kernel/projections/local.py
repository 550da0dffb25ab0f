"""Projections of a service's own events, fed straight from its store (no broker round trip).

The same guarantees as a consumer (effects and checkpoint in one transaction, events in order,
failures counted and dead-lettered after ``max_attempts``) through the same ``SourceApplier``;
only the delivery differs: the store's LISTEN/NOTIFY wake-ups, with polling as the fallback.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from kernel.eventstore.port import EventStore
from kernel.feed import LocalEventSource
from kernel.messaging import EventHandler, HandlerFailed, RetryLater, SourceApplier

_log = logging.getLogger(__name__)


class LocalProjector:
    """Keeps ``handler`` up to date with ``store``'s events.

    Args:
        pool: the service's pool.
        schema: the service's schema (checkpoints live there).
        store: the service's own event store.
        handler: the projection, e.g. a ``ProjectionHandler``.
        source_name: the checkpoint's source key: the service's own name.
        poll_interval: seconds between catch-up reads when no notification arrives.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        schema: str,
        store: EventStore,
        handler: EventHandler,
        *,
        source_name: str,
        poll_interval: float = 1.0,
        max_attempts: int = 5,
        retry_delay: float = 1.0,
    ) -> None:
        self._store = store
        self._poll_interval = poll_interval
        self._passed = asyncio.Event()  # set, and replaced, after every catch-up pass
        self.name = handler.name
        self.applier = SourceApplier(
            pool,
            schema,
            handler,
            LocalEventSource(source_name, store),
            max_attempts=max_attempts,
            retry_delay=retry_delay,
        )

    async def run(self) -> None:
        """Apply new events as they are committed, forever."""
        await self.applier.ensure()
        async for _ in self._store.wakeups(self._poll_interval):
            await self.catch_up()

    async def catch_up(self) -> int:
        """Apply everything committed so far; a failing event is retried on a later pass."""
        try:
            return await self.applier.catch_up()
        except (HandlerFailed, RetryLater) as failure:
            _log.warning("projection %s will retry: %s", self.name, failure)
            return 0
        finally:
            self._passed.set()
            self._passed = asyncio.Event()

    async def wait_for(self, position: int, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once the projection has applied ``position`` (read-your-writes for callers).

        Needs ``run`` going in this process. Compares with the checkpoint as last committed
        here, so it costs no query: a command's caller waits on memory, not on the database.
        """
        async with asyncio.timeout(timeout):
            while True:
                passed = self._passed
                if self.applier.floor >= position:
                    return
                await passed.wait()

    async def lag(self) -> int:
        return await self._store.last_position() - await self.applier.position()

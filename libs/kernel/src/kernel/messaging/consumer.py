"""A consumer: one handler fed from other services' streams, with exactly-once effect.

The broker is the fast path and may lose, duplicate or reorder messages; correctness comes
from the checkpoint (``applier.py``) and the catch-up path (each source's ``EventSource``):

* per source stream, a FastStream batch subscriber in the group ``<service>.<handler>``
  delivers new entries, and a claimer (``min_idle_time``) takes over entries left pending by
  a failure or by a dead replica;
* every ``catch_up_interval`` a maintenance pass, per source, re-creates the consumer group
  (and the subscribers) if Redis lost it, and, when the checkpoint has not moved since the
  last pass, reads the source's feed from the checkpoint: lost trailing messages cost that
  much latency and no data.

Each handler gets its own group, so its retries, dead letters and lag are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import asyncpg
from faststream.redis import RedisBroker
from faststream.redis.subscriber.usecases.stream_subscriber import StreamBatchSubscriber
from redis.asyncio import Redis

from kernel.feed import EventSource
from kernel.messaging.applier import SourceApplier, count_dead_letter
from kernel.messaging.dead_letters import DeadLetter, publish_dead_letter, publish_undecodable
from kernel.messaging.handler import EventHandler
from kernel.messaging.message import Undecodable, decode_entry, events_stream
from kernel.messaging.subscription import Item, ensure_group, subscribe

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ConsumerOptions:
    """Tuning for a ``Consumer``; the defaults suit production, tests shorten the times.

    Attributes:
        batch_size: most stream entries per delivery, and most events per transaction.
        max_attempts: failures of one event before it is dead-lettered.
        retry_delay: seconds before an event that just failed is tried again.
        min_idle_time: seconds an entry stays pending before the claimer takes it over.
        catch_up_interval: seconds between maintenance passes (group check, feed catch-up).
        polling_interval: seconds a subscriber blocks waiting for new entries.
    """

    batch_size: int = 1000
    max_attempts: int = 5
    retry_delay: float = 5.0
    min_idle_time: float = 30.0
    catch_up_interval: float = 10.0
    polling_interval: float = 0.1


@dataclass(slots=True)
class _Lane:
    source: EventSource
    stream: str
    applier: SourceApplier
    last_pass: int = -1
    subscribers: list[StreamBatchSubscriber] = field(default_factory=list)


class Consumer:
    """Applies ``sources``' events to ``handler`` in ``service``'s schema (see module doc).

    Args:
        broker: the service's ``RedisBroker``; connected by ``start`` if it is not yet.
        pool: the service's pool.
        schema: the service's schema, migrated with ``kernel_migrations()``.
        service: the consuming service (the Redis group is ``<service>.<handler.name>``).
        instance: this replica's unique name (the Redis consumer name).
        handler: what to apply.
        sources: where events come from; ``source.name`` names the stream
            (``<name>.events.v1``) and the checkpoint.
        options: tuning.
    """

    def __init__(
        self,
        broker: RedisBroker,
        pool: asyncpg.Pool,
        *,
        schema: str,
        service: str,
        instance: str,
        handler: EventHandler,
        sources: Sequence[EventSource],
        options: ConsumerOptions | None = None,
    ) -> None:
        self._broker = broker
        self._pool = pool
        self._options = options or ConsumerOptions()
        self._instance = instance
        self.group = f"{service}.{handler.name}"
        self._redis: Redis | None = None
        self._task: asyncio.Task[None] | None = None
        self._lanes = [self._lane(pool, schema, handler, source) for source in sources]

    def _lane(
        self, pool: asyncpg.Pool, schema: str, handler: EventHandler, source: EventSource
    ) -> _Lane:
        stream = events_stream(source.name)
        options = self._options

        async def on_dead_letter(letter: DeadLetter) -> None:
            await self._publish_dead_letter(stream, letter)

        applier = SourceApplier(
            pool,
            schema,
            handler,
            source,
            batch_size=options.batch_size,
            max_attempts=options.max_attempts,
            retry_delay=options.retry_delay,
            on_dead_letter=on_dead_letter,
        )
        return _Lane(source=source, stream=stream, applier=applier)

    @property
    def _client(self) -> Redis:
        if self._redis is None:
            raise RuntimeError("the consumer has not been started")
        return self._redis

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Create checkpoints and groups, start the subscribers and the maintenance loop."""
        self._redis = await self._broker.connect()
        for lane in self._lanes:
            await lane.applier.ensure()
            lane.last_pass = lane.applier.floor
            await ensure_group(self._client, lane.stream, self.group)
            await self._subscribe(lane)
        self._task = asyncio.create_task(self._maintain(), name=f"consumer {self.group}")

    async def stop(self) -> None:
        """Stop reading and maintaining.

        A batch being applied finishes or rolls back; its entries stay pending for the claimer.
        """
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for lane in self._lanes:
            await _stop_all(lane.subscribers)

    async def checkpoints(self) -> dict[str, int]:
        """Per source, the last position applied."""
        return {lane.source.name: await lane.applier.position() for lane in self._lanes}

    async def lag(self) -> dict[str, int]:
        """Per source, how far the checkpoint is behind: the consumer-lag metric.

        The newest position known (the stream's last entry, or anything seen on the feed)
        minus the checkpoint.
        """
        lags = {}
        for lane in self._lanes:
            head = max(lane.applier.head, await self._stream_head(lane.stream))
            lags[lane.source.name] = max(0, head - await lane.applier.position())
        return lags

    async def maintain(self) -> None:
        """One maintenance pass over every source now (the loop runs it periodically)."""
        for lane in self._lanes:
            try:
                await self._tend(lane)
            except Exception as error:  # noqa: BLE001 - one source must not stop the others
                _log.warning("maintenance of %s for %s failed: %s", lane.stream, self.group, error)
                _log.debug("maintenance failure", exc_info=True)

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(self._options.catch_up_interval)
            await self.maintain()

    async def _tend(self, lane: _Lane) -> None:
        lost = await ensure_group(self._client, lane.stream, self.group)
        if lost or not all(s.running for s in lane.subscribers):
            _log.warning("re-subscribing %s to %s (group lost: %s)", self.group, lane.stream, lost)
            await self._subscribe(lane)
        checkpoint = await lane.applier.position()
        if checkpoint == lane.last_pass:
            # No progress since the last pass: the broker may have lost what was next.
            await lane.applier.catch_up()
        lane.last_pass = lane.applier.floor
        await lane.applier.inbox.clear_failures(self._pool, lane.applier.floor)

    async def _subscribe(self, lane: _Lane) -> None:
        await _stop_all(lane.subscribers)
        options = self._options

        async def on_items(items: Sequence[Item]) -> None:
            await self._on_items(lane, items)

        def make(min_idle_time_ms: int | None, polling_interval: float) -> StreamBatchSubscriber:
            return subscribe(
                self._broker,
                self._client,
                stream=lane.stream,
                group=self.group,
                consumer=self._instance,
                callback=on_items,
                max_records=options.batch_size,
                polling_interval_ms=max(1, int(polling_interval * 1000)),
                min_idle_time_ms=min_idle_time_ms,
            )

        # The reader takes new entries; the claimer takes over ones pending too long, and
        # needs to look only a few times per min_idle_time.
        claim_every = max(options.polling_interval, min(options.min_idle_time / 4, 1.0))
        lane.subscribers = [
            make(None, options.polling_interval),
            make(max(1, int(options.min_idle_time * 1000)), claim_every),
        ]
        for subscriber in lane.subscribers:
            await subscriber.start()

    async def _on_items(self, lane: _Lane, items: Sequence[Item]) -> None:
        events = []
        for item in items:
            if isinstance(item, Undecodable):
                await self._publish_undecodable(lane.stream, item)
            else:
                events.append(item)
        await lane.applier.apply(events)

    async def _stream_head(self, stream: str) -> int:
        entries = await self._client.xrevrange(stream, count=1)
        if not entries:
            return 0
        with contextlib.suppress(Exception):
            return decode_entry(entries[0][1]).position
        return 0

    async def _publish_dead_letter(self, stream: str, letter: DeadLetter) -> None:
        await publish_dead_letter(self._client, stream, self.group, letter)

    async def _publish_undecodable(self, stream: str, item: Undecodable) -> None:
        count_dead_letter(self.group, stream)
        await publish_undecodable(self._client, stream, self.group, item)


async def _stop_all(subscribers: list[StreamBatchSubscriber]) -> None:
    for subscriber in subscribers:
        with contextlib.suppress(Exception):
            await subscriber.stop()
    subscribers.clear()

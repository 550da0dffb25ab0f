"""The event store port: what every service's application layer appends to and reads from."""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import datetime

from kernel.events import AppendResult, NewEvent, RecordedEvent


class EventStore(abc.ABC):
    """An append-only log of streams with one global, gapless, commit-ordered position.

    Invariants every implementation keeps (the contract suite in ``kernel/tests`` proves them):

    * ``append`` is all-or-nothing per call, checks ``expected_version`` (``None`` = any,
      ``0`` = the stream must not exist yet) and raises ``ConcurrencyError`` on a mismatch;
    * appending events whose ids are all stored already (in the same stream) is a no-op that
      returns the original result with ``duplicate=True``; a partial overlap raises
      ``EventIdConflict``;
    * positions start at 1 and have no gaps; a reader that has seen position N never later
      finds a committed event below N.
    """

    @abc.abstractmethod
    async def append(
        self,
        stream_id: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        """Append ``events`` to ``stream_id`` if it is at ``expected_version``."""

    @abc.abstractmethod
    async def read_stream(
        self,
        stream_id: str,
        *,
        up_to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        """One stream's events in version order, optionally as it stood at a version or time.

        ``as_of`` compares with ``recorded_at``: the stream as the store knew it then.
        """

    async def read_streams(self, known: Mapping[str, int]) -> dict[str, list[RecordedEvent]]:
        """Several streams at once, each from a version on: one list of events per stream id.

        Each list holds the stream's events after the version ``known`` maps it to (0: the
        whole stream), in version order (``[]`` if none). For a command that loads several
        aggregates, some known already; stores that can read them in one round trip (Postgres)
        override this.
        """
        return {
            stream_id: [e for e in await self.read_stream(stream_id) if e.stream_version > after]
            for stream_id, after in known.items()
        }

    @abc.abstractmethod
    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        """Up to ``limit`` events with position greater than ``after_position``, in order."""

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        """The events of ``event_types`` among the ``limit`` positions after ``after_position``.

        Also returns the last position the window covered (at most the store's last one), so
        a reader skipping the other types knows where the next window starts. Stores that can
        leave the other types unread (Postgres) override this.
        """
        through = window_end(after_position, limit, await self.last_position())
        events = await self.read_all(after_position, through - after_position)
        return [e for e in events if e.event_type in event_types], through

    @abc.abstractmethod
    async def last_position(self) -> int:
        """The highest committed position (0 when the store is empty)."""

    @abc.abstractmethod
    async def stream_version(self, stream_id: str) -> int:
        """The version of the stream's last event (0 when the stream does not exist)."""

    @abc.abstractmethod
    def wakeups(self, poll_interval: float) -> AsyncIterator[None]:
        """Yield at once, then whenever new events may have been committed.

        Implementations wake on their own notification (an in-process condition, Postgres
        LISTEN/NOTIFY) and also every ``poll_interval`` seconds, so a lost notification costs
        only latency. An async generator, so it can hold its listener open while in use.
        """

    async def subscribe(
        self,
        after_position: int = 0,
        *,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
    ) -> AsyncIterator[list[RecordedEvent]]:
        """Tail the store: yield batches in position order, forever, waiting between them."""
        position = after_position
        async for _ in self.wakeups(poll_interval):
            while True:
                batch = await self.read_all(position, batch_size)
                if not batch:
                    break
                position = batch[-1].position
                yield batch
                if len(batch) < batch_size:
                    break

    async def close(self) -> None:  # noqa: B027 - optional hook; most stores hold nothing
        """Release resources the store holds (listener connections, writer tasks)."""


def window_end(after_position: int, limit: int, last_position: int) -> int:
    """The last position of a ``read_window``: ``limit`` on, but not past the store's last."""
    return max(after_position, min(after_position + limit, last_position))

"""Where a reader catches up from: the local store, or another service's EventFeed over gRPC."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol, runtime_checkable

from kernel.events import RecordedEvent
from kernel.eventstore.port import EventStore


class EventSource(Protocol):
    """Reads one source's events in position order; the catch-up path behind the broker."""

    @property
    def name(self) -> str:
        """The source's name, e.g. ``"meetings"``: the key consumers checkpoint under."""

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        """Up to ``limit`` events after ``after_position``, in position order, without gaps."""


@runtime_checkable
class WindowedSource(Protocol):
    """An ``EventSource`` that can leave out the event types a reader would ignore.

    A rebuild reads a window of positions at a time and is handed only the types its
    projection applies, with the window's last position to move its checkpoint to: the
    other types cost neither decoding nor, over the EventFeed, encoding and sending.
    """

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        """The ``event_types`` events among the ``limit`` positions after ``after_position``.

        Also returns the last position the window covered (the next window starts after it).
        """


async def read_window(
    source: EventSource, after_position: int, limit: int, event_types: Collection[str] | None
) -> tuple[list[RecordedEvent], int]:
    """``WindowedSource.read_window`` of any source (``None``: every type, a plain ``read``).

    A source that cannot filter is read whole and filtered here.
    """
    if event_types is not None and isinstance(source, WindowedSource):
        return await source.read_window(after_position, limit, event_types)
    events = await source.read(after_position, limit)
    if events and events[0].position != after_position + 1:
        raise RuntimeError(f"{source.name} skipped from {after_position} to {events[0].position}")
    through = events[-1].position if events else after_position
    if event_types is not None:
        events = [e for e in events if e.event_type in event_types]
    return events, through


class LocalEventSource:
    """An ``EventSource`` over a service's own store (projections of its own events, rebuilds)."""

    def __init__(self, name: str, store: EventStore) -> None:
        self._name = name
        self._store = store

    @property
    def name(self) -> str:
        return self._name

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        return await self._store.read_all(after_position, limit)

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        return await self._store.read_window(after_position, limit, event_types)

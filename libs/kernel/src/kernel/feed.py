"""Where a reader catches up from: the local store, or another service's EventFeed over gRPC."""

from __future__ import annotations

from typing import Protocol

from kernel.events import RecordedEvent
from kernel.eventstore.port import EventStore


class EventSource(Protocol):
    """Reads one source's events in position order; the catch-up path behind the broker."""

    @property
    def name(self) -> str:
        """The source's name, e.g. ``"meetings"``: the key consumers checkpoint under."""

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        """Up to ``limit`` events after ``after_position``, in position order, without gaps."""


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

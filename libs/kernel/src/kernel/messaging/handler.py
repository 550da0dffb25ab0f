"""What a consumer runs: a handler that applies events inside the consumer's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from kernel.events import RecordedEvent
from kernel.postgres.connection import DbConnection

__all__ = ["DbConnection", "EventHandler"]


class EventHandler(Protocol):
    """Applies events from another service (or its own store) to this service's tables.

    ``handle`` is called inside a transaction that also moves the consumer's checkpoint, with
    a batch of consecutive events from one source in position order. It must do all its work
    on ``conn`` (so the effects commit or roll back with the checkpoint) and must not commit
    or open its own transaction. Raising rolls the batch back; the event is retried and, after
    ``max_attempts`` failures, dead-lettered. A handler sees each event exactly once, except
    when an operator redrives a dead letter (then again, on purpose, out of order).

    ``name`` is the checkpoint key, stable for the life of the data it builds: renaming it
    replays every source from the start.
    """

    @property
    def name(self) -> str: ...

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None: ...

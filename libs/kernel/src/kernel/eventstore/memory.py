"""An in-memory event store for fast unit tests, held to the same contract as the Postgres one."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kernel.errors import ConcurrencyError, EventIdConflict
from kernel.events import AppendResult, NewEvent, RecordedEvent, utc_now
from kernel.eventstore.port import EventStore
from kernel.upcasting import NO_UPCASTERS, Upcasters


@dataclass(slots=True)
class _Streams:
    log: list[RecordedEvent] = field(default_factory=list)
    by_stream: dict[str, list[RecordedEvent]] = field(default_factory=dict)
    by_event_id: dict[str, RecordedEvent] = field(default_factory=dict)


class InMemoryEventStore(EventStore):
    """Keeps every event in lists; appends are atomic because nothing awaits inside them."""

    def __init__(self, upcasters: Upcasters = NO_UPCASTERS) -> None:
        self._data = _Streams()
        self._upcasters = upcasters
        self._appended = asyncio.Event()

    async def append(
        self,
        stream_id: str,
        expected_version: int | None,
        events: Sequence[NewEvent],
    ) -> AppendResult:
        check_append_arguments(stream_id, expected_version, events)
        stored = [self._data.by_event_id.get(str(e.event_id)) for e in events]
        if all(stored):
            return duplicate_result(stream_id, [s for s in stored if s is not None])
        if any(stored):
            raise EventIdConflict(f"some of the event ids are stored already ({stream_id!r})")
        stream = self._data.by_stream.setdefault(stream_id, [])
        if expected_version is not None and expected_version != len(stream):
            raise ConcurrencyError(stream_id, expected_version, len(stream))
        now = utc_now()
        for event in events:
            recorded = RecordedEvent(
                stream_id=stream_id,
                stream_version=len(stream) + 1,
                position=len(self._data.log) + 1,
                event_id=event.event_id,
                event_type=event.event_type,
                schema_version=event.schema_version,
                data=dict(event.data),
                metadata=dict(event.metadata),
                occurred_at=event.occurred_at,
                recorded_at=now,
            )
            stream.append(recorded)
            self._data.log.append(recorded)
            self._data.by_event_id[str(event.event_id)] = recorded
        self._appended.set()
        self._appended = asyncio.Event()
        return AppendResult(
            stream_id=stream_id,
            stream_version=len(stream),
            positions=tuple(e.position for e in stream[-len(events) :]),
        )

    async def read_stream(
        self,
        stream_id: str,
        *,
        up_to_version: int | None = None,
        as_of: datetime | None = None,
    ) -> list[RecordedEvent]:
        return [
            self._upcasters.upcast(e)
            for e in self._data.by_stream.get(stream_id, [])
            if (up_to_version is None or e.stream_version <= up_to_version)
            and (as_of is None or e.recorded_at <= as_of)
        ]

    async def read_all(self, after_position: int = 0, limit: int = 1000) -> list[RecordedEvent]:
        start = max(after_position, 0)
        return [self._upcasters.upcast(e) for e in self._data.log[start : start + limit]]

    async def last_position(self) -> int:
        return len(self._data.log)

    async def stream_version(self, stream_id: str) -> int:
        return len(self._data.by_stream.get(stream_id, []))

    async def wakeups(self, poll_interval: float) -> AsyncIterator[None]:
        while True:
            appended = self._appended
            yield
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(appended.wait(), poll_interval)


def check_append_arguments(
    stream_id: str, expected_version: int | None, events: Sequence[NewEvent]
) -> None:
    """Refuse appends that no store could honour, before touching any storage."""
    if not stream_id:
        raise ValueError("stream_id must not be empty")
    if not events:
        raise ValueError("append needs at least one event")
    if expected_version is not None and expected_version < 0:
        raise ValueError("expected_version must be None (any) or >= 0")
    if len({e.event_id for e in events}) != len(events):
        raise ValueError("an append must not repeat an event id")


def duplicate_result(stream_id: str, stored: Sequence[RecordedEvent]) -> AppendResult:
    """The answer to a retried append: where the original events landed."""
    if any(s.stream_id != stream_id for s in stored):
        raise EventIdConflict(f"the event ids are stored in another stream than {stream_id!r}")
    return AppendResult(
        stream_id=stream_id,
        stream_version=max(s.stream_version for s in stored),
        positions=tuple(sorted(s.position for s in stored)),
        duplicate=True,
    )

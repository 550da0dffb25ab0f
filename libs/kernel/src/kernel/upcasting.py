"""Stable event type names with schema versions, and the upcasters that lift old shapes on read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kernel.events import JsonObject, RecordedEvent

Upcaster = Callable[[JsonObject], JsonObject]


class Upcasters:
    """Per event type, the chain of functions that turn schema version ``n`` into ``n + 1``.

    Register each step once (``register("meetings.MeetingHeld", 1, lift_v1_to_v2)``); ``upcast``
    applies every step from the stored version up to the newest. Stored rows are never rewritten.
    """

    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}
        self._current: dict[str, int] = {}

    def register(self, event_type: str, from_version: int, step: Upcaster) -> None:
        key = (event_type, from_version)
        if key in self._steps:
            raise ValueError(f"an upcaster from {event_type} v{from_version} is registered already")
        self._steps[key] = step
        self._current[event_type] = max(self._current.get(event_type, 1), from_version + 1)

    def current_version(self, event_type: str) -> int:
        return self._current.get(event_type, 1)

    def upcast(self, event: RecordedEvent) -> RecordedEvent:
        version = event.schema_version
        target = self._current.get(event.event_type, version)
        if version >= target:
            return event
        data = event.data
        while version < target:
            step = self._steps.get((event.event_type, version))
            if step is None:
                raise LookupError(f"no upcaster from {event.event_type} v{version}")
            data = step(data)
            version += 1
        return replace(event, data=data, schema_version=version)


#: The registry used when a store is built without one: upcasts nothing.
NO_UPCASTERS = Upcasters()

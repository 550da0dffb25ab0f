"""Event-sourced aggregates: typed domain events, a registry of stable names, and the base class.

Pure: no I/O. A service's domain layer subclasses ``DomainEvent`` and ``Aggregate``; its
application layer loads and saves aggregates through ``kernel.repository``.
"""

from __future__ import annotations

import abc
from typing import ClassVar, Generic, Self, TypeVar
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict

from kernel.events import NewEvent, RecordedEvent


class DomainEvent(BaseModel):
    """Something that happened. Subclasses set a stable ``event_type`` and ``schema_version``.

    Example::

        class MeetingHeld(DomainEvent):
            event_type: ClassVar[str] = "meetings.MeetingHeld"
            meeting_id: str
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    #: Fields holding a person's personal data, sealed in the store (``kernel.personal_data``);
    #: declare them ``X | None``: they read as ``None`` once the person is erased.
    personal_data: ClassVar[tuple[str, ...]] = ()
    #: The field naming whose personal data the event holds (a person's id).
    personal_data_of: ClassVar[str] = ""
    #: Set on an event that erases a person: the field naming whom.
    erases_personal_data_of: ClassVar[str] = ""


E = TypeVar("E", bound=DomainEvent)


class EventRegistry:
    """Maps stable event type names to classes, both ways, and checks they are unique."""

    def __init__(self, *event_classes: type[DomainEvent]) -> None:
        self._by_type: dict[str, type[DomainEvent]] = {}
        for event_class in event_classes:
            self.register(event_class)

    def register(self, event_class: type[DomainEvent]) -> None:
        name = event_class.event_type
        if self._by_type.get(name, event_class) is not event_class:
            raise ValueError(f"event type {name!r} is registered to another class")
        self._by_type[name] = event_class

    def classes(self) -> tuple[type[DomainEvent], ...]:
        """Every registered event class, in registration order."""
        return tuple(self._by_type.values())

    def decode(self, event: RecordedEvent) -> DomainEvent:
        """Turn a stored (already upcast) event into its domain class."""
        event_class = self._by_type.get(event.event_type)
        if event_class is None:
            raise LookupError(f"unknown event type {event.event_type!r}")
        return event_class.model_validate(event.data)

    @staticmethod
    def encode(
        event: DomainEvent, metadata: dict[str, str] | None = None, event_id: UUID | None = None
    ) -> NewEvent:
        """Turn a domain event into what the store appends (a fresh id unless one is given)."""
        return NewEvent(
            event_type=event.event_type,
            schema_version=event.schema_version,
            data=event.model_dump(mode="json"),
            metadata=metadata or {},
            event_id=event_id or uuid4(),
        )


class Aggregate(abc.ABC, Generic[E]):
    """A consistency boundary whose state is the fold of its events.

    Commands are methods that check rules against the current state, then call ``_record`` with
    the events that follow; ``_apply`` is the only place state changes, used both for new events
    and for replay, so the two can never disagree.
    """

    def __init__(self, stream_id: str) -> None:
        self.stream_id = stream_id
        self.version = 0
        self._pending: list[E] = []

    @abc.abstractmethod
    def _apply(self, event: E) -> None:
        """Change state to reflect ``event``. Never raises for a stored event."""

    def _record(self, event: E) -> None:
        self._apply(event)
        self.version += 1
        self._pending.append(event)

    @property
    def pending_events(self) -> list[E]:
        return list(self._pending)

    def mark_saved(self) -> None:
        self._pending.clear()

    @classmethod
    def replay(cls, stream_id: str, events: list[E]) -> Self:
        """Rebuild an aggregate from its history."""
        aggregate = cls(stream_id)
        aggregate.catch_up(events)
        return aggregate

    def catch_up(self, events: list[E]) -> None:
        """Apply stored events that follow the ones applied so far."""
        for event in events:
            self._apply(event)
            self.version += 1

    @property
    def exists(self) -> bool:
        """Whether anything has happened to this aggregate yet (stored or pending)."""
        return self.version > 0

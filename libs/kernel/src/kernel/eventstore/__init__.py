"""The event store port and its implementations (in-memory for unit tests, Postgres for real)."""

from kernel.eventstore.memory import InMemoryEventStore
from kernel.eventstore.port import EventStore

__all__ = ["EventStore", "InMemoryEventStore"]

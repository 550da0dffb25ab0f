"""Load and save aggregates through an ``EventStore``; retry commands that lose a version race."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from opentelemetry import trace
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_random

from kernel.aggregate import Aggregate, DomainEvent, EventRegistry
from kernel.context import current_context
from kernel.errors import ConcurrencyError
from kernel.events import AppendResult, RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.telemetry.propagation import inject_trace_context

A = TypeVar("A", bound=Aggregate[Any])
T = TypeVar("T")

_tracer = trace.get_tracer(__name__)
_IDEMPOTENT_EVENTS = uuid.UUID("5b0c7e6e-4f3a-4d53-9a55-0e4f6c1c2a11")


class AggregateRepository(Generic[A]):
    """The one way application code reads and writes an aggregate type.

    Event metadata (correlation, causation, actor, W3C trace context) comes from the current
    request context, so handlers never assemble it. Under an idempotency key, event ids are
    derived from the key, so a retried command that gets past its own checks still appends
    nothing new: the store treats the repeat as a no-op.
    """

    def __init__(
        self,
        store: EventStore,
        aggregate_class: type[A],
        registry: EventRegistry,
        stream_prefix: str,
    ) -> None:
        self._store = store
        self._aggregate_class = aggregate_class
        self._registry = registry
        self._stream_prefix = stream_prefix

    def stream_id(self, aggregate_id: str) -> str:
        return f"{self._stream_prefix}-{aggregate_id}"

    async def load(self, aggregate_id: str) -> A:
        """The aggregate as stored; ``exists`` is False when nothing was ever stored."""
        stream_id = self.stream_id(aggregate_id)
        return self.replay(aggregate_id, {stream_id: await self._store.read_stream(stream_id)})

    def replay(self, aggregate_id: str, streams: Mapping[str, Sequence[RecordedEvent]]) -> A:
        """The aggregate from streams read already (``EventStore.read_streams``).

        One round trip for a command that loads several aggregates.
        """
        stream_id = self.stream_id(aggregate_id)
        recorded = streams.get(stream_id, ())
        return self._aggregate_class.replay(stream_id, [self._registry.decode(e) for e in recorded])

    def new(self, aggregate_id: str) -> A:
        """An aggregate for an id minted just now (``kernel.ids.new_id``), not read.

        Saving it expects the stream not to exist. A retry under the same idempotency key mints
        the same id and event ids, so the store takes its repeat as a no-op.
        """
        return self._aggregate_class.replay(self.stream_id(aggregate_id), [])

    async def save(self, aggregate: A) -> AppendResult | None:
        """Append the aggregate's pending events, expecting no one else appended meanwhile."""
        pending: list[DomainEvent] = aggregate.pending_events
        if not pending:
            return None
        context = current_context()
        with _tracer.start_as_current_span(
            "eventstore.append", attributes={"clwstwr.stream_id": aggregate.stream_id}
        ):
            # Stored with each event: the relay and consumers continue this trace from here.
            metadata = inject_trace_context(context.metadata())
            expected = aggregate.version - len(pending)
            scope = context.idempotency_scope
            events = [
                self._registry.encode(event, metadata, _event_id(scope, aggregate.stream_id, n))
                for n, event in enumerate(pending)
            ]
            result = await self._store.append(aggregate.stream_id, expected, events)
        aggregate.mark_saved()
        return result


def _event_id(scope: str | None, stream_id: str, index: int) -> uuid.UUID | None:
    if scope is None:
        return None
    return uuid.uuid5(_IDEMPOTENT_EVENTS, f"{scope}|{stream_id}|{index}")


async def retry_on_conflict(command: Callable[[], Awaitable[T]], attempts: int = 5) -> T:
    """Run a load-decide-save ``command`` again when another writer got there first.

    Each attempt reloads, so the command re-checks its rules against the new state; only
    version conflicts are retried, never rule violations.
    """
    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(ConcurrencyError),
        stop=stop_after_attempt(attempts),
        wait=wait_random(0, 0.02),
        reraise=True,
    ):
        with attempt:
            return await command()
    raise AssertionError("unreachable: tenacity reraises the last ConcurrencyError")

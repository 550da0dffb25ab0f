"""Load and save aggregates through an ``EventStore``; retry commands that lose a version race."""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
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

    With ``cache_size``, the aggregates it last saved are kept in memory (least recently used
    out first), so loading one reads and replays only the events stored since, not its whole
    history. The store is still asked every time, so another replica's writes are never missed.
    A cached aggregate is lent to one command at a time and kept again only when that command
    saves it cleanly or hands it back unchanged (``keep``); any other ending drops it. Only for
    aggregates without personal data: an erasure must not leave a copy in memory.
    """

    def __init__(
        self,
        store: EventStore,
        aggregate_class: type[A],
        registry: EventRegistry,
        stream_prefix: str,
        *,
        cache_size: int = 0,
    ) -> None:
        self._store = store
        self._aggregate_class = aggregate_class
        self._registry = registry
        self._stream_prefix = stream_prefix
        self._cache_size = cache_size
        self._cache: OrderedDict[str, A] = OrderedDict()

    def stream_id(self, aggregate_id: str) -> str:
        return f"{self._stream_prefix}-{aggregate_id}"

    async def load(self, aggregate_id: str) -> A:
        """The aggregate as stored; ``exists`` is False when nothing was ever stored."""
        loading = self.begin(aggregate_id)
        return loading.finish(await self._store.read_streams(known_versions(loading)))

    def begin(self, aggregate_id: str) -> Loading[A]:
        """Start loading an aggregate: for a command that reads several in one round trip.

        Read the streams with ``EventStore.read_streams(known_versions(...))``, then ``finish``.
        """
        stream_id = self.stream_id(aggregate_id)
        return Loading(self, stream_id, self._cache.pop(stream_id, None))

    def _finish(self, loading: Loading[A], recorded: Sequence[RecordedEvent]) -> A:
        aggregate = loading.known or self._aggregate_class(loading.stream_id)
        aggregate.catch_up([self._registry.decode(e) for e in recorded])
        return aggregate

    def new(self, aggregate_id: str) -> A:
        """An aggregate for an id minted just now (``kernel.ids.new_id``), not read.

        Saving it expects the stream not to exist. A retry under the same idempotency key mints
        the same id and event ids, so the store takes its repeat as a no-op.
        """
        return self._aggregate_class(self.stream_id(aggregate_id))

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
        # A repeat stored nothing new: the aggregate has applied its events twice, drop it.
        if not result.duplicate:
            self.keep(aggregate)
        return result

    def keep(self, aggregate: A) -> None:
        """Hand an aggregate back to the cache: saved, or read and left unchanged.

        A command that only checks an aggregate calls this when it is done with it, so the
        next command is lent it too. Nothing is kept without a cache, or with events pending.
        """
        if self._cache_size and not aggregate.pending_events:
            self._cache[aggregate.stream_id] = aggregate
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Loading(Generic[A]):
    """An aggregate being loaded: its stream, and the cached copy lent to this command, if any."""

    repository: AggregateRepository[A]
    stream_id: str
    known: A | None

    @property
    def version(self) -> int:
        """The version already known here: read only the events after it."""
        return self.known.version if self.known is not None else 0

    def finish(self, streams: Mapping[str, Sequence[RecordedEvent]]) -> A:
        """The aggregate, brought up to date with the events ``read_streams`` returned."""
        return self.repository._finish(self, streams.get(self.stream_id, ()))  # noqa: SLF001


def known_versions(*loadings: Loading[Any]) -> dict[str, int]:
    """What to ask ``EventStore.read_streams`` for, for these loadings."""
    return {loading.stream_id: loading.version for loading in loadings}


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

"""Spans for batches of events, joined to the traces the events were appended in.

Each event carries the W3C ``traceparent`` of the request that appended it (in its metadata,
and as a header on the broker). A batch of one, the usual case at Welsh volumes, continues
that trace (its span is a child of the append), so a request shows up as one trace from the
gRPC call through the relay and the consumer to the projection. A bigger batch cannot have
several parents, so its span links to each event's context instead, as OpenTelemetry
recommends for batch consumers.

With no tracer provider configured this costs one ``isinstance`` per batch; with spans not
recorded (nothing to export them to), only a batch of one reads its event's trace context.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence

from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF
from opentelemetry.trace import Link, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from kernel.events import RecordedEvent

_tracer = trace.get_tracer(__name__)
_propagator = TraceContextTextMapPropagator()
#: Links on one span beyond this are dropped (a 1,000-event batch needs no 1,000 links).
MAX_LINKS = 128


@contextlib.contextmanager
def batch_span(
    name: str,
    events: Sequence[RecordedEvent],
    attributes: Mapping[str, str | int],
    kind: SpanKind = SpanKind.CONSUMER,
) -> Iterator[None]:
    """Run the body inside a span for ``events`` (see the module docstring)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider):
        yield  # tracing is not configured: skip the context extraction
        return
    # Links matter only on a span that is recorded; a batch of one still continues its trace,
    # so logs written while it is applied carry the request's trace id.
    wanted = len(events) if len(events) == 1 or _records(provider) else 0
    contexts = [
        span_context
        for event in events[: min(wanted, MAX_LINKS)]
        if (parent := event.metadata.get("traceparent"))
        and (span_context := _span_context(parent)) is not None
    ]
    parent_context = None
    links: list[Link] = []
    if len(events) == 1 and contexts:
        parent_context = trace.set_span_in_context(trace.NonRecordingSpan(contexts[0]))
    else:
        links = [Link(c) for c in contexts]
    span_attributes = {**attributes, "messaging.batch.message_count": len(events)}
    with _tracer.start_as_current_span(
        name, context=parent_context, kind=kind, links=links, attributes=span_attributes
    ):
        yield


def _records(provider: trace.TracerProvider) -> bool:
    """Whether spans may be recorded: not when the service exports none (``ALWAYS_OFF``)."""
    return getattr(provider, "sampler", None) is not ALWAYS_OFF


def _span_context(traceparent: str) -> trace.SpanContext | None:
    context = _propagator.extract({"traceparent": traceparent})
    span_context = trace.get_current_span(context).get_span_context()
    return span_context if span_context.is_valid else None

from dataclasses import replace
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF

from kernel.events import RecordedEvent
from kernel.messaging import tracing
from kernel.messaging.tracing import batch_span

TRACE = "0af7651916cd43dd8448eb211c80319c"
PARENT = "b7ad6b7169203331"


def _event(position: int, traceparent: str | None) -> RecordedEvent:
    now = datetime.now(UTC)
    metadata = {"traceparent": traceparent} if traceparent else {}
    return RecordedEvent("s", position, position, uuid4(), "t.E", 1, {}, metadata, now, now)


@pytest.fixture
def exporter(monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    # A private provider: the global one belongs to the service (and to other tests).
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    return exporter


def test_a_batch_of_one_continues_the_appending_trace(exporter: InMemorySpanExporter) -> None:
    with batch_span("apply meetings", [_event(1, f"00-{TRACE}-{PARENT}-01")], {"a": "b"}):
        pass
    [span] = exporter.get_finished_spans()
    assert span.context is not None
    assert span.parent is not None
    assert format(span.context.trace_id, "032x") == TRACE
    assert format(span.parent.span_id, "016x") == PARENT
    assert span.attributes is not None
    assert span.attributes["messaging.batch.message_count"] == 1


def test_a_bigger_batch_links_to_each_events_trace(exporter: InMemorySpanExporter) -> None:
    first = _event(1, f"00-{TRACE}-{PARENT}-01")
    events = [first, replace(first, position=2, metadata={}), _event(3, "garbage")]
    with batch_span("apply meetings", events, {}):
        pass
    [span] = exporter.get_finished_spans()
    assert span.parent is None
    assert [format(link.context.trace_id, "032x") for link in span.links] == [TRACE]


def test_without_a_tracer_provider_nothing_is_recorded() -> None:
    with batch_span("apply meetings", [_event(1, f"00-{TRACE}-{PARENT}-01")], {}):
        pass


def test_an_unrecorded_bigger_batch_reads_no_trace_contexts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    provider = TracerProvider(sampler=ALWAYS_OFF)  # a service with nowhere to export spans
    monkeypatch.setattr(tracing, "_tracer", provider.get_tracer("test"))
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider)
    read: list[str] = []
    monkeypatch.setattr(tracing, "_span_context", lambda parent: read.append(parent))
    events = [_event(n, f"00-{TRACE}-{PARENT}-01") for n in (1, 2, 3)]
    with batch_span("apply meetings", events, {}):
        pass
    assert read == []
    with batch_span("apply meetings", events[:1], {}):
        pass
    assert len(read) == 1  # a batch of one still continues its trace (for its logs)

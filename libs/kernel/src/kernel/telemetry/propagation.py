"""W3C trace context carried in event metadata and message headers, so one trace spans services.

The trace context is stored with each event at append and re-attached by the relay and the
consumer; that is what joins a gRPC call, the append, the broker and a projection in one trace.
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import context as otel_context
from opentelemetry import propagate


def inject_trace_context(carrier: dict[str, str]) -> dict[str, str]:
    """Add ``traceparent`` (and ``tracestate``) for the current span to ``carrier``."""
    propagate.inject(carrier)
    return carrier


def extract_trace_context(carrier: Mapping[str, str]) -> otel_context.Context:
    """The span context a carrier (event metadata or message headers) was written under."""
    return propagate.extract(dict(carrier))

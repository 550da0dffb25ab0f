"""Configure OpenTelemetry once per process: traces, metrics and trace-stamped logs.

With no OTLP endpoint nothing is exported and spans are not recorded (they still get trace ids,
so trace ids reach logs and event metadata); tests pass their own exporter or reader to see what
was recorded.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased


@dataclass(frozen=True, slots=True)
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def configure_telemetry(
    service_name: str,
    otlp_endpoint: str | None = None,
    *,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
    log_level: str = "INFO",
) -> Telemetry:
    """Install the process-wide providers and log format for ``service_name``."""
    telemetry = build_telemetry(
        service_name, otlp_endpoint, span_exporter=span_exporter, metric_reader=metric_reader
    )
    trace.set_tracer_provider(telemetry.tracer_provider)
    metrics.set_meter_provider(telemetry.meter_provider)
    configure_logging(service_name, log_level)
    return telemetry


def build_telemetry(
    service_name: str,
    otlp_endpoint: str | None = None,
    *,
    span_exporter: SpanExporter | None = None,
    metric_reader: MetricReader | None = None,
) -> Telemetry:
    """The providers, not yet installed: OTLP exporters when an endpoint is given, else none."""
    resource = Resource.create({"service.name": service_name})
    # With nowhere to send spans, record none: spans still get ids (so logs and the
    # traceparent in event metadata carry a trace id) but skip the SDK's span processing,
    # several percent of a command's CPU.
    exporting = bool(otlp_endpoint) or span_exporter is not None
    tracer_provider = TracerProvider(
        resource=resource, sampler=ParentBased(ALWAYS_ON) if exporting else ALWAYS_OFF
    )
    readers: list[MetricReader] = [metric_reader] if metric_reader else []
    if otlp_endpoint:
        # Imported here: the exporters pull in grpc channels that only matter when exporting.
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import (  # noqa: PLC0415
            OTLPMetricExporter,
        )
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        # The endpoint's scheme chooses the transport: http:// is plaintext, https:// is TLS.
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(otlp_endpoint)))
        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter(otlp_endpoint)))
    if span_exporter is not None:
        tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    return Telemetry(tracer_provider, MeterProvider(resource=resource, metric_readers=readers))


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line, with the trace and span ids of the span that was current."""

    def __init__(self, service_name: str) -> None:
        super().__init__()
        self._service_name = service_name

    def format(self, record: logging.LogRecord) -> str:
        span_context = trace.get_current_span().get_span_context()
        entry: dict[str, object] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "service": self._service_name,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(service_name: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter(service_name))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)

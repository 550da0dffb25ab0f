import asyncio
import json
import logging

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2_grpc
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import TracerProvider

from kernel.telemetry.setup import JsonLogFormatter, build_telemetry


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("clwstwr.test", logging.INFO, __file__, 1, message, None, None)


def test_log_lines_are_json_with_the_current_trace_and_span_ids() -> None:
    formatter = JsonLogFormatter("meetings")
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("work") as span:
        line = json.loads(formatter.format(_record("held")))
    context = span.get_span_context()
    assert line["message"] == "held"
    assert line["service"] == "meetings"
    assert line["trace_id"] == format(context.trace_id, "032x")
    assert line["span_id"] == format(context.span_id, "016x")


def test_log_lines_outside_a_span_carry_no_trace_ids() -> None:
    line = json.loads(JsonLogFormatter("meetings").format(_record("idle")))
    assert "trace_id" not in line


async def test_spans_are_exported_over_otlp_when_an_endpoint_is_configured() -> None:
    received: list[ExportTraceServiceRequest] = []

    class Collector(trace_service_pb2_grpc.TraceServiceServicer):
        async def Export(  # noqa: N802 - the generated method name
            self, request: ExportTraceServiceRequest, context: object
        ) -> ExportTraceServiceResponse:
            received.append(request)
            return ExportTraceServiceResponse()

    server = grpc.aio.server()
    # OpenTelemetry's generated gRPC module ships without type hints.
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(  # type: ignore[no-untyped-call]
        Collector(), server
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        telemetry = build_telemetry("meetings", f"http://127.0.0.1:{port}")
        with telemetry.tracer_provider.get_tracer("test").start_as_current_span("held"):
            pass
        # The exporter is synchronous; flushing it off the loop lets the collector answer.
        flushed = await asyncio.to_thread(telemetry.tracer_provider.force_flush, 5000)
        telemetry.shutdown()
    finally:
        await server.stop(None)
    assert flushed
    [request] = received
    [resource_spans] = request.resource_spans
    service = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert service["service.name"] == "meetings"
    assert [s.name for s in resource_spans.scope_spans[0].spans] == ["held"]

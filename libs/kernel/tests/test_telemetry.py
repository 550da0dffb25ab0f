import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from kernel.telemetry.setup import JsonLogFormatter


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

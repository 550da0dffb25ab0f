import asyncio
import json
from datetime import UTC, datetime
from uuid import uuid4

from faststream.redis.parser import BinaryMessageFormatV1

from kernel.events import RecordedEvent
from kernel.messaging.message import (
    DATA_FIELD,
    decode_entry,
    encode_event,
    event_body,
    event_from_body,
    event_headers,
    frame,
    header_value,
    unframe,
    unframe_body,
)


def _event(**changes: object) -> RecordedEvent:
    values: dict[str, object] = {
        "stream_id": "cluster-Ynys Môn",
        "stream_version": 3,
        "position": 42,
        "event_id": uuid4(),
        "event_type": "membership.ClusterRenamed",
        "schema_version": 2,
        "data": {"name": 'Gogledd Ddwyrain "Ŵ"', "n": [1, 2.5, None, True]},
        "metadata": {"correlation_id": "c-1", "traceparent": "00-ab-cd-01", "actor": "Siân"},
        "occurred_at": datetime(2025, 4, 1, 9, 30, tzinfo=UTC),
        "recorded_at": datetime(2025, 4, 1, 9, 30, 1, 250_000, tzinfo=UTC),
    }
    values.update(changes)
    return RecordedEvent(**values)  # type: ignore[arg-type]


def test_body_round_trips_the_whole_event() -> None:
    event = _event()
    assert event_from_body(event_body(event)) == event
    assert json.loads(event_body(event))["data"] == event.data


def test_headers_are_cloudevents_strings() -> None:
    event = _event()
    headers = event_headers(event, "membership")
    assert headers["ce-specversion"] == "1.0"
    assert headers["ce-id"] == str(event.event_id)
    assert headers["ce-source"] == "/clwstwr/membership"
    assert headers["ce-type"] == "membership.ClusterRenamed"
    assert headers["ce-subject"] == "cluster-Ynys M%C3%B4n"
    assert headers["ce-time"] == "2025-04-01T09:30:00Z"
    assert headers["position"] == "42"
    assert headers["schema-version"] == "2"
    assert headers["traceparent"] == "00-ab-cd-01"
    assert headers["correlation_id"] == "c-1"
    assert all(isinstance(v, str) and v.isascii() for v in headers.values())


def test_header_value_percent_encodes_only_when_needed() -> None:
    assert header_value("plain-ascii value") == "plain-ascii value"
    assert header_value("100%") == "100%25"
    assert header_value("Aberdâr") == "Aberd%C3%A2r"


def test_framing_is_faststreams_binary_format() -> None:
    async def faststream_encoded() -> bytes:
        return await BinaryMessageFormatV1.encode(
            message=b'{"a":1}', reply_to=None, headers={"x": "1"}, correlation_id="c"
        )

    ours = frame(b'{"a":1}', {"correlation_id": "c", "x": "1"})
    assert ours == asyncio.run(faststream_encoded())
    assert BinaryMessageFormatV1.parse(ours) == (b'{"a":1}', {"correlation_id": "c", "x": "1"})


def test_framing_counts_bytes_so_non_ascii_headers_survive() -> None:
    body, headers = unframe(frame(b"{}", {"name": "Pen-y-bont ar Ogwr ŵŷ"}))
    assert (body, headers) == (b"{}", {"name": "Pen-y-bont ar Ogwr ŵŷ"})


def test_entry_decodes_back_to_the_event() -> None:
    event = _event()
    raw = encode_event(event, "membership")
    assert unframe_body(raw) == event_body(event)
    assert decode_entry({DATA_FIELD: raw}) == event

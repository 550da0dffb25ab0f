"""How an event travels on the broker: CloudEvents headers, a JSON body, FastStream's framing.

Each stream entry is exactly what ``RedisBroker.publish(body, stream=..., headers=...)`` writes:
one field, ``__data__``, holding FastStream's ``BinaryMessageFormatV1`` (magic, header table,
body). Any FastStream subscriber, ours or a downstream reporting consumer's, parses it as usual.
We build and read that framing here with ``struct`` instead of FastStream's per-byte writer
because the relay and the consumer handle tens of thousands of messages a second and
FastStream's encoder and batch parser are their bottleneck (numbers in ``publisher.py`` and
``subscription.py``).

The body is self-contained (the whole ``RecordedEvent``), so a consumer never needs headers;
headers exist for routing, tracing and foreign consumers.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii as _quote
from typing import Any, Final
from urllib.parse import quote
from uuid import UUID

import orjson
from faststream.redis.parser import BinaryMessageFormatV1

from kernel.events import RecordedEvent

#: The stream field FastStream reads and writes (``faststream.redis.message.DATA_KEY``).
DATA_FIELD: Final = b"__data__"
CONTENT_TYPE: Final = "application/json"
_MAGIC: Final = BinaryMessageFormatV1.IDENTITY_HEADER
_PREFIX = struct.Struct(">HIIH")  # format version, headers start, data start, header count
_HEADERS_START: Final = len(_MAGIC) + 10
_SHORT = struct.Struct(">H")
_MAX_HEADER = 0xFFFF
_BODY = (
    '{"position":%d,"stream_id":%s,"stream_version":%d,"event_id":"%s","event_type":%s,'
    '"schema_version":%d,"data":%s,"metadata":%s,"occurred_at":"%s","recorded_at":"%s"}'
)


def _encode(value: object) -> str:
    return orjson.dumps(value).decode()


_decode = orjson.loads
_MAX_CACHED_KEYS = 256
_KEYS: dict[str, bytes] = {}  # header names are few and fixed: encode each once
_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) != "%")


@dataclass(frozen=True, slots=True)
class Undecodable:
    """A stream entry that is not one of our events; it is dead-lettered as it is."""

    message_id: bytes
    fields: dict[bytes, bytes]
    error: str


def events_stream(service: str) -> str:
    """The Redis stream a service publishes its integration events to."""
    return f"{service}.events.v1"


def dead_letter_stream(stream: str) -> str:
    """Where a consumer of ``stream`` parks events it gave up on."""
    return f"{stream}.dlq"


def rfc3339(moment: datetime) -> str:
    """``moment`` in UTC as RFC 3339 with a ``Z`` suffix (the form CloudEvents shows)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def header_value(text: str) -> str:
    """``text`` made safe for a header: non-ASCII characters (and ``%``) percent-encoded.

    As the CloudEvents HTTP binding does, and for a FastStream reason too: its encoder counts
    characters where its parser counts bytes, so one non-ASCII header value (a Welsh place
    name in ``ce-subject``) makes the whole message unparseable.
    """
    return text if text.isascii() and "%" not in text else quote(text, safe=_SAFE)


def event_headers(event: RecordedEvent, service: str) -> dict[str, str]:
    """CloudEvents 1.0 attributes (binary content mode) plus our ordering and trace headers.

    Every value is an ASCII string: FastStream's framing carries nothing else (see
    ``header_value``). The body has the exact values.
    """
    metadata = event.metadata
    headers = {
        "correlation_id": header_value(metadata.get("correlation_id") or str(event.event_id)),
        "content-type": CONTENT_TYPE,
        "ce-specversion": "1.0",
        "ce-id": str(event.event_id),
        "ce-source": f"/clwstwr/{service}",
        "ce-type": header_value(event.event_type),
        "ce-subject": header_value(event.stream_id),
        "ce-time": rfc3339(event.occurred_at),
        "ce-datacontenttype": CONTENT_TYPE,
        "position": str(event.position),
        "schema-version": str(event.schema_version),
    }
    for key in ("traceparent", "tracestate"):
        if value := metadata.get(key):
            headers[key] = header_value(value)
    return headers


def event_body(event: RecordedEvent) -> bytes:
    """The event as JSON: everything a consumer needs to rebuild the ``RecordedEvent``.

    Spliced from pre-encoded parts rather than ``json.dumps`` of a fresh dict: the relay
    encodes every event it publishes, and this halves the cost (still valid JSON, ASCII-only).
    """
    return (
        _BODY
        % (
            event.position,
            _quote(event.stream_id),
            event.stream_version,
            event.event_id,
            _quote(event.event_type),
            event.schema_version,
            _encode(event.data),
            _encode(event.metadata),
            event.occurred_at.isoformat(),
            event.recorded_at.isoformat(),
        )
    ).encode()


def frame(body: bytes, headers: Mapping[str, str]) -> bytes:
    """Wrap ``body`` and ``headers`` exactly as FastStream's ``BinaryMessageFormatV1`` does.

    Lengths are byte lengths (FastStream's own writer counts characters, which breaks on
    non-ASCII header values; its reader counts bytes, so this stays compatible).
    """
    parts = [_MAGIC, b""]
    append = parts.append
    size = 0
    for key, value in headers.items():
        length_and_key = _KEYS.get(key) or _encode_key(key)
        raw = value.encode()
        if len(raw) > _MAX_HEADER:
            raise ValueError(f"header {key!r} is longer than {_MAX_HEADER} bytes")
        length = _SHORT.pack(len(raw))
        append(length_and_key)
        append(length)
        append(raw)
        size += len(length_and_key) + 2 + len(raw)
    parts[1] = _PREFIX.pack(1, _HEADERS_START, _HEADERS_START + 2 + size, len(headers))
    append(body)
    return b"".join(parts)


def _encode_key(key: str) -> bytes:
    raw = key.encode()
    if len(raw) > _MAX_HEADER:
        raise ValueError(f"header name {key[:40]!r}... is too long")
    encoded = _SHORT.pack(len(raw)) + raw
    if len(_KEYS) < _MAX_CACHED_KEYS:
        _KEYS[key] = encoded
    return encoded


def encode_event(event: RecordedEvent, service: str) -> bytes:
    """The ``__data__`` value the relay writes for ``event``."""
    return frame(event_body(event), event_headers(event, service))


def unframe_body(raw: bytes) -> bytes:
    """The body of a framed message, skipping the header table (the consumer's fast path)."""
    if raw.startswith(_MAGIC):
        (data_start,) = struct.unpack_from(">I", raw, len(_MAGIC) + 6)
        return raw[data_start:]
    body, _ = BinaryMessageFormatV1.parse(raw)
    return body


def unframe(raw: bytes) -> tuple[bytes, dict[str, Any]]:
    """Body and headers of a framed message (FastStream's parser; for tools and tests)."""
    return BinaryMessageFormatV1.parse(raw)


def event_from_body(body: bytes | str) -> RecordedEvent:
    """Rebuild a ``RecordedEvent`` from ``event_body`` output (or the same JSON from storage)."""
    return event_from_json(_decode(body))


def event_from_json(item: Mapping[str, Any]) -> RecordedEvent:
    """Rebuild a ``RecordedEvent`` from the decoded JSON object ``event_body`` produces."""
    return RecordedEvent(
        stream_id=item["stream_id"],
        stream_version=item["stream_version"],
        position=item["position"],
        event_id=UUID(item["event_id"]),
        event_type=item["event_type"],
        schema_version=item["schema_version"],
        data=item["data"],
        metadata=item["metadata"],
        occurred_at=datetime.fromisoformat(item["occurred_at"]),
        recorded_at=datetime.fromisoformat(item["recorded_at"]),
    )


def decode_entry(fields: Mapping[bytes, bytes]) -> RecordedEvent:
    """The event carried by one stream entry's fields (raises if it is not one of ours)."""
    return event_from_body(unframe_body(fields[DATA_FIELD]))

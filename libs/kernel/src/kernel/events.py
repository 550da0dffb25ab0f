"""Event records as the store sees them: what a caller appends and what a reader gets back."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

JsonObject = dict[str, Any]

#: ``expected_version`` value meaning "append whatever the stream's version is".
ANY_VERSION: int | None = None
#: ``expected_version`` value meaning "the stream must not exist yet".
NO_STREAM = 0


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be appended.

    ``event_type`` is a stable name such as ``"membership.PersonRegistered"`` (never a Python path),
    so modules can be renamed without breaking replay. ``schema_version`` says which shape ``data``
    has; upcasters lift old shapes on read. ``event_id`` makes appends idempotent: appending an
    event whose id is already stored is a no-op.
    """

    event_type: str
    data: Mapping[str, Any]
    schema_version: int = 1
    event_id: UUID = field(default_factory=uuid4)
    metadata: Mapping[str, str] = field(default_factory=dict)
    occurred_at: datetime = field(default_factory=utc_now)


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """An event as stored: its place in its stream and in the store's global, gapless order."""

    stream_id: str
    stream_version: int
    position: int
    event_id: UUID
    event_type: str
    schema_version: int
    data: JsonObject
    metadata: dict[str, str]
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    """A recorded event whose ``data`` is still the stored JSON text.

    For passing events on (the EventFeed) without parsing and re-serialising every payload.
    """

    stream_id: str
    stream_version: int
    position: int
    event_id: UUID
    event_type: str
    schema_version: int
    data_json: str
    metadata: dict[str, str]
    occurred_at: datetime
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class AppendResult:
    """Where an append landed. ``positions`` are the global positions of the appended events."""

    stream_id: str
    stream_version: int
    positions: tuple[int, ...]
    #: True when every event id was already stored: the append did nothing (a retried request).
    duplicate: bool = False

"""The EventFeed gRPC service (``clwstwr.eventfeed.v1``): a service's event store, served and read.

``EventFeedServicer`` serves one service's store; ``EventFeedClient`` reads another service's
feed and is an ``EventSource`` (``kernel.feed``), so consumers backfill gaps through it.
``event_to_proto`` and ``event_from_proto`` are the one place events cross the wire.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Collection
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable
from uuid import UUID

import orjson
from google.protobuf.timestamp_pb2 import Timestamp
from grpc import aio
from typing_extensions import override

from clwstwr.eventfeed.v1 import event_feed_pb2 as pb
from clwstwr.eventfeed.v1 import event_feed_pb2_grpc as pb_grpc
from kernel.errors import FieldViolation, ValidationFailed
from kernel.events import EncodedEvent, RecordedEvent
from kernel.eventstore.port import EventStore
from kernel.grpc.auth import Role, current_principal

#: The full name of the service, for health and reflection.
SERVICE_NAME: str = pb.DESCRIPTOR.services_by_name["EventFeedService"].full_name
DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000
#: Who may read a whole service's log: it holds every board's events.
READER_ROLES: tuple[Role, ...] = ("service", "operator", "national")


def event_to_proto(event: RecordedEvent) -> pb.Event:
    """The wire form of a recorded event; ``data`` goes as JSON text so integers stay exact.

    orjson, as the store writes it (so the data fits it), and the timestamps set by hand:
    the stdlib encoder and ``Timestamp.FromDatetime`` were most of the cost of serving a page.
    """
    return _message(event, orjson.dumps(event.data).decode())


def encoded_to_proto(event: EncodedEvent) -> pb.Event:
    """``event_to_proto`` for an event whose data is JSON text already (sent as it is)."""
    return _message(event, event.data_json)


def _message(event: RecordedEvent | EncodedEvent, data_json: str) -> pb.Event:
    message = pb.Event(
        position=event.position,
        stream_id=event.stream_id,
        stream_version=event.stream_version,
        event_id=str(event.event_id),
        event_type=event.event_type,
        schema_version=event.schema_version,
        data=data_json,
    )
    _stamp(message.occurred_at, event.occurred_at)
    _stamp(message.recorded_at, event.recorded_at)
    if event.metadata:  # filling a map field is a Python loop even when there is nothing
        message.metadata.update(event.metadata)
    return message


@runtime_checkable
class EncodedReader(Protocol):
    """A store that can read its log with the data left as JSON text (``PostgresEventStore``).

    The EventFeed serves such a store's pages without parsing and re-serialising each event.
    """

    async def read_all_encoded(self, after_position: int, limit: int) -> list[EncodedEvent]: ...

    async def read_window_encoded(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[EncodedEvent], int]: ...


def event_from_proto(message: pb.Event) -> RecordedEvent:
    """The recorded event a wire ``Event`` carries, with timezone-aware UTC timestamps."""
    metadata = message.metadata
    return RecordedEvent(
        stream_id=message.stream_id,
        stream_version=message.stream_version,
        position=message.position,
        event_id=UUID(message.event_id),
        event_type=message.event_type,
        schema_version=message.schema_version,
        data=orjson.loads(message.data),
        # Copying an empty map still walks it in Python; a rebuild decodes every event.
        metadata=dict(metadata) if metadata else {},
        occurred_at=_datetime(message.occurred_at),
        recorded_at=_datetime(message.recorded_at),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _stamp(timestamp: Timestamp, moment: datetime) -> None:
    """``timestamp.FromDatetime(moment)`` (naive means UTC), exact to the microsecond, faster.

    Filled in place: a ``Timestamp`` made first and passed to ``Event`` would be copied in.
    """
    since = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)) - _EPOCH
    timestamp.seconds = since.days * 86_400 + since.seconds
    timestamp.nanos = since.microseconds * 1000


def _datetime(timestamp: Timestamp) -> datetime:
    """``Timestamp.ToDatetime(tzinfo=UTC)``, faster (``timedelta``'s keywords cost too)."""
    return _EPOCH + timedelta(0, timestamp.seconds, timestamp.nanos // 1000)


class EventFeedServicer(pb_grpc.EventFeedServiceServicer):
    """Serves ``store`` to callers with a reader role (see ``READER_ROLES``).

    Args:
        store: the service's own event store.
        batch_size: the most events one ``Subscribe`` message carries.
        poll_interval: how often ``Subscribe`` looks for new events if no notification came.
    """

    def __init__(
        self, store: EventStore, *, batch_size: int = 500, poll_interval: float = 1.0
    ) -> None:
        self._store = store
        self._batch_size = batch_size
        self._poll_interval = poll_interval

    @override
    async def ReadEvents(
        self,
        request: pb.ReadEventsRequest,
        context: aio.ServicerContext[pb.ReadEventsRequest, pb.ReadEventsResponse],
    ) -> pb.ReadEventsResponse:
        current_principal().require_role(*READER_ROLES)
        violations = _position_violations(request.after_position)
        if not 0 <= request.limit <= MAX_LIMIT:
            violations.append(FieldViolation("limit", f"must be 0 (default) to {MAX_LIMIT}"))
        if violations:
            raise ValidationFailed(violations)
        after, limit = request.after_position, request.limit or DEFAULT_LIMIT
        if request.event_types:
            return await self._read_window(after, limit, request.event_types)
        if isinstance(self._store, EncodedReader):
            events = [encoded_to_proto(e) for e in await self._store.read_all_encoded(after, limit)]
        else:
            events = [event_to_proto(e) for e in await self._store.read_all(after, limit)]
        # Read after the page, so it is never below the page's last position.
        last_position = await self._store.last_position()
        return pb.ReadEventsResponse(events=events, last_position=last_position)

    async def _read_window(
        self, after: int, limit: int, event_types: Collection[str]
    ) -> pb.ReadEventsResponse:
        """``ReadEvents`` with ``event_types``: the other types are neither decoded nor sent."""
        types = frozenset(event_types)
        if isinstance(self._store, EncodedReader):
            encoded, through = await self._store.read_window_encoded(after, limit, types)
            events = [encoded_to_proto(e) for e in encoded]
        else:
            recorded, through = await self._store.read_window(after, limit, types)
            events = [event_to_proto(e) for e in recorded]
        last_position = await self._store.last_position()
        return pb.ReadEventsResponse(
            events=events, last_position=last_position, through_position=through
        )

    @override
    async def Subscribe(
        self,
        request: pb.SubscribeRequest,
        context: aio.ServicerContext[pb.SubscribeRequest, pb.SubscribeResponse],
    ) -> AsyncIterator[pb.SubscribeResponse]:
        current_principal().require_role(*READER_ROLES)
        violations = _position_violations(request.after_position)
        if violations:
            raise ValidationFailed(violations)
        # Runs until the client cancels (or the deadline passes): grpc.aio then cancels this
        # task, and closing the store's generator lets go of its listener at once.
        batches = self._store.subscribe(
            request.after_position, batch_size=self._batch_size, poll_interval=self._poll_interval
        )
        try:
            async for batch in batches:
                yield pb.SubscribeResponse(events=[event_to_proto(e) for e in batch])
        finally:
            if isinstance(batches, AsyncGenerator):
                await batches.aclose()


def _position_violations(after_position: int) -> list[FieldViolation]:
    if after_position < 0:
        return [FieldViolation("after_position", "must be 0 or more")]
    return []


class EventFeedClient:
    """Reads another service's EventFeed; an ``EventSource`` named after that service.

    Args:
        channel: a ``grpc.aio`` channel, or a target (``host:port``) to open an insecure
            channel to, which ``close`` then closes.
        source_name: the source's name, e.g. ``"meetings"`` (consumers checkpoint under it).
        token: this service's bearer token for the source.
        timeout: the deadline of each ``read``, in seconds.
    """

    def __init__(
        self, channel: aio.Channel | str, source_name: str, token: str, *, timeout: float = 10.0
    ) -> None:
        self._owns_channel = isinstance(channel, str)
        if isinstance(channel, str):
            # A page of large events can pass the default 4 MiB receive limit.
            channel = aio.insecure_channel(
                channel, options=[("grpc.max_receive_message_length", 64 * 1024 * 1024)]
            )
        self._channel = channel
        self._stub = pb_grpc.EventFeedServiceStub(channel)
        self._name = source_name
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._timeout = timeout

    @property
    def name(self) -> str:
        return self._name

    async def read(self, after_position: int, limit: int) -> list[RecordedEvent]:
        """Up to ``limit`` events after ``after_position``, in position order."""
        response = await self._stub.ReadEvents(
            pb.ReadEventsRequest(after_position=after_position, limit=limit),
            metadata=self._metadata,
            timeout=self._timeout,
        )
        return [event_from_proto(e) for e in response.events]

    async def read_window(
        self, after_position: int, limit: int, event_types: Collection[str]
    ) -> tuple[list[RecordedEvent], int]:
        """``kernel.feed.WindowedSource.read_window``, the filtering done by the feed."""
        response = await self._stub.ReadEvents(
            pb.ReadEventsRequest(
                after_position=after_position, limit=limit, event_types=sorted(event_types)
            ),
            metadata=self._metadata,
            timeout=self._timeout,
        )
        events = [event_from_proto(e) for e in response.events]
        if response.through_position or not events:
            return events, max(response.through_position, after_position)
        # A feed from before event_types sent every type: the page is gapless, filter it here.
        return [e for e in events if e.event_type in event_types], events[-1].position

    async def subscribe(self, after_position: int = 0) -> AsyncIterator[list[RecordedEvent]]:
        """Every event after ``after_position`` in batches, then new ones as they come, forever.

        Raises ``grpc.aio.AioRpcError`` when the stream breaks; callers resubscribe after the
        last position they saw.
        """
        call = self._stub.Subscribe(
            pb.SubscribeRequest(after_position=after_position), metadata=self._metadata
        )
        try:
            async for response in call:
                yield [event_from_proto(e) for e in response.events]
        finally:
            call.cancel()

    async def close(self) -> None:
        """Close the channel if this client opened it."""
        if self._owns_channel:
            await self._channel.close()

"""FastStream subscribers for one source stream: a batch reader and a claimer.

Built on these FastStream 0.7.8 facts (each proved against real Redis in
``tests/messaging/test_faststream_facts.py``):

* groups are created at ``$`` (earlier entries skipped), and ``last_id="0"`` on an existing
  group hot-loops over the consumer's own pending entries and starves new ones, so we create
  the group at ``0`` with ``MKSTREAM`` ourselves and let FastStream read with ``>``;
* a failed handler leaves its messages pending and ``>`` never redelivers them, so a second
  subscriber with ``min_idle_time`` (``XAUTOCLAIM``, one entry per call) takes them over, from
  this instance or a dead one;
* a batch handler acks or fails the whole batch (``AckPolicy.NACK_ON_ERROR``; a Redis nack
  leaves the entries pending);
* on ``NOGROUP`` (Redis flushed or restarted empty) a subscriber stops for good, so the
  consumer's maintenance loop re-creates the group and fresh subscribers.

FastStream's batch parser decodes each entry's framing byte by byte and then round-trips the
whole batch through JSON twice: about 14,000 messages/s on the 2-core box, the consumer's
ceiling. The parser here skips the header table and decodes each body once, straight into a
``RecordedEvent``; the delivery loop, acks, claiming and middlewares stay FastStream's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import cast

from faststream import AckPolicy
from faststream.exceptions import NackMessage
from faststream.redis import RedisBroker, StreamSub
from faststream.redis.annotations import RedisBatchStreamMessage
from faststream.redis.message import BatchStreamMessage, ConsumerProtocol
from faststream.redis.message import RedisBatchStreamMessage as BatchMessage
from faststream.redis.subscriber.usecases.stream_subscriber import StreamBatchSubscriber
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from kernel.events import RecordedEvent
from kernel.messaging.applier import GapNotFilled, HandlerFailed, RetryLater
from kernel.messaging.inbox import error_text
from kernel.messaging.message import Undecodable, decode_entry

_log = logging.getLogger(__name__)
Item = RecordedEvent | Undecodable
BatchCallback = Callable[[Sequence[Item]], Awaitable[None]]


async def ensure_group(redis: Redis, stream: str, group: str) -> bool:
    """Create ``group`` on ``stream`` at id ``0`` (and the stream if missing).

    Returns True when it had to be created: on a running consumer that means Redis lost it.
    """
    try:
        await redis.xgroup_create(stream, group, id="0", mkstream=True)
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise
        return False
    return True


def _decode(message_id: bytes, fields: dict[bytes, bytes] | None) -> Item:
    try:
        return decode_entry(fields or {})
    except Exception as error:  # noqa: BLE001 - anything unparseable is dead-lettered, not retried
        return Undecodable(message_id, dict(fields or {}), error_text(error))


def subscribe(
    broker: RedisBroker,
    redis: Redis,
    *,
    stream: str,
    group: str,
    consumer: str,
    callback: BatchCallback,
    max_records: int,
    polling_interval_ms: int,
    min_idle_time_ms: int | None = None,
) -> StreamBatchSubscriber:
    """A batch subscriber (or, with ``min_idle_time_ms``, a claimer) feeding ``callback``.

    Not started: ``await subscriber.start()`` on a connected broker. Registered weakly
    (``persistent=False``), so dropping every reference unregisters it.
    """

    async def parse(raw: BatchStreamMessage) -> BatchMessage:
        items = [_decode(i, d) for i, d in zip(raw["message_ids"], raw["data"], strict=True)]
        # The message acks through the client it is given (XACK of every id in the batch).
        return BatchMessage(
            raw_message=raw, body=items, consumer=cast("ConsumerProtocol", redis), group=group
        )

    async def decode(message: BatchMessage) -> list[Item]:
        return cast("list[Item]", message.body)

    async def on_batch(message: RedisBatchStreamMessage) -> None:
        try:
            await callback(cast("list[Item]", message.body))
        except (HandlerFailed, RetryLater, GapNotFilled) as error:
            # Expected and handled (retried, then dead-lettered): a line, not a traceback.
            _log.warning("%s for %s left pending: %s", stream, group, error)
            raise NackMessage from error

    subscriber = broker.subscriber(
        stream=StreamSub(
            stream,
            group=group,
            consumer=consumer,
            batch=True,
            max_records=max_records,
            polling_interval=polling_interval_ms,
            min_idle_time=min_idle_time_ms,
        ),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        no_reply=True,
        persistent=False,
        parser=parse,
        decoder=decode,
        include_in_schema=False,
    )
    subscriber(on_batch)
    return subscriber

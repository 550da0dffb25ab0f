"""Dead letters: events a consumer gave up on, for an operator to inspect and redrive.

The ``<schema>.dead_letters`` table is the record of truth; the ``<stream>.dlq`` Redis stream
gets a copy with the error in its headers, a notice for tools that watch streams (it may be
lost with Redis, and publishing it never blocks the consumer).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

import asyncpg
from redis.asyncio import Redis

from kernel.errors import NotFound, RuleViolated
from kernel.events import RecordedEvent
from kernel.messaging.handler import EventHandler
from kernel.messaging.inbox import Inbox, error_text
from kernel.messaging.message import (
    DATA_FIELD,
    Undecodable,
    dead_letter_stream,
    event_body,
    event_from_body,
    event_headers,
    frame,
    header_value,
)
from kernel.postgres.identifiers import checked_schema

_log = logging.getLogger(__name__)
_COLUMNS = (
    "id, consumer, source, position, event::text, error, attempts, dead_at,"
    " redriven_at, redrive_error"
)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One event a consumer moved past after ``attempts`` failures."""

    id: int
    consumer: str
    source: str
    position: int
    event: RecordedEvent
    error: str
    attempts: int
    dead_at: datetime
    redriven_at: datetime | None = None
    redrive_error: str | None = None


def _redrivable(
    row: asyncpg.Record | None, dead_letter_id: int, handler: EventHandler
) -> DeadLetter:
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    letter = _letter(row)
    if letter.redriven_at is not None:
        raise RuleViolated("ALREADY_REDRIVEN", f"dead letter {letter.id} was redriven")
    if letter.consumer != handler.name:
        raise RuleViolated(
            "WRONG_HANDLER", f"dead letter {letter.id} belongs to {letter.consumer!r}"
        )
    return letter


def _letter(row: asyncpg.Record) -> DeadLetter:
    return DeadLetter(
        id=row[0],
        consumer=row[1],
        source=row[2],
        position=row[3],
        event=event_from_body(row[4]),
        error=row[5],
        attempts=row[6],
        dead_at=row[7],
        redriven_at=row[8],
        redrive_error=row[9],
    )


async def list_dead_letters(
    pool: asyncpg.Pool,
    schema: str,
    *,
    consumer: str | None = None,
    include_redriven: bool = False,
    limit: int = 100,
) -> list[DeadLetter]:
    """Dead letters, oldest first: by default only those not redriven yet.

    Args:
        pool: the consuming service's pool.
        schema: the consuming service's schema.
        consumer: only this consumer's (handler or projection name).
        include_redriven: also list the ones an operator has redriven already.
        limit: at most this many.
    """
    s = checked_schema(schema)
    rows = await pool.fetch(
        f"SELECT {_COLUMNS} FROM {s}.dead_letters"
        " WHERE ($1::text IS NULL OR consumer = $1) AND ($2 OR redriven_at IS NULL)"
        " ORDER BY id LIMIT $3",
        consumer,
        include_redriven,
        limit,
    )
    return [_letter(r) for r in rows]


async def get_dead_letter(pool: asyncpg.Pool, schema: str, dead_letter_id: int) -> DeadLetter:
    """One dead letter, redriven or not.

    Raises:
        NotFound: no dead letter has that id.
    """
    row = await pool.fetchrow(
        f"SELECT {_COLUMNS} FROM {checked_schema(schema)}.dead_letters WHERE id = $1",
        dead_letter_id,
    )
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    return _letter(row)


async def redrive(
    pool: asyncpg.Pool, schema: str, dead_letter_id: int, handler: EventHandler
) -> DeadLetter:
    """Apply a dead letter's event through ``handler`` once more and mark it redriven.

    The event is applied in one transaction with the mark, so a redrive happens at most once
    even if two operators race. It is applied after later events (the checkpoint moved past
    it), which is the operator's call to make. On failure the error is stored on the dead
    letter and raised.

    Raises:
        NotFound: no dead letter has that id.
        RuleViolated: ``ALREADY_REDRIVEN``, or ``WRONG_HANDLER`` when ``handler.name`` is not
            the consumer the letter belongs to.
    """
    s = checked_schema(schema)
    try:
        async with pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(
                f"SELECT {_COLUMNS} FROM {s}.dead_letters WHERE id = $1 FOR UPDATE",
                dead_letter_id,
            )
            letter = _redrivable(row, dead_letter_id, handler)
            # Serialise with the live consumer and with a projection rebuild's swap.
            await Inbox(s, letter.consumer, letter.source).lock(conn)
            await handler.handle(conn, [letter.event])
            done = await conn.fetchval(
                f"UPDATE {s}.dead_letters SET redriven_at = now(), redrive_error = NULL"
                " WHERE id = $1 RETURNING redriven_at",
                dead_letter_id,
            )
    except (NotFound, RuleViolated):
        raise
    except Exception as error:
        await pool.execute(
            f"UPDATE {s}.dead_letters SET redrive_error = $2 WHERE id = $1",
            dead_letter_id,
            error_text(error),
        )
        raise
    return replace(letter, redriven_at=done, redrive_error=None)


async def publish_dead_letter(redis: Redis, stream: str, group: str, letter: DeadLetter) -> None:
    """Copy ``letter`` to ``<stream>.dlq``: the event, its headers and the error."""
    _log.error(
        "dead-lettered %s event %s for %s: %s",
        letter.source,
        letter.position,
        letter.consumer,
        letter.error,
    )
    headers = {
        **event_headers(letter.event, letter.source),
        "dead-letter-id": str(letter.id),
        "dead-letter-consumer": header_value(letter.consumer),
        "dead-letter-group": header_value(group),
        "dead-letter-attempts": str(letter.attempts),
        "dead-letter-error": header_value(letter.error),
    }
    await _xadd(redis, stream, frame(event_body(letter.event), headers))


async def publish_undecodable(redis: Redis, stream: str, group: str, item: Undecodable) -> None:
    """Copy a stream entry that is not one of our events to ``<stream>.dlq``, as it was."""
    _log.error("dead-lettered entry %r on %s: %s", item.message_id, stream, item.error)
    headers = {
        "dead-letter-group": header_value(group),
        "dead-letter-message-id": item.message_id.decode(),
        "dead-letter-error": header_value(item.error),
    }
    await _xadd(redis, stream, frame(item.fields.get(DATA_FIELD, b""), headers))


async def _xadd(redis: Redis, stream: str, framed: bytes) -> None:
    try:
        await redis.xadd(dead_letter_stream(stream), {DATA_FIELD: framed})
    except Exception:  # noqa: BLE001 - the dead_letters row is the record; this is a notice
        _log.exception("could not publish a dead letter to %s", dead_letter_stream(stream))

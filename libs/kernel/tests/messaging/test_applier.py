"""The exactly-once, in-order core every consumer path goes through (real Postgres)."""

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from kernel.errors import RuleViolated
from kernel.events import RecordedEvent
from kernel.eventstore.memory import InMemoryEventStore
from kernel.feed import LocalEventSource
from kernel.messaging import applier as applier_module
from kernel.messaging.applier import GapNotFilled, HandlerFailed, RetryLater, SourceApplier
from kernel.messaging.dead_letters import DeadLetter, list_dead_letters, redrive
from kernel.messaging.testing import RecordingHandler, append_numbered

pytestmark = pytest.mark.integration


@pytest.fixture
async def events() -> tuple[LocalEventSource, list[RecordedEvent]]:
    store = InMemoryEventStore()
    await append_numbered(store, 50)
    return LocalEventSource("meetings", store), await store.read_all(0, 100)


@pytest.fixture
async def recorder(pool: asyncpg.Pool, schema: str) -> RecordingHandler:
    handler = RecordingHandler(schema)
    await handler.create(pool)
    return handler


def _applier(
    pool: asyncpg.Pool, schema: str, handler: Any, source: LocalEventSource, **options: Any
) -> SourceApplier:
    return SourceApplier(pool, schema, handler, source, batch_size=20, **options)


async def test_duplicates_and_disorder_have_one_effect_in_order(
    pool: asyncpg.Pool, schema: str, recorder: RecordingHandler, events: Any
) -> None:
    source, stored = events
    applier = _applier(pool, schema, recorder, source)
    await applier.ensure()
    shuffled = stored[:30] + stored[:10]
    random.shuffle(shuffled)
    assert await applier.apply(shuffled) == 30
    assert await applier.apply(stored[5:15]) == 0
    assert await recorder.positions(pool) == list(range(1, 31))
    assert await applier.position() == 30


async def test_a_gap_is_backfilled_from_the_source(
    pool: asyncpg.Pool, schema: str, recorder: RecordingHandler, events: Any
) -> None:
    source, stored = events
    applier = _applier(pool, schema, recorder, source)
    await applier.ensure()
    await applier.apply(stored[:5])
    assert await applier.apply([stored[44], stored[49]]) == 45  # 6..50, 45 via the feed
    assert await recorder.positions(pool) == list(range(1, 51))


async def test_a_gap_the_source_cannot_fill_is_an_error(
    pool: asyncpg.Pool, schema: str, recorder: RecordingHandler, events: Any
) -> None:
    _, stored = events
    empty = LocalEventSource("meetings", InMemoryEventStore())
    applier = _applier(pool, schema, recorder, empty)
    await applier.ensure()
    with pytest.raises(GapNotFilled):
        await applier.apply(stored[10:20])
    assert await recorder.positions(pool) == []


def _fail_at(*positions: int) -> Any:
    def fail(event: RecordedEvent) -> None:
        if event.position in positions:
            raise ValueError(f"cannot apply {event.position}")

    return fail


async def test_a_failing_batch_applies_up_to_the_culprit_and_counts_one_attempt(
    pool: asyncpg.Pool, schema: str, events: Any
) -> None:
    source, stored = events
    handler = RecordingHandler(schema, fail=_fail_at(7))
    await handler.create(pool)
    applier = _applier(pool, schema, handler, source)
    await applier.ensure()
    with pytest.raises(HandlerFailed) as failed:
        await applier.apply(stored[:20])
    assert (failed.value.position, failed.value.attempts) == (7, 1)
    assert await handler.positions(pool) == list(range(1, 7))
    assert await applier.position() == 6
    with pytest.raises(RetryLater):  # tried again too soon
        await applier.apply(stored[:20])
    attempts = await pool.fetchval(f"SELECT attempts FROM {schema}.consumer_failures")
    assert attempts == 1


async def test_transient_database_errors_do_not_count_as_attempts(
    pool: asyncpg.Pool, schema: str, events: Any
) -> None:
    source, stored = events

    def deadlock(event: RecordedEvent) -> None:
        raise asyncpg.DeadlockDetectedError("deadlock detected")

    handler = RecordingHandler(schema, fail=deadlock)
    await handler.create(pool)
    applier = _applier(pool, schema, handler, source)
    await applier.ensure()
    with pytest.raises(asyncpg.DeadlockDetectedError):
        await applier.apply(stored[:3])
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.consumer_failures") == 0


async def test_a_poison_event_is_dead_lettered_then_redriven(
    pool: asyncpg.Pool, schema: str, events: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    source, stored = events
    counted: list[tuple[str, str]] = []
    monkeypatch.setattr(applier_module, "count_dead_letter", lambda c, s: counted.append((c, s)))
    handler = RecordingHandler(schema, fail=_fail_at(12))
    await handler.create(pool)
    buried: list[DeadLetter] = []

    async def on_dead_letter(letter: DeadLetter) -> None:
        buried.append(letter)

    applier = _applier(
        pool, schema, handler, source, max_attempts=3, retry_delay=0, on_dead_letter=on_dead_letter
    )
    await applier.ensure()
    for attempt in (1, 2):
        with pytest.raises(HandlerFailed) as failed:
            await applier.apply(stored[:30])
        assert failed.value.attempts == attempt
    assert await applier.apply(stored[:30]) == 18  # 12 buried, 13..30 applied

    assert await handler.positions(pool) == [*range(1, 12), *range(13, 31)]
    assert counted == [("recorder", "meetings")]
    [letter] = await list_dead_letters(pool, schema)
    assert buried == [letter]
    assert (letter.position, letter.attempts, letter.consumer) == (12, 3, "recorder")
    assert letter.error == "ValueError: cannot apply 12"
    assert letter.event == stored[11]
    assert await pool.fetchval(f"SELECT count(*) FROM {schema}.consumer_failures") == 0

    with pytest.raises(ValueError, match="cannot apply 12"):
        await redrive(pool, schema, letter.id, handler)
    [still] = await list_dead_letters(pool, schema)
    assert still.redrive_error == "ValueError: cannot apply 12"

    handler.fail = None  # the operator deployed a fix
    done = await redrive(pool, schema, letter.id, handler)
    assert done.redriven_at is not None
    assert (await handler.positions(pool))[-1] == 12
    assert await list_dead_letters(pool, schema) == []
    assert len(await list_dead_letters(pool, schema, include_redriven=True)) == 1
    with pytest.raises(RuleViolated) as again:
        await redrive(pool, schema, letter.id, handler)
    assert again.value.reason == "ALREADY_REDRIVEN"


class _Slow(RecordingHandler):
    async def handle(self, conn: Any, events: Sequence[RecordedEvent]) -> None:
        await asyncio.sleep(random.random() / 100)
        await super().handle(conn, events)


async def test_replicas_sharing_a_source_apply_it_once_in_order(
    pool: asyncpg.Pool, schema: str, events: Any
) -> None:
    source, stored = events
    handler = _Slow(schema)
    await handler.create(pool)
    replicas = [_applier(pool, schema, handler, source) for _ in range(3)]
    for replica in replicas:
        await replica.ensure()
    chunks = [stored[i : i + 5] for i in range(0, 50, 5)]
    await asyncio.gather(
        *(replicas[i % 3].apply(chunk) for i, chunk in enumerate(reversed(chunks)))
    )
    assert await handler.positions(pool) == list(range(1, 51))

"""The contract every ``EventStore`` keeps, as tests; subclass it with a ``store`` fixture.

The same tests run against ``InMemoryEventStore`` and ``PostgresEventStore``: that is what lets
unit tests trust the in-memory fake.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from kernel.errors import ConcurrencyError, EventIdConflict
from kernel.events import NO_STREAM, NewEvent
from kernel.eventstore.port import EventStore


def make_event(n: int = 0, **data: object) -> NewEvent:
    return NewEvent(
        event_type="test.Happened",
        data={"n": n, **data},
        metadata={"correlation_id": "c-1", "actor": "tester"},
    )


class EventStoreContract:
    """Tests shared by every event store. Subclasses provide an empty ``store`` fixture."""

    async def test_first_append_starts_stream_at_version_one(self, store: EventStore) -> None:
        result = await store.append("s-1", NO_STREAM, [make_event(1), make_event(2)])
        assert result.stream_version == 2
        assert result.positions == (1, 2)
        assert not result.duplicate
        events = await store.read_stream("s-1")
        assert [e.stream_version for e in events] == [1, 2]
        assert [e.data["n"] for e in events] == [1, 2]

    async def test_round_trips_every_field(self, store: EventStore) -> None:
        occurred = datetime(2024, 4, 1, 9, 30, tzinfo=UTC)
        event = NewEvent(
            event_type="meetings.MeetingHeld",
            schema_version=3,
            data={
                "pence": 2**53 + 1,
                "name": "Ynys Môn",
                "nested": [{"a": None}],
            },
            metadata={"traceparent": "00-abc-def-01"},
            occurred_at=occurred,
        )
        await store.append("s-1", NO_STREAM, [event])
        [stored] = await store.read_stream("s-1")
        assert stored.event_id == event.event_id
        assert stored.event_type == "meetings.MeetingHeld"
        assert stored.schema_version == 3
        assert stored.data == event.data
        assert stored.metadata == event.metadata
        assert stored.occurred_at == occurred
        assert stored.recorded_at.tzinfo is not None

    async def test_wrong_expected_version_raises_and_stores_nothing(
        self, store: EventStore
    ) -> None:
        await store.append("s-1", NO_STREAM, [make_event(1)])
        with pytest.raises(ConcurrencyError) as raised:
            await store.append("s-1", NO_STREAM, [make_event(2)])
        assert (raised.value.expected, raised.value.actual) == (0, 1)
        with pytest.raises(ConcurrencyError):
            await store.append("s-1", 5, [make_event(3)])
        assert [e.data["n"] for e in await store.read_stream("s-1")] == [1]
        assert await store.last_position() == 1

    async def test_any_version_appends_after_whatever_is_there(self, store: EventStore) -> None:
        await store.append("s-1", None, [make_event(1)])
        result = await store.append("s-1", None, [make_event(2)])
        assert result.stream_version == 2

    async def test_reappending_same_event_ids_is_a_noop(self, store: EventStore) -> None:
        events = [make_event(1), make_event(2)]
        first = await store.append("s-1", NO_STREAM, events)
        await store.append("s-1", 2, [make_event(3)])
        again = await store.append("s-1", NO_STREAM, events)  # a retry with a stale version
        assert again.duplicate
        assert again.positions == first.positions
        assert again.stream_version == 2
        assert len(await store.read_stream("s-1")) == 3

    async def test_partly_repeated_event_ids_are_refused(self, store: EventStore) -> None:
        stored = make_event(1)
        await store.append("s-1", NO_STREAM, [stored])
        with pytest.raises(EventIdConflict):
            await store.append("s-1", 1, [stored, make_event(2)])
        with pytest.raises(EventIdConflict):
            await store.append("s-2", NO_STREAM, [stored])
        assert await store.last_position() == 1

    async def test_invalid_arguments_are_refused_before_storage(self, store: EventStore) -> None:
        with pytest.raises(ValueError, match="at least one"):
            await store.append("s-1", None, [])
        with pytest.raises(ValueError, match="expected_version"):
            await store.append("s-1", -1, [make_event()])
        twice = make_event()
        with pytest.raises(ValueError, match="repeat"):
            await store.append("s-1", None, [twice, twice])
        with pytest.raises(ValueError, match="stream_id"):
            await store.append("", None, [make_event()])
        assert await store.last_position() == 0

    async def test_positions_are_global_and_gapless(self, store: EventStore) -> None:
        await store.append("a", NO_STREAM, [make_event(1)])
        await store.append("b", NO_STREAM, [make_event(2), make_event(3)])
        with pytest.raises(ConcurrencyError):
            await store.append("a", NO_STREAM, [make_event(99)])
        await store.append("a", 1, [make_event(4)])
        everything = await store.read_all()
        assert [e.position for e in everything] == [1, 2, 3, 4]
        assert [(e.stream_id, e.stream_version) for e in everything] == [
            ("a", 1),
            ("b", 1),
            ("b", 2),
            ("a", 2),
        ]
        assert await store.last_position() == 4

    async def test_read_all_pages(self, store: EventStore) -> None:
        for n in range(5):
            await store.append(f"s-{n}", NO_STREAM, [make_event(n)])
        assert [e.position for e in await store.read_all(1, 2)] == [2, 3]
        assert [e.position for e in await store.read_all(4, 10)] == [5]
        assert await store.read_all(5, 10) == []

    async def test_read_stream_as_of_a_version(self, store: EventStore) -> None:
        await store.append("s-1", NO_STREAM, [make_event(n) for n in range(4)])
        assert [e.stream_version for e in await store.read_stream("s-1", up_to_version=2)] == [
            1,
            2,
        ]
        assert await store.read_stream("unknown") == []
        assert await store.stream_version("s-1") == 4
        assert await store.stream_version("unknown") == 0

    async def test_read_streams_reads_several_streams_after_known_versions(
        self, store: EventStore
    ) -> None:
        await store.append("s-1", NO_STREAM, [make_event(1), make_event(2)])
        await store.append("s-2", NO_STREAM, [make_event(3)])
        await store.append("s-1", 2, [make_event(4)])
        await store.append("s-3", NO_STREAM, [make_event(5)])
        streams = await store.read_streams({"s-2": 0, "s-1": 0, "unknown": 0})
        assert list(streams) == ["s-2", "s-1", "unknown"]
        assert [(e.stream_version, e.data["n"]) for e in streams["s-1"]] == [(1, 1), (2, 2), (3, 4)]
        assert streams["s-1"] == await store.read_stream("s-1")
        assert [e.data["n"] for e in streams["s-2"]] == [3]
        assert streams["unknown"] == []
        after = await store.read_streams({"s-1": 2, "s-2": 1, "s-3": 0})
        assert [e.data["n"] for e in after["s-1"]] == [4]
        assert after["s-2"] == []
        assert [e.data["n"] for e in after["s-3"]] == [5]

    async def test_read_stream_as_of_a_time(self, store: EventStore) -> None:
        await store.append("s-1", NO_STREAM, [make_event(1)])
        [first] = await store.read_stream("s-1")
        await asyncio.sleep(0.01)
        await store.append("s-1", 1, [make_event(2)])
        as_then = await store.read_stream("s-1", as_of=first.recorded_at)
        assert [e.data["n"] for e in as_then] == [1]
        before = first.recorded_at - timedelta(seconds=1)
        assert await store.read_stream("s-1", as_of=before) == []

    async def test_racing_appends_to_one_version_let_exactly_one_win(
        self, store: EventStore
    ) -> None:
        results = await asyncio.gather(
            *(store.append("s-1", NO_STREAM, [make_event(n)]) for n in range(8)),
            return_exceptions=True,
        )
        winners = [r for r in results if not isinstance(r, BaseException)]
        assert len(winners) == 1
        assert all(isinstance(r, ConcurrencyError) for r in results if r not in winners)
        assert await store.stream_version("s-1") == 1

    async def test_subscribe_delivers_existing_then_new_events(self, store: EventStore) -> None:
        await store.append("s-1", NO_STREAM, [make_event(1)])
        seen: list[int] = []

        async def tail() -> None:
            async for batch in store.subscribe(0, poll_interval=5.0):
                seen.extend(e.position for e in batch)
                if len(seen) >= 3:
                    return

        tailing = asyncio.create_task(tail())
        await asyncio.sleep(0.05)
        await store.append("s-2", NO_STREAM, [make_event(2), make_event(3)])
        # The poll interval is 5 s, so finishing well inside it proves the wake-up works.
        await asyncio.wait_for(tailing, 2.0)
        assert seen == [1, 2, 3]

    async def test_event_ids_are_unique_across_streams(self, store: EventStore) -> None:
        event_id = uuid4()
        event = NewEvent(event_type="t", data={}, event_id=event_id)
        await store.append("s-1", NO_STREAM, [event])
        [stored] = await store.read_all()
        assert stored.event_id == event_id

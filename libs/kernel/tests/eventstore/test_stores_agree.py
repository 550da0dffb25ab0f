"""A property test: random appends give the same outcomes on the in-memory and Postgres stores."""

from uuid import UUID

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel.events import NewEvent, RecordedEvent
from kernel.eventstore.memory import InMemoryEventStore
from kernel.eventstore.port import EventStore
from kernel.postgres.eventstore import PostgresEventStore
from kernel.testing.infrastructure import migrated_schema

pytestmark = pytest.mark.integration

# An operation: (stream, expected version or None, event ids drawn from a small pool so repeats
# and partial overlaps happen often).
operations = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.one_of(st.none(), st.integers(0, 4)),
        st.lists(st.integers(0, 12), min_size=1, max_size=3, unique=True),
    ),
    max_size=12,
)


async def outcome(store: EventStore, stream: str, expected: int | None, ids: list[int]) -> object:
    events = [NewEvent("t", {"id": i}, event_id=UUID(int=i + 1)) for i in ids]
    try:
        return await store.append(stream, expected, events)
    except Exception as error:
        return type(error).__name__


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
async def test_in_memory_store_behaves_like_postgres(
    pg_pool: asyncpg.Pool, ops: list[tuple[str, int | None, list[int]]]
) -> None:
    memory = InMemoryEventStore()
    async with migrated_schema(pg_pool) as schema:
        postgres = PostgresEventStore(pg_pool, schema)
        for stream, expected, ids in ops:
            assert await outcome(memory, stream, expected, ids) == await outcome(
                postgres, stream, expected, ids
            )

        def shape(events: list[RecordedEvent]) -> list[tuple[int, str, int, UUID]]:
            return [(e.position, e.stream_id, e.stream_version, e.event_id) for e in events]

        assert shape(await memory.read_all()) == shape(await postgres.read_all())

"""The aggregate base, scenarios, the repository and upcasting, on a tiny example aggregate."""

import asyncio
from collections.abc import Mapping
from typing import ClassVar

import pytest

from kernel.aggregate import Aggregate, DomainEvent, EventRegistry
from kernel.context import RequestContext, request_context
from kernel.errors import ConcurrencyError, RuleViolated
from kernel.events import NewEvent, RecordedEvent
from kernel.eventstore.memory import InMemoryEventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from kernel.testing.scenario import scenario
from kernel.upcasting import Upcasters


class TallyOpened(DomainEvent):
    event_type: ClassVar[str] = "test.TallyOpened"
    limit: int


class TallyIncremented(DomainEvent):
    event_type: ClassVar[str] = "test.TallyIncremented"
    schema_version: ClassVar[int] = 2
    by: int
    note: str


TallyEvent = TallyOpened | TallyIncremented


class Tally(Aggregate[TallyEvent]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.limit = 0
        self.total = 0

    def open(self, limit: int) -> None:
        if self.exists:
            raise RuleViolated("ALREADY_OPEN", "the tally is open already")
        self._record(TallyOpened(limit=limit))

    def increment(self, by: int) -> None:
        if self.total + by > self.limit:
            raise RuleViolated("OVER_LIMIT", f"{self.total} + {by} is over {self.limit}")
        self._record(TallyIncremented(by=by, note=""))

    def _apply(self, event: TallyEvent) -> None:
        match event:
            case TallyOpened(limit=limit):
                self.limit = limit
            case TallyIncremented(by=by):
                self.total += by


REGISTRY = EventRegistry(TallyOpened, TallyIncremented)


def test_scenario_checks_the_events_a_command_records() -> None:
    tally = (
        scenario(Tally)
        .given(TallyOpened(limit=5), TallyIncremented(by=2, note=""))
        .when(lambda t: t.increment(3))
        .then(TallyIncremented(by=3, note=""))
    )
    assert tally.total == 5
    assert tally.version == 3


def test_scenario_checks_a_refused_command() -> None:
    error = (
        scenario(Tally)
        .given(TallyOpened(limit=1))
        .when(lambda t: t.increment(2))
        .then_raises(RuleViolated, match="over")
    )
    assert isinstance(error, RuleViolated)
    assert error.reason == "OVER_LIMIT"


def test_registry_refuses_two_classes_for_one_name() -> None:
    class Impostor(DomainEvent):
        event_type: ClassVar[str] = "test.TallyOpened"

    with pytest.raises(ValueError, match="another class"):
        REGISTRY.register(Impostor)


async def test_repository_saves_and_loads_with_request_metadata() -> None:
    store = InMemoryEventStore()
    tallies = AggregateRepository(store, Tally, REGISTRY, "tally")
    with request_context(RequestContext(correlation_id="corr-1", actor="board-7A1")):
        tally = await tallies.load("t1")
        assert not tally.exists
        tally.open(10)
        tally.increment(4)
        result = await tallies.save(tally)
    assert result is not None
    assert result.stream_version == 2
    loaded = await tallies.load("t1")
    assert (loaded.total, loaded.version) == (4, 2)
    [first, _] = await store.read_stream("tally-t1")
    assert first.metadata["correlation_id"] == "corr-1"
    assert first.metadata["actor"] == "board-7A1"


async def test_a_retried_command_under_an_idempotency_key_appends_nothing_new() -> None:
    store = InMemoryEventStore()
    tallies = AggregateRepository(store, Tally, REGISTRY, "tally")
    context = RequestContext(idempotency_scope="board-7A1|OpenTally|key-1")
    for _ in range(2):  # the second run stands for a retry whose first response was lost
        with request_context(context):
            tally = Tally("tally-t1")  # a handler that does not reload
            tally.open(10)
            await tallies.save(tally)
    assert len(await store.read_all()) == 1


async def test_save_refuses_a_stale_aggregate() -> None:
    store = InMemoryEventStore()
    tallies = AggregateRepository(store, Tally, REGISTRY, "tally")
    tally = await tallies.load("t1")
    tally.open(10)
    await tallies.save(tally)
    first, second = await tallies.load("t1"), await tallies.load("t1")
    first.increment(1)
    second.increment(1)
    await tallies.save(first)
    with pytest.raises(ConcurrencyError):
        await tallies.save(second)


async def test_retry_on_conflict_reloads_and_rechecks_rules() -> None:
    store = InMemoryEventStore()
    tallies = AggregateRepository(store, Tally, REGISTRY, "tally")
    opening = await tallies.load("t1")
    opening.open(3)
    await tallies.save(opening)

    async def increment() -> None:
        tally = await tallies.load("t1")
        await asyncio.sleep(0)  # let the racing clerks all read the same version
        tally.increment(1)
        await tallies.save(tally)

    await asyncio.gather(*(retry_on_conflict(increment) for _ in range(3)))
    assert (await tallies.load("t1")).total == 3
    with pytest.raises(RuleViolated):
        await retry_on_conflict(increment)


class _CountingStore(InMemoryEventStore):
    """Records what each read asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[dict[str, int]] = []

    async def read_streams(self, known: Mapping[str, int]) -> dict[str, list[RecordedEvent]]:
        self.asked.append(dict(known))
        return await super().read_streams(known)


async def _opened(repository: AggregateRepository[Tally], limit: int) -> Tally:
    tally = repository.new("t-1")
    tally.open(limit=limit)
    await repository.save(tally)
    return tally


async def test_a_cached_aggregate_is_read_only_from_where_it_was_saved() -> None:
    store = _CountingStore()
    cached = AggregateRepository(store, Tally, REGISTRY, "tally", cache_size=10)
    tally = await _opened(cached, limit=10)
    # Another replica (no cache) moves the stream on.
    other = AggregateRepository(store, Tally, REGISTRY, "tally")
    elsewhere = await other.load("t-1")
    elsewhere.increment(4)
    await other.save(elsewhere)
    store.asked.clear()

    loaded = await cached.load("t-1")

    assert store.asked == [{"tally-t-1": 1}]  # only what was stored after its own save
    assert (loaded.version, loaded.limit, loaded.total) == (2, 10, 4)
    assert loaded is tally  # brought up to date, not rebuilt


async def test_a_cached_aggregate_is_lent_to_one_command_and_dropped_unless_saved() -> None:
    store = _CountingStore()
    cached = AggregateRepository(store, Tally, REGISTRY, "tally", cache_size=10)
    tally = await _opened(cached, limit=3)

    first, second = await cached.load("t-1"), await cached.load("t-1")
    assert first is tally
    assert second is not tally  # the second command read it all
    with pytest.raises(RuleViolated):
        first.increment(5)  # refused: this copy is not kept
    store.asked.clear()
    third = await cached.load("t-1")
    assert store.asked == [{"tally-t-1": 0}]
    assert (third.version, third.limit) == (1, 3)

    third.increment(1)
    await cached.save(third)
    second.increment(1)
    with pytest.raises(ConcurrencyError):
        await cached.save(second)  # stale: the cached copy stays the saved one
    assert (await cached.load("t-1")) is third


async def test_an_aggregate_only_checked_is_handed_back_for_the_next_command() -> None:
    store = _CountingStore()
    cached = AggregateRepository(store, Tally, REGISTRY, "tally", cache_size=10)
    tally = await _opened(cached, limit=3)
    checked = await cached.load("t-1")
    cached.keep(checked)
    store.asked.clear()
    assert await cached.load("t-1") is tally
    assert store.asked == [{"tally-t-1": 1}]
    tally.increment(1)
    cached.keep(tally)  # events pending: not kept
    assert cached.begin("t-1").known is None


async def test_an_aggregate_whose_append_was_a_repeat_is_not_cached() -> None:
    cached = AggregateRepository(InMemoryEventStore(), Tally, REGISTRY, "tally", cache_size=10)
    await _opened(cached, limit=9)
    with request_context(RequestContext(idempotency_scope="caller|Add|key-1")):
        for _ in range(2):  # the command, then its retry: the store keeps the first only
            again = await cached.load("t-1")
            again.increment(2)
            result = await cached.save(again)
    assert result is not None
    assert result.duplicate
    loaded = await cached.load("t-1")
    assert (loaded.version, loaded.total) == (2, 2)  # not the retry's double count


def test_a_cache_keeps_the_aggregates_saved_last() -> None:
    cached = AggregateRepository(InMemoryEventStore(), Tally, REGISTRY, "tally", cache_size=2)

    async def save(tally_id: str) -> None:
        tally = cached.new(tally_id)
        tally.open(limit=1)
        await cached.save(tally)

    async def kept() -> list[bool]:
        return [cached.begin(t).known is not None for t in ("t-1", "t-2", "t-3")]

    for tally_id in ("t-1", "t-2", "t-3"):
        asyncio.run(save(tally_id))
    assert asyncio.run(kept()) == [False, True, True]


async def test_upcasters_lift_old_shapes_on_read() -> None:
    upcasters = Upcasters()
    upcasters.register("test.TallyIncremented", 1, lambda d: {**d, "note": "(before notes)"})
    store = InMemoryEventStore(upcasters)
    await store.append("tally-t1", 0, [NewEvent("test.TallyOpened", {"limit": 9})])
    await store.append("tally-t1", 1, [NewEvent("test.TallyIncremented", {"by": 2})])
    [_, stored] = await store.read_stream("tally-t1")
    assert stored.schema_version == 2
    assert REGISTRY.decode(stored) == TallyIncremented(by=2, note="(before notes)")
    with pytest.raises(ValueError, match="registered already"):
        upcasters.register("test.TallyIncremented", 1, dict)

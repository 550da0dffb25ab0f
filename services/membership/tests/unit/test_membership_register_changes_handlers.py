"""Merges and splits on an in-memory store: what they store, refuse, and how they heal."""

import datetime as dt

import pytest

from kernel.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    RuleViolated,
    ValidationFailed,
)
from kernel.eventstore.memory import InMemoryEventStore
from membership.adapters.register_file import load_register
from membership.application.access import Caller
from membership.application.handlers import RegisterCommands
from membership.application.register_changes import RegisterChangeCommands
from membership.domain.change_requests import MergeRequest, NewCluster, SplitRequest

APRIL = dt.date(2024, 4, 1)
LATER = dt.date(2025, 4, 1)
OPERATOR = Caller("ops", "operator")
CONWY = MergeRequest(
    ("7A1-conwy-east", "7A1-conwy-west"),
    LATER,
    new_cluster=NewCluster("7A1-conwy-county", "Conwy", "Conwy", None, None),
)
ANGLESEY = SplitRequest(
    "7A1-anglesey",
    (
        NewCluster("7A1-holyhead", "Holyhead", "Caergybi", None, 30000),
        NewCluster("7A1-llangefni", "Llangefni", None, None, 35000),
    ),
    LATER,
)


@pytest.fixture
async def seeded() -> tuple[RegisterChangeCommands, InMemoryEventStore]:
    store = InMemoryEventStore()
    await RegisterCommands(store).seed_register(OPERATOR, load_register(), APRIL)
    return RegisterChangeCommands(store), store


async def test_a_merge_closes_the_merged_and_establishes_the_new_with_its_collaboratives(
    seeded: tuple[RegisterChangeCommands, InMemoryEventStore],
) -> None:
    changes, store = seeded
    before = await store.last_position()
    into, position = await changes.merge_clusters(OPERATOR, CONWY)
    # the decision, two closures, the new cluster and its seven collaboratives
    assert (into, position) == ("7A1-conwy-county", before + 1 + 2 + 1 + 7)
    east = await changes.clusters.load("7A1-conwy-east")
    assert (east.closed_on, east.closed_by) == (
        LATER - dt.timedelta(days=1),
        "merge:7A1-conwy-county:2025-04-01",
    )
    conwy = await changes.clusters.load("7A1-conwy-county")
    assert (conwy.established_on, conwy.local_authority, conwy.pcpg_id) == (
        LATER,
        "Conwy",
        "7A1-conwy",
    )
    assert len(conwy.professions) == 7
    again = await changes.merge_clusters(OPERATOR, CONWY)  # a retry with no idempotency key
    assert again == ("7A1-conwy-county", 0)
    assert await store.last_position() == position


async def test_a_split_closes_the_cluster_and_establishes_each_new_one(
    seeded: tuple[RegisterChangeCommands, InMemoryEventStore],
) -> None:
    changes, store = seeded
    before = await store.last_position()
    new_ids, position = await changes.split_cluster(OPERATOR, ANGLESEY)
    assert new_ids == ["7A1-holyhead", "7A1-llangefni"]
    assert position == before + 1 + 1 + 2 * (1 + 7)
    anglesey = await changes.clusters.load("7A1-anglesey")
    assert anglesey.closed_on == dt.date(2025, 3, 31)
    holyhead = await changes.clusters.load("7A1-holyhead")
    assert holyhead.name_on(LATER).name_cy == "Caergybi"
    with pytest.raises(RuleViolated, match="closed"):
        await changes.split_cluster(
            OPERATOR, SplitRequest("7A1-anglesey", ANGLESEY.into, dt.date(2025, 5, 1))
        )


async def test_only_operators_change_the_shape_of_the_register(
    seeded: tuple[RegisterChangeCommands, InMemoryEventStore],
) -> None:
    changes, store = seeded
    before = await store.last_position()
    for caller in (Caller("betsi", "health_board", "7A1"), Caller("spcc", "national")):
        with pytest.raises(PermissionDenied):
            await changes.merge_clusters(caller, CONWY)
        with pytest.raises(PermissionDenied):
            await changes.split_cluster(caller, ANGLESEY)
    assert await store.last_position() == before


async def test_bad_changes_store_nothing(
    seeded: tuple[RegisterChangeCommands, InMemoryEventStore],
) -> None:
    changes, store = seeded
    before = await store.last_position()
    refused: list[tuple[type[Exception], MergeRequest | SplitRequest]] = [
        (NotFound, MergeRequest(("7A1-conwy-east", "7A1-nowhere"), LATER, "7A1-conwy-east")),
        (ValidationFailed, MergeRequest(("7A1-conwy-east", "7A1-arfon"), LATER, "7A1-arfon")),
        (
            ValidationFailed,
            MergeRequest(("7A1-conwy-east", "7A2-north-ceredigion"), LATER, "7A1-conwy-east"),
        ),
        (
            ValidationFailed,
            MergeRequest(("7A1-conwy-east", "7A1-conwy-east"), LATER, "7A1-conwy-east"),
        ),
        (RuleViolated, MergeRequest(CONWY.cluster_ids, APRIL, new_cluster=CONWY.new_cluster)),
        (
            AlreadyExists,
            MergeRequest(
                CONWY.cluster_ids,
                LATER,
                new_cluster=NewCluster("7A1-anglesey", "Conwy", None, None, None),
            ),
        ),
        (ValidationFailed, SplitRequest("7A1-anglesey", ANGLESEY.into[:1], LATER)),
        (NotFound, SplitRequest("7A1-nowhere", ANGLESEY.into, LATER)),
        (
            AlreadyExists,
            SplitRequest(
                "7A1-anglesey",
                (ANGLESEY.into[0], NewCluster("7A1-arfon", "Arfon 2", None, None, None)),
                LATER,
            ),
        ),
    ]
    for error, request in refused:
        with pytest.raises(error):
            await _change(changes, request)
    assert await store.last_position() == before


async def _change(changes: RegisterChangeCommands, request: MergeRequest | SplitRequest) -> None:
    if isinstance(request, MergeRequest):
        await changes.merge_clusters(OPERATOR, request)
    else:
        await changes.split_cluster(OPERATOR, request)


async def test_a_change_decided_but_not_carried_out_is_completed_by_the_next(
    seeded: tuple[RegisterChangeCommands, InMemoryEventStore],
) -> None:
    changes, _ = seeded
    # as if the process died after deciding the merge, before carrying it out
    decision = await changes.changes.load("7A1")
    sources = [(await changes.clusters.load(c)).facts() for c in CONWY.cluster_ids]
    decision.merge(CONWY, sources, set())
    await changes.changes.save(decision)
    assert not (await changes.clusters.load("7A1-conwy-county")).exists
    with pytest.raises(RuleViolated, match="closed"):  # decided, so closed already
        await changes.split_cluster(OPERATOR, SplitRequest("7A1-conwy-east", ANGLESEY.into, LATER))
    await changes.split_cluster(OPERATOR, ANGLESEY)
    conwy = await changes.clusters.load("7A1-conwy-county")
    assert conwy.exists
    assert (await changes.clusters.load("7A1-conwy-west")).closed_on is not None

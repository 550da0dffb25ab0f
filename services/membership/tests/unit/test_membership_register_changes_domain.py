"""Merges and splits, rule by rule: given past events, when a change, then the events decided."""

import datetime as dt

import pytest

from kernel.errors import AlreadyExists, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from membership.domain.change_events import (
    ClustersMerged,
    ClusterSplit,
    NewClusterFacts,
)
from membership.domain.change_requests import ClusterFacts, MergeRequest, NewCluster, SplitRequest
from membership.domain.register_changes import RegisterChanges

APRIL = dt.date(2024, 4, 1)
LATER = dt.date(2025, 4, 1)
EVE = dt.date(2025, 3, 31)
PROFESSIONS = frozenset({"dental", "general-practice"})


def facts(cluster_id: str, **changes: object) -> ClusterFacts:
    values: dict[str, object] = {
        "cluster_id": cluster_id,
        "health_board": "7A1",
        "pcpg_id": "7A1-isle-of-anglesey",
        "pcpg_name": "Isle of Anglesey PCPG",
        "local_authority": "Isle of Anglesey",
        "established_on": APRIL,
        "closed_on": None,
        "professions": PROFESSIONS,
    }
    values.update(changes)
    return ClusterFacts(**values)  # type: ignore[arg-type]


NORTH, SOUTH = facts("7A1-north-mon"), facts("7A1-south-mon", professions=frozenset({"dental"}))
MON = NewCluster("7A1-mon", "Môn", "Môn", None, 69000)
MERGE = MergeRequest(("7A1-north-mon", "7A1-south-mon"), LATER, new_cluster=MON)
MERGED = ClustersMerged(
    change_id="merge:7A1-mon:2025-04-01",
    health_board="7A1",
    pcpg_id="7A1-isle-of-anglesey",
    pcpg_name="Isle of Anglesey PCPG",
    merged_cluster_ids=("7A1-north-mon", "7A1-south-mon"),
    into_cluster_id="7A1-mon",
    new_cluster=NewClusterFacts(
        cluster_id="7A1-mon",
        name="Môn",
        name_cy="Môn",
        local_authority="Isle of Anglesey",
        population=69000,
    ),
    professions=("dental", "general-practice"),
    effective_from=LATER,
    closed_on=EVE,
)
HALVES = (
    NewCluster("7A1-holyhead", "Holyhead", None, None, None),
    NewCluster("7A1-llangefni", "Llangefni", None, None, None),
)
SPLIT = SplitRequest("7A1-north-mon", HALVES, LATER)


def fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}


def reason(error: Exception) -> str:
    assert isinstance(error, RuleViolated)
    return error.reason


def test_a_merge_into_a_new_cluster_is_decided_once() -> None:
    changes = (
        scenario(RegisterChanges).when(lambda c: c.merge(MERGE, [NORTH, SOUTH], set())).then(MERGED)
    )
    assert changes.closed == {"7A1-north-mon", "7A1-south-mon"}
    scenario(RegisterChanges).given(MERGED).when(
        lambda c: c.merge(MERGE, [NORTH, SOUTH], {"7A1-mon"})
    ).then()  # a retry: its new cluster exists by now, and nothing is decided again


def test_a_merge_into_a_survivor_closes_only_the_others() -> None:
    request = MergeRequest(("7A1-north-mon", "7A1-south-mon"), LATER, "7A1-north-mon")
    changes = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(request, [NORTH, SOUTH], set()))
        .then(
            MERGED.model_copy(
                update={
                    "change_id": "merge:7A1-north-mon:2025-04-01",
                    "into_cluster_id": "7A1-north-mon",
                    "new_cluster": None,
                }
            )
        )
    )
    assert changes.closed == {"7A1-south-mon"}


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (MergeRequest(("7A1-north-mon",), LATER, new_cluster=MON), {"cluster_ids"}),
        (
            MergeRequest(("7A1-north-mon", "7A1-north-mon"), LATER, new_cluster=MON),
            {"cluster_ids"},
        ),
        (MergeRequest(("7A1-north-mon", "7A1-south-mon"), LATER), {"new_cluster"}),
        (
            MergeRequest(("7A1-north-mon", "7A1-south-mon"), LATER, "7A1-elsewhere"),
            {"surviving_cluster_id"},
        ),
        (
            MergeRequest(
                ("7A1-north-mon", "Mon"),
                LATER,
                new_cluster=NewCluster("7A1-north-mon", " ", None, None, -1),
            ),
            {"cluster_ids[1]", "new_cluster.id", "new_cluster.name", "new_cluster.population"},
        ),
    ],
)
def test_a_malformed_merge_names_its_fields(request_: MergeRequest, expected: set[str]) -> None:
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(request_, [NORTH, SOUTH], set()))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == expected


def test_a_merge_stays_within_one_board_and_pcpg() -> None:
    elsewhere = facts("7A1-arfon", pcpg_id="7A1-gwynedd")
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(MERGE, [NORTH, elsewhere], set()))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"cluster_ids"}
    other_board = MergeRequest(
        MERGE.cluster_ids, LATER, new_cluster=NewCluster("7A2-mon", "Môn", None, None, None)
    )
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(other_board, [NORTH, SOUTH], set()))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"new_cluster.id"}


def test_a_merge_across_local_authorities_must_name_one() -> None:
    other_la = facts("7A1-south-mon", local_authority="Gwynedd")
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(MERGE, [NORTH, other_la], set()))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"new_cluster.local_authority"}


def test_closed_clusters_and_early_dates_are_refused() -> None:
    closed = facts("7A1-south-mon", closed_on=EVE)
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(MERGE, [NORTH, closed], set()))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "CLUSTER_CLOSED"
    early = MergeRequest(MERGE.cluster_ids, APRIL, new_cluster=MON)
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.merge(early, [NORTH, SOUTH], set()))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "EFFECTIVE_BEFORE_ESTABLISHMENT"
    # closed by an earlier change whose closure is not carried out yet: still closed
    error = (
        scenario(RegisterChanges)
        .given(MERGED)
        .when(lambda c: c.split(SPLIT, NORTH, set()))
        .then_raises(RuleViolated)
    )
    assert reason(error) == "CLUSTER_CLOSED"


def test_a_new_cluster_id_in_use_is_refused() -> None:
    scenario(RegisterChanges).when(
        lambda c: c.merge(MERGE, [NORTH, SOUTH], {"7A1-mon"})
    ).then_raises(AlreadyExists)


def test_a_split_makes_two_or_more_new_clusters() -> None:
    scenario(RegisterChanges).when(lambda c: c.split(SPLIT, NORTH, set())).then(
        ClusterSplit(
            change_id="split:7A1-north-mon:2025-04-01",
            health_board="7A1",
            pcpg_id="7A1-isle-of-anglesey",
            pcpg_name="Isle of Anglesey PCPG",
            cluster_id="7A1-north-mon",
            into=tuple(
                NewClusterFacts(
                    cluster_id=c.cluster_id,
                    name=c.name,
                    name_cy=None,
                    local_authority="Isle of Anglesey",
                    population=None,
                )
                for c in HALVES
            ),
            professions=("dental", "general-practice"),
            effective_from=LATER,
            closed_on=EVE,
        )
    )


@pytest.mark.parametrize(
    ("into", "expected"),
    [
        (HALVES[:1], {"into"}),
        ((HALVES[0], HALVES[0]), {"into[0].id", "into[1].id", "into[0].name", "into[1].name"}),
        (
            (HALVES[0], NewCluster("7A1-north-mon", "North", None, None, None)),
            {"into[1].id"},
        ),
    ],
)
def test_a_malformed_split_names_its_fields(
    into: tuple[NewCluster, ...], expected: set[str]
) -> None:
    request = SplitRequest("7A1-north-mon", into, LATER)
    error = (
        scenario(RegisterChanges)
        .when(lambda c: c.split(request, NORTH, set()))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == expected

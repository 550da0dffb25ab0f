"""Merges and splits over gRPC: the register as it stood before and after, and the refusals."""

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import error_reason
from kernel.testing.grpc import call_metadata

from .conftest import Api

pytestmark = pytest.mark.integration

OPERATOR = call_metadata("operator")


async def cluster_ids(api: Api, board: str, as_of: str) -> set[str]:
    page = await api.stub.ListClusters(
        pb.ListClustersRequest(health_board=board, as_of=as_of, page_size=100),
        metadata=api.as_("national"),
    )
    return {c.id for c in page.clusters}


async def pcpg_clusters(api: Api, pcpg_id: str, as_of: str) -> set[str]:
    page = await api.stub.ListPcpgs(
        pb.ListPcpgsRequest(health_board=pcpg_id[:3], as_of=as_of, page_size=100),
        metadata=api.as_("national"),
    )
    return {c for p in page.pcpgs if p.id == pcpg_id for c in p.cluster_ids}


async def collaborative_ids(api: Api, cluster_id: str, as_of: str = "") -> set[str]:
    page = await api.stub.ListCollaboratives(
        pb.ListCollaborativesRequest(cluster_id=cluster_id, as_of=as_of),
        metadata=api.as_("national"),
    )
    return {c.id for c in page.collaboratives}


async def test_a_merge_shows_from_its_date_and_history_before_it(seeded: Api) -> None:
    merged = await seeded.stub.MergeClusters(
        pb.MergeClustersRequest(
            cluster_ids=["7A1-conwy-east", "7A1-conwy-west"],
            effective_from="2025-04-01",
            new_cluster=pb.NewCluster(id="7A1-conwy-county", name="Conwy", name_cy="Conwy"),
        ),
        metadata=OPERATOR,
    )
    assert (merged.cluster.id, merged.cluster.established_on) == ("7A1-conwy-county", "2025-04-01")
    assert list(merged.cluster.predecessor_ids) == ["7A1-conwy-east", "7A1-conwy-west"]
    assert list(merged.closed_cluster_ids) == ["7A1-conwy-east", "7A1-conwy-west"]
    before = await cluster_ids(seeded, "7A1", "2025-03-31")
    after = await cluster_ids(seeded, "7A1", "2025-04-01")
    assert {"7A1-conwy-east", "7A1-conwy-west"} <= before
    assert "7A1-conwy-county" not in before
    assert after == before - {"7A1-conwy-east", "7A1-conwy-west"} | {"7A1-conwy-county"}
    assert await pcpg_clusters(seeded, "7A1-conwy", "2025-04-01") == {"7A1-conwy-county"}
    assert {"7A1-conwy-east", "7A1-conwy-west"} <= await pcpg_clusters(
        seeded, "7A1-conwy", "2025-03-31"
    )
    east = await seeded.stub.GetCluster(
        pb.GetClusterRequest(cluster_id="7A1-conwy-east", as_of="2025-03-31"),
        metadata=seeded.as_("board-7a1"),
    )
    assert (east.cluster.closed_on, list(east.cluster.successor_ids)) == (
        "2025-03-31",
        ["7A1-conwy-county"],
    )
    with pytest.raises(aio.AioRpcError) as gone:
        await seeded.stub.GetCluster(
            pb.GetClusterRequest(cluster_id="7A1-conwy-east", as_of="2025-04-01"),
            metadata=OPERATOR,
        )
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND
    assert len(await collaborative_ids(seeded, "7A1-conwy-county", "2025-04-01")) == 7
    assert await collaborative_ids(seeded, "7A1-conwy-county", "2025-03-31") == set()
    assert await collaborative_ids(seeded, "7A1-conwy-east", "2025-04-01") == set()
    assert len(await collaborative_ids(seeded, "7A1-conwy-east")) == 7  # its whole history


async def test_a_split_shows_from_its_date_and_the_old_cluster_before_it(seeded: Api) -> None:
    split = await seeded.stub.SplitCluster(
        pb.SplitClusterRequest(
            cluster_id="7A7-north-powys",
            into=[
                pb.NewCluster(id="7A7-montgomery", name="Montgomery", population=70000),
                pb.NewCluster(id="7A7-welshpool", name="Welshpool"),
            ],
            effective_from="2026-01-01",
        ),
        metadata=OPERATOR,
    )
    assert [(c.id, c.local_authority, c.pcpg_id) for c in split.clusters] == [
        ("7A7-montgomery", "Powys", "7A7-powys"),
        ("7A7-welshpool", "Powys", "7A7-powys"),
    ]
    assert split.clusters[0].population == 70000
    assert not split.clusters[1].HasField("population")
    before = await cluster_ids(seeded, "7A7", "2025-12-31")
    after = await cluster_ids(seeded, "7A7", "2026-01-01")
    assert before == {"7A7-north-powys", "7A7-mid-powys", "7A7-south-powys"}
    assert after == {"7A7-montgomery", "7A7-welshpool", "7A7-mid-powys", "7A7-south-powys"}


async def test_nobody_is_enrolled_in_a_closed_cluster_after_it_closed(seeded: Api) -> None:
    await seeded.stub.MergeClusters(
        pb.MergeClustersRequest(
            cluster_ids=["7A2-north-ceredigion", "7A2-south-ceredigion"],
            effective_from="2025-10-01",
            surviving_cluster_id="7A2-north-ceredigion",
        ),
        metadata=OPERATOR,
    )
    board = seeded.as_("board-7a2")
    person = await seeded.stub.RegisterPerson(pb.RegisterPersonRequest(name="Nia"), metadata=board)
    enrol = pb.EnrolMemberRequest(
        body_id="7A2-south-ceredigion.dental",
        person_id=person.person_id,
        kind="core",
        role_title="Dentist",
        start_date="2025-10-01",
    )
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.EnrolMember(enrol, metadata=board)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(refused.value) == "BODY_CLOSED"
    enrol.start_date = "2025-09-30"  # its last day: still open
    await seeded.stub.EnrolMember(enrol, metadata=board)
    survivor = await seeded.stub.GetCluster(
        pb.GetClusterRequest(cluster_id="7A2-north-ceredigion", as_of="2025-10-01"),
        metadata=board,
    )
    assert (survivor.cluster.closed_on, list(survivor.cluster.predecessor_ids)) == (
        "",
        ["7A2-south-ceredigion"],
    )


async def test_a_retried_split_acts_once(seeded: Api) -> None:
    request = pb.SplitClusterRequest(
        cluster_id="7A6-newport-east",
        into=[
            pb.NewCluster(id="7A6-newport-docks", name="Newport Docks"),
            pb.NewCluster(id="7A6-newport-rural", name="Newport Rural"),
        ],
        effective_from="2025-07-01",
    )
    stored = await seeded.stored()
    first = await seeded.stub.SplitCluster(
        request, metadata=call_metadata("operator", idempotency_key="split-1")
    )
    again = await seeded.stub.SplitCluster(request, metadata=OPERATOR)  # no key: same answer
    assert again == first
    assert await seeded.stored() == stored + 1 + 1 + 2 * 8


async def test_a_closed_cluster_is_not_renamed_after_its_last_day(seeded: Api) -> None:
    await seeded.stub.MergeClusters(
        pb.MergeClustersRequest(
            cluster_ids=["7A5-bridgend-east", "7A5-bridgend-west"],
            effective_from="2025-04-01",
            surviving_cluster_id="7A5-bridgend-east",
        ),
        metadata=OPERATOR,
    )
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.RenameCluster(
            pb.RenameClusterRequest(
                cluster_id="7A5-bridgend-west", name="West", effective_from="2025-04-01"
            ),
            metadata=OPERATOR,
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(refused.value) == "CLUSTER_CLOSED"

"""The membership API end to end: real gRPC, PostgreSQL and Redis, through the runtime."""

import json
from collections import Counter
from collections.abc import Awaitable
from pathlib import Path

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import error_reason, field_violations
from kernel.testing.grpc import call_metadata

from .conftest import Api

pytestmark = pytest.mark.integration

REGISTER = json.loads(
    (Path(__file__).parents[2] / "src/membership/adapters/register/wales-register.json").read_text()
)


def fields(error: aio.AioRpcError) -> set[str]:
    return {v.field for v in field_violations(error)}


async def test_seeding_twice_changes_nothing(seeded: Api) -> None:
    stored = await seeded.stored()
    again = await seeded.stub.SeedRegister(
        pb.SeedRegisterRequest(established_on="2024-04-01"), metadata=seeded.as_("operator")
    )
    assert (again.health_boards_created, again.clusters_created) == (0, 0)
    assert again.collaboratives_created == 0
    assert (again.health_boards_present, again.clusters_present) == (7, 60)
    assert again.collaboratives_present == 420
    assert (again.pcpgs_created, again.pcpgs_present) == (0, 21)
    assert await seeded.stored() == stored


async def test_all_sixty_clusters_read_back_by_board_through_pages(seeded: Api) -> None:
    by_board: Counter[str] = Counter()
    token, pages = "", 0
    while True:
        page = await seeded.stub.ListClusters(
            pb.ListClustersRequest(page_size=7, page_token=token), metadata=seeded.as_("national")
        )
        by_board.update(c.health_board for c in page.clusters)
        pages += 1
        token = page.next_page_token
        if not token:
            break
    expected = Counter(c["health_board"] for c in REGISTER["clusters"])
    assert by_board == expected
    assert sum(by_board.values()) == 60
    assert pages == 9
    assert sorted(by_board.values()) == sorted([11, 14, 9, 8, 7, 3, 8])
    boards = await seeded.stub.ListHealthBoards(
        pb.ListHealthBoardsRequest(), metadata=seeded.as_("national")
    )
    assert [b.ods_code for b in boards.health_boards] == sorted(expected)


async def test_a_cluster_has_its_pcpg_and_a_collaborative_per_profession(seeded: Api) -> None:
    got = await seeded.stub.GetCluster(
        pb.GetClusterRequest(cluster_id="7A3-neath"), metadata=seeded.as_("national")
    )
    assert (got.cluster.pcpg_id, got.cluster.local_authority) == (
        "7A3-swansea-bay",
        "Neath Port Talbot",
    )
    collaboratives = await seeded.stub.ListCollaboratives(
        pb.ListCollaborativesRequest(cluster_id="7A3-neath"), metadata=seeded.as_("national")
    )
    assert len(collaboratives.collaboratives) == 7
    assert "7A3-neath.community-pharmacy" in {c.id for c in collaboratives.collaboratives}


async def test_pcpgs_list_their_open_clusters_and_a_board_sees_its_own(seeded: Api) -> None:
    national = seeded.as_("national")
    pcpgs = await seeded.stub.ListPcpgs(pb.ListPcpgsRequest(page_size=100), metadata=national)
    assert len(pcpgs.pcpgs) == 21
    clusters = await seeded.stub.ListClusters(
        pb.ListClustersRequest(page_size=100), metadata=national
    )
    planned_under = {c.id: c.pcpg_id for c in clusters.clusters}
    listed = {cluster: p.id for p in pcpgs.pcpgs for cluster in p.cluster_ids}
    assert listed == planned_under  # every open cluster, under its own PCPG, once
    [swansea_bay] = [p for p in pcpgs.pcpgs if p.id == "7A3-swansea-bay"]
    assert "7A3-neath" in swansea_bay.cluster_ids
    assert swansea_bay.health_board == "7A3"
    own = await seeded.stub.ListPcpgs(pb.ListPcpgsRequest(), metadata=seeded.as_("board-7a1"))
    assert own.pcpgs
    assert {p.health_board for p in own.pcpgs} == {"7A1"}
    before = await seeded.stub.ListPcpgs(pb.ListPcpgsRequest(as_of="2024-03-31"), metadata=national)
    assert list(before.pcpgs) == []
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.ListPcpgs(pb.ListPcpgsRequest(health_board="7A9"), metadata=national)
    assert fields(refused.value) == {"health_board"}


async def test_a_rename_shows_from_its_date_and_history_is_kept(seeded: Api) -> None:
    renamed = await seeded.stub.RenameCluster(
        pb.RenameClusterRequest(
            cluster_id="7A1-anglesey",
            name="Ynys Môn",
            name_cy="Ynys Môn",
            effective_from="2025-06-01",
        ),
        metadata=seeded.as_("board-7a1"),
    )
    assert renamed.cluster.name == "Ynys Môn"
    board = seeded.as_("board-7a1")
    before = await seeded.stub.GetCluster(
        pb.GetClusterRequest(cluster_id="7A1-anglesey", as_of="2025-05-31"), metadata=board
    )
    after = await seeded.stub.ListClusters(
        pb.ListClustersRequest(health_board="7A1", as_of="2025-06-01"), metadata=board
    )
    assert before.cluster.name == "Anglesey"
    [anglesey] = [c for c in after.clusters if c.id == "7A1-anglesey"]
    assert anglesey.name == "Ynys Môn"
    assert [(n.name, n.effective_from) for n in anglesey.name_history] == [
        ("Anglesey", "2024-04-01"),
        ("Ynys Môn", "2025-06-01"),
    ]
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.RenameCluster(
            pb.RenameClusterRequest(
                cluster_id="7A1-anglesey", name="Môn", effective_from="2024-03-31"
            ),
            metadata=board,
        )
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason(refused.value) == "EFFECTIVE_BEFORE_ESTABLISHMENT"


@pytest.mark.parametrize(
    ("call", "request_message", "expected"),
    [
        ("ListClusters", pb.ListClustersRequest(page_size=101), {"page_size"}),
        ("ListClusters", pb.ListClustersRequest(page_token="nonsense"), {"page_token"}),
        ("ListClusters", pb.ListClustersRequest(as_of="1 June"), {"as_of"}),
        ("ListClusters", pb.ListClustersRequest(health_board="7A9"), {"health_board"}),
        ("GetCluster", pb.GetClusterRequest(), {"cluster_id"}),
        ("GetCluster", pb.GetClusterRequest(cluster_id="Anglesey"), {"cluster_id"}),
        (
            "RenameCluster",
            pb.RenameClusterRequest(cluster_id="7A1-nowhere", name="", effective_from="2025-01-01"),
            {"name"},
        ),
        ("SeedRegister", pb.SeedRegisterRequest(), {"established_on"}),
        (
            "RenameCluster",
            pb.RenameClusterRequest(
                cluster_id="7A1-anglesey", name=" ", effective_from="2025-01-01"
            ),
            {"name"},
        ),
        (
            "RenameCluster",
            pb.RenameClusterRequest(
                cluster_id="7A1-anglesey", name="Môn", effective_from="2025-13-01"
            ),
            {"effective_from"},
        ),
    ],
)
async def test_bad_input_is_refused_with_its_fields_and_stores_nothing(
    seeded: Api, call: str, request_message: object, expected: set[str]
) -> None:
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await getattr(seeded.stub, call)(request_message, metadata=seeded.as_("operator"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert fields(refused.value) == expected
    assert await seeded.stored() == stored


@pytest.mark.parametrize(
    ("call", "request_message"),
    [
        ("GetCluster", pb.GetClusterRequest(cluster_id="7A1-nowhere")),
        ("GetCluster", pb.GetClusterRequest(cluster_id="7A1-anglesey", as_of="2020-01-01")),
        ("ListCollaboratives", pb.ListCollaborativesRequest(cluster_id="7A1-nowhere")),
        (
            "RenameCluster",
            pb.RenameClusterRequest(
                cluster_id="7A1-nowhere", name="X", effective_from="2025-01-01"
            ),
        ),
    ],
)
async def test_unknown_clusters_are_not_found(
    seeded: Api, call: str, request_message: object
) -> None:
    with pytest.raises(aio.AioRpcError) as refused:
        await getattr(seeded.stub, call)(request_message, metadata=seeded.as_("operator"))
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_board_sees_and_changes_only_its_own_clusters(seeded: Api) -> None:
    hywel_dda = seeded.as_("board-7a2")
    own = await seeded.stub.ListClusters(pb.ListClustersRequest(), metadata=hywel_dda)
    assert {c.health_board for c in own.clusters} == {"7A2"}
    assert len(own.clusters) == 7
    stored = await seeded.stored()
    denied: list[Awaitable[object]] = [
        seeded.stub.ListClusters(pb.ListClustersRequest(health_board="7A1"), metadata=hywel_dda),
        seeded.stub.GetCluster(pb.GetClusterRequest(cluster_id="7A1-anglesey"), metadata=hywel_dda),
        seeded.stub.ListCollaboratives(
            pb.ListCollaborativesRequest(cluster_id="7A1-anglesey"), metadata=hywel_dda
        ),
        seeded.stub.RenameCluster(
            pb.RenameClusterRequest(
                cluster_id="7A1-anglesey", name="Môn", effective_from="2025-01-01"
            ),
            metadata=hywel_dda,
        ),
        seeded.stub.RenameCluster(
            pb.RenameClusterRequest(
                cluster_id="7A1-anglesey", name="Môn", effective_from="2025-01-01"
            ),
            metadata=seeded.as_("national"),
        ),
        seeded.stub.SeedRegister(
            pb.SeedRegisterRequest(established_on="2024-04-01"), metadata=hywel_dda
        ),
    ]
    for call in denied:
        with pytest.raises(aio.AioRpcError) as refused:
            await call
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await seeded.stored() == stored


async def test_a_retried_rename_with_the_same_idempotency_key_acts_once(seeded: Api) -> None:
    request = pb.RenameClusterRequest(
        cluster_id="7A2-north-ceredigion", name="Gogledd Ceredigion", effective_from="2025-09-01"
    )
    metadata = call_metadata("board-7a2", idempotency_key="rename-north-ceredigion-1")
    stored = await seeded.stored()
    first = await seeded.stub.RenameCluster(request, metadata=metadata)
    again = await seeded.stub.RenameCluster(request, metadata=metadata)  # the answer was lost
    assert again == first
    assert await seeded.stored() == stored + 1

"""Merges and splits the API refuses: bad fields, unknown ids, taken ids; nothing stored."""

import grpc
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.errors import field_violations
from kernel.testing.grpc import call_metadata

from .conftest import Api

pytestmark = pytest.mark.integration

OPERATOR = call_metadata("operator")


@pytest.mark.parametrize(
    ("call", "request_message", "expected"),
    [
        (
            "MergeClusters",
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon"], effective_from="2025-04-01", surviving_cluster_id="x"
            ),
            {"cluster_ids", "surviving_cluster_id"},
        ),
        (
            "MergeClusters",
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-arfon"],
                effective_from="2025-04-01",
                surviving_cluster_id="7A1-arfon",
            ),
            {"cluster_ids"},
        ),
        (
            "MergeClusters",
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-south-wrexham"],
                effective_from="2025-04-01",
                surviving_cluster_id="7A1-arfon",
            ),
            {"cluster_ids"},
        ),
        (
            "MergeClusters",
            pb.MergeClustersRequest(cluster_ids=["7A1-arfon", "7A1-dwyfor"]),
            {"effective_from"},
        ),
        (
            "SplitCluster",
            pb.SplitClusterRequest(
                cluster_id="7A1-arfon",
                into=[pb.NewCluster(id="7A1-bangor", name="Bangor")],
                effective_from="2025-04-01",
            ),
            {"into"},
        ),
        (
            "SplitCluster",
            pb.SplitClusterRequest(
                cluster_id="7A1-arfon",
                into=[
                    pb.NewCluster(id="7A1-bangor", name="Bangor"),
                    pb.NewCluster(id="7A1-bangor", name="Bangor"),
                ],
                effective_from="2025-04-01",
            ),
            {"into[0].id", "into[1].id", "into[0].name", "into[1].name"},
        ),
    ],
)
async def test_bad_changes_are_refused_with_their_fields_and_store_nothing(
    seeded: Api, call: str, request_message: object, expected: set[str]
) -> None:
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await getattr(seeded.stub, call)(request_message, metadata=OPERATOR)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {v.field for v in field_violations(refused.value)} == expected
    assert await seeded.stored() == stored


@pytest.mark.parametrize(
    ("request_message", "code", "metadata"),
    [
        (
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-nowhere"],
                effective_from="2025-04-01",
                surviving_cluster_id="7A1-arfon",
            ),
            grpc.StatusCode.NOT_FOUND,
            OPERATOR,
        ),
        (
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-dwyfor"],
                effective_from="2024-04-01",
                surviving_cluster_id="7A1-arfon",
            ),
            grpc.StatusCode.FAILED_PRECONDITION,
            OPERATOR,
        ),
        (
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-dwyfor"],
                effective_from="2025-04-01",
                new_cluster=pb.NewCluster(id="7A1-meirionnydd", name="Arfon a Dwyfor"),
            ),
            grpc.StatusCode.ALREADY_EXISTS,
            OPERATOR,
        ),
        (
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-dwyfor"],
                effective_from="2025-04-01",
                new_cluster=pb.NewCluster(id="7A1-wrexham", name="Arfon a Dwyfor"),
            ),
            grpc.StatusCode.ALREADY_EXISTS,  # another PCPG's id: body ids must not clash
            OPERATOR,
        ),
        (
            pb.MergeClustersRequest(
                cluster_ids=["7A1-arfon", "7A1-dwyfor"],
                effective_from="2025-04-01",
                surviving_cluster_id="7A1-arfon",
            ),
            grpc.StatusCode.PERMISSION_DENIED,
            call_metadata("board-7a1"),
        ),
    ],
)
async def test_changes_the_register_refuses_store_nothing(
    seeded: Api,
    request_message: pb.MergeClustersRequest,
    code: grpc.StatusCode,
    metadata: tuple[tuple[str, str], ...],
) -> None:
    stored = await seeded.stored()
    with pytest.raises(aio.AioRpcError) as refused:
        await seeded.stub.MergeClusters(request_message, metadata=metadata)
    assert refused.value.code() == code
    assert await seeded.stored() == stored

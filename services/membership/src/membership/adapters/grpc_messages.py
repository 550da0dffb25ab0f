"""Translation between the API's messages and the application's values, both ways."""

from __future__ import annotations

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.fields import caller_as
from membership.application.access import Caller
from membership.application.ports import BoardView, ClusterView, CollaborativeView


def caller() -> Caller:
    """The authenticated caller of the call being served, as the access rules see it."""
    return caller_as(Caller)


def board_message(board: BoardView) -> pb.HealthBoard:
    return pb.HealthBoard(ods_code=board.ods_code, name=board.name, name_cy=board.name_cy or "")


def cluster_message(cluster: ClusterView) -> pb.Cluster:
    return pb.Cluster(
        id=cluster.cluster_id,
        health_board=cluster.health_board,
        name=cluster.name,
        name_cy=cluster.name_cy or "",
        local_authority=cluster.local_authority,
        population=cluster.population,
        pcpg_id=cluster.pcpg_id,
        pcpg_name=cluster.pcpg_name,
        established_on=cluster.established_on.isoformat(),
        name_history=[
            pb.ClusterName(
                name=n.name, name_cy=n.name_cy or "", effective_from=n.effective_from.isoformat()
            )
            for n in cluster.name_history
        ],
        closed_on=cluster.closed_on.isoformat() if cluster.closed_on else "",
        successor_ids=cluster.successor_ids,
        predecessor_ids=cluster.predecessor_ids,
    )


def collaborative_message(collaborative: CollaborativeView) -> pb.Collaborative:
    return pb.Collaborative(
        id=collaborative.collaborative_id,
        cluster_id=collaborative.cluster_id,
        profession=collaborative.profession,
        established_on=collaborative.established_on.isoformat(),
        closed_on=collaborative.closed_on.isoformat() if collaborative.closed_on else "",
    )

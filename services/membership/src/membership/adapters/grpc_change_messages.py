"""Translation of the merge and split requests into the domain's change requests."""

from __future__ import annotations

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.grpc.fields import parse_date
from membership.domain.change_requests import MergeRequest, NewCluster, SplitRequest


def new_cluster(message: pb.NewCluster) -> NewCluster:
    return NewCluster(
        cluster_id=message.id,
        name=message.name,
        name_cy=message.name_cy or None,
        local_authority=message.local_authority or None,
        population=message.population if message.HasField("population") else None,
    )


def merge_request(request: pb.MergeClustersRequest) -> MergeRequest:
    into = request.WhichOneof("into")
    return MergeRequest(
        cluster_ids=tuple(request.cluster_ids),
        effective_from=parse_date("effective_from", request.effective_from),
        surviving_cluster_id=request.surviving_cluster_id
        if into == "surviving_cluster_id"
        else None,
        new_cluster=new_cluster(request.new_cluster) if into == "new_cluster" else None,
    )


def split_request(request: pb.SplitClusterRequest) -> SplitRequest:
    return SplitRequest(
        cluster_id=request.cluster_id,
        into=tuple(new_cluster(c) for c in request.into),
        effective_from=parse_date("effective_from", request.effective_from),
    )

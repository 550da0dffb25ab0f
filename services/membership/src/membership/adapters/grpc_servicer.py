"""``clwstwr.membership.v1.MembershipService``: requests to commands and queries, and back.

Commands wait for this process's read model to apply what they stored before answering, so a
client that reads after a successful write sees it (read-your-writes).
"""

from __future__ import annotations

import datetime as dt

from grpc import aio
from typing_extensions import override

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.calendar import london_today
from kernel.errors import NotFound
from kernel.grpc.fields import parse_date
from kernel.paging import PageRequest, next_page_token
from membership.adapters.grpc_change_messages import merge_request, split_request
from membership.adapters.grpc_messages import (
    board_message,
    caller,
    cluster_message,
    collaborative_message,
)
from membership.adapters.grpc_roster import RosterParts, RosterServicer
from membership.application.handlers import Register, RegisterCommands
from membership.application.ports import ClusterView, ReadModelSync, RegisterQueries
from membership.domain.register import board_code_problem, check, cluster_id_problem

Context = aio.ServicerContext[object, object]


class MembershipServicer(RosterServicer):
    """The whole service: the register's RPCs here, the roster's inherited."""

    def __init__(
        self,
        commands: RegisterCommands,
        queries: RegisterQueries,
        sync: ReadModelSync,
        register: Register,
        roster: RosterParts,
    ) -> None:
        super().__init__(roster, sync)
        self._commands = commands
        self._queries = queries
        self._sync = sync
        self._register = register

    @override
    async def SeedRegister(
        self, request: pb.SeedRegisterRequest, context: Context
    ) -> pb.SeedRegisterResponse:
        established_on = parse_date("established_on", request.established_on)
        result = await self._commands.seed_register(caller(), self._register, established_on)
        await self._sync.caught_up(result.last_position)
        return pb.SeedRegisterResponse(
            health_boards_created=result.boards_created,
            health_boards_present=result.boards_present,
            pcpgs_created=result.pcpgs_created,
            pcpgs_present=result.pcpgs_present,
            clusters_created=result.clusters_created,
            clusters_present=result.clusters_present,
            collaboratives_created=result.collaboratives_created,
            collaboratives_present=result.collaboratives_present,
        )

    @override
    async def ListHealthBoards(
        self, request: pb.ListHealthBoardsRequest, context: Context
    ) -> pb.ListHealthBoardsResponse:
        caller().require_reader()
        page = PageRequest.parse(request.page_size, request.page_token)
        boards = await self._queries.list_boards(page)
        return pb.ListHealthBoardsResponse(
            health_boards=[board_message(b) for b in boards[: page.size]],
            next_page_token=next_page_token([b.ods_code for b in boards], page),
        )

    @override
    async def ListClusters(
        self, request: pb.ListClustersRequest, context: Context
    ) -> pb.ListClustersResponse:
        board, as_of, page = _register_listing(request)
        clusters = await self._queries.list_clusters(board, as_of, page)
        return pb.ListClustersResponse(
            clusters=[cluster_message(c) for c in clusters[: page.size]],
            next_page_token=next_page_token([c.cluster_id for c in clusters], page),
        )

    @override
    async def ListPcpgs(
        self, request: pb.ListPcpgsRequest, context: Context
    ) -> pb.ListPcpgsResponse:
        board, as_of, page = _register_listing(request)
        pcpgs = await self._queries.list_pcpgs(board, as_of, page)
        return pb.ListPcpgsResponse(
            pcpgs=[
                pb.Pcpg(
                    id=p.pcpg_id,
                    health_board=p.health_board,
                    name=p.name,
                    cluster_ids=p.cluster_ids,
                )
                for p in pcpgs[: page.size]
            ],
            next_page_token=next_page_token([p.pcpg_id for p in pcpgs], page),
        )

    @override
    async def GetCluster(
        self, request: pb.GetClusterRequest, context: Context
    ) -> pb.GetClusterResponse:
        as_of = parse_date("as_of", request.as_of, default=london_today())
        cluster = await self._readable_cluster(request.cluster_id, as_of)
        return pb.GetClusterResponse(cluster=cluster_message(cluster))

    @override
    async def RenameCluster(
        self, request: pb.RenameClusterRequest, context: Context
    ) -> pb.RenameClusterResponse:
        _require_id(request.cluster_id)
        effective_from = parse_date("effective_from", request.effective_from)
        position = await self._commands.rename_cluster(
            caller(),
            request.cluster_id,
            request.name,
            request.name_cy or None,
            effective_from,
        )
        await self._sync.caught_up(position)
        cluster = await self._readable_cluster(request.cluster_id, effective_from)
        return pb.RenameClusterResponse(cluster=cluster_message(cluster))

    @override
    async def ListCollaboratives(
        self, request: pb.ListCollaborativesRequest, context: Context
    ) -> pb.ListCollaborativesResponse:
        page = PageRequest.parse(request.page_size, request.page_token)
        as_of = parse_date("as_of", request.as_of) if request.as_of else None
        await self._readable_cluster(request.cluster_id, None)
        found = await self._queries.list_collaboratives(request.cluster_id, as_of, page)
        return pb.ListCollaborativesResponse(
            collaboratives=[collaborative_message(c) for c in found[: page.size]],
            next_page_token=next_page_token([c.collaborative_id for c in found], page),
        )

    @override
    async def MergeClusters(
        self, request: pb.MergeClustersRequest, context: Context
    ) -> pb.MergeClustersResponse:
        merge = merge_request(request)
        into, position = await self._commands.changes.merge_clusters(caller(), merge)
        await self._sync.caught_up(position)
        cluster = await self._readable_cluster(into, merge.effective_from)
        closed = [c for c in merge.cluster_ids if c != into]
        return pb.MergeClustersResponse(cluster=cluster_message(cluster), closed_cluster_ids=closed)

    @override
    async def SplitCluster(
        self, request: pb.SplitClusterRequest, context: Context
    ) -> pb.SplitClusterResponse:
        split = split_request(request)
        new_ids, position = await self._commands.changes.split_cluster(caller(), split)
        await self._sync.caught_up(position)
        clusters = [await self._readable_cluster(c, split.effective_from) for c in new_ids]
        return pb.SplitClusterResponse(clusters=[cluster_message(c) for c in clusters])

    async def _readable_cluster(self, cluster_id: str, as_of: dt.date | None) -> ClusterView:
        _require_id(cluster_id)
        cluster = await self._queries.get_cluster(cluster_id, as_of)
        if cluster is None:
            raise NotFound(f"no cluster {cluster_id!r} on {as_of or 'any date'}")
        caller().require_read(cluster.health_board)
        return cluster


def _require_id(cluster_id: str) -> None:
    check(("cluster_id", cluster_id_problem(cluster_id) if cluster_id else "is required"))


def _register_listing(
    request: pb.ListClustersRequest | pb.ListPcpgsRequest,
) -> tuple[str | None, dt.date, PageRequest]:
    """A register list's board (as the caller may read it), date and page, checked."""
    requested = request.health_board or None
    if requested is not None:
        check(("health_board", board_code_problem(requested)))
    as_of = parse_date("as_of", request.as_of, default=london_today())
    page = PageRequest.parse(request.page_size, request.page_token)
    return caller().board_filter(requested), as_of, page

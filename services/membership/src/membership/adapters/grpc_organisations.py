"""``GetOrganisation`` and ``ListOrganisations``: scoped by board like every other read."""

from __future__ import annotations

from grpc import aio
from typing_extensions import override

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.errors import NotFound
from kernel.grpc.fields import optional
from kernel.paging import PageRequest, next_page_token
from membership.adapters.grpc_governance import GovernanceParts, GovernanceServicer
from membership.adapters.grpc_messages import caller
from membership.adapters.grpc_roster_messages import require_ids
from membership.application.organisation_ports import (
    OrganisationFilter,
    OrganisationQueries,
    OrganisationView,
)
from membership.application.ports import ReadModelSync
from membership.domain.organisation_kinds import ORGANISATION_KINDS, kind_problem
from membership.domain.register import board_code_problem, check, cluster_id_problem

Context = aio.ServicerContext[object, object]


def organisation_message(organisation: OrganisationView) -> pb.Organisation:
    kind = ORGANISATION_KINDS.get(organisation.kind)
    return pb.Organisation(
        id=organisation.organisation_id,
        name=organisation.name,
        kind=organisation.kind,
        ods_code=organisation.ods_code or "",
        cluster_id=organisation.cluster_id,
        health_board=organisation.health_board,
        health_board_salaried=organisation.health_board_salaried,
        profession=(kind.profession if kind else None) or "",
    )


class OrganisationServicer(GovernanceServicer):
    """The organisation reads of ``MembershipService`` (the roster's servicer subclasses it)."""

    def __init__(
        self, governance: GovernanceParts, sync: ReadModelSync, organisations: OrganisationQueries
    ) -> None:
        super().__init__(governance, sync)
        self._organisation_queries = organisations

    @override
    async def GetOrganisation(
        self, request: pb.GetOrganisationRequest, context: Context
    ) -> pb.GetOrganisationResponse:
        require_ids(organisation_id=request.organisation_id)
        found = await self._organisation_queries.get_organisation(request.organisation_id)
        if found is None:
            raise NotFound(f"no organisation {request.organisation_id!r}")
        caller().require_read(found.health_board)
        return pb.GetOrganisationResponse(organisation=organisation_message(found))

    @override
    async def ListOrganisations(
        self, request: pb.ListOrganisationsRequest, context: Context
    ) -> pb.ListOrganisationsResponse:
        board, cluster_id, kind = (
            optional(request.health_board),
            optional(request.cluster_id),
            optional(request.kind),
        )
        check(
            ("health_board", board_code_problem(board) if board else None),
            ("cluster_id", cluster_id_problem(cluster_id) if cluster_id else None),
            ("kind", kind_problem(kind) if kind else None),
        )
        page = PageRequest.parse(request.page_size, request.page_token)
        only = OrganisationFilter(caller().board_filter(board), cluster_id, kind)
        found = await self._organisation_queries.list_organisations(only, page)
        return pb.ListOrganisationsResponse(
            organisations=[organisation_message(o) for o in found[: page.size]],
            next_page_token=next_page_token([o.organisation_id for o in found], page),
        )

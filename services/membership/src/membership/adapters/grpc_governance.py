"""The governance RPCs: registers of interests and terms of reference.

Like the roster's, commands wait for this process's read model to apply what they stored
before answering (read-your-writes). Reading a body's register or terms needs the right to read
its board; changing them, the right to change it (its own health board, or an operator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from grpc import aio
from typing_extensions import override

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1 import membership_service_pb2_grpc as pb_grpc
from kernel.calendar import london_today
from kernel.errors import NotFound
from kernel.grpc.fields import optional, parse_date
from kernel.paging import PageRequest, next_page_token
from membership.adapters.grpc_messages import caller
from membership.adapters.grpc_roster_messages import require_ids
from membership.application.governance import GovernanceCommands
from membership.application.governance_ports import GovernanceQueries, InterestView
from membership.application.ports import ReadModelSync
from membership.application.roster_ports import Bodies
from membership.domain.bodies import Body
from membership.domain.terms import overdue, review_due

Context = aio.ServicerContext[object, object]


@dataclass(frozen=True, slots=True)
class GovernanceParts:
    """What the governance RPCs are built from."""

    commands: GovernanceCommands
    queries: GovernanceQueries
    bodies: Bodies


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def interest_message(interest: InterestView) -> pb.Interest:
    return pb.Interest(
        id=interest.interest_id,
        person_id=interest.person_id,
        person_name=interest.person_name,
        kind=interest.kind,
        description=interest.description,
        declared_on=_iso(interest.declared_on),
        withdrawn_on=_iso(interest.withdrawn_on),
    )


class GovernanceServicer(pb_grpc.MembershipServiceServicer):
    """The governance part of ``MembershipService`` (the roster's servicer subclasses it)."""

    def __init__(self, governance: GovernanceParts, sync: ReadModelSync) -> None:
        self._governance = governance.commands
        self._governance_queries = governance.queries
        self._governance_bodies = governance.bodies
        self._governance_sync = sync

    @override
    async def DeclareInterest(
        self, request: pb.DeclareInterestRequest, context: Context
    ) -> pb.DeclareInterestResponse:
        require_ids(body_id=request.body_id, person_id=request.person_id)
        declared_on = parse_date("declared_on", request.declared_on)
        interest_id, position = await self._governance.declare_interest(
            caller(),
            request.body_id,
            request.person_id,
            request.kind,
            request.description,
            declared_on,
        )
        await self._governance_sync.caught_up(position)
        return pb.DeclareInterestResponse(interest_id=interest_id)

    @override
    async def WithdrawInterest(
        self, request: pb.WithdrawInterestRequest, context: Context
    ) -> pb.WithdrawInterestResponse:
        require_ids(body_id=request.body_id, interest_id=request.interest_id)
        withdrawn_on = parse_date("withdrawn_on", request.withdrawn_on)
        position = await self._governance.withdraw_interest(
            caller(), request.body_id, request.interest_id, withdrawn_on
        )
        await self._governance_sync.caught_up(position)
        return pb.WithdrawInterestResponse()

    @override
    async def ListInterests(
        self, request: pb.ListInterestsRequest, context: Context
    ) -> pb.ListInterestsResponse:
        require_ids(body_id=request.body_id)
        as_of = parse_date("as_of", request.as_of, default=london_today())
        page = PageRequest.parse(request.page_size, request.page_token)
        body = await self._readable_body(request.body_id)
        found = await self._governance_queries.list_interests(body.body_id, as_of, page)
        return pb.ListInterestsResponse(
            interests=[interest_message(i) for i in found[: page.size]],
            next_page_token=next_page_token([i.interest_id for i in found], page),
        )

    @override
    async def RecordTermsOfReferenceReview(
        self, request: pb.RecordTermsOfReferenceReviewRequest, context: Context
    ) -> pb.RecordTermsOfReferenceReviewResponse:
        require_ids(body_id=request.body_id)
        reviewed_on = parse_date("reviewed_on", request.reviewed_on)
        position = await self._governance.record_review(
            caller(),
            request.body_id,
            reviewed_on,
            request.quorum.minimum_core_members,
            optional(request.reviewed_by),
        )
        await self._governance_sync.caught_up(position)
        return pb.RecordTermsOfReferenceReviewResponse()

    @override
    async def GetTermsOfReference(
        self, request: pb.GetTermsOfReferenceRequest, context: Context
    ) -> pb.GetTermsOfReferenceResponse:
        require_ids(body_id=request.body_id)
        as_of = parse_date("as_of", request.as_of, default=london_today())
        body = await self._readable_body(request.body_id)
        terms = await self._governance_queries.terms_in_force(body.body_id, as_of)
        if terms is None:
            raise NotFound(f"no terms of reference of {body.body_id} reviewed by {as_of}")
        return pb.GetTermsOfReferenceResponse(
            body_id=terms.body_id,
            quorum=pb.QuorumRule(minimum_core_members=terms.minimum_core_members),
            last_reviewed_on=terms.reviewed_on.isoformat(),
            reviewed_by=terms.reviewed_by,
            next_review_due=review_due(terms.reviewed_on).isoformat(),
            review_overdue=overdue(terms.reviewed_on, as_of),
        )

    async def _readable_body(self, body_id: str) -> Body:
        body = await self._governance_bodies.find_body(body_id)
        if body is None:
            raise NotFound(f"no body {body_id!r}")
        caller().require_read(body.health_board)
        return body

"""The roster's RPCs: organisations, people, memberships, appointments and ``ListMembers``.

Commands wait for this process's read model to apply what they stored before answering
(read-your-writes), so a client may read a member straight after enrolling them.
"""

from __future__ import annotations

from dataclasses import dataclass

from grpc import aio
from typing_extensions import override

from clwstwr.membership.v1 import membership_service_pb2 as pb
from kernel.calendar import london_today
from kernel.errors import NotFound
from kernel.grpc.fields import optional, parse_date
from kernel.paging import PageRequest, next_page_token
from membership.adapters.grpc_governance import GovernanceParts
from membership.adapters.grpc_messages import caller
from membership.adapters.grpc_organisations import OrganisationServicer
from membership.adapters.grpc_roster_messages import member_message, person_message, require_ids
from membership.application.organisations import OrganisationCommands
from membership.application.ports import ReadModelSync
from membership.application.roster_ports import Bodies, RosterQueries
from membership.application.rosters import RosterCommands
from membership.domain.organisation import NewOrganisation
from membership.domain.roster_rules import Span

Context = aio.ServicerContext[object, object]


@dataclass(frozen=True, slots=True)
class RosterParts:
    """What the roster's RPCs are built from."""

    organisations: OrganisationCommands
    rosters: RosterCommands
    bodies: Bodies
    queries: RosterQueries
    governance: GovernanceParts


class RosterServicer(OrganisationServicer):
    """The roster part of ``MembershipService`` (the register's servicer subclasses it)."""

    def __init__(self, roster: RosterParts, sync: ReadModelSync) -> None:
        super().__init__(roster.governance, sync, roster.queries)
        self._organisations = roster.organisations
        self._rosters = roster.rosters
        self._bodies = roster.bodies
        self._roster_queries = roster.queries
        self._sync = sync

    @override
    async def RegisterOrganisation(
        self, request: pb.RegisterOrganisationRequest, context: Context
    ) -> pb.RegisterOrganisationResponse:
        require_ids(cluster_id=request.cluster_id)
        new = NewOrganisation(
            name=request.name,
            kind=request.kind,
            ods_code=optional(request.ods_code.upper()),
            cluster_id=request.cluster_id,
            health_board_salaried=request.health_board_salaried,
        )
        organisation_id, position = await self._organisations.register_organisation(caller(), new)
        await self._sync.caught_up(position)
        return pb.RegisterOrganisationResponse(organisation_id=organisation_id)

    @override
    async def RegisterPerson(
        self, request: pb.RegisterPersonRequest, context: Context
    ) -> pb.RegisterPersonResponse:
        person_id, position = await self._organisations.register_person(
            caller(), request.name, optional(request.role_title), optional(request.contact)
        )
        await self._sync.caught_up(position)
        return pb.RegisterPersonResponse(person_id=person_id)

    @override
    async def GetPerson(
        self, request: pb.GetPersonRequest, context: Context
    ) -> pb.GetPersonResponse:
        require_ids(person_id=request.person_id)
        caller().require_reader()
        person = await self._roster_queries.get_person(request.person_id)
        if person is None:
            raise NotFound(f"no person {request.person_id!r}")
        return pb.GetPersonResponse(person=person_message(person))

    @override
    async def ErasePerson(
        self, request: pb.ErasePersonRequest, context: Context
    ) -> pb.ErasePersonResponse:
        require_ids(person_id=request.person_id)
        position = await self._organisations.erase_person(caller(), request.person_id)
        await self._sync.caught_up(position)
        return pb.ErasePersonResponse()

    @override
    async def EnrolMember(
        self, request: pb.EnrolMemberRequest, context: Context
    ) -> pb.EnrolMemberResponse:
        require_ids(body_id=request.body_id, person_id=request.person_id)
        start = parse_date("start_date", request.start_date)
        membership_id, position = await self._rosters.enrol_member(
            caller(),
            request.body_id,
            request.person_id,
            request.kind,
            request.role_title,
            optional(request.organisation_id),
            start,
        )
        await self._sync.caught_up(position)
        return pb.EnrolMemberResponse(membership_id=membership_id)

    @override
    async def EndMembership(
        self, request: pb.EndMembershipRequest, context: Context
    ) -> pb.EndMembershipResponse:
        require_ids(body_id=request.body_id, membership_id=request.membership_id)
        end = parse_date("end_date", request.end_date)
        position = await self._rosters.end_membership(
            caller(), request.body_id, request.membership_id, end
        )
        await self._sync.caught_up(position)
        return pb.EndMembershipResponse()

    @override
    async def AppointLead(
        self, request: pb.AppointLeadRequest, context: Context
    ) -> pb.AppointLeadResponse:
        require_ids(body_id=request.body_id, person_id=request.person_id)
        start = parse_date("start_date", request.start_date)
        end = parse_date("end_date", request.end_date) if request.end_date else None
        appointment_id, position = await self._rosters.appoint_lead(
            caller(),
            request.body_id,
            request.person_id,
            request.role,
            Span(start, end),
            optional(request.usual_workplace_id),
        )
        await self._sync.caught_up(position)
        return pb.AppointLeadResponse(appointment_id=appointment_id)

    @override
    async def EndAppointment(
        self, request: pb.EndAppointmentRequest, context: Context
    ) -> pb.EndAppointmentResponse:
        require_ids(body_id=request.body_id, appointment_id=request.appointment_id)
        end = parse_date("end_date", request.end_date)
        position = await self._rosters.end_appointment(
            caller(), request.body_id, request.appointment_id, end
        )
        await self._sync.caught_up(position)
        return pb.EndAppointmentResponse()

    @override
    async def ListMembers(
        self, request: pb.ListMembersRequest, context: Context
    ) -> pb.ListMembersResponse:
        require_ids(body_id=request.body_id)
        as_of = parse_date("as_of", request.as_of, default=london_today())
        page = PageRequest.parse(request.page_size, request.page_token)
        # One read for the body and its page: under load every round trip is another wait
        # behind the commands in this process's event loop. Nothing is returned unless the
        # caller may read the body's board.
        found = await self._roster_queries.body_members(request.body_id, as_of, page)
        if found is None:
            raise NotFound(f"no body {request.body_id!r}")
        body, members = found
        caller().require_read(body.health_board)
        return pb.ListMembersResponse(
            members=[member_message(m) for m in members[: page.size]],
            next_page_token=next_page_token([m.membership_id for m in members], page),
        )

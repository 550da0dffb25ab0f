"""The composition root: how the runtime builds the meetings service from its parts."""

from __future__ import annotations

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from clwstwr.meetings.v1 import meetings_service_pb2_grpc as pb_grpc
from contracts import membership as published
from kernel.grpc.server import servicer
from kernel.personal_data import PersonalDataPolicy
from kernel.personal_data.postgres import ErasureFollower
from kernel.projections import ProjectionHandler, create_tables
from kernel.runtime import Infrastructure, ServiceDefinition, ServiceParts, Subscription
from meetings.adapters.grpc_servicer import MeetingsServicer
from meetings.adapters.meeting_queries import PostgresMeetingQueries
from meetings.adapters.meeting_view import MeetingView
from meetings.adapters.membership_queries import PostgresMembershipView
from meetings.adapters.membership_view import MembershipView
from meetings.application.commands import MeetingCommands
from meetings.domain.events import EVENTS
from meetings.settings import MeetingsSettings

SERVICE_NAME = "MeetingsService"
#: Membership's erasure events, by the field naming whom (they shred meetings' copies too).
MEMBERSHIP_ERASURES = {published.PersonErased.event_type: "person_id"}


def definition(membership_source: str = "membership") -> ServiceDefinition:
    """The meetings service as the kernel's runtime runs it.

    ``membership_source`` names the membership service whose events build meetings' own
    copy of who is who (its Redis stream and its EventFeed in ``CLWSTWR_FEED_TARGETS``).
    """

    async def build(infra: Infrastructure) -> ServiceParts:
        schema = infra.settings.service_name
        membership = ProjectionHandler(MembershipView(), schema)
        meetings = ProjectionHandler(MeetingView(), schema)
        # Created here, not by the consumers, so commands and queries never meet a missing table.
        async with infra.pool.acquire() as conn:
            await create_tables(conn, schema, MembershipView())
            await create_tables(conn, schema, MeetingView())
        commands = MeetingCommands(
            infra.store, PostgresMembershipView(infra.pool, membership.tables)
        )
        api = MeetingsServicer(
            commands, PostgresMeetingQueries(infra.pool, meetings.tables), infra.read_models
        )
        registration = servicer(
            pb.DESCRIPTOR.services_by_name[SERVICE_NAME],
            pb_grpc.add_MeetingsServiceServicer_to_server,
            api,
        )
        return ServiceParts(
            grpc_services=[registration],
            subscriptions=[
                Subscription(membership, [membership_source]),
                Subscription(ErasureFollower(schema, MEMBERSHIP_ERASURES), [membership_source]),
            ],
            projections=[meetings],
        )

    return ServiceDefinition(
        name="meetings", build=build, personal_data=PersonalDataPolicy.of(EVENTS.classes())
    )


def configured() -> tuple[ServiceDefinition, MeetingsSettings]:
    """The service as this process's environment configures it (``CLWSTWR_*``)."""
    settings = MeetingsSettings()
    return definition(settings.membership_source), settings

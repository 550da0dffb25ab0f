"""The composition root: how the runtime builds the membership service from its parts."""

from __future__ import annotations

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1 import membership_service_pb2_grpc as pb_grpc
from kernel.grpc.server import servicer
from kernel.personal_data import PersonalDataPolicy
from kernel.projections import Projection, ProjectionHandler, create_tables
from kernel.runtime import Infrastructure, ServiceDefinition, ServiceParts
from membership.adapters.governance_queries import PostgresGovernanceQueries
from membership.adapters.governance_read_model import GovernanceView
from membership.adapters.grpc_governance import GovernanceParts
from membership.adapters.grpc_roster import RosterParts
from membership.adapters.grpc_servicer import MembershipServicer
from membership.adapters.queries import PostgresRegisterQueries
from membership.adapters.read_model import RegisterView
from membership.adapters.register_file import load_register
from membership.adapters.roster_queries import PostgresRosterQueries
from membership.adapters.roster_read_model import RosterView
from membership.application.governance import GovernanceCommands
from membership.application.handlers import RegisterCommands
from membership.application.organisations import OrganisationCommands
from membership.application.rosters import RosterCommands
from membership.domain.events import EVENTS
from membership.settings import MembershipSettings

SERVICE_NAME = "MembershipService"


async def build(infra: Infrastructure) -> ServiceParts:
    """Wire commands, the read model and the API over the runtime's pool and store."""
    schema = infra.settings.service_name
    views: tuple[Projection, ...] = (RegisterView(), RosterView(), GovernanceView())
    handler, roster_handler, governance_handler = (ProjectionHandler(v, schema) for v in views)
    # Created here, not by the projector task, so queries never meet a missing table.
    async with infra.pool.acquire() as conn:
        for view in views:
            await create_tables(conn, schema, view)
    roster_queries = PostgresRosterQueries(infra.pool, {**handler.tables, **roster_handler.tables})
    organisations = OrganisationCommands(infra.store, roster_queries)
    rosters = RosterCommands(infra.store, roster_queries, organisations)
    governance = GovernanceParts(
        commands=GovernanceCommands(infra.store, rosters),
        queries=PostgresGovernanceQueries(
            infra.pool, {**roster_handler.tables, **governance_handler.tables}
        ),
        bodies=roster_queries,
    )
    roster = RosterParts(
        organisations=organisations,
        rosters=rosters,
        bodies=roster_queries,
        queries=roster_queries,
        governance=governance,
    )
    api = MembershipServicer(
        RegisterCommands(infra.store),
        PostgresRegisterQueries(infra.pool, handler.tables),
        infra.read_models,
        load_register(),
        roster,
    )
    registration = servicer(
        pb.DESCRIPTOR.services_by_name[SERVICE_NAME],
        pb_grpc.add_MembershipServiceServicer_to_server,
        api,
    )
    return ServiceParts(
        grpc_services=[registration],
        projections=[handler, roster_handler, governance_handler],
    )


def definition() -> ServiceDefinition:
    """The membership service as the kernel's runtime runs it."""
    return ServiceDefinition(
        name="membership", build=build, personal_data=PersonalDataPolicy.of(EVENTS.classes())
    )


def configured() -> tuple[ServiceDefinition, MembershipSettings]:
    """The service as this process's environment configures it (``CLWSTWR_*``)."""
    return definition(), MembershipSettings()

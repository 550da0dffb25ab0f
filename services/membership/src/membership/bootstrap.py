"""The composition root: how the runtime builds the membership service from its parts."""

from __future__ import annotations

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1 import membership_service_pb2_grpc as pb_grpc
from kernel.grpc.server import servicer
from kernel.projections import ProjectionHandler, create_tables
from kernel.runtime import Infrastructure, ServiceDefinition, ServiceParts
from membership.adapters.grpc_servicer import MembershipServicer
from membership.adapters.queries import PostgresRegisterQueries
from membership.adapters.read_model import RegisterView
from membership.adapters.register_file import load_register
from membership.application.handlers import RegisterCommands

SERVICE_NAME = "MembershipService"


async def build(infra: Infrastructure) -> ServiceParts:
    """Wire commands, the read model and the API over the runtime's pool and store."""
    schema = infra.settings.service_name
    view = RegisterView()
    handler = ProjectionHandler(view, schema)
    # Created here, not by the projector task, so queries never meet a missing table.
    async with infra.pool.acquire() as conn:
        await create_tables(conn, schema, view)
    api = MembershipServicer(
        RegisterCommands(infra.store),
        PostgresRegisterQueries(infra.pool, handler.tables),
        infra.read_models,
        load_register(),
    )
    registration = servicer(
        pb.DESCRIPTOR.services_by_name[SERVICE_NAME],
        pb_grpc.add_MembershipServiceServicer_to_server,
        api,
    )
    return ServiceParts(grpc_services=[registration], projections=[handler])


def definition() -> ServiceDefinition:
    """The membership service as the kernel's runtime runs it."""
    return ServiceDefinition(name="membership", build=build)

"""The composition root: how the runtime builds the payments service from its parts."""

from __future__ import annotations

from clwstwr.payments.v1 import payments_service_pb2 as pb
from clwstwr.payments.v1 import payments_service_pb2_grpc as pb_grpc
from kernel.grpc.server import servicer
from kernel.runtime import Infrastructure, ServiceDefinition, ServiceParts, Subscription
from payments.adapters.facts_tables import (
    ACCRUAL_LOOKUPS_MIGRATION,
    APPOINTMENTS_BY_PERSON_MIGRATION,
    FACTS_MIGRATION,
)
from payments.adapters.grpc_servicer import PaymentsServicer
from payments.adapters.ledger_table import LEDGER_MIGRATION
from payments.adapters.meetings_facts import MeetingsFacts
from payments.adapters.membership_facts import MembershipFacts
from payments.adapters.own_facts import OwnFacts
from payments.adapters.queries import PostgresPaymentQueries
from payments.application.commands import PaymentCommands
from payments.settings import PaymentsSettings

SERVICE_NAME = "PaymentsService"


def definition(settings: PaymentsSettings) -> ServiceDefinition:
    """The payments service as the kernel's runtime runs it, following the named sources."""

    async def build(infra: Infrastructure) -> ServiceParts:
        schema = infra.settings.service_name
        queries = PostgresPaymentQueries(infra.pool, schema)
        commands = PaymentCommands(infra.store, queries, settings.signatories())
        # Idempotent: the first start publishes the shipped card, later ones find it there.
        await commands.seed_shipped_card()
        api = PaymentsServicer(commands, queries, infra.read_models)
        registration = servicer(
            pb.DESCRIPTOR.services_by_name[SERVICE_NAME],
            pb_grpc.add_PaymentsServiceServicer_to_server,
            api,
        )
        return ServiceParts(
            grpc_services=[registration],
            subscriptions=[
                Subscription(
                    MembershipFacts(schema, settings.membership_source),
                    [settings.membership_source],
                ),
                Subscription(
                    MeetingsFacts(schema, settings.meetings_source), [settings.meetings_source]
                ),
            ],
            projections=[OwnFacts(schema)],
        )

    return ServiceDefinition(
        name="payments",
        build=build,
        migrations=[
            LEDGER_MIGRATION,
            FACTS_MIGRATION,
            ACCRUAL_LOOKUPS_MIGRATION,
            APPOINTMENTS_BY_PERSON_MIGRATION,
        ],
    )


def configured() -> tuple[ServiceDefinition, PaymentsSettings]:
    """The service as this process's environment configures it (``CLWSTWR_*``)."""
    settings = PaymentsSettings()
    return definition(settings), settings

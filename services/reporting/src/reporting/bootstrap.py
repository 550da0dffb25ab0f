"""The composition root: how the runtime builds the reporting service from its parts."""

from __future__ import annotations

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1 import reporting_service_pb2_grpc as pb_grpc
from kernel.calendar import london_today
from kernel.grpc.server import servicer
from kernel.projections import Projection, ProjectionHandler, create_tables
from kernel.runtime import Infrastructure, ServiceDefinition, ServiceParts, Subscription
from reporting.adapters.assessment_queries import PostgresAssessmentQueries
from reporting.adapters.compliance_queries import (
    PostgresComplianceQueries,
    PostgresReadModelsVersion,
)
from reporting.adapters.compliance_view import ComplianceView
from reporting.adapters.cycle_queries import PostgresCycleQueries
from reporting.adapters.grpc_servicer import ReportingParts, ReportingServicer
from reporting.adapters.maturity_queries import PostgresMaturityQueries
from reporting.adapters.maturity_view import MaturityView
from reporting.adapters.membership_view import MembershipView
from reporting.adapters.payment_queries import PostgresPaymentQueries
from reporting.adapters.payments_view import PaymentsView
from reporting.adapters.register_queries import PostgresRegister
from reporting.application.assessment_reads import AssessmentReads
from reporting.application.catalogue import CatalogueCommands
from reporting.application.cluster_report import ComplianceReads
from reporting.application.cycle_status import CycleReads
from reporting.application.maturity import MaturityReads
from reporting.application.national_overview import NationalOverview
from reporting.application.ports import Today
from reporting.application.report_watch import ReadModelChanges
from reporting.application.reviews import ReviewCommands
from reporting.settings import ReportingSettings

SERVICE_NAME = "ReportingService"


def definition(
    membership_source: str = "membership",
    today: Today = london_today,
    meetings_source: str = "meetings",
    payments_source: str = "payments",
) -> ServiceDefinition:
    """The reporting service as the kernel's runtime runs it.

    ``membership_source``, ``meetings_source`` and ``payments_source`` name the services whose
    events tell reporting the register, the meetings held and the money (their Redis streams,
    and their EventFeeds in ``CLWSTWR_FEED_TARGETS``).
    """

    async def build(infra: Infrastructure) -> ServiceParts:
        schema = infra.settings.service_name
        views: tuple[Projection, ...] = (
            MembershipView(),
            MaturityView(),
            ComplianceView(),
            PaymentsView(),
        )
        membership, maturity, meetings, payments = (ProjectionHandler(v, schema) for v in views)
        # Created here, not by the consumers, so commands and queries never meet a missing table.
        async with infra.pool.acquire() as conn:
            for view in views:
                await create_tables(conn, schema, view)
        register = PostgresRegister(infra.pool, membership.tables)
        tables = {**membership.tables, **maturity.tables, **meetings.tables}
        payment_queries = PostgresPaymentQueries(infra.pool, payments.tables)
        maturity_queries = PostgresMaturityQueries(infra.pool, tables)
        compliance_queries = PostgresComplianceQueries(infra.pool, tables)
        version = PostgresReadModelsVersion(infra.pool, schema, [v.name for v in views])
        api = ReportingServicer(
            ReportingParts(
                catalogue=CatalogueCommands(infra.store),
                reviews=ReviewCommands(infra.store, register, today),
                maturity=MaturityReads(maturity_queries, register),
                cycles=CycleReads(PostgresCycleQueries(infra.pool, tables)),
                assessments=AssessmentReads(
                    PostgresAssessmentQueries(infra.pool, tables), register
                ),
                reports=ComplianceReads(
                    compliance_queries,
                    maturity_queries,
                    payment_queries,
                    register,
                    today,
                    version,
                ),
                overview=NationalOverview(compliance_queries, today),
                sync=infra.read_models,
                changes=ReadModelChanges(version),
            )
        )
        registration = servicer(
            pb.DESCRIPTOR.services_by_name[SERVICE_NAME],
            pb_grpc.add_ReportingServiceServicer_to_server,
            api,
        )
        return ServiceParts(
            grpc_services=[registration],
            subscriptions=[
                Subscription(membership, [membership_source]),
                Subscription(meetings, [meetings_source]),
                Subscription(payments, [payments_source]),
            ],
            projections=[maturity],
        )

    return ServiceDefinition(name="reporting", build=build)


def configured() -> tuple[ServiceDefinition, ReportingSettings]:
    """The service as this process's environment configures it (``CLWSTWR_*``)."""
    settings = ReportingSettings()
    return definition(
        settings.membership_source,
        meetings_source=settings.meetings_source,
        payments_source=settings.payments_source,
    ), settings

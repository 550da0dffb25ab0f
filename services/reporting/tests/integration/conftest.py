"""Membership, meetings and reporting run by the kernel's runtime on real PostgreSQL, Redis, gRPC.

Reporting learns clusters and leads only from membership's events and meetings only from
meetings' events, over Redis (with their EventFeeds for catch-up), exactly as in production;
payments is a stand-in source whose store a test appends ledger events to (payments' own
tests prove it publishes them). Each module gets fresh schemas. Reporting's clock is pinned
to 1 October 2024 (financial year 2024/25) unless a test moves ``Platform.clock``.
"""

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from grpc import aio

from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr.reporting.v1.reporting_service_pb2_grpc import ReportingServiceStub
from kernel.runtime import (
    Infrastructure,
    RunningService,
    ServiceDefinition,
    ServiceParts,
    start_service,
)
from kernel.settings import ServiceSettings
from kernel.testing.grpc import call_metadata
from kernel.testing.infrastructure import service_settings
from meetings.bootstrap import definition as meetings_definition
from meetings.settings import MeetingsSettings
from membership.bootstrap import definition as membership_definition
from membership.settings import MembershipSettings
from reporting.bootstrap import definition as reporting_definition
from reporting.settings import ReportingSettings

BOARD = call_metadata("board-7a1")
OTHER_BOARD = call_metadata("board-7a2")
NATIONAL = call_metadata("national")
OPERATOR = call_metadata("operator")
CLUSTER = "7A1-anglesey"
TODAY = dt.date(2024, 10, 1)


async def _nothing(_: Infrastructure) -> ServiceParts:
    return ServiceParts()


class Platform:
    """Membership, meetings and reporting, running, with a stub for each."""

    def __init__(self, services: list[RunningService], channels: list[aio.Channel]) -> None:
        self.membership, self.meetings, self.reporting, self.payments = services
        self.members = MembershipServiceStub(channels[0])
        self.meets = MeetingsServiceStub(channels[1])
        self.stub = ReportingServiceStub(channels[2])
        self._appointed: dict[tuple[str, str], str] = {}
        self.clock = [TODAY]

    async def stored(self) -> int:
        return await self.reporting.store.last_position()

    async def appoint(self, cluster: str, role: str) -> str:
        """The person holding ``role`` in ``cluster`` from April (appointed on first asking)."""
        if (cluster, role) not in self._appointed:
            self._appointed[cluster, role] = await self._appoint(cluster, role)
        return self._appointed[cluster, role]

    async def _appoint(self, cluster: str, role: str) -> str:
        person = await self.members.RegisterPerson(
            mpb.RegisterPersonRequest(name="A. Lead"), metadata=BOARD
        )
        await self.members.EnrolMember(
            mpb.EnrolMemberRequest(
                body_id=cluster,
                person_id=person.person_id,
                kind="core",
                role_title="Cluster Lead",
                start_date="2024-04-01",
            ),
            metadata=BOARD,
        )
        await self.members.AppointLead(
            mpb.AppointLeadRequest(
                body_id=cluster, person_id=person.person_id, role=role, start_date="2024-04-01"
            ),
            metadata=BOARD,
        )
        await self.reporting_knows(
            "SELECT 1 FROM {schema}.cluster_leads WHERE person_id = $1", person.person_id
        )
        return person.person_id

    async def reporting_knows(self, sql: str, *args: object) -> None:
        """Wait until reporting's copy of membership answers ``sql`` with a row."""
        query = sql.replace("{schema}", self.reporting.settings.service_name)

        async def poll() -> None:
            while await self.reporting.pool.fetchval(query, *args) is None:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), 20)


async def _started(
    pg_pool: asyncpg.Pool, clock: list[dt.date]
) -> AsyncIterator[list[RunningService]]:
    suffix = uuid.uuid4().hex[:8]
    members, meets, reports, pays = (
        f"{name}_{suffix}" for name in ("membership", "meetings", "reporting", "payments")
    )
    payments = await start_service(
        ServiceDefinition(name=pays, build=_nothing), service_settings(ServiceSettings, pays)
    )
    membership = await start_service(
        membership_definition(), service_settings(MembershipSettings, members)
    )
    targets = {
        members: f"127.0.0.1:{membership.server.port}",
        pays: f"127.0.0.1:{payments.server.port}",
    }
    meetings_settings = service_settings(
        MeetingsSettings,
        meets,
        membership_source=members,
        feed_targets=json.dumps(targets),
        feed_token="service",
    )
    meetings = await start_service(meetings_definition(members), meetings_settings)
    targets[meets] = f"127.0.0.1:{meetings.server.port}"
    settings = service_settings(
        ReportingSettings,
        reports,
        membership_source=members,
        meetings_source=meets,
        payments_source=pays,
        feed_targets=json.dumps(targets),
        feed_token="service",
    )
    definition = reporting_definition(
        members, today=lambda: clock[0], meetings_source=meets, payments_source=pays
    )
    reporting = await start_service(definition, settings)
    running = [membership, meetings, reporting, payments]
    try:
        yield running
    finally:
        for service in reversed(running):
            await service.stop(grace=0)
        for schema in (reports, meets, members, pays):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="module")
async def platform(pg_pool: asyncpg.Pool) -> AsyncIterator[Platform]:
    clock = [TODAY]
    async for services in _started(pg_pool, clock):
        async with (
            aio.insecure_channel(f"127.0.0.1:{services[0].server.port}") as members_channel,
            aio.insecure_channel(f"127.0.0.1:{services[1].server.port}") as meetings_channel,
            aio.insecure_channel(f"127.0.0.1:{services[2].server.port}") as reporting_channel,
        ):
            channels = [members_channel, meetings_channel, reporting_channel]
            running = Platform(services, channels)
            running.clock = clock
            await running.members.SeedRegister(
                mpb.SeedRegisterRequest(established_on="2024-04-01"), metadata=OPERATOR
            )
            await running.reporting_knows("SELECT 1 FROM {schema}.clusters HAVING count(*) = 60")
            yield running

"""Membership and meetings run by the kernel's runtime on real PostgreSQL, Redis and gRPC.

Meetings learns who is who only from membership's events, over Redis (with membership's
EventFeed for catch-up), exactly as in production; each module gets fresh schemas.
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from grpc import aio

from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from kernel.runtime import RunningService, start_service
from kernel.testing.grpc import call_metadata
from kernel.testing.infrastructure import service_settings
from meetings.bootstrap import definition as meetings_definition
from meetings.settings import MeetingsSettings
from membership.bootstrap import definition as membership_definition
from membership.settings import MembershipSettings

BOARD = call_metadata("board-7a1")
PC = "7A1-anglesey.community-pharmacy"


class Platform:
    """Membership and meetings, running, with a stub for each."""

    def __init__(
        self,
        membership: RunningService,
        meetings: RunningService,
        membership_channel: aio.Channel,
        meetings_channel: aio.Channel,
    ) -> None:
        self.membership = membership
        self.meetings = meetings
        self.members = MembershipServiceStub(membership_channel)
        self.stub = MeetingsServiceStub(meetings_channel)

    async def stored(self) -> int:
        return await self.meetings.store.last_position()

    async def person(self, name: str, organisation: str = "") -> str:
        """Register a person and enrol them, core, in the pharmacy collaborative from April."""
        person = await self.members.RegisterPerson(
            mpb.RegisterPersonRequest(name=name), metadata=BOARD
        )
        await self.members.EnrolMember(
            mpb.EnrolMemberRequest(
                body_id=PC,
                person_id=person.person_id,
                kind="core",
                role_title="Community pharmacist",
                organisation_id=organisation,
                start_date="2024-04-01",
            ),
            metadata=BOARD,
        )
        return person.person_id

    async def pharmacy(self, ods_code: str) -> str:
        answer = await self.members.RegisterOrganisation(
            mpb.RegisterOrganisationRequest(
                name=f"Pharmacy {ods_code}",
                kind="community_pharmacy",
                ods_code=ods_code,
                cluster_id="7A1-anglesey",
            ),
            metadata=BOARD,
        )
        return answer.organisation_id

    async def meetings_know(self, sql: str, *args: object) -> None:
        """Wait until meetings' copy of membership answers ``sql`` with a row."""
        schema = self.meetings.settings.service_name
        query = sql.replace("{schema}", schema)

        async def poll() -> None:
            while await self.meetings.pool.fetchval(query, *args) is None:
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), 20)


async def _started(
    pg_pool: asyncpg.Pool,
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    suffix = uuid.uuid4().hex[:8]
    members_schema, meetings_schema = f"membership_{suffix}", f"meetings_{suffix}"
    membership = await start_service(
        membership_definition(), service_settings(MembershipSettings, members_schema)
    )
    settings = service_settings(
        MeetingsSettings,
        meetings_schema,
        membership_source=members_schema,
        feed_targets=json.dumps({members_schema: f"127.0.0.1:{membership.server.port}"}),
        feed_token="service",
    )
    meetings = await start_service(meetings_definition(settings.membership_source), settings)
    try:
        yield membership, meetings
    finally:
        await meetings.stop(grace=0)
        await membership.stop(grace=0)
        for schema in (meetings_schema, members_schema):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(scope="module")
async def platform(pg_pool: asyncpg.Pool) -> AsyncIterator[Platform]:
    async for membership, meetings in _started(pg_pool):
        async with (
            aio.insecure_channel(f"127.0.0.1:{membership.server.port}") as members_channel,
            aio.insecure_channel(f"127.0.0.1:{meetings.server.port}") as meetings_channel,
        ):
            running = Platform(membership, meetings, members_channel, meetings_channel)
            await running.members.SeedRegister(
                mpb.SeedRegisterRequest(established_on="2024-04-01"),
                metadata=call_metadata("operator"),
            )
            await running.meetings_know("SELECT 1 FROM {schema}.bodies WHERE body_id = $1", PC)
            yield running

"""The membership service run by the kernel's runtime on real PostgreSQL, Redis and gRPC."""

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from kernel.runtime import RunningService, start_service
from kernel.testing.grpc import call_metadata
from kernel.testing.infrastructure import service_settings
from membership.bootstrap import definition
from membership.settings import MembershipSettings


class Api:
    """A running membership service and a stub that calls it as a given test token."""

    def __init__(self, service: RunningService, channel: aio.Channel) -> None:
        self.service = service
        self.stub = MembershipServiceStub(channel)

    @staticmethod
    def as_(token: str) -> tuple[tuple[str, str], ...]:
        return call_metadata(token)

    async def stored(self) -> int:
        return await self.service.store.last_position()


@pytest.fixture(scope="module")
async def api(pg_pool: asyncpg.Pool) -> AsyncIterator[Api]:
    # A schema of its own per module: no clean-up, and no clash with any other test's data.
    schema = f"membership_{uuid.uuid4().hex[:10]}"
    settings = service_settings(MembershipSettings, schema)
    service = await start_service(definition(), settings)
    try:
        async with aio.insecure_channel(f"127.0.0.1:{service.server.port}") as channel:
            yield Api(service, channel)
    finally:
        await service.stop(grace=0)
        await pg_pool.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
async def seeded(api: Api) -> Api:
    await api.stub.SeedRegister(
        pb.SeedRegisterRequest(established_on="2024-04-01"), metadata=api.as_("operator")
    )
    return api

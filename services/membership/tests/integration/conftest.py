"""The membership service run by the kernel's runtime on real PostgreSQL, Redis and gRPC."""

import json
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from grpc import aio

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from kernel.grpc.auth import hash_token
from kernel.runtime import RunningService, start_service
from kernel.testing import infrastructure
from kernel.testing.grpc import TEST_PRINCIPALS, call_metadata
from membership.bootstrap import definition
from membership.settings import MembershipSettings

TOKENS = json.dumps(
    {
        hash_token(token): {"subject": p.subject, "role": p.role, "scope": p.scope}
        for token, p in TEST_PRINCIPALS.items()
    }
)


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
    settings = MembershipSettings(
        service_name=schema,
        database_url=infrastructure.database_url(),
        redis_url=infrastructure.redis_url(),
        grpc_port=0,
        instance_name=schema,
        auth_tokens=TOKENS,
    )
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

"""Tokens issued and revoked at run time: accepted by a running service, then refused."""

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest
from redis.asyncio import Redis

from kernel.grpc.auth import Principal, TokenRegistry
from kernel.grpc.eventfeed import EventFeedClient
from kernel.grpc.tokens import ISSUED_TOKENS_KEY, IssuedTokens, load_issued_tokens
from kernel.runtime import RunningService, ServiceDefinition, ServiceParts, start_service
from kernel.settings import ServiceSettings
from kernel.testing import infrastructure

pytestmark = pytest.mark.integration


async def _nothing(_: object) -> ServiceParts:
    return ServiceParts()


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    await client.delete(ISSUED_TOKENS_KEY)
    yield client
    await client.delete(ISSUED_TOKENS_KEY)
    await client.aclose()


@pytest.fixture
async def service(pg_pool: asyncpg.Pool) -> AsyncIterator[RunningService]:
    name = infrastructure.unique_name("tokens")
    settings = ServiceSettings(
        service_name=name,
        database_url=infrastructure.database_url(),
        redis_url=infrastructure.redis_url(),
        grpc_port=0,
        instance_name=name,
    )
    running = await start_service(ServiceDefinition(name="probe", build=_nothing), settings)
    yield running
    await running.stop(grace=0)
    await pg_pool.execute(f"DROP SCHEMA {name} CASCADE")


async def _reads(service: RunningService, token: str) -> bool:
    feed = EventFeedClient(f"127.0.0.1:{service.server.port}", "probe", token)
    try:
        await feed.read(0, 10)
    except grpc.aio.AioRpcError as refused:
        if refused.code() != grpc.StatusCode.UNAUTHENTICATED:
            raise
        return False
    finally:
        await feed.close()
    return True


async def _until(service: RunningService, token: str, *, accepted: bool) -> None:
    async with asyncio.timeout(10):
        while await _reads(service, token) is not accepted:
            await asyncio.sleep(0.2)


async def test_an_issued_token_works_until_it_is_revoked(
    redis: Redis, service: RunningService
) -> None:
    tokens = IssuedTokens(redis)
    token, issued = await tokens.issue(Principal("bcu-system", "service", "bcu"), "BCU pilot")
    assert issued.digest != token
    assert token not in str(await redis.hgetall(ISSUED_TOKENS_KEY))  # type: ignore[misc]

    await _until(service, token, accepted=True)
    assert [t.label for t in await tokens.list()] == ["BCU pilot"]

    assert await tokens.revoke(issued.digest)
    assert not await tokens.revoke(issued.digest)
    await _until(service, token, accepted=False)


async def test_revoking_by_the_token_itself_and_keeping_the_last_set_without_redis(
    redis: Redis,
) -> None:
    tokens = IssuedTokens(redis)
    token, _ = await tokens.issue(Principal("ops-jo", "operator"))
    registry = TokenRegistry({})
    await load_issued_tokens(registry, tokens)
    assert registry.authenticate(token) == Principal("ops-jo", "operator")

    unreachable = IssuedTokens(Redis.from_url("redis://127.0.0.1:1/0"))
    await load_issued_tokens(registry, unreachable)  # logged; the last set stays
    assert registry.authenticate(token) is not None

    assert await tokens.revoke(token)
    await load_issued_tokens(registry, tokens)
    assert registry.authenticate(token) is None

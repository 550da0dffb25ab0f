"""Real Postgres and Redis for the kernel's messaging and projection tests, from ``CLWSTWR_*``.

``pg_pool`` and ``redis_url`` come from ``kernel.testing.pytest_plugin`` (the root conftest).
"""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from faststream.redis import RedisBroker
from redis.asyncio import Redis

from kernel.messaging.message import dead_letter_stream, events_stream
from kernel.testing.infrastructure import migrated_schema, unique_name


@pytest.fixture
def pool(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    return pg_pool


@pytest.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """The consuming service's schema."""
    async with migrated_schema(pg_pool, prefix="consumer") as name:
        yield name


@pytest.fixture
async def source_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """The source service's schema (its event store and relay checkpoint)."""
    async with migrated_schema(pg_pool, prefix="source") as name:
        yield name


@pytest.fixture
async def broker(redis_url: str) -> AsyncIterator[RedisBroker]:
    # A short graceful timeout: tests stop subscribers whose handlers are stuck on purpose.
    broker = RedisBroker(redis_url, graceful_timeout=0.5)
    await broker.connect()
    yield broker
    await broker.stop()


@pytest.fixture
async def redis(broker: RedisBroker) -> Redis:
    return await broker.connect()


@pytest.fixture
async def service(redis: Redis) -> AsyncIterator[str]:
    """A unique source service name; its streams are deleted afterwards."""
    name = unique_name("svc")
    yield name
    stream = events_stream(name)
    await redis.delete(stream, dead_letter_stream(stream))

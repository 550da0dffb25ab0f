"""Real Postgres and Redis for the projection tests, from ``CLWSTWR_*`` (``./dev test``)."""

from collections.abc import AsyncIterator

import asyncpg
import pytest
from faststream.redis import RedisBroker

from kernel.messaging.message import events_stream
from kernel.testing.infrastructure import migrated_schema, unique_name


@pytest.fixture
def pool(pg_pool: asyncpg.Pool) -> asyncpg.Pool:
    return pg_pool


@pytest.fixture
async def schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with migrated_schema(pg_pool, prefix="reader") as name:
        yield name


@pytest.fixture
async def source_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    async with migrated_schema(pg_pool, prefix="source") as name:
        yield name


@pytest.fixture
async def broker(redis_url: str) -> AsyncIterator[RedisBroker]:
    broker = RedisBroker(redis_url, graceful_timeout=0.5)
    await broker.connect()
    yield broker
    await broker.stop()


@pytest.fixture
async def service(broker: RedisBroker) -> AsyncIterator[str]:
    name = unique_name("svc")
    yield name
    redis = await broker.connect()
    await redis.delete(events_stream(name))

"""Pytest fixtures for real infrastructure; enabled for the whole repo by the root conftest."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from kernel.postgres.pool import create_pool
from kernel.testing import infrastructure


@pytest.fixture(scope="session")
async def pg_pool() -> AsyncIterator[asyncpg.Pool]:
    """One pool for the whole session, configured as services configure theirs."""
    pool = await create_pool(infrastructure.database_url(), min_size=2, max_size=20)
    yield pool
    await pool.close()


@pytest.fixture
async def pg_schema(pg_pool: asyncpg.Pool) -> AsyncIterator[str]:
    """A fresh schema migrated with the kernel's tables, dropped after the test."""
    async with infrastructure.migrated_schema(pg_pool) as schema:
        yield schema


@pytest.fixture(scope="session")
def redis_url() -> str:
    return infrastructure.redis_url()

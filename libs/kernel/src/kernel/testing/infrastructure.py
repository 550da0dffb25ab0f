"""Real PostgreSQL and Redis for integration tests.

``./dev test`` provisions private instances and exports their URLs; tests never guess a server.
Each test gets its own freshly migrated schema, so tests never collide and need no clean-up order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg

from kernel.postgres.migrations import Migration, kernel_migrations, migrate


class InfrastructureMissingError(RuntimeError):
    """Integration tests were run without the URLs ``./dev test`` provides."""


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise InfrastructureMissingError(
            f"{name} is not set: run the tests with ./dev test, which provisions PostgreSQL and"
            " Redis, or export it to point at servers of your own"
        )
    return value


def database_url() -> str:
    return required_env("CLWSTWR_DATABASE_URL")


def redis_url() -> str:
    return required_env("CLWSTWR_REDIS_URL")


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


@asynccontextmanager
async def migrated_schema(
    pool: asyncpg.Pool, migrations: list[Migration] | None = None, prefix: str = "t"
) -> AsyncIterator[str]:
    """A new schema with the kernel's tables (and ``migrations``), dropped afterwards."""
    schema = unique_name(prefix)
    async with pool.acquire() as conn:
        await migrate(conn, schema, kernel_migrations() + (migrations or []))
    try:
        yield schema
    finally:
        async with pool.acquire() as conn:
            await conn.execute(f"DROP SCHEMA {schema} CASCADE")

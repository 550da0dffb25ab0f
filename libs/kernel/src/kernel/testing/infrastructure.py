"""Real PostgreSQL and Redis for integration tests.

``./dev test`` provisions private instances and exports their URLs; tests never guess a server.
Each test gets its own freshly migrated schema, so tests never collide and need no clean-up order.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg

from kernel.postgres.migrations import Migration, kernel_migrations, migrate
from kernel.settings import ServiceSettings


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


S = TypeVar("S", bound=ServiceSettings)


def service_settings(settings_class: type[S], name: str, **overrides: Any) -> S:  # noqa: ANN401
    """Settings for a service under test, named ``name`` (its schema and instance).

    On the test servers, a free gRPC port, accepting the test tokens
    (``kernel.testing.grpc.TEST_PRINCIPALS``); ``overrides`` win.
    """
    from kernel.testing.grpc import principals_json  # noqa: PLC0415 - grpc only when used

    fields: dict[str, Any] = {
        "service_name": name,
        "instance_name": name,
        "database_url": database_url(),
        "redis_url": redis_url(),
        "grpc_port": 0,
        "auth_tokens": principals_json(),
    }
    return settings_class(**{**fields, **overrides})

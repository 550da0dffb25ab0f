"""Reaching one service's definition, settings and pool, as its own process would."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import asyncpg

from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.settings import SERVICES, OperatorSettings
from kernel.postgres.pool import create_pool
from kernel.runtime import ServiceDefinition
from kernel.settings import ServiceSettings


def installed_services() -> list[str]:
    """The platform's services whose packages are installed here."""
    return [name for name in SERVICES if importlib.util.find_spec(name) is not None]


def definition_of(name: str) -> ServiceDefinition:
    if name not in installed_services():
        raise OpsError(f"no service {name!r} here (installed: {', '.join(installed_services())})")
    # Every service's bootstrap offers ``configured()``: its definition and settings as the
    # environment gives them, exactly as ``python -m <name>`` starts it.
    bootstrap = importlib.import_module(f"{name}.bootstrap")
    definition: ServiceDefinition = bootstrap.configured()[0]
    return definition


@dataclass(frozen=True, slots=True)
class ServiceAccess:
    name: str
    definition: ServiceDefinition
    settings: ServiceSettings
    pool: asyncpg.Pool


def service_settings(name: str, operator: OperatorSettings) -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        database_url=operator.database_url,
        redis_url=operator.redis_url,
        feed_targets=operator.feed_targets,
        feed_token=operator.feed_token,
    )


@asynccontextmanager
async def platform_pool(operator: OperatorSettings) -> AsyncIterator[asyncpg.Pool]:
    try:
        pool = await create_pool(operator.database_url.get_secret_value(), min_size=1, max_size=4)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        raise OpsError(f"cannot reach PostgreSQL (CLWSTWR_DATABASE_URL): {error}") from error
    try:
        yield pool
    finally:
        await pool.close()


@asynccontextmanager
async def open_service(name: str, operator: OperatorSettings) -> AsyncIterator[ServiceAccess]:
    definition = definition_of(name)
    async with platform_pool(operator) as pool:
        yield ServiceAccess(name, definition, service_settings(name, operator), pool)

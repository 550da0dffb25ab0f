"""Payments run by the kernel's runtime on real PostgreSQL, Redis and gRPC.

Membership and meetings are stood in for by two services built from kernel parts only: the
tests append those services' published events (``contracts.membership``/``contracts.meetings``)
to their stores, and their relays and EventFeeds carry them to payments over Redis, exactly as
the real services' would.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import pytest
from grpc import aio

from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceStub
from contracts.base import IntegrationEvent
from kernel.events import NewEvent
from kernel.runtime import (
    Infrastructure,
    RunningService,
    ServiceDefinition,
    ServiceParts,
    start_service,
)
from kernel.settings import ServiceSettings
from kernel.testing import infrastructure
from payments.bootstrap import definition
from payments.settings import PaymentsSettings

SIGNATORY = "betsi-cadwaladr"  # the board-7a1 test principal's subject


async def _nothing(_: Infrastructure) -> ServiceParts:
    return ServiceParts()


class Platform:
    """Payments and two stand-in sources, with a stub for payments."""

    def __init__(
        self,
        payments: RunningService,
        settings: PaymentsSettings,
        sources: dict[str, RunningService],
        channel: aio.Channel,
    ) -> None:
        self.payments = payments
        self.settings = settings
        self.sources = sources
        self.stub = PaymentsServiceStub(channel)
        self.schema = payments.settings.service_name
        #: The stand-in sources' names (their schemas and stream prefixes).
        self.membership, self.meetings = sorted(sources, key=lambda n: not n.startswith("memb"))

    async def publish(self, source: str, *events: IntegrationEvent, stream: str = "") -> None:
        """Append published events to a stand-in source's store (its relay sends them on)."""
        await self.sources[source].store.append(
            stream or f"test-{uuid.uuid4().hex[:8]}",
            None,
            [NewEvent(e.event_type, e.model_dump(mode="json")) for e in events],
        )

    async def until(self, check: Callable[[asyncpg.Pool], Awaitable[bool]]) -> None:
        async def poll() -> None:
            while not await check(self.payments.pool):
                await asyncio.sleep(0.05)

        await asyncio.wait_for(poll(), 20)

    async def caught_up(self) -> None:
        """Wait until payments has applied everything both sources stored."""
        for name, source in self.sources.items():
            last = await source.store.last_position()
            consumer = f"payments.{name.split('_')[0]}_facts"

            async def applied(
                pool: asyncpg.Pool, c: str = consumer, n: str = name, last: int = last
            ) -> bool:
                position = await pool.fetchval(
                    f"SELECT position FROM {self.schema}.consumer_checkpoints"
                    " WHERE consumer = $1 AND source = $2",
                    c,
                    n,
                )
                return bool(position is not None and position >= last)

            await self.until(applied)


@pytest.fixture(scope="module")
async def platform(pg_pool: asyncpg.Pool) -> AsyncIterator[Platform]:
    suffix = uuid.uuid4().hex[:8]
    names = {"membership": f"membership_{suffix}", "meetings": f"meetings_{suffix}"}
    sources = {
        name: await start_service(
            ServiceDefinition(name=name, build=_nothing),
            infrastructure.service_settings(ServiceSettings, name),
        )
        for name in names.values()
    }
    schema = f"payments_{suffix}"
    settings = infrastructure.service_settings(
        PaymentsSettings,
        schema,
        membership_source=names["membership"],
        meetings_source=names["meetings"],
        feed_targets=json.dumps({n: f"127.0.0.1:{s.server.port}" for n, s in sources.items()}),
        feed_token="service",
        schedule_signatories=json.dumps({"7A1": [SIGNATORY]}),
    )
    payments = await start_service(definition(settings), settings)
    try:
        async with aio.insecure_channel(f"127.0.0.1:{payments.server.port}") as channel:
            by_name = {s.settings.service_name: s for s in sources.values()}
            yield Platform(payments, settings, by_name, channel)
    finally:
        await payments.stop(grace=0)
        for source in sources.values():
            await source.stop(grace=0)
        for name in (schema, *names.values()):
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

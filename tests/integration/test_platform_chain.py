"""The kernel's whole chain on real infrastructure: gRPC → append → relay → Redis → consumer →
projection, in one OpenTelemetry trace, run by the same runtime every service uses."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any, ClassVar

import asyncpg
import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from kernel.aggregate import Aggregate, DomainEvent, EventRegistry
from kernel.errors import ValidationFailed
from kernel.events import RecordedEvent
from kernel.grpc.auth import hash_token
from kernel.grpc.server import ServiceRegistration
from kernel.messaging import DbConnection
from kernel.postgres.migrations import Migration
from kernel.repository import AggregateRepository
from kernel.runtime import (
    Infrastructure,
    RunningService,
    ServiceDefinition,
    ServiceParts,
    Subscription,
    start_service,
)
from kernel.settings import ServiceSettings
from kernel.telemetry.setup import configure_telemetry
from kernel.testing import infrastructure

# A two-service platform built only from kernel parts: ``ledger`` takes ``Post`` commands over
# gRPC and appends events; ``audit`` consumes them over Redis into a projection.

LEDGER_SERVICE = "test.ledger.v1.LedgerService"


class Posted(DomainEvent):
    event_type: ClassVar[str] = "ledger.Posted"
    pence: int


class Account(Aggregate[Posted]):
    def post(self, pence: int) -> None:
        self._record(Posted(pence=pence))

    def _apply(self, event: Posted) -> None:
        pass


def ledger_definition() -> ServiceDefinition:
    async def build(infra: Infrastructure) -> ServiceParts:
        accounts = AggregateRepository(infra.store, Account, EventRegistry(Posted), "account")

        async def post(
            request: Struct, context: grpc.aio.ServicerContext[Struct, Struct]
        ) -> Struct:
            pence = request["pence"]
            if not isinstance(pence, float) or pence <= 0:
                raise ValidationFailed.single("pence", "must be a positive number of pence")
            account = await accounts.load(str(request["account"]))
            account.post(int(pence))
            saved = await accounts.save(account)
            if saved is not None:  # answer once the caller can read what it wrote
                await infra.read_models.caught_up(saved.positions[-1])
            return Struct()

        async def balance(
            request: Struct, context: grpc.aio.ServicerContext[Struct, Struct]
        ) -> Struct:
            pence = await infra.pool.fetchval(
                "SELECT pence FROM ledger.balances WHERE account = $1",
                accounts.stream_id(str(request["account"])),
            )
            return struct(pence=pence or 0)

        handler = grpc.method_handlers_generic_handler(
            LEDGER_SERVICE,
            {
                name: grpc.unary_unary_rpc_method_handler(
                    method, Struct.FromString, Struct.SerializeToString
                )
                for name, method in (("Post", post), ("Balance", balance))
            },
        )
        registration = ServiceRegistration(
            LEDGER_SERVICE, lambda server: server.add_generic_rpc_handlers((handler,))
        )
        return ServiceParts(
            grpc_services=[registration], projections=[Totals("ledger", "balances")]
        )

    migration = Migration(
        "ledger/0001_balances.sql",
        "CREATE TABLE {schema}.balances (account text PRIMARY KEY, pence bigint NOT NULL)",
    )
    return ServiceDefinition(name="ledger", build=build, migrations=[migration])


class Totals:
    """Pence posted per account: ledger's own read model, and audit's from ledger's events."""

    def __init__(self, schema: str, table: str) -> None:
        self.name = table
        self._sql = (
            f"INSERT INTO {schema}.{table} (account, pence) VALUES ($1, $2)"
            f" ON CONFLICT (account) DO UPDATE SET pence = {table}.pence + EXCLUDED.pence"
        )

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        await conn.executemany(self._sql, [(e.stream_id, e.data["pence"]) for e in events])


def audit_definition() -> ServiceDefinition:
    async def build(_: Infrastructure) -> ServiceParts:
        return ServiceParts(subscriptions=[Subscription(Totals("audit", "totals"), ["ledger"])])

    migration = Migration(
        "audit/0001_totals.sql",
        "CREATE TABLE {schema}.totals (account text PRIMARY KEY, pence bigint NOT NULL)",
    )
    return ServiceDefinition(name="audit", build=build, migrations=[migration])


def struct(**fields: Any) -> Struct:
    message = Struct()
    message.update(fields)
    return message


pytestmark = pytest.mark.integration

CLERK, AUDITOR = "clerk-token", "audit-service-token"
TOKENS = json.dumps(
    {
        hash_token(CLERK): {"subject": "clerk@7A1", "role": "health_board", "scope": "7A1"},
        hash_token(AUDITOR): {"subject": "audit", "role": "service", "scope": "audit"},
    }
)


@pytest.fixture(scope="module")
def telemetry() -> tuple[InMemorySpanExporter, InMemoryMetricReader]:
    # Process-wide providers can be installed once: one fixture for spans and metrics.
    exporter, reader = InMemorySpanExporter(), InMemoryMetricReader()
    configure_telemetry("platform-test", span_exporter=exporter, metric_reader=reader)
    return exporter, reader


@pytest.fixture(scope="module")
def spans(telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader]) -> InMemorySpanExporter:
    return telemetry[0]


@pytest.fixture(scope="module")
def metric_reader(
    telemetry: tuple[InMemorySpanExporter, InMemoryMetricReader],
) -> InMemoryMetricReader:
    return telemetry[1]


def settings(name: str, feed_targets: str = "{}", feed_token: str = "") -> ServiceSettings:
    return ServiceSettings(
        service_name=name,
        database_url=infrastructure.database_url(),
        redis_url=infrastructure.redis_url(),
        grpc_port=0,
        instance_name=f"{name}-{uuid.uuid4().hex[:6]}",
        auth_tokens=TOKENS,
        feed_targets=feed_targets,
        feed_token=feed_token,
    )


@pytest.fixture
async def platform(
    spans: InMemorySpanExporter, pg_pool: asyncpg.Pool
) -> AsyncIterator[tuple[RunningService, RunningService]]:
    for schema in ("ledger", "audit"):
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    ledger = await start_service(ledger_definition(), settings("ledger"))
    targets = json.dumps({"ledger": f"127.0.0.1:{ledger.server.port}"})
    audit = await start_service(
        audit_definition(), settings("audit", feed_targets=targets, feed_token=AUDITOR)
    )
    yield ledger, audit
    await audit.stop(grace=0)
    await ledger.stop(grace=0)


async def post(port: int, account: str, pence: int, token: str = CLERK, **headers: str) -> None:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        call = channel.unary_unary(
            f"/{LEDGER_SERVICE}/Post", Struct.SerializeToString, Struct.FromString
        )
        metadata = [("authorization", f"Bearer {token}"), *headers.items()]
        await call(struct(account=account, pence=pence), metadata=metadata)


async def eventually_total(pool: asyncpg.Pool, account: str, expected: int) -> None:
    async def poll() -> None:
        while (
            await pool.fetchval("SELECT pence FROM audit.totals WHERE account = $1", account)
            != expected
        ):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), 10)


async def test_a_command_reaches_another_services_projection_in_one_trace(
    platform: tuple[RunningService, RunningService],
    pg_pool: asyncpg.Pool,
    spans: InMemorySpanExporter,
) -> None:
    ledger, _ = platform
    spans.clear()
    # One command at a time: a batch of one event continues its trace (bigger batches link).
    await post(ledger.server.port, "a-1", 250)
    await eventually_total(pg_pool, "account-a-1", 250)

    finished = spans.get_finished_spans()
    [server_span] = [s for s in finished if s.name == f"/{LEDGER_SERVICE}/Post"]
    assert server_span.context is not None
    in_trace = {
        s.name: s
        for s in finished
        if s.context is not None and s.context.trace_id == server_span.context.trace_id
    }
    append = in_trace["eventstore.append"]
    publish = in_trace["publish ledger.events.v1"]
    apply = in_trace["apply ledger"]
    assert append.parent is not None
    assert append.parent.span_id == server_span.context.span_id
    assert publish.parent is not None
    assert apply.parent is not None
    assert append.context is not None
    assert {publish.parent.span_id, apply.parent.span_id} == {append.context.span_id}

    await post(ledger.server.port, "a-1", 500)
    await eventually_total(pg_pool, "account-a-1", 750)


async def test_bad_input_is_refused_and_nothing_reaches_the_projection(
    platform: tuple[RunningService, RunningService], pg_pool: asyncpg.Pool
) -> None:
    ledger, _ = platform
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await post(ledger.server.port, "a-2", -5)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as unauthenticated:
        await post(ledger.server.port, "a-2", 5, token="wrong")
    assert unauthenticated.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert await ledger.store.last_position() == 0


async def test_latency_and_lag_metrics_are_reported(
    platform: tuple[RunningService, RunningService],
    pg_pool: asyncpg.Pool,
    metric_reader: InMemoryMetricReader,
) -> None:
    ledger, _ = platform
    await post(ledger.server.port, "a-3", 100)
    with pytest.raises(grpc.aio.AioRpcError):
        await post(ledger.server.port, "a-3", -1)
    await eventually_total(pg_pool, "account-a-3", 100)

    data = metric_reader.get_metrics_data()
    assert data is not None
    points: dict[str, list[Any]] = {
        metric.name: list(metric.data.data_points)
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }
    codes = {
        p.attributes["rpc.grpc.status_code"]
        for p in points["rpc.server.duration"]
        if p.attributes and p.attributes["rpc.method"] == f"/{LEDGER_SERVICE}/Post"
    }
    assert codes >= {grpc.StatusCode.OK.value[0], grpc.StatusCode.INVALID_ARGUMENT.value[0]}
    assert "clwstwr.relay.lag" in points
    consumer_lags = {
        p.attributes["consumer"] for p in points["clwstwr.consumer.lag"] if p.attributes
    }
    assert "audit.totals/ledger" in consumer_lags


async def test_events_carry_the_caller_and_a_retried_command_appends_once(
    platform: tuple[RunningService, RunningService], pg_pool: asyncpg.Pool
) -> None:
    ledger, _ = platform
    retry = {"idempotency-key": "post-a-4-once", "x-correlation-id": "corr-42"}
    await post(ledger.server.port, "a-4", 300, **retry)
    await post(ledger.server.port, "a-4", 300, **retry)  # the client never saw the answer
    [event] = await ledger.store.read_stream("account-a-4")
    assert event.metadata["actor"] == "clerk@7A1"
    assert event.metadata["correlation_id"] == "corr-42"
    assert "traceparent" in event.metadata
    await eventually_total(pg_pool, "account-a-4", 300)


async def test_a_caller_reads_its_own_write_from_the_services_projection(
    platform: tuple[RunningService, RunningService],
) -> None:
    ledger, _ = platform
    async with grpc.aio.insecure_channel(f"127.0.0.1:{ledger.server.port}") as channel:
        metadata = [("authorization", f"Bearer {CLERK}")]
        post_call = channel.unary_unary(
            f"/{LEDGER_SERVICE}/Post", Struct.SerializeToString, Struct.FromString
        )
        balance_call = channel.unary_unary(
            f"/{LEDGER_SERVICE}/Balance", Struct.SerializeToString, Struct.FromString
        )
        for expected in (120, 240, 360):
            await post_call(struct(account="a-5", pence=120), metadata=metadata)
            # No waiting: Post answers only once ledger's own projection has the event.
            reply = await balance_call(struct(account="a-5"), metadata=metadata)
            assert reply["pence"] == expected

"""The reporting benchmark (issue 6): rebuild every read model from ten years of Wales, then read.

1. ``reporting_history`` writes ten financial years of membership, meetings, payments and
   reporting events straight into the four services' stores (as published contracts, in the
   order they happened, in group commits).
2. Membership, meetings and payments run as their own processes (``python -m``), as a
   platform ten years on would: caught up, so their relays and projections start at the end
   of their logs (the bench moves those checkpoints there; their read models are not what is
   measured). They serve their EventFeeds, which is where a rebuild reads their events from.
3. Every reporting read model is rebuilt from position 0 with the operator's machinery
   (``kernel.projections.rebuild`` over the projections ``assemble`` finds, the service's own
   events from its store, the others' over their EventFeeds: what ``clwstwr-ops projections
   rebuild`` does), one after another. Printed: events, seconds, events/s, per read model and
   in all.
4. Reporting runs as its own process and 8 clients, each with its own channel, ask for
   ``GetClusterReport``: first every cluster's report for every year once (each made from
   the read models), then reports of random clusters and years for a while (the service
   keeps a report until its read models move on). p50/p99, requests/s, server CPU.

Nothing here asserts a speed. ``REPORTING_BENCH_SCALE`` (0-1) keeps a share of the clusters,
for a quick look; ``REPORTING_BENCH_READ_SECONDS`` sets how long the readers read (20).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
import uuid
from collections.abc import Callable
from contextlib import AsyncExitStack
from functools import partial

import asyncpg
from grpc import aio
from meetings_bench import process, until
from membership_bench import PRINCIPALS, cpu_seconds, percentiles
from pydantic import SecretStr
from reporting_history import FIRST_YEAR, YEARS, Wales, fy_label, write

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1.reporting_service_pb2_grpc import ReportingServiceStub
from clwstwr_ops.ports import ephemeral_port
from kernel.feed import EventSource, LocalEventSource
from kernel.grpc.auth import hash_token
from kernel.grpc.eventfeed import EventFeedClient
from kernel.messaging.message import events_stream
from kernel.postgres.eventstore import PostgresEventStore
from kernel.postgres.migrations import kernel_migrations, migrate
from kernel.projections import ProjectionHandler, RebuildResult, rebuild
from kernel.runtime import ServiceDefinition, assemble
from kernel.settings import ServiceSettings
from meetings.bootstrap import definition as meetings_definition
from membership.bootstrap import definition as membership_definition
from payments.bootstrap import definition as payments_definition
from payments.settings import PaymentsSettings
from reporting.bootstrap import definition as reporting_definition

CLIENTS = 8
SERVICE_TOKEN = "service"
TOKENS = json.dumps(
    {
        hash_token(t): {"subject": s, "role": r, "scope": b}
        for t, (s, r, b) in {**PRINCIPALS, SERVICE_TOKEN: ("bench", "service", "reporting")}.items()
    }
)


def report(name: str, **numbers: object) -> dict[str, object]:
    line = {"bench": name, **numbers}
    print(json.dumps(line), flush=True)
    return line


async def bench_reporting(database_url: str, redis_url: str) -> dict[str, object]:
    scale = float(os.environ.get("REPORTING_BENCH_SCALE", "1"))
    read_seconds = float(os.environ.get("REPORTING_BENCH_READ_SECONDS", "20"))
    suffix = uuid.uuid4().hex[:8]
    members, meetings, reporting, payments = (
        f"{s}_rbench_{suffix}" for s in ("membership", "meetings", "reporting", "payments")
    )
    pool = await asyncpg.create_pool(database_url, min_size=2, max_size=8)
    common = {"database_url": database_url, "redis_url": redis_url, "auth_tokens": TOKENS}
    generated = await _generate(pool, scale, members, meetings, reporting, payments)
    sources = {"membership_source": members, "meetings_source": meetings}
    membership_def = membership_definition()
    meetings_def = meetings_definition(membership_source=members)
    payments_def = payments_definition(
        PaymentsSettings(
            service_name=payments,
            database_url=SecretStr(database_url),
            membership_source=members,
            meetings_source=meetings,
        )
    )
    reporting_def = reporting_definition(
        members, meetings_source=meetings, payments_source=payments
    )
    ports = {schema: ephemeral_port() for schema in (members, meetings, payments, reporting)}
    feeds = {schema: f"127.0.0.1:{ports[schema]}" for schema in (members, meetings, payments)}
    feed_pids: dict[str, int] = {}
    async with AsyncExitStack() as stack:
        for schema, definition, extra in (
            (members, membership_def, {}),
            (meetings, meetings_def, {"membership_source": members}),
            (payments, payments_def, sources),
        ):
            port = ports[schema]
            settings = _settings(schema, database_url, json.dumps(feeds))
            await _caught_up(pool, definition, settings)
            feed_pids[schema] = await stack.enter_async_context(
                process(
                    schema.split("_")[0], port, service_name=schema, instance_name=schema,
                    feed_targets=json.dumps(feeds), feed_token=SERVICE_TOKEN, **extra, **common,
                )
            )  # fmt: skip
        for schema in feeds:
            await until(partial(_serving, ports[schema]))
        feeds_cpu, own_cpu = {k: cpu_seconds(p) for k, p in feed_pids.items()}, time.process_time()
        rebuilt = await _rebuild(
            pool, reporting_def, _settings(reporting, database_url, json.dumps(feeds))
        )
        own_cpu = time.process_time() - own_cpu
        feeds_cpu = {k: cpu_seconds(feed_pids[k]) - v for k, v in feeds_cpu.items()}
        events = sum(r.events for r in rebuilt)
        applied = sum(r.applied for r in rebuilt)
        seconds = sum(r.seconds for r in rebuilt)
        totals = report(
            "reporting rebuild every read model from position 0",
            scale=scale,
            events=events,
            applied=applied,
            seconds=round(seconds, 2),
            events_per_s=round(events / seconds),
            # Where the CPU went (Postgres's own not counted): the rebuilding process, and the
            # membership, meetings and payments processes serving their EventFeeds.
            rebuild_cpu_s=round(own_cpu, 2),
            feeds_cpu_s={k.split("_")[0]: round(v, 2) for k, v in feeds_cpu.items()},
            history=generated,
        )
        pid = await stack.enter_async_context(
            process(
                "reporting", ports[reporting], service_name=reporting, instance_name=reporting,
                payments_source=payments, feed_targets=json.dumps(feeds),
                feed_token=SERVICE_TOKEN, **sources, **common,
            )
        )  # fmt: skip
        reads = await _read_reports(
            pool, reporting, f"127.0.0.1:{ports[reporting]}", pid, read_seconds
        )
    for schema in (reporting, payments, meetings, members):
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await pool.close()
    return {"rebuild": totals, "reads": reads}


def _settings(schema: str, database_url: str, feeds: str) -> ServiceSettings:
    return ServiceSettings(
        service_name=schema,
        database_url=SecretStr(database_url),
        feed_targets=feeds,
        feed_token=SecretStr(SERVICE_TOKEN),
    )


async def _generate(
    pool: asyncpg.Pool, scale: float, members: str, meetings: str, reporting: str, payments: str
) -> dict[str, object]:
    started = time.perf_counter()
    history = Wales(scale).build()
    planned = time.perf_counter()
    counts: dict[str, int] = {}
    for schema, timeline in (
        (members, history.membership),
        (meetings, history.meetings),
        (reporting, history.reporting),
        (payments, history.payments),
    ):
        async with pool.acquire() as conn:
            await migrate(conn, schema, kernel_migrations())
        store = PostgresEventStore(pool, schema)
        counts[schema.split("_")[0]] = await write(store, timeline)
        await store.close()
    seconds = time.perf_counter() - started
    total = sum(counts.values())
    report(
        f"reporting history: {YEARS} financial years of Wales written to the stores",
        scale=scale,
        years=f"{fy_label(FIRST_YEAR)}-{fy_label(FIRST_YEAR + YEARS - 1)}",
        events=total,
        **counts,
        plan_seconds=round(planned - started, 2),
        seconds=round(seconds, 2),
        events_per_s=round(total / seconds),
    )
    return {"events": total, **counts}


async def _caught_up(
    pool: asyncpg.Pool, definition: ServiceDefinition, settings: ServiceSettings
) -> None:
    """Move the service's relay, projections and consumers to the end of what they read.

    So the process starts as a long-running platform's would: idle, serving its EventFeed.
    """
    schema = settings.service_name
    async with pool.acquire() as conn:
        await migrate(conn, schema, [*kernel_migrations(), *definition.migrations])
    parts = await assemble(definition, settings, pool)
    sources = {schema: [h.name for h in parts.projections]}
    for subscription in parts.subscriptions:
        for source in subscription.sources:
            sources.setdefault(source, []).append(subscription.handler.name)
    for source, consumers in sources.items():
        last = await PostgresEventStore(pool, source).last_position()
        await pool.executemany(
            f"INSERT INTO {schema}.consumer_checkpoints (consumer, source, position)"
            " VALUES ($1, $2, $3) ON CONFLICT (consumer, source) DO UPDATE SET position = $3",
            [(consumer, source, last) for consumer in consumers],
        )
    last = await PostgresEventStore(pool, schema).last_position()
    await pool.execute(
        f"INSERT INTO {schema}.relay_checkpoints (stream, position) VALUES ($1, $2)"
        " ON CONFLICT (stream) DO UPDATE SET position = $2",
        events_stream(schema),
        last,
    )


async def _serving(port: int) -> bool:
    feed = EventFeedClient(f"127.0.0.1:{port}", "probe", SERVICE_TOKEN, timeout=2)
    try:
        await feed.read(0, 1)
        return True
    finally:
        await feed.close()


async def _rebuild(
    pool: asyncpg.Pool, definition: ServiceDefinition, settings: ServiceSettings
) -> list[RebuildResult]:
    """Each read model rebuilt as ``clwstwr-ops projections rebuild`` does it, in turn."""
    schema = settings.service_name
    async with pool.acquire() as conn:
        await migrate(conn, schema, [*kernel_migrations(), *definition.migrations])
    parts = await assemble(definition, settings, pool)
    found: list[tuple[ProjectionHandler, list[str]]] = [
        (h, [schema]) for h in parts.projections if isinstance(h, ProjectionHandler)
    ]
    found += [
        (s.handler, list(s.sources))
        for s in parts.subscriptions
        if isinstance(s.handler, ProjectionHandler)
    ]
    targets = json.loads(settings.feed_targets)
    results = []
    for handler, names in found:
        sources: list[EventSource] = [
            LocalEventSource(schema, PostgresEventStore(pool, schema))
            if name == schema
            else EventFeedClient(targets[name], name, SERVICE_TOKEN)
            for name in names
        ]
        result = await rebuild(pool, schema, handler.projection, sources)
        for source in sources:
            if isinstance(source, EventFeedClient):
                await source.close()
        results.append(result)
        report(
            f"reporting rebuild {result.projection}",
            events=result.events,
            applied=result.applied,
            seconds=round(result.seconds, 2),
            events_per_s=round(result.events / result.seconds),
        )
    return results


async def _read_reports(
    pool: asyncpg.Pool, schema: str, target: str, pid: int, seconds: float
) -> dict[str, object]:
    """Every report once (cold: each is made from the read models), then random ones."""
    clusters = [
        (r["cluster_id"], r["health_board"])
        for r in await pool.fetch(f"SELECT cluster_id, health_board FROM {schema}.clusters")
    ]
    years = [fy_label(y) for y in range(FIRST_YEAR, FIRST_YEAR + YEARS)]
    probe = ReportingServiceStub(aio.insecure_channel(target))
    national = [("authorization", "Bearer national")]
    first = pb.GetClusterReportRequest(cluster_id=clusters[0][0], financial_year="2000/01")
    await until(lambda: probe.GetClusterReport(first, metadata=national))
    rng = random.Random(6)
    every = [(c, b, y) for c, b in clusters for y in years]
    rng.shuffle(every)
    cold = await _readers(target, pid, lambda: every.pop() if every else None)
    report(
        f"reporting GetClusterReport, each of {len(clusters) * len(years)} reports read"
        f" for the first time, {CLIENTS} concurrent readers",
        **cold,
    )
    stop = time.perf_counter() + seconds

    def random_report() -> tuple[str, str, str] | None:
        if time.perf_counter() >= stop:
            return None
        cluster, board = rng.choice(clusters)
        return cluster, board, rng.choice(years)

    warm = await _readers(target, pid, random_report)
    return report(
        f"reporting GetClusterReport of random clusters and years, {CLIENTS} concurrent readers",
        **warm,
    )


async def _readers(
    target: str, pid: int, next_report: Callable[[], tuple[str, str, str] | None]
) -> dict[str, object]:
    latencies: list[float] = []

    async def reader() -> None:
        async with aio.insecure_channel(target) as channel:
            stub = ReportingServiceStub(channel)
            while (wanted := next_report()) is not None:
                cluster, board, year = wanted
                request = pb.GetClusterReportRequest(cluster_id=cluster, financial_year=year)
                metadata = [("authorization", f"Bearer board-{board.lower()}")]
                started = time.perf_counter()
                await stub.GetClusterReport(request, metadata=metadata)
                latencies.append(time.perf_counter() - started)

    server_cpu = cpu_seconds(pid)
    started = time.perf_counter()
    await asyncio.gather(*(reader() for _ in range(CLIENTS)))
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(pid) - server_cpu
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_s": round(len(latencies) / elapsed),
        **percentiles(latencies),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / len(latencies), 2),
    }

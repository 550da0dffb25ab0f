"""The meetings benchmark (issue 4): one financial year of Wales's meetings through gRPC.

Membership and meetings run as their own processes (``python -m``); membership's people,
memberships, leads and quorum rules are appended straight to its store (``meetings_wales``),
and meetings learns them from membership's stream as in production. Then 8 clients, each with
its own channel, take whole meetings from a shared queue and record them as a clerk would:
the schedule with its agenda, the attendance register, a declaration, a decision, actions,
held. Printed: commands/s, p50/p99, and the time from the last answer until every event (so
every ``MeetingHeld``) is on the meetings stream. Nothing here asserts a speed.
``MEETINGS_BENCH_SCALE`` (0-1) runs a share of the clusters, for a quick look.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

import asyncpg
from grpc import aio
from membership_bench import PRINCIPALS, cpu_seconds, percentiles
from redis.asyncio import Redis

from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr_ops.demo.meetings_wales import Command, meeting_scripts, plan_wales, write_membership
from clwstwr_ops.ports import ephemeral_port
from kernel.grpc.auth import hash_token
from kernel.postgres.eventstore import PostgresEventStore

CLIENTS = 8
TOKENS = json.dumps(
    {hash_token(t): {"subject": s, "role": r, "scope": b} for t, (s, r, b) in PRINCIPALS.items()}
)


@asynccontextmanager
async def process(module: str, port: int, **settings: str) -> AsyncIterator[int]:
    """``python -m <module>`` with ``CLWSTWR_*`` settings until the block ends; yields its pid."""
    env = {
        **os.environ,
        "CLWSTWR_GRPC_PORT": str(port),
        "CLWSTWR_AUTH_TOKENS": TOKENS,
        **{f"CLWSTWR_{key.upper()}": value for key, value in settings.items()},
    }
    log = tempfile.TemporaryFile()  # noqa: SIM115 - read back only if the service dies
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", module, env=env, stdout=log, stderr=log
    )
    try:
        yield child.pid
    finally:
        if child.returncode is None:
            child.terminate()
        await asyncio.wait_for(child.wait(), 30)
        if child.returncode:
            log.seek(0)
            print(f"{module} exited {child.returncode}:\n{log.read().decode()[-3000:]}")
        log.close()


async def until(check: Callable[[], Awaitable[object]], seconds: float = 120) -> None:
    """Poll an async predicate (ignoring a service still starting) until it holds."""
    async with asyncio.timeout(seconds):
        while True:
            try:
                if await check():
                    return
            except aio.AioRpcError:
                pass
            await asyncio.sleep(0.2)


async def bench_meetings(database_url: str, redis_url: str) -> dict[str, object]:
    scale = float(os.environ.get("MEETINGS_BENCH_SCALE", "1"))
    suffix = uuid.uuid4().hex[:8]
    members, meetings = f"membership_mbench_{suffix}", f"meetings_bench_{suffix}"
    members_port, meetings_port = ephemeral_port(), ephemeral_port()
    common = {"database_url": database_url, "redis_url": redis_url}
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=4)
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(
            process(
                "membership", members_port, service_name=members, instance_name=members, **common
            )
        )
        pid = await stack.enter_async_context(
            process(
                "meetings",
                meetings_port,
                service_name=meetings,
                instance_name=meetings,
                membership_source=members,
                feed_token="service",
                feed_targets=json.dumps({members: f"127.0.0.1:{members_port}"}),
                **common,
            )
        )
        channel = aio.insecure_channel(f"127.0.0.1:{members_port}")
        stack.push_async_callback(channel.close)
        membership_stub = MembershipServiceStub(channel)
        seed = mpb.SeedRegisterRequest(established_on="2024-04-01")
        operator = [("authorization", "Bearer operator")]
        await until(lambda: membership_stub.SeedRegister(seed, metadata=operator))
        bodies = plan_wales(scale)
        memberships = await write_membership(PostgresEventStore(pool, members), bodies)
        await until(lambda: _known(pool, meetings, memberships))
        rng = random.Random(4)
        scripts = [(b.token, s) for b in bodies for s in meeting_scripts(b, rng)]
        rng.shuffle(scripts)
        server_cpu, client_cpu = cpu_seconds(pid), time.process_time()
        latencies, seconds = await drive(f"127.0.0.1:{meetings_port}", scripts)
        server_cpu, client_cpu = cpu_seconds(pid) - server_cpu, time.process_time() - client_cpu
        answered = time.perf_counter()
        store = PostgresEventStore(pool, meetings)
        last = await store.last_position()
        redis = Redis.from_url(redis_url)
        await until(lambda: _published(redis, f"{meetings}.events.v1", last))
        visible = time.perf_counter() - answered
        held = await _count_held(redis, f"{meetings}.events.v1")
        await redis.delete(f"{meetings}.events.v1", f"{members}.events.v1")
        await redis.aclose()
    for schema in (meetings, members):
        await pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    await pool.close()
    samples = [s for rpc in latencies.values() for s in rpc]
    summary: dict[str, object] = {
        "bench": "meetings record a year of Wales",
        "scale": scale,
        "meetings": len(scripts),
        "attendance": sum(
            len(request.entries)
            for _, script in scripts
            for rpc, request in script
            if rpc == "RecordAttendanceRegister"
        ),
        "commands": len(samples),
        "seconds": round(seconds, 2),
        "commands_per_s": round(len(samples) / seconds),
        **percentiles(samples),
        "server_cpu_ms_per_command": round(server_cpu * 1000 / len(samples), 2),
        "client_cpu_ms_per_command": round(client_cpu * 1000 / len(samples), 2),
        "all_held_on_stream_after_s": round(visible, 2),
        "meeting_held_on_stream": held,
        "by_command": {rpc: percentiles(s) for rpc, s in latencies.items()},
    }
    print(json.dumps(summary), flush=True)
    total = seconds + visible
    print(
        f"\n{'meetings: the year recorded and on the stream, s':<50} {total:>8.1f}  <= 60 "
        f"{'ok' if total <= 60 and scale == 1 else 'BELOW' if scale == 1 else '(partial run)'}"
    )
    return summary


async def _known(pool: asyncpg.Pool, schema: str, memberships: int) -> bool:
    return await _count(pool, f"{schema}.memberships") >= memberships


async def _count(pool: asyncpg.Pool, table: str) -> int:
    try:
        return int(await pool.fetchval(f"SELECT count(*) FROM {table}"))
    except asyncpg.UndefinedTableError:
        return 0


async def _published(redis: Redis, stream: str, last: int) -> bool:
    return int(await redis.xlen(stream)) >= last


async def _count_held(redis: Redis, stream: str) -> int:
    held, after = 0, "-"
    while True:
        entries = await redis.xrange(stream, min=after, count=5000)
        if not entries:
            return held
        held += sum(b'"meetings.MeetingHeld"' in b"".join(f.values()) for _, f in entries)
        after = "(" + entries[-1][0].decode()


async def drive(
    target: str, scripts: list[tuple[str, list[Command]]]
) -> tuple[dict[str, list[float]], float]:
    queue: asyncio.Queue[tuple[str, list[Command]]] = asyncio.Queue()
    for script in scripts:
        queue.put_nowait(script)
    latencies: dict[str, list[float]] = defaultdict(list)
    run = uuid.uuid4().hex[:6]

    async def clerk(n: int) -> None:
        async with aio.insecure_channel(target) as channel:
            stub, sent = MeetingsServiceStub(channel), 0
            while not queue.empty():
                token, script = queue.get_nowait()
                meeting_id = ""
                for rpc, request in script:
                    if rpc != "ScheduleMeeting":
                        request.meeting_id = meeting_id
                    sent += 1
                    metadata = [
                        ("authorization", f"Bearer {token}"),
                        ("idempotency-key", f"{run}-{n}-{sent}"),
                    ]
                    started = time.perf_counter()
                    reply = await getattr(stub, rpc)(request, metadata=metadata)
                    latencies[rpc].append(time.perf_counter() - started)
                    meeting_id = meeting_id or reply.meeting_id

    started = time.perf_counter()
    await asyncio.gather(*(clerk(n) for n in range(CLIENTS)))
    return latencies, time.perf_counter() - started

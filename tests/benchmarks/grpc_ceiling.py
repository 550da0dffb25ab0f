"""What this machine allows a gRPC command at most: the membership benchmark's yardstick.

A bare ``grpc.aio`` server, run as the services run (its own process, uvloop, the kernel's
pool), answers one unary method; the benchmark's 8 clients call it for a few seconds, each call
carrying a command's metadata. Twice: an empty call, and a call that runs as many statements as
a membership command (``STATEMENTS``, measured): trivial reads, then one single-row insert
committed as durably as the event store's appends, the least a command that stores anything
needs. No domain, projection, idempotency or relay. A command cannot go faster than the second
figure on the same machine, so the service's commands/s are read against it: the ratio holds
while the machine's own speed drifts (±10-30 % between identical runs on the development VM).

Run by ``membership_bench``; as a script it is the server: ``grpc_ceiling.py PORT DSN N TABLE``.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import grpc
import uvloop
from grpc import aio

from clwstwr_ops.ports import ephemeral_port
from kernel.postgres.pool import create_pool

#: SQL statements of a membership command, measured (services/membership/README.md).
STATEMENTS = 8
METHOD = "/clwstwr.bench.v1.Ceiling/Call"
SECONDS = 8.0


async def serve(port: int, dsn: str, statements: int, table: str) -> None:
    """The bare server: ``statements`` statements per call, then an empty reply."""
    pool = await create_pool(dsn, min_size=4, max_size=10)

    async def call(request: bytes, context: aio.ServicerContext[bytes, bytes]) -> bytes:
        for n in range(statements - 1):
            await pool.fetchval("SELECT $1::int", n)
        if statements:
            await pool.execute(f"INSERT INTO {table} (payload) VALUES ($1)", request)
        return b""

    handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(call)
    service, name = METHOD.rsplit("/", 1)
    server = aio.server()
    server.add_generic_rpc_handlers(
        [grpc.method_handlers_generic_handler(service.strip("/"), {name: handler})]
    )
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


@asynccontextmanager
async def ceiling_server(dsn: str, statements: int, table: str) -> AsyncIterator[str]:
    port = ephemeral_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, __file__, str(port), dsn, str(statements), table
    )
    try:
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


async def calls_per_second(target: str, clients: int, seconds: float) -> float:
    """``clients`` closed-loop callers, each on its own channel, for ``seconds``."""
    channels = [aio.insecure_channel(target) for _ in range(clients)]
    run = uuid.uuid4().hex[:8]
    calls = 0

    async def caller(channel: aio.Channel, deadline: float) -> None:
        nonlocal calls
        method: aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(METHOD)
        while time.perf_counter() < deadline:
            calls += 1
            metadata = [
                ("authorization", "Bearer board-7a1"),
                ("idempotency-key", f"{run}-{id(channel)}-{calls}"),
            ]
            await method(b"x" * 120, metadata=metadata)

    try:
        ready = asyncio.gather(*(c.channel_ready() for c in channels))
        await asyncio.wait_for(ready, 30)
        await asyncio.gather(*(caller(c, time.perf_counter() + 1.0) for c in channels))  # warm
        calls, started = 0, time.perf_counter()
        await asyncio.gather(*(caller(c, started + seconds) for c in channels))
        return calls / (time.perf_counter() - started)
    finally:
        await asyncio.gather(*(c.close() for c in channels))


async def measure_ceiling(dsn: str, clients: int) -> dict[str, float]:
    """Calls/s of an empty call and of one running ``STATEMENTS`` statements."""
    table = f"public.grpc_ceiling_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(dsn)
    await conn.execute(f"CREATE TABLE {table} (id bigserial PRIMARY KEY, payload bytea)")
    try:
        rates = {}
        for statements in (0, STATEMENTS):
            async with ceiling_server(dsn, statements, table) as target:
                rates[statements] = await calls_per_second(target, clients, SECONDS)
    finally:
        await conn.execute(f"DROP TABLE {table}")
        await conn.close()
    return {"empty_calls_per_s": round(rates[0]), "statement_calls_per_s": round(rates[STATEMENTS])}


if __name__ == "__main__":
    port, dsn, statements, table = sys.argv[1:]
    uvloop.run(serve(int(port), dsn, int(statements), table))

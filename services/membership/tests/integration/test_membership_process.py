"""``python -m membership seed`` and ``python -m membership`` as operators run them."""

import asyncio
import os
import signal
import socket
import sys
import uuid
from typing import Any

import asyncpg
import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from clwstwr.membership.v1 import membership_service_pb2 as pb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from kernel.testing import infrastructure
from kernel.testing.grpc import call_metadata, principals_json

pytestmark = pytest.mark.integration

SERVICE = "clwstwr.membership.v1.MembershipService"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def serving(channel: grpc.aio.Channel) -> bool:
    health: Any = health_pb2_grpc.HealthStub(channel)  # typed for sync channels only
    try:
        reply = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE), timeout=0.5)
    except grpc.aio.AioRpcError:
        return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


async def cluster_count(channel: grpc.aio.Channel) -> int:
    stub = MembershipServiceStub(channel)
    request = pb.ListClustersRequest(page_size=100)
    reply = await stub.ListClusters(request, metadata=call_metadata("national"))
    return len(reply.clusters)


async def test_seed_from_the_command_line_then_serve_until_signalled(
    pg_pool: asyncpg.Pool,
) -> None:
    schema, port = f"membership_{uuid.uuid4().hex[:10]}", free_port()
    env = {
        **os.environ,
        "CLWSTWR_SERVICE_NAME": schema,
        "CLWSTWR_DATABASE_URL": infrastructure.database_url(),
        "CLWSTWR_REDIS_URL": infrastructure.redis_url(),
        "CLWSTWR_GRPC_PORT": str(port),
        "CLWSTWR_AUTH_TOKENS": principals_json(),
    }
    command = [sys.executable, "-m", "membership"]
    seed = await asyncio.create_subprocess_exec(
        *command, "seed", "--established-on", "2024-04-01", env=env, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await seed.communicate()
    assert seed.returncode == 0
    assert "clusters 60 created, 0 present" in output.decode()
    child = await asyncio.create_subprocess_exec(*command, env=env, stderr=asyncio.subprocess.PIPE)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            async with asyncio.timeout(20):
                while not await serving(channel):
                    assert child.returncode is None, "the service exited before serving"
                    await asyncio.sleep(0.1)
                # the read model catches up with what the command line seeded
                while await cluster_count(channel) < 60:
                    await asyncio.sleep(0.05)
        child.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            _, stderr = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
        await pg_pool.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    assert child.returncode == 0, stderr.decode()

"""A service process as operators run it: runtime.run until a signal, then a clean exit."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import textwrap
import uuid
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from clwstwr_ops.ports import ephemeral_port
from kernel.testing import infrastructure

pytestmark = pytest.mark.integration

# The smallest service there is: no APIs of its own, so only the kernel's (EventFeed, health).
SERVICE = textwrap.dedent(
    """
    from kernel.runtime import ServiceDefinition, ServiceParts, run
    from kernel.settings import ServiceSettings

    async def build(_):
        return ServiceParts()

    run(ServiceDefinition(name="probe", build=build), ServiceSettings())
    """
)


async def serving(port: int) -> bool:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        try:
            # The stubs type HealthStub for sync channels only; this is an aio channel.
            health: Any = health_pb2_grpc.HealthStub(channel)
            reply = await health.Check(health_pb2.HealthCheckRequest(), timeout=0.5)
        except grpc.aio.AioRpcError:
            return False
        return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
async def test_runs_until_signalled_then_stops_cleanly(stop_signal: signal.Signals) -> None:
    port = ephemeral_port()
    env = {
        **os.environ,
        "CLWSTWR_SERVICE_NAME": f"probe_{uuid.uuid4().hex[:8]}",
        "CLWSTWR_DATABASE_URL": infrastructure.database_url(),
        "CLWSTWR_REDIS_URL": infrastructure.redis_url(),
        "CLWSTWR_GRPC_PORT": str(port),
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SERVICE, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(20):
            while not await serving(port):
                assert child.returncode is None, "the service exited before serving"
                await asyncio.sleep(0.1)
        child.send_signal(stop_signal)
        # Generous: the point is a clean exit, and a loaded 2-core machine can be slow to get it.
        async with asyncio.timeout(30):
            _, stderr = await child.communicate()
    finally:
        if child.returncode is None:
            child.kill()
            await child.wait()
    assert child.returncode == 0, stderr.decode()
    log = stderr.decode()
    assert "serving gRPC" in log
    assert "stopping" in log
    assert not await serving(port)

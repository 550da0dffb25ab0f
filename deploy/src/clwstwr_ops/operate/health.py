"""A service's gRPC health, as its probes see it."""

from __future__ import annotations

from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


async def health_of(target: str | None, timeout: float = 2.0) -> str:  # noqa: ASYNC109
    """``SERVING``, ``NOT_SERVING`` …, ``UNREACHABLE``, or ``NO_TARGET`` when none is known."""
    if target is None:
        return "NO_TARGET"
    async with grpc.aio.insecure_channel(target) as channel:
        # The stubs type HealthStub for sync channels only; this is an aio channel.
        stub: Any = health_pb2_grpc.HealthStub(channel)
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=timeout)
        except grpc.aio.AioRpcError:
            return "UNREACHABLE"
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

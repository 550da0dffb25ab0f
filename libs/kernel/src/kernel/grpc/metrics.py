"""RPC latency: the ``rpc.server.duration`` histogram (OpenTelemetry's gRPC spans carry no metrics).

Sits just inside tracing and outside error mapping, so it sees each call's final status code.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import grpc
from opentelemetry import metrics
from typing_extensions import override

from kernel.grpc._wrapping import (
    Behaviour,
    BehaviourInterceptor,
    Context,
    StreamBehaviour,
    UnaryBehaviour,
    call_unary,
)

_duration = metrics.get_meter(__name__).create_histogram(
    "rpc.server.duration", unit="ms", description="Time to serve one gRPC call, by method and code"
)


class MetricsInterceptor(BehaviourInterceptor):
    """Records every call's duration with its method and final status code."""

    @override
    def wrap_unary(self, behaviour: Behaviour, method: str) -> UnaryBehaviour:
        async def measured(request: object, context: Context) -> object:
            started = time.perf_counter()
            try:
                return await call_unary(behaviour, request, context)
            finally:
                _record(method, context, started)

        return measured

    @override
    def wrap_stream(self, behaviour: Behaviour, method: str) -> StreamBehaviour:
        async def measured(request: object, context: Context) -> AsyncIterator[object]:
            started = time.perf_counter()
            try:
                async for response in behaviour(request, context):
                    yield response
            finally:
                _record(method, context, started)

        return measured


def _record(method: str, context: Context, started: float) -> None:
    code = context.code()
    status = code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.OK
    _duration.record(
        (time.perf_counter() - started) * 1000,
        {"rpc.method": method, "rpc.grpc.status_code": status.value[0]},
    )

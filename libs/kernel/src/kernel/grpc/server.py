"""Building a service's gRPC server: its servicers, EventFeed, health, reflection and interceptors.

Every call passes, outermost first, through: OpenTelemetry (one span per call), the latency
histogram, error mapping (``kernel.errors`` to status codes), authentication (bearer token to
principal), idempotency keys, the request context (actor, correlation id, idempotency scope
for event metadata and ids: ``kernel.context``), then the servicer. grpc's health and
reflection services skip all but the first, so probes and tooling need no token.

A service wires itself up like this (in its ``bootstrap.py``)::

    server = build_server(
        host=settings.grpc_host,
        port=settings.grpc_port,
        tokens=TokenRegistry.from_settings(settings),
        idempotency=PostgresIdempotencyStore(pool, settings.service_name),
        event_store=store,  # also serves clwstwr.eventfeed.v1.EventFeedService
        services=[
            servicer(
                meetings_pb2.DESCRIPTOR.services_by_name["MeetingsService"],
                meetings_pb2_grpc.add_MeetingsServiceServicer_to_server,
                MeetingsServicer(application),
            )
        ],
    )
    await server.start()
    ...
    await server.stop(grace=10)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Self, TypeVar

import grpc
from google.protobuf.descriptor import ServiceDescriptor
from grpc import aio
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry.instrumentation.grpc import aio_server_interceptor

from clwstwr.eventfeed.v1 import event_feed_pb2, event_feed_pb2_grpc
from kernel.eventstore.port import EventStore
from kernel.grpc._wrapping import is_exempt
from kernel.grpc.auth import AuthInterceptor, TokenRegistry
from kernel.grpc.errors import ErrorInterceptor
from kernel.grpc.eventfeed import EventFeedServicer
from kernel.grpc.idempotency import IdempotencyInterceptor, IdempotencyStore
from kernel.grpc.metrics import MetricsInterceptor
from kernel.grpc.request_context import RequestContextInterceptor

_S = TypeVar("_S")
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServiceRegistration:
    """A gRPC service to serve: its full name (for health and reflection) and how to add it."""

    name: str
    register: Callable[[aio.Server], object]


def servicer(
    descriptor: ServiceDescriptor,
    add_to_server: Callable[[_S, aio.Server], object],
    implementation: _S,
) -> ServiceRegistration:
    """The registration of a generated service: its descriptor, ``add_*_to_server``, servicer."""
    return ServiceRegistration(
        descriptor.full_name, lambda server: add_to_server(implementation, server)
    )


class GrpcServer:
    """A built, not yet started, server; see ``build_server``."""

    #: Seconds past the grace that ``stop`` waits for grpc before going on without it.
    stop_margin = 5.0

    def __init__(
        self, server: aio.Server, health: health.aio.HealthServicer, names: list[str], port: int
    ) -> None:
        self._server = server
        self._health = health
        self._abandoned: set[asyncio.Future[None]] = set()
        self._names = names
        self._port = port

    @property
    def port(self) -> int:
        """The bound port (the one the OS chose when built with port 0)."""
        return self._port

    @property
    def service_names(self) -> list[str]:
        """The full names of the services served, grpc's own included."""
        return list(self._names)

    async def start(self) -> None:
        """Start serving, and report every service ``SERVING`` to health checks."""
        await self._server.start()
        for name in ["", *self._names]:
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)

    async def stop(self, grace: float | None = 5.0) -> None:
        """Stop gracefully, letting calls in flight finish.

        Health says ``NOT_SERVING`` first, so probes and load balancers move away; then new
        calls are refused and calls in flight get ``grace`` seconds before they are cancelled.
        """
        await self._health.enter_graceful_shutdown()
        # grpc.aio's stop can hang for ever with a call in flight (grpc/grpc#40834; seen here
        # in tests and benchmarks): stop waiting past the grace, so the process still stops its
        # tasks and exits instead of lingering half-stopped. Not wait_for: it would wait for the
        # cancelled stop to finish, which is the very thing that hangs.
        stopping = asyncio.ensure_future(self._server.stop(grace))
        done, _ = await asyncio.wait({stopping}, timeout=(grace or 0) + self.stop_margin)
        if not done:
            _log.warning("the gRPC server had not stopped %.1f s after its grace", self.stop_margin)
            self._abandoned.add(stopping)  # kept referenced; it may yet finish

    async def wait_for_termination(self) -> None:
        await self._server.wait_for_termination()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


def _traced(call: grpc.HandlerCallDetails) -> bool:
    """Whether a call gets a span: not grpc's own health and reflection services.

    The same test the kernel's interceptors use; the instrumentation's composed filters
    (``filters.negate(filters.any_of(...))``) took several percent of a command's CPU.
    """
    return not is_exempt(call.method)


def _telemetry_interceptor() -> aio.ServerInterceptor:
    """A span per call, except for probes and tooling (``kernel.telemetry`` sets up export)."""
    # The instrumentation is not annotated; it returns an aio.ServerInterceptor.
    interceptor: aio.ServerInterceptor = aio_server_interceptor(filter_=_traced)  # type: ignore[no-untyped-call]
    return interceptor


def build_server(
    *,
    tokens: TokenRegistry,
    idempotency: IdempotencyStore,
    services: Sequence[ServiceRegistration] = (),
    event_store: EventStore | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: grpc.ServerCredentials | None = None,
    options: Sequence[tuple[str, Any]] = (),
) -> GrpcServer:
    """Build a server for ``services`` (and the EventFeed of ``event_store``, if given).

    Call it from the event loop the server will run on (grpc.aio binds to it).

    Args:
        tokens: the bearer tokens that may call (``TokenRegistry.from_settings``).
        idempotency: where idempotency keys are kept (``PostgresIdempotencyStore``).
        services: the service's own gRPC services (see ``servicer``).
        event_store: when given, served as ``clwstwr.eventfeed.v1.EventFeedService``.
        host: the address to listen on.
        port: the port; 0 lets the OS choose (read it back from ``GrpcServer.port``).
        credentials: TLS credentials; without them the port is plaintext (behind a mesh).
        options: grpc channel arguments for the server.

    Raises:
        RuntimeError: the address could not be bound.
    """
    server = aio.server(
        interceptors=[
            _telemetry_interceptor(),
            MetricsInterceptor(),
            ErrorInterceptor(),
            AuthInterceptor(tokens),
            IdempotencyInterceptor(idempotency),
            RequestContextInterceptor(),
        ],
        options=list(options),
    )
    registrations = list(services)
    if event_store is not None:
        registrations.append(
            servicer(
                event_feed_pb2.DESCRIPTOR.services_by_name["EventFeedService"],
                event_feed_pb2_grpc.add_EventFeedServiceServicer_to_server,
                EventFeedServicer(event_store),
            )
        )
    for registration in registrations:
        registration.register(server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [r.name for r in registrations]
    health_name = health_pb2.DESCRIPTOR.services_by_name["Health"].full_name
    reflection.enable_server_reflection([*names, health_name, reflection.SERVICE_NAME], server)
    address = f"{host}:{port}"
    if credentials is None:
        bound = server.add_insecure_port(address)
    else:
        bound = server.add_secure_port(address, credentials)
    if bound == 0:
        raise RuntimeError(f"could not bind the gRPC server to {address}")
    return GrpcServer(server, health_servicer, names, bound)

"""A real gRPC server on a loopback port for tests, and helpers to call it as a client would.

    async with serving(services=[...], event_store=store) as api:
        stub = MeetingsServiceStub(api.channel)
        await stub.ScheduleMeeting(request, metadata=call_metadata("board-7a1"))

``TEST_PRINCIPALS`` maps a few plain test tokens to principals of each role; ``serving`` accepts
them by default.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from grpc import aio

from kernel.eventstore.port import EventStore
from kernel.grpc.auth import Principal, TokenRegistry, hash_token
from kernel.grpc.idempotency import IdempotencyStore, InMemoryIdempotencyStore
from kernel.grpc.server import GrpcServer, ServiceRegistration, build_server

#: Plain tokens for tests: two health boards, the national programme, an operator, a service.
TEST_PRINCIPALS: Mapping[str, Principal] = {
    "board-7a1": Principal("betsi-cadwaladr", "health_board", "7A1"),
    "board-7a2": Principal("hywel-dda", "health_board", "7A2"),
    "national": Principal("spcc", "national"),
    "operator": Principal("ops", "operator"),
    "service": Principal("reporting", "service", "reporting"),
}


def principals_json() -> str:
    """``TEST_PRINCIPALS`` as ``CLWSTWR_AUTH_TOKENS`` holds them (by SHA-256 digest)."""
    return json.dumps(
        {
            hash_token(token): {"subject": p.subject, "role": p.role, "scope": p.scope}
            for token, p in TEST_PRINCIPALS.items()
        }
    )


def call_metadata(
    token: str | None = None, *, idempotency_key: str | None = None
) -> tuple[tuple[str, str], ...]:
    """Metadata for a call: ``authorization: Bearer <token>`` and an optional idempotency key."""
    metadata: list[tuple[str, str]] = []
    if token is not None:
        metadata.append(("authorization", f"Bearer {token}"))
    if idempotency_key is not None:
        metadata.append(("idempotency-key", idempotency_key))
    return tuple(metadata)


@dataclass(frozen=True, slots=True)
class ServedApi:
    """A started server and a channel to it."""

    server: GrpcServer
    channel: aio.Channel
    target: str


@asynccontextmanager
async def serving(
    *,
    services: Sequence[ServiceRegistration] = (),
    event_store: EventStore | None = None,
    tokens: Mapping[str, Principal] = TEST_PRINCIPALS,
    idempotency: IdempotencyStore | None = None,
) -> AsyncIterator[ServedApi]:
    """Serve ``services`` on ``127.0.0.1`` (a free port) until the block ends."""
    server = build_server(
        tokens=TokenRegistry.from_tokens(tokens),
        idempotency=idempotency or InMemoryIdempotencyStore(),
        services=services,
        event_store=event_store,
        host="127.0.0.1",
        port=0,
    )
    await server.start()
    target = f"127.0.0.1:{server.port}"
    channel = aio.insecure_channel(target)
    try:
        yield ServedApi(server, channel, target)
    finally:
        await channel.close()
        await server.stop(grace=None)

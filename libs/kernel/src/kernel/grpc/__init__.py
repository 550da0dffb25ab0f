"""The gRPC plumbing every service shares: server, auth, error mapping, idempotency, EventFeed.

Start with ``kernel.grpc.server.build_server``; servicers raise ``kernel.errors`` and read the
caller with ``current_principal()``.
"""

from kernel.grpc.auth import Principal, Role, TokenRegistry, current_principal, hash_token
from kernel.grpc.eventfeed import EventFeedClient, EventFeedServicer
from kernel.grpc.idempotency import (
    IdempotencyStore,
    InMemoryIdempotencyStore,
    PostgresIdempotencyStore,
    current_idempotency_key,
)
from kernel.grpc.server import GrpcServer, ServiceRegistration, build_server, servicer

__all__ = [
    "EventFeedClient",
    "EventFeedServicer",
    "GrpcServer",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "PostgresIdempotencyStore",
    "Principal",
    "Role",
    "ServiceRegistration",
    "TokenRegistry",
    "build_server",
    "current_idempotency_key",
    "current_principal",
    "hash_token",
    "servicer",
]

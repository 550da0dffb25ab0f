"""Client-supplied idempotency keys for gRPC commands: the interceptor and its stores."""

from kernel.grpc.idempotency.interceptor import (
    METADATA_KEY,
    IdempotencyInterceptor,
    current_idempotency_key,
)
from kernel.grpc.idempotency.postgres import PostgresIdempotencyStore
from kernel.grpc.idempotency.store import (
    IdempotencyScope,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    StoredRequest,
)

__all__ = [
    "METADATA_KEY",
    "IdempotencyInterceptor",
    "IdempotencyScope",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "PostgresIdempotencyStore",
    "StoredRequest",
    "current_idempotency_key",
]

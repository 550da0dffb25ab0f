"""Sets ``kernel.context`` for every call, so events carry who and why without servicer code.

Innermost of the kernel's interceptors (after authentication and idempotency): the actor is the
principal, the correlation id comes from the caller's ``x-correlation-id`` metadata (or is new),
and under an idempotency key the scope ``subject|method|key`` makes the repository derive the
same event ids on a retry, so even a retry that outlives the idempotency lease appends nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

from typing_extensions import override

from kernel.context import RequestContext, request_context
from kernel.grpc._wrapping import (
    Behaviour,
    BehaviourInterceptor,
    Context,
    StreamBehaviour,
    UnaryBehaviour,
    call_unary,
    metadata_value,
)
from kernel.grpc.auth import current_principal
from kernel.grpc.idempotency import current_idempotency_key

CORRELATION_HEADER = "x-correlation-id"


class RequestContextInterceptor(BehaviourInterceptor):
    """Runs each servicer call inside the ``RequestContext`` of its caller (see module doc)."""

    @override
    def wrap_unary(self, behaviour: Behaviour, method: str) -> UnaryBehaviour:
        async def within(request: object, context: Context) -> object:
            with request_context(_context_of(context, method)):
                return await call_unary(behaviour, request, context)

        return within

    @override
    def wrap_stream(self, behaviour: Behaviour, method: str) -> StreamBehaviour:
        async def within(request: object, context: Context) -> AsyncIterator[object]:
            with request_context(_context_of(context, method)):
                async for response in behaviour(request, context):
                    yield response

        return within


def _context_of(context: Context, method: str) -> RequestContext:
    subject = current_principal().subject
    key = current_idempotency_key()
    correlation = metadata_value(context.invocation_metadata(), CORRELATION_HEADER)
    return RequestContext(
        correlation_id=correlation or str(uuid.uuid4()),
        actor=subject,
        idempotency_scope=None if key is None else f"{subject}|{method}|{key}",
    )

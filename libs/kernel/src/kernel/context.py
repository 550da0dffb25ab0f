"""What a request carries into every event it causes: who, why, and under which idempotency key.

Set once per request by the gRPC entrypoint (and per message by the consumer); read by the
repository when it writes event metadata. Pure: only contextvars.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class RequestContext:
    correlation_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    causation_id: str | None = None
    actor: str | None = None
    #: principal + method + the client's key: makes a retried command's event ids repeat.
    idempotency_scope: str | None = None

    def metadata(self) -> dict[str, str]:
        values = {
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "actor": self.actor,
        }
        return {k: v for k, v in values.items() if v is not None}


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "clwstwr_request_context", default=None
)


def current_context() -> RequestContext:
    return _current.get() or RequestContext()


@contextmanager
def request_context(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)

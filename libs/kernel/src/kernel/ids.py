"""Server-chosen ids that a retried command chooses again.

Under an idempotency key, an id is derived from the key's scope (caller, method, key), so a
retry that runs again (its first response was lost with a crashed process) names the same
meeting, organisation, person or membership and is recognised as a repeat, never a second one.
"""

from __future__ import annotations

import uuid

from kernel.context import current_context

_NAMESPACE = uuid.UUID("0d9b2f53-6b0e-4c4e-9d6c-3c1f7e2a8b41")


def new_id(purpose: str) -> str:
    """A fresh id for ``purpose`` (e.g. "person"), repeatable under an idempotency key."""
    scope = current_context().idempotency_scope
    if scope is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_NAMESPACE, f"{scope}|{purpose}"))

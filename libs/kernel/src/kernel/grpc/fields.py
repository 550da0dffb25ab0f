"""Reading request fields every service's API shares: dates, optional strings, the caller.

proto3 sends "" for a string not given; dates travel as ISO strings (see the protos). A
malformed field is the caller's error, named, as ``INVALID_ARGUMENT`` with a field violation.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol, TypeVar

from kernel.errors import ValidationFailed
from kernel.grpc.auth import current_principal


def parse_date(field: str, text: str, *, default: dt.date | None = None) -> dt.date:
    """An ISO date field; ``default`` when empty (required when there is no default)."""
    if not text:
        if default is None:
            raise ValidationFailed.single(field, "is required (an ISO date, e.g. 2025-04-01)")
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed.single(field, "must be an ISO date, e.g. 2025-04-01") from None


def optional(text: str) -> str | None:
    """An optional string field: proto3 sends "" for "not given"."""
    return text or None


class _CallerType(Protocol):
    def __init__(self, subject: str, role: str, board: str | None = None) -> None: ...


C = TypeVar("C", bound=_CallerType)


def caller_as(caller_type: type[C]) -> C:
    """The authenticated caller of the call being served, as a service's access rules see it.

    ``caller_type`` is the service's ``kernel.access.Caller`` (or a subclass).
    """
    principal = current_principal()
    return caller_type(principal.subject, principal.role, principal.scope)

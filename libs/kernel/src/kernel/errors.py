"""Errors every service raises, each mapped to one gRPC status code by ``kernel.grpc``.

They live in the pure kernel so that domain and application layers can raise them without
importing any I/O library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ClwstwrError(Exception):
    """Base of every error the platform raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One invalid field of a request: a dotted path such as ``members[2].ods_code``, and why."""

    field: str
    description: str


class ValidationFailed(ClwstwrError):
    """The request is malformed (maps to ``INVALID_ARGUMENT`` with ``google.rpc.BadRequest``)."""

    def __init__(self, violations: Iterable[FieldViolation]) -> None:
        self.violations = tuple(violations)
        if not self.violations:
            raise ValueError("ValidationFailed needs at least one field violation")
        super().__init__("; ".join(f"{v.field}: {v.description}" for v in self.violations))

    @classmethod
    def single(cls, field: str, description: str) -> ValidationFailed:
        return cls([FieldViolation(field, description)])


class NotFound(ClwstwrError):
    """An id the caller named does not exist (``NOT_FOUND``)."""


class AlreadyExists(ClwstwrError):
    """A create named something that exists already (``ALREADY_EXISTS``)."""


class RuleViolated(ClwstwrError):
    """A domain rule refused the command, e.g. "meeting already held" (``FAILED_PRECONDITION``).

    ``reason`` is a stable, machine-readable code (``MEETING_ALREADY_HELD``); the message is
    for people.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


class ConcurrencyError(ClwstwrError):
    """The stream moved on since the caller read it (``ABORTED``): reload and retry."""

    def __init__(self, stream_id: str, expected: int | None, actual: int) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, but version {expected} was expected"
        )


class EventIdConflict(ClwstwrError):
    """Some, but not all, of an append's event ids are stored already, or stored elsewhere.

    A whole retried append is a harmless no-op; a partial overlap means two different appends
    share event ids, which is a caller bug, never something to paper over.
    """


class Unauthenticated(ClwstwrError):
    """No valid credentials (``UNAUTHENTICATED``)."""


class PermissionDenied(ClwstwrError):
    """Valid credentials, but outside the principal's role or scope (``PERMISSION_DENIED``)."""

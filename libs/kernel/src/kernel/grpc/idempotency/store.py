"""Where idempotency keys and the first response to each keyed request are kept."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime, timedelta

from kernel.events import utc_now

#: How long a completed request's response answers retries of it.
DEFAULT_RETENTION = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class IdempotencyScope:
    """A key is only ever compared within one caller's calls of one method."""

    principal: str
    method: str
    key: str


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """What is stored under a key someone else holds or has used."""

    #: SHA-256 of the request the key was first used with.
    fingerprint: bytes
    #: The serialized response, or None while the first request is still being handled.
    response: bytes | None


class IdempotencyStore(abc.ABC):
    """Reservations and responses per ``IdempotencyScope``.

    The protocol: ``claim`` a scope before acting; if the claim is granted, act, then
    ``complete`` with the response (or ``release`` on failure so that a retry may act).
    A reservation is a lease: if its holder dies, the scope can be claimed again once the lease
    has run out.
    """

    @abc.abstractmethod
    async def claim(
        self, scope: IdempotencyScope, fingerprint: bytes, owner: str, lease: timedelta
    ) -> StoredRequest | None:
        """Reserve ``scope`` for ``owner`` and return None, or return what holds it already."""

    @abc.abstractmethod
    async def complete(self, scope: IdempotencyScope, owner: str, response: bytes) -> None:
        """Store the response of ``owner``'s reserved request; retries now get it."""

    @abc.abstractmethod
    async def release(self, scope: IdempotencyScope, owner: str) -> None:
        """Drop ``owner``'s reservation without a response (the request failed)."""


@dataclass(slots=True)
class _Entry:
    fingerprint: bytes
    owner: str | None
    locked_until: datetime | None
    response: bytes | None = None
    completed_at: datetime | None = None


class InMemoryIdempotencyStore(IdempotencyStore):
    """One process's keys, for tests and single-replica development servers."""

    def __init__(self, retention: timedelta = DEFAULT_RETENTION) -> None:
        self._entries: dict[IdempotencyScope, _Entry] = {}
        self._retention = retention

    async def claim(
        self, scope: IdempotencyScope, fingerprint: bytes, owner: str, lease: timedelta
    ) -> StoredRequest | None:
        now = utc_now()
        entry = self._entries.get(scope)
        if entry is None or _reclaimable(entry, fingerprint, now, self._retention):
            self._entries[scope] = _Entry(fingerprint, owner, now + lease)
            return None
        return StoredRequest(entry.fingerprint, entry.response)

    async def complete(self, scope: IdempotencyScope, owner: str, response: bytes) -> None:
        entry = self._entries.get(scope)
        if entry is not None and entry.owner == owner:
            entry.response, entry.completed_at = response, utc_now()
            entry.owner = entry.locked_until = None

    async def release(self, scope: IdempotencyScope, owner: str) -> None:
        entry = self._entries.get(scope)
        if entry is not None and entry.owner == owner and entry.response is None:
            del self._entries[scope]


def _reclaimable(entry: _Entry, fingerprint: bytes, now: datetime, retention: timedelta) -> bool:
    if entry.completed_at is not None:
        return entry.completed_at < now - retention
    # An abandoned reservation (its holder died) may be taken over by a retry of the same request.
    lease_over = entry.locked_until is not None and entry.locked_until < now
    return lease_over and entry.fingerprint == fingerprint

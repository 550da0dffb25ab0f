"""Bearer-token authentication and the principal every servicer checks its calls against.

Tokens are configured as JSON (``CLWSTWR_AUTH_TOKENS``) mapping the SHA-256 hex digest of each
token to a principal, so settings, logs and config maps never hold a usable token::

    {"9f86d08...": {"subject": "cardiff-and-vale", "role": "health_board", "scope": "7A4"}}

The ``AuthInterceptor`` resolves ``authorization: Bearer <token>`` on every call (grpc's health
and reflection services excepted, so probes and tooling need no token) and servicers read the
caller with ``current_principal()``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import AsyncIterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import grpc
from pydantic import TypeAdapter
from typing_extensions import override

from kernel.errors import PermissionDenied, Unauthenticated
from kernel.grpc._wrapping import (
    Behaviour,
    BehaviourInterceptor,
    Context,
    Metadata,
    StreamBehaviour,
    UnaryBehaviour,
    call_unary,
    metadata_value,
)
from kernel.settings import ServiceSettings

#: ``health_board``: one board's systems (scope = its ODS code); ``national``: the national
#: programme (all of Wales); ``operator``: people running the platform; ``service``: another
#: service or downstream consumer (scope = its name), e.g. reading an EventFeed.
Role = Literal["health_board", "national", "operator", "service"]

_DIGEST = re.compile(r"[0-9a-f]{64}")
_BEARER = re.compile(r"bearer\s+(\S+)\s*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: a unique ``subject``, a ``role`` and, for some roles, a ``scope``."""

    subject: str
    role: Role
    scope: str | None = None

    def __post_init__(self) -> None:
        if not self.subject:
            raise ValueError("a principal needs a subject")
        if self.role in ("health_board", "service") and not self.scope:
            raise ValueError(f"a {self.role} principal needs a scope")

    def require_role(self, *roles: Role) -> None:
        """Raise ``PermissionDenied`` unless the principal has one of ``roles``."""
        if self.role not in roles:
            raise PermissionDenied(f"{self.subject!r} ({self.role}) may not do this")

    def require_board(self, ods_code: str, *, write: bool = False) -> None:
        """Raise ``PermissionDenied`` unless the principal may act on health board ``ods_code``.

        A board may read and write its own data; the national programme may read every board's
        (national writes are checked with ``require_role("national")`` where they are allowed).
        """
        if self.role == "health_board" and self.scope == ods_code:
            return
        if self.role == "national" and not write:
            return
        action = "change" if write else "read"
        raise PermissionDenied(f"{self.subject!r} may not {action} {ods_code}'s data")


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which ``token`` is configured."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenRegistry:
    """The configured tokens, by digest: resolves a presented bearer token to its principal."""

    def __init__(self, principals: Mapping[str, Principal]) -> None:
        bad = [digest for digest in principals if not _DIGEST.fullmatch(digest)]
        if bad:
            raise ValueError("token keys must be SHA-256 hex digests (use hash_token)")
        self._principals = dict(principals)
        self._issued: dict[str, Principal] = {}

    @classmethod
    def from_json(cls, text: str) -> TokenRegistry:
        """Parse ``{"<sha256 hex>": {"subject": ..., "role": ..., "scope": ...}, ...}``."""
        return cls(_REGISTRY_JSON.validate_python(json.loads(text)))

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenRegistry:
        """The registry configured in ``CLWSTWR_AUTH_TOKENS``."""
        return cls.from_json(settings.auth_tokens)

    @classmethod
    def from_tokens(cls, tokens: Mapping[str, Principal]) -> TokenRegistry:
        """A registry from plain tokens, hashing them (tests and local development)."""
        return cls({hash_token(token): principal for token, principal in tokens.items()})

    def authenticate(self, token: str) -> Principal | None:
        """The principal ``token`` belongs to, or None when it is neither configured nor issued."""
        digest = hash_token(token)
        return self._principals.get(digest) or self._issued.get(digest)

    def replace_issued(self, issued: Mapping[str, Principal]) -> None:
        """Swap in the tokens operators have issued (``kernel.grpc.tokens``), revoked ones gone."""
        self._issued = dict(issued)


_REGISTRY_JSON = TypeAdapter(dict[str, Principal])
_principal: ContextVar[Principal | None] = ContextVar("clwstwr_principal", default=None)


def current_principal() -> Principal:
    """The authenticated caller of the call being served.

    Raises:
        Unauthenticated: outside an authenticated call (a bug, or a call grpc's services serve).
    """
    principal = _principal.get()
    if principal is None:
        raise Unauthenticated("no authenticated caller")
    return principal


def bearer_token(metadata: Metadata) -> str | None:
    """The token of an ``authorization: Bearer <token>`` entry in call metadata, if any."""
    value = metadata_value(metadata, "authorization")
    match = _BEARER.fullmatch(value) if value else None
    return match.group(1) if match else None


class AuthInterceptor(BehaviourInterceptor):
    """Refuses calls without a known bearer token (``UNAUTHENTICATED``), and exposes the caller.

    The principal is set in a context variable around the servicer's behaviour, which grpc.aio
    runs in the call's own task, so it can never leak into another call.
    """

    def __init__(self, registry: TokenRegistry) -> None:
        self._registry = registry

    def _resolve(self, context: Context) -> Principal | None:
        token = bearer_token(context.invocation_metadata())
        return self._registry.authenticate(token) if token else None

    @override
    def wrap_unary(self, behaviour: Behaviour, method: str) -> UnaryBehaviour:
        async def authenticated(request: object, context: Context) -> object:
            principal = self._resolve(context)
            if principal is None:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or unknown token")
            reset = _principal.set(principal)
            try:
                return await call_unary(behaviour, request, context)
            finally:
                _principal.reset(reset)

        return authenticated

    @override
    def wrap_stream(self, behaviour: Behaviour, method: str) -> StreamBehaviour:
        async def authenticated(request: object, context: Context) -> AsyncIterator[object]:
            principal = self._resolve(context)
            if principal is None:
                await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or unknown token")
            reset = _principal.set(principal)
            try:
                async for response in behaviour(request, context):
                    yield response
            finally:
                # A generator closed from elsewhere (garbage collection) runs this in another
                # context, where the reset would fail; the call's own context dies with it anyway.
                with contextlib.suppress(ValueError):
                    _principal.reset(reset)

        return authenticated

"""Client-supplied idempotency keys: a retried command returns its first response, never acts twice.

A client sends ``idempotency-key: <key>`` metadata with a unary call. The interceptor works on
serialized bytes (it takes over the method's (de)serialization), so no servicer does anything:

* the first call with a key claims it, runs the servicer, and stores the serialized response;
* a retry (same caller, method and key, same request) gets the stored bytes back unrun;
* a retry while the first is still running waits for its response, up to ``wait``, and is then
  refused with ``ABORTED`` (retry later), never run alongside it;
* the same key with a different request is ``INVALID_ARGUMENT`` on the ``idempotency-key`` field:
  the client has reused a key, which no change of server state can make right, unlike what
  ``FAILED_PRECONDITION`` would suggest;
* a call that fails stores nothing, so its retry runs again.

If the process dies between the servicer's effect and storing the response, the reservation
lapses after ``lease`` and a retry acts again. Servicers that must be exact even then derive their
event ids from ``current_idempotency_key()``, so the event store itself drops the repeat.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from contextvars import ContextVar
from datetime import timedelta

import grpc
from google.protobuf.message import Message

from kernel.errors import ValidationFailed
from kernel.grpc._wrapping import (
    Context,
    Continuation,
    Handler,
    call_unary,
    is_exempt,
    metadata_value,
)
from kernel.grpc.auth import current_principal
from kernel.grpc.idempotency.store import IdempotencyScope, IdempotencyStore

logger = logging.getLogger(__name__)

METADATA_KEY = "idempotency-key"
_MAX_KEY_LENGTH = 200
_key: ContextVar[str | None] = ContextVar("clwstwr_idempotency_key", default=None)


def current_idempotency_key() -> str | None:
    """The idempotency key of the call being served, if the client sent one."""
    return _key.get()


def _fingerprint(request: object, raw: bytes) -> bytes:
    # Deterministic re-serialization, so a client that orders map entries differently on a
    # retry still presents the same request.
    if isinstance(request, Message):
        raw = request.SerializeToString(deterministic=True)
    return hashlib.sha256(raw).digest()


class IdempotencyInterceptor(grpc.aio.ServerInterceptor):
    """Honours ``idempotency-key`` metadata on unary-unary calls (see the module docstring).

    Args:
        store: where keys and responses are kept (Postgres when there are several replicas).
        lease: how long a claim holds before a retry may take it over from a dead holder.
        wait: how long a retry waits for the first call to finish before ``ABORTED``.
        poll_interval: how often a waiting retry looks again.
    """

    def __init__(
        self,
        store: IdempotencyStore,
        *,
        lease: timedelta = timedelta(seconds=60),
        wait: float = 10.0,
        poll_interval: float = 0.05,
    ) -> None:
        self._store = store
        self._lease = lease
        self._wait = wait
        self._poll_interval = poll_interval

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        key = metadata_value(handler_call_details.invocation_metadata, METADATA_KEY)
        if (
            key is None
            or handler is None
            or handler.unary_unary is None
            or handler.request_streaming
            or handler.response_streaming
            or is_exempt(method)
        ):
            return handler
        behaviour = handler.unary_unary
        deserialize = handler.request_deserializer or (lambda raw: raw)
        serialize = handler.response_serializer or (lambda response: response)

        async def once(raw: bytes, context: Context) -> bytes | None:
            if not 0 < len(key) <= _MAX_KEY_LENGTH:
                raise ValidationFailed.single(
                    METADATA_KEY, f"must be 1 to {_MAX_KEY_LENGTH} characters"
                )
            request = deserialize(raw)
            scope = IdempotencyScope(current_principal().subject, method, key)
            owner = uuid.uuid4().hex
            stored = await self._claim(scope, _fingerprint(request, raw), owner, context)
            if stored is not None:
                return stored
            reset = _key.set(key)
            try:
                response = await call_unary(behaviour, request, context)
            except BaseException:
                await asyncio.shield(self._release(scope, owner))
                raise
            finally:
                _key.reset(reset)
            if response is None:  # the servicer set a status itself: nothing to replay
                await asyncio.shield(self._release(scope, owner))
                return None
            serialized: bytes = serialize(response)
            # Shielded: the effect has happened, so the response must be kept even if the
            # call is cancelled now, or a retry would act again.
            await asyncio.shield(self._store.complete(scope, owner, serialized))
            return serialized

        # No (de)serializers: the call's bytes pass through, so the response can be stored as is.
        return grpc.unary_unary_rpc_method_handler(once)

    async def _release(self, scope: IdempotencyScope, owner: str) -> None:
        try:
            await self._store.release(scope, owner)
        except Exception:
            # The call's own error matters more; the claim lapses with its lease anyway.
            logger.exception("could not release idempotency key %r", scope.key)

    async def _claim(
        self, scope: IdempotencyScope, fingerprint: bytes, owner: str, context: Context
    ) -> bytes | None:
        """None when this call may act; else the stored response to return."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self._wait
        while True:
            stored = await self._store.claim(scope, fingerprint, owner, self._lease)
            if stored is None:
                return None
            if stored.fingerprint != fingerprint:
                raise ValidationFailed.single(
                    METADATA_KEY, "was already used for a different request"
                )
            if stored.response is not None:
                return stored.response
            if loop.time() >= give_up:
                await context.abort(
                    grpc.StatusCode.ABORTED,
                    "a request with this idempotency key is still being handled; retry later",
                )
            await asyncio.sleep(self._poll_interval)

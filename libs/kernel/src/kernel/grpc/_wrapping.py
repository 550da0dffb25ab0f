"""Rebuilding a gRPC method handler around new behaviour, for the kernel's server interceptors.

A ``grpc.aio`` server interceptor cannot run code around a call directly: it gets the method
handler and returns another. Each kernel interceptor wraps the handler's *behaviour* (the servicer
method) and keeps its kind and serializers. Unary-unary and unary-stream methods are wrapped,
which are the only kinds the platform's APIs use; other kinds are refused rather than let
through unauthenticated. grpc's own services (health, reflection) are left exactly as they
are, because they are neither authenticated nor ours.
"""

from __future__ import annotations

import abc
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, TypeAlias

import grpc
from grpc import aio

#: The context a servicer method gets; the kernel's wrappers never rely on its type parameters.
Context: TypeAlias = "aio.ServicerContext[Any, Any]"
#: A servicer method as grpc.aio calls it: ``(request, context)`` and an awaitable or iterator.
Behaviour = Callable[[Any, Any], Any]
UnaryBehaviour: TypeAlias = "Callable[[Any, Context], Awaitable[Any]]"
StreamBehaviour: TypeAlias = "Callable[[Any, Context], AsyncIterator[Any]]"
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"
Continuation: TypeAlias = "Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]"
#: Call metadata as grpc hands it over: ``(key, value)`` pairs, values ``bytes`` for ``-bin`` keys.
Metadata = Iterable[tuple[str, str | bytes]] | None

_EXEMPT_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")


def is_exempt(method: str) -> bool:
    """Whether ``method`` (``/package.Service/Method``) belongs to grpc's own services."""
    return method.startswith(_EXEMPT_PREFIXES)


def metadata_value(metadata: Metadata, key: str) -> str | None:
    """The first text value of ``key`` in call metadata, if any."""
    for name, value in metadata or ():
        if name == key and isinstance(value, str):
            return value
    return None


async def call_unary(behaviour: Behaviour, request: object, context: Context) -> object:
    """Call a unary servicer method, async or (like grpc's generated defaults) plain."""
    result: object = behaviour(request, context)
    if inspect.isawaitable(result):
        result = await result
    return result


class BehaviourInterceptor(aio.ServerInterceptor, abc.ABC):
    """A server interceptor that wraps the behaviour of every unary-unary and unary-stream call.

    Subclasses implement ``wrap_unary`` and ``wrap_stream`` (server streams must be async
    generators). grpc's own services pass through unchanged. Any other kind of method raises
    ``TypeError``, so its calls fail (``UNKNOWN``) instead of going through unauthenticated.
    """

    async def intercept_service(
        self, continuation: Continuation, handler_call_details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = handler_call_details.method
        if handler is None or is_exempt(method):
            return handler
        if handler.request_streaming:
            # Fail closed: passing it through would skip authentication.
            raise TypeError(f"{method}: client-streaming methods are not supported")
        if not handler.response_streaming and handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                self.wrap_unary(handler.unary_unary, method),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        behaviour = handler.unary_stream
        if not inspect.isasyncgenfunction(behaviour):
            # Streams written with ``await context.write`` are refused too: the OpenTelemetry
            # interceptor iterates every stream, and grpc.aio picks its API by kind of callable.
            raise TypeError(f"{method}: a server stream must be an async generator")
        wrapped = self.wrap_stream(behaviour, method)
        return grpc.unary_stream_rpc_method_handler(
            wrapped,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )

    @abc.abstractmethod
    def wrap_unary(self, behaviour: Behaviour, method: str) -> UnaryBehaviour:
        """Return the behaviour to run instead of a unary-unary ``behaviour``."""

    @abc.abstractmethod
    def wrap_stream(self, behaviour: Behaviour, method: str) -> StreamBehaviour:
        """Return the async generator function to run instead of a unary-stream ``behaviour``."""

"""A few concurrent gRPC clients of the platform's public APIs, for operator commands.

Each client has its own channel to every service it talks to (as separate systems would), and
a call waits for an idle client, so ``count`` bounds the requests in flight. Transient failures
are retried: a service restarting (``UNAVAILABLE``), a conflict or a duplicate still being
handled (``ABORTED``), and, for a few seconds after they were issued, tokens the services have
not loaded yet (``UNAUTHENTICATED``). Retrying is safe because commands carry idempotency keys.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import grpc
from google.protobuf.message import Message
from grpc import aio

from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.borrowed_tokens import ACCEPTED_WITHIN_SECONDS

#: service name -> the stub class of its API
Stubs = Mapping[str, Callable[[aio.Channel], Any]]

_RETRIED = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.ABORTED}
_RETRIES = 5
_TIMEOUT_SECONDS = 30.0


class ApiClients:
    def __init__(
        self, targets: Mapping[str, str], stubs: Stubs, tokens: Mapping[str, str], count: int
    ) -> None:
        missing = sorted(set(stubs) - set(targets))
        if missing:
            raise OpsError(
                f"no gRPC target for {', '.join(missing)}: set CLWSTWR_FEED_TARGETS"
                ' (e.g. {"membership": "127.0.0.1:50052", ...})'
            )
        self._tokens = tokens
        self._channels = [
            {name: aio.insecure_channel(targets[name]) for name in stubs} for _ in range(count)
        ]
        self._stubs = [
            {name: stub(channels[name]) for name, stub in stubs.items()}
            for channels in self._channels
        ]
        self._idle: asyncio.Queue[int] = asyncio.Queue()
        for n in range(count):
            self._idle.put_nowait(n)
        self._fresh_until = asyncio.get_running_loop().time() + ACCEPTED_WITHIN_SECONDS

    async def call(
        self, service: str, rpc: str, request: Message, token: str, key: str | None = None
    ) -> Any:  # noqa: ANN401 - the RPC's own reply type
        """``service``'s ``rpc`` as the holder of the token named ``token``, retried if transient.

        ``key``, when given, is sent as the idempotency key.
        """
        metadata = [("authorization", f"Bearer {self._tokens[token]}")]
        if key is not None:
            metadata.append(("idempotency-key", key))
        loop, attempt = asyncio.get_running_loop(), 0
        while True:
            client = await self._idle.get()
            try:
                method = getattr(self._stubs[client][service], rpc)
                return await method(request, metadata=metadata, timeout=_TIMEOUT_SECONDS)
            except aio.AioRpcError as error:
                code = error.code()
                if code == grpc.StatusCode.UNAUTHENTICATED and loop.time() < self._fresh_until:
                    pause = 0.3  # a token just issued, not loaded by the service yet
                elif code in _RETRIED and attempt < _RETRIES:
                    attempt += 1
                    pause = 0.1 * 2**attempt
                else:
                    raise
            finally:
                self._idle.put_nowait(client)
            await asyncio.sleep(pause)

    async def close(self) -> None:
        for channels in self._channels:
            for channel in channels.values():
                await channel.close()

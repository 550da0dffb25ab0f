"""A tiny test-only service ("ledger") built from generic handlers and well-known protobuf types.

It validates its input, checks the caller's board and appends to an event store, so the tests can
see whether a refused or repeated call changed anything. No business proto is involved.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import grpc
import pytest
from google.protobuf.empty_pb2 import Empty
from google.protobuf.struct_pb2 import Struct
from grpc import aio

from kernel import errors
from kernel.errors import FieldViolation, ValidationFailed
from kernel.events import NewEvent
from kernel.eventstore.memory import InMemoryEventStore
from kernel.grpc.auth import current_principal
from kernel.grpc.idempotency import (
    IdempotencyStore,
    InMemoryIdempotencyStore,
    PostgresIdempotencyStore,
)
from kernel.grpc.server import ServiceRegistration
from kernel.testing.grpc import ServedApi, call_metadata, serving

SERVICE = "test.ledger.v1.LedgerService"

ERRORS: dict[str, Callable[[], Exception]] = {
    "validation": lambda: ValidationFailed.single("amount", "must be positive"),
    "not_found": lambda: errors.NotFound("no such ledger"),
    "already_exists": lambda: errors.AlreadyExists("ledger exists"),
    "rule": lambda: errors.RuleViolated("LEDGER_CLOSED", "the ledger is closed"),
    "concurrency": lambda: errors.ConcurrencyError("ledger-7A1", 1, 2),
    "event_id_conflict": lambda: errors.EventIdConflict("some event ids are stored"),
    "unauthenticated": lambda: errors.Unauthenticated("who are you"),
    "permission_denied": lambda: errors.PermissionDenied("not yours"),
    "boom": lambda: RuntimeError("secret internals: password=hunter2"),
}


@dataclass
class Ledger:
    """The servicer: ``Post`` appends, ``Fail`` raises, ``Sleep`` sleeps, ``Count`` streams."""

    store: InMemoryEventStore = field(default_factory=InMemoryEventStore)
    sleep_started: asyncio.Event = field(default_factory=asyncio.Event)
    sleep_cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    uploaded: list[Struct] | None = None
    written_ran: bool = False

    async def post(self, request: Struct, context: object) -> Struct:
        values = request.fields
        board = values["board"].string_value if "board" in values else ""
        amount = values["amount"].number_value if "amount" in values else 0.0
        violations = []
        if not board:
            violations.append(FieldViolation("board", "must be a health board's ODS code"))
        if not amount.is_integer() or amount < 1:
            violations.append(FieldViolation("amount", "must be a whole number of pence, >= 1"))
        if violations:
            raise ValidationFailed(violations)
        current_principal().require_board(board, write=True)
        if "delay" in values:
            await asyncio.sleep(values["delay"].number_value)
        result = await self.store.append(
            f"ledger-{board}", None, [NewEvent("ledger.Posted", {"amount": int(amount)})]
        )
        return struct({"position": result.positions[0]})

    async def fail(self, request: Struct, context: object) -> Empty:
        error = ERRORS[request.fields["error"].string_value]()
        raise error

    async def sleep(self, request: Struct, context: object) -> Struct:
        self.sleep_started.set()
        try:
            await asyncio.sleep(request.fields["seconds"].number_value)
        except asyncio.CancelledError:
            self.sleep_cancelled.set()
            raise
        return Struct()

    async def count(self, request: Struct, context: object) -> AsyncIterator[Struct]:
        values = request.fields
        fail_at = int(values["fail_at"].number_value) if "fail_at" in values else None
        for i in range(int(values["n"].number_value)):
            if i == fail_at:
                raise errors.NotFound("ran out")
            yield struct({"i": i})

    async def written(self, request: Struct, context: aio.ServicerContext[Struct, Struct]) -> None:
        self.written_ran = True
        for i in range(int(request.fields["n"].number_value)):
            await context.write(struct({"i": i}))

    def unimplemented(self, request: Struct, context: object) -> Struct:
        raise NotImplementedError  # as grpc's generated servicer base methods do

    async def upload(self, requests: AsyncIterator[Struct], context: object) -> Struct:
        self.uploaded = [r async for r in requests]
        return Struct()

    def registration(self) -> ServiceRegistration:
        def unary(
            behaviour: Callable[..., Any], response: type[Struct | Empty]
        ) -> grpc.RpcMethodHandler[Struct, Any]:
            return grpc.unary_unary_rpc_method_handler(
                behaviour,
                request_deserializer=Struct.FromString,
                response_serializer=response.SerializeToString,
            )

        stream: grpc.RpcMethodHandler[Struct, Struct] = grpc.unary_stream_rpc_method_handler(
            self.count,
            request_deserializer=Struct.FromString,
            response_serializer=Struct.SerializeToString,
        )
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "Post": unary(self.post, Struct),
                "Fail": unary(self.fail, Empty),
                "Sleep": unary(self.sleep, Struct),
                "Count": stream,
                "Written": grpc.unary_stream_rpc_method_handler(
                    self.written,
                    request_deserializer=Struct.FromString,
                    response_serializer=Struct.SerializeToString,
                ),
                "Unimplemented": unary(self.unimplemented, Struct),
                "Upload": grpc.stream_unary_rpc_method_handler(
                    self.upload,
                    request_deserializer=Struct.FromString,
                    response_serializer=Struct.SerializeToString,
                ),
            },
        )
        return ServiceRegistration(
            SERVICE, lambda server: server.add_generic_rpc_handlers([handler])
        )


class LedgerClient:
    """Calls the ledger as a remote client would; tests read only statuses and responses."""

    def __init__(self, channel: aio.Channel) -> None:
        self._channel = channel

    def method(self, name: str) -> aio.UnaryUnaryMultiCallable[Struct, Struct]:
        return self._channel.unary_unary(
            f"/{SERVICE}/{name}",
            request_serializer=Struct.SerializeToString,
            response_deserializer=Struct.FromString,
        )

    async def post(
        self,
        caller: str | None = "board-7a1",
        *,
        key: str | None = None,
        deadline: float | None = None,
        **values: Any,
    ) -> Struct:
        metadata = call_metadata(caller, idempotency_key=key)
        return await self.method("Post")(struct(values), metadata=metadata, timeout=deadline)

    async def fail(self, error: str, caller: str = "board-7a1") -> None:
        await self.method("Fail")(struct({"error": error}), metadata=call_metadata(caller))

    async def sleep(
        self, seconds: float, caller: str = "board-7a1", deadline: float | None = None
    ) -> Struct:
        request = struct({"seconds": seconds})
        return await self.method("Sleep")(request, metadata=call_metadata(caller), timeout=deadline)

    async def count(
        self, n: int, fail_at: int | None = None, *, name: str = "Count", caller: str = "board-7a1"
    ) -> list[int]:
        values: dict[str, Any] = {"n": n} if fail_at is None else {"n": n, "fail_at": fail_at}
        method = self._channel.unary_stream(
            f"/{SERVICE}/{name}",
            request_serializer=Struct.SerializeToString,
            response_deserializer=Struct.FromString,
        )
        call = method(struct(values), metadata=call_metadata(caller))
        return [int(item.fields["i"].number_value) async for item in call]

    async def upload(self, count: int) -> Struct:
        method = self._channel.stream_unary(
            f"/{SERVICE}/Upload",
            request_serializer=Struct.SerializeToString,
            response_deserializer=Struct.FromString,
        )
        requests = [struct({"i": i}) for i in range(count)]
        return await method(iter(requests), metadata=call_metadata("board-7a1"))


def struct(values: dict[str, Any]) -> Struct:
    message = Struct()
    message.update(values)
    return message


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture(params=["memory", pytest.param("postgres", marks=pytest.mark.integration)])
def idempotency_store(request: pytest.FixtureRequest) -> IdempotencyStore:
    # Sync, so that it may ask for the async Postgres fixtures only when it needs them.
    if request.param == "memory":
        return InMemoryIdempotencyStore()
    pool: asyncpg.Pool = request.getfixturevalue("pg_pool")
    schema: str = request.getfixturevalue("pg_schema")
    return PostgresIdempotencyStore(pool, schema)


@pytest.fixture
async def api(ledger: Ledger) -> AsyncIterator[ServedApi]:
    async with serving(services=[ledger.registration()], event_store=ledger.store) as served:
        yield served


@pytest.fixture
def client(api: ServedApi) -> LedgerClient:
    return LedgerClient(api.channel)


@pytest.fixture
def client_for() -> type[LedgerClient]:
    """For tests that run a server of their own."""
    return LedgerClient

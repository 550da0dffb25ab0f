from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import TYPE_CHECKING, NoReturn

import grpc
import pytest
from grpc import aio

from kernel.errors import FieldViolation
from kernel.grpc.errors import field_violations
from kernel.grpc.idempotency import IdempotencyInterceptor, IdempotencyScope, IdempotencyStore
from kernel.testing.grpc import serving

if TYPE_CHECKING:
    from libs.kernel.tests.grpc.conftest import Ledger, LedgerClient

LEASE = timedelta(seconds=60)


@pytest.fixture
async def keyed_client(
    ledger: Ledger, idempotency_store: IdempotencyStore, client_for: type[LedgerClient]
) -> AsyncIterator[LedgerClient]:
    async with serving(
        services=[ledger.registration()], event_store=ledger.store, idempotency=idempotency_store
    ) as api:
        yield client_for(api.channel)


def new_key() -> str:
    return str(uuid.uuid4())


async def test_a_retry_with_the_same_key_returns_the_first_response_and_acts_once(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    key = new_key()
    first = await keyed_client.post(key=key, board="7A1", amount=100)
    again = await keyed_client.post(key=key, board="7A1", amount=100)

    assert again == first
    assert await ledger.store.last_position() == 1


async def test_calls_without_a_key_or_with_other_keys_act_each_time(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    await keyed_client.post(board="7A1", amount=100)
    await keyed_client.post(board="7A1", amount=100)
    await keyed_client.post(key=new_key(), board="7A1", amount=100)
    await keyed_client.post(key=new_key(), board="7A1", amount=100)

    assert await ledger.store.last_position() == 4


async def test_the_same_key_with_a_different_request_is_invalid_argument(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    key = new_key()
    await keyed_client.post(key=key, board="7A1", amount=100)

    with pytest.raises(aio.AioRpcError) as raised:
        await keyed_client.post(key=key, board="7A1", amount=999)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value) == [
        FieldViolation("idempotency-key", "was already used for a different request")
    ]
    assert await ledger.store.last_position() == 1


async def test_keys_are_per_caller(keyed_client: LedgerClient, ledger: Ledger) -> None:
    key = new_key()
    await keyed_client.post("board-7a1", key=key, board="7A1", amount=100)
    await keyed_client.post("board-7a2", key=key, board="7A2", amount=100)

    assert await ledger.store.last_position() == 2


async def test_concurrent_duplicates_act_once_and_all_get_the_same_response(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    key = new_key()
    responses = await asyncio.gather(
        *(keyed_client.post(key=key, board="7A1", amount=100, delay=0.2) for _ in range(5))
    )

    assert all(r == responses[0] for r in responses)
    assert await ledger.store.last_position() == 1


async def test_a_failed_call_stores_nothing_so_its_retry_acts(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    key = new_key()
    with pytest.raises(aio.AioRpcError) as raised:
        await keyed_client.post("board-7a2", key=key, board="7A1", amount=100)
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED

    await keyed_client.post("board-7a2", key=key, board="7A2", amount=100)

    assert await ledger.store.last_position() == 1


async def test_an_overlong_key_is_invalid_argument(
    keyed_client: LedgerClient, ledger: Ledger
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await keyed_client.post(key="k" * 201, board="7A1", amount=100)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value)[0].field == "idempotency-key"
    assert await ledger.store.last_position() == 0


class Aborted(Exception):
    pass


class RecordsAbort:
    async def abort(self, code: grpc.StatusCode, details: str) -> NoReturn:
        raise Aborted(code)


async def test_a_retry_still_waiting_when_the_first_call_is_too_slow_is_aborted(
    idempotency_store: IdempotencyStore,
) -> None:
    scope = IdempotencyScope("p", "/s/M", new_key())
    interceptor = IdempotencyInterceptor(idempotency_store, wait=0.1, poll_interval=0.02)
    assert await idempotency_store.claim(scope, b"a", "first", LEASE) is None

    with pytest.raises(Aborted) as raised:
        await interceptor._claim(scope, b"a", "second", RecordsAbort())  # type: ignore[arg-type]

    assert raised.value.args[0] == grpc.StatusCode.ABORTED


async def test_the_store_protocol(idempotency_store: IdempotencyStore) -> None:
    store = idempotency_store
    scope = IdempotencyScope("p", "/s/M", new_key())

    assert await store.claim(scope, b"a", "one", LEASE) is None
    held = await store.claim(scope, b"a", "two", LEASE)
    assert held is not None
    assert (held.fingerprint, held.response) == (b"a", None)

    await store.complete(scope, "two", b"not the holder")  # ignored: "two" holds nothing
    await store.complete(scope, "one", b"response")
    done = await store.claim(scope, b"a", "three", LEASE)
    assert done is not None
    assert (done.fingerprint, done.response) == (b"a", b"response")


async def test_an_abandoned_claim_is_taken_over_after_its_lease_by_the_same_request_only(
    idempotency_store: IdempotencyStore,
) -> None:
    store = idempotency_store
    scope = IdempotencyScope("p", "/s/M", new_key())

    assert await store.claim(scope, b"a", "dead", timedelta(seconds=-1)) is None
    assert await store.claim(scope, b"b", "other", LEASE) is not None
    assert await store.claim(scope, b"a", "retry", LEASE) is None
    await store.release(scope, "dead")  # too late: no longer its claim
    assert await store.claim(scope, b"a", "third", LEASE) is not None
    await store.release(scope, "retry")
    assert await store.claim(scope, b"b", "fresh", LEASE) is None

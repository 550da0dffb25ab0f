from __future__ import annotations

import json
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from grpc import aio
from pydantic import ValidationError

from kernel.errors import PermissionDenied
from kernel.grpc import Principal, TokenRegistry, hash_token
from kernel.grpc._wrapping import Metadata
from kernel.grpc.auth import bearer_token
from kernel.settings import ServiceSettings

if TYPE_CHECKING:
    from libs.kernel.tests.grpc.conftest import Ledger, LedgerClient


@pytest.mark.parametrize("caller", [None, "no-such-token"])
async def test_a_call_without_a_known_token_is_unauthenticated_and_does_nothing(
    client: LedgerClient, ledger: Ledger, caller: str | None
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.post(caller, board="7A1", amount=100)

    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert await ledger.store.last_position() == 0


async def test_an_authorization_header_that_is_not_a_bearer_token_is_unauthenticated(
    client: LedgerClient,
) -> None:
    call = client.method("Post")(Struct(), metadata=(("authorization", "Basic Ym9hcmQtN2Ex"),))
    with pytest.raises(aio.AioRpcError) as raised:
        await call

    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_board_may_write_its_own_board(client: LedgerClient, ledger: Ledger) -> None:
    await client.post("board-7a1", board="7A1", amount=100)

    assert await ledger.store.last_position() == 1


@pytest.mark.parametrize("caller", ["board-7a2", "national", "operator", "service"])
async def test_anyone_else_writing_a_board_is_permission_denied_and_nothing_is_stored(
    client: LedgerClient, ledger: Ledger, caller: str
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.post(caller, board="7A1", amount=100)

    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert await ledger.store.last_position() == 0


def test_boards_read_their_own_and_national_reads_all() -> None:
    board = Principal("hywel-dda", "health_board", "7A2")
    national = Principal("spcc", "national")

    board.require_board("7A2")
    board.require_board("7A2", write=True)
    national.require_board("7A2")
    with pytest.raises(PermissionDenied):
        board.require_board("7A1")
    with pytest.raises(PermissionDenied):
        national.require_board("7A2", write=True)
    with pytest.raises(PermissionDenied):
        Principal("ops", "operator").require_board("7A2")


def test_require_role() -> None:
    Principal("ops", "operator").require_role("operator", "national")
    with pytest.raises(PermissionDenied):
        Principal("ops", "operator").require_role("service")


def test_the_registry_is_keyed_by_token_digest_and_never_holds_the_token() -> None:
    digest = hash_token("s3cret")
    registry = TokenRegistry.from_json(
        json.dumps({digest: {"subject": "cardiff", "role": "health_board", "scope": "7A4"}})
    )

    assert registry.authenticate("s3cret") == Principal("cardiff", "health_board", "7A4")
    assert registry.authenticate(digest) is None
    assert registry.authenticate("other") is None


def test_the_registry_is_read_from_settings() -> None:
    settings = ServiceSettings(
        service_name="meetings",
        auth_tokens=json.dumps({hash_token("t"): {"subject": "ops", "role": "operator"}}),
    )

    assert TokenRegistry.from_settings(settings).authenticate("t") == Principal("ops", "operator")


@pytest.mark.parametrize(
    "entry",
    [
        {"subject": "x", "role": "admin"},
        {"subject": "x", "role": "health_board"},
        {"subject": "", "role": "operator"},
    ],
)
def test_the_registry_refuses_unknown_roles_and_missing_scopes(entry: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        TokenRegistry.from_json(json.dumps({hash_token("t"): entry}))


def test_the_registry_refuses_plain_tokens_as_keys() -> None:
    with pytest.raises(ValueError, match="digest"):
        TokenRegistry.from_json(json.dumps({"t": {"subject": "ops", "role": "operator"}}))


@pytest.mark.parametrize(
    ("metadata", "token"),
    [
        ((("authorization", "Bearer abc"),), "abc"),
        ((("authorization", "bearer  abc "),), "abc"),
        ((("authorization", "Basic abc"),), None),
        ((("authorization", "Bearer"),), None),
        ((("x-other", "Bearer abc"),), None),
        (None, None),
    ],
)
def test_bearer_token_parsing(metadata: Metadata, token: str | None) -> None:
    assert bearer_token(metadata) == token


async def test_streams_written_with_context_write_fail_closed(
    client: LedgerClient, ledger: Ledger
) -> None:
    for caller in ["nobody", "board-7a1"]:
        with pytest.raises(aio.AioRpcError) as raised:
            await client.count(2, name="Written", caller=caller)
        assert raised.value.code() == grpc.StatusCode.UNKNOWN
    assert not ledger.written_ran


async def test_client_streaming_methods_fail_closed(client: LedgerClient, ledger: Ledger) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.upload(2)

    assert raised.value.code() == grpc.StatusCode.UNKNOWN
    assert ledger.uploaded is None

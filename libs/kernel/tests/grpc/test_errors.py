from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.struct_pb2 import Struct
from grpc import aio

from kernel.errors import FieldViolation
from kernel.grpc.errors import error_reason, field_violations, rich_status
from kernel.testing.grpc import call_metadata

if TYPE_CHECKING:
    from libs.kernel.tests.grpc.conftest import Ledger, LedgerClient

CASES = [
    ("validation", grpc.StatusCode.INVALID_ARGUMENT, None),
    ("not_found", grpc.StatusCode.NOT_FOUND, None),
    ("already_exists", grpc.StatusCode.ALREADY_EXISTS, None),
    ("rule", grpc.StatusCode.FAILED_PRECONDITION, "LEDGER_CLOSED"),
    ("concurrency", grpc.StatusCode.ABORTED, "CONCURRENCY_CONFLICT"),
    ("event_id_conflict", grpc.StatusCode.ALREADY_EXISTS, "EVENT_ID_CONFLICT"),
    ("unauthenticated", grpc.StatusCode.UNAUTHENTICATED, None),
    ("permission_denied", grpc.StatusCode.PERMISSION_DENIED, None),
    ("boom", grpc.StatusCode.INTERNAL, None),
]


@pytest.mark.parametrize(("error", "code", "reason"), CASES)
async def test_each_kernel_error_maps_to_its_status_code(
    client: LedgerClient, error: str, code: grpc.StatusCode, reason: str | None
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.fail(error)

    assert raised.value.code() == code
    assert error_reason(raised.value) == reason
    status = rich_status(raised.value)
    assert status is not None
    assert status.code == code.value[0]


async def test_a_refused_rule_carries_its_message_and_reason_in_the_clwstwr_domain(
    client: LedgerClient,
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.fail("rule")

    assert raised.value.details() == "the ledger is closed"
    status = rich_status(raised.value)
    assert status is not None
    assert status.details[0].type_url.endswith("google.rpc.ErrorInfo")


async def test_an_unexpected_error_leaks_nothing_to_the_caller_but_is_logged(
    client: LedgerClient, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.ERROR, logger="kernel.grpc.errors"),
        pytest.raises(aio.AioRpcError) as raised,
    ):
        await client.fail("boom")

    assert raised.value.details() == "internal error"
    assert "hunter2" not in str(raised.value)
    assert "hunter2" not in str(raised.value.trailing_metadata())
    assert any("hunter2" in (r.exc_text or "") for r in caplog.records)


async def test_bad_input_is_invalid_argument_with_every_field_violation_and_stores_nothing(
    client: LedgerClient, ledger: Ledger
) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.post(board="", amount=1.5)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations(raised.value) == [
        FieldViolation("board", "must be a health board's ODS code"),
        FieldViolation("amount", "must be a whole number of pence, >= 1"),
    ]
    assert await ledger.store.last_position() == 0


async def test_errors_in_a_server_stream_are_mapped_too(client: LedgerClient) -> None:
    assert await client.count(3) == [0, 1, 2]
    with pytest.raises(aio.AioRpcError) as raised:
        await client.count(3, fail_at=2)

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_servicer_method_left_unimplemented_is_unimplemented(client: LedgerClient) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await client.method("Unimplemented")(Struct(), metadata=call_metadata("board-7a1"))

    assert raised.value.code() == grpc.StatusCode.UNIMPLEMENTED

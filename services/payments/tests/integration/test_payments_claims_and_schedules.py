"""Claims, schedules and exports over gRPC, with their refusals (nothing stored on a refusal)."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest

from clwstwr.payments.v1 import payments_service_pb2 as pb
from kernel.testing.grpc import call_metadata

from .conftest import Platform
from .recorded_events import attendee, held, person, pharmacy

pytestmark = pytest.mark.integration

BOARD = call_metadata("board-7a1")
OTHER_BOARD = call_metadata("board-7a2")
NATIONAL = call_metadata("national")


def collab(payee: str = "org-claims") -> pb.SubmitClaimRequest:
    return pb.SubmitClaimRequest(
        rule_id="CP-COLLAB",
        payee=payee,
        activity_date="2024-06-01",
        evidence="Joint flu campaign with the practice, minutes attached",
    )


def sessional(rate: int, payee: str = "sessional-person") -> pb.SubmitClaimRequest:
    return pb.SubmitClaimRequest(
        rule_id="SESSIONAL",
        payee=payee,
        health_board="7A1",
        activity_date="2024-06-03",
        half_days=2,
        rate_pence=rate,
        evidence="Cluster plan workshop, two sessions",
    )


async def refused(call: object, code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    assert raised.value.code() == code, raised.value.details()
    return raised.value


@pytest.fixture(scope="module", autouse=True)
async def payees(platform: Platform) -> None:
    await platform.publish(
        platform.membership, pharmacy("org-claims", "FA123"), person("sessional-person")
    )
    await platform.caught_up()


async def test_approved_claims_accrue_up_to_the_cap_and_rejected_ones_do_not(
    platform: Platform,
) -> None:
    stub = platform.stub
    first = await stub.SubmitClaim(collab(), metadata=BOARD)
    second = await stub.SubmitClaim(collab(), metadata=BOARD)
    assert first.amount_pence == second.amount_pence == 25_000
    before = await platform.payments.store.last_position()
    error = await refused(
        stub.SubmitClaim(collab(), metadata=BOARD), grpc.StatusCode.FAILED_PRECONDITION
    )
    assert "CLAIM_OVER_CAP" in str(error.debug_error_string()) or "cap" in (error.details() or "")
    assert await platform.payments.store.last_position() == before

    await refused(
        stub.ApproveClaim(pb.ApproveClaimRequest(claim_id=first.claim_id), metadata=OTHER_BOARD),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await stub.ApproveClaim(pb.ApproveClaimRequest(claim_id=first.claim_id), metadata=BOARD)
    await refused(
        stub.ApproveClaim(pb.ApproveClaimRequest(claim_id=first.claim_id), metadata=BOARD),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    await stub.RejectClaim(
        pb.RejectClaimRequest(claim_id=second.claim_id, reason="no evidence of attendance"),
        metadata=BOARD,
    )
    statement = await stub.GetStatement(
        pb.GetStatementRequest(payee="org-claims", financial_year="2024/25"), metadata=BOARD
    )
    assert [(e.rule_id, e.source_id, e.amount_pence) for e in statement.entries] == [
        ("CP-COLLAB", first.claim_id, 25_000)
    ]


async def test_sessional_time_is_paid_by_the_half_day_within_the_bounds(
    platform: Platform,
) -> None:
    stub = platform.stub
    before = await platform.payments.store.last_position()
    error = await refused(
        stub.SubmitClaim(sessional(30_000), metadata=BOARD), grpc.StatusCode.INVALID_ARGUMENT
    )
    assert "rate_pence" in (error.details() or "")
    await refused(
        stub.SubmitClaim(sessional(25_000, payee="nobody-known"), metadata=BOARD),
        grpc.StatusCode.NOT_FOUND,
    )
    assert await platform.payments.store.last_position() == before
    claim = await stub.SubmitClaim(sessional(25_000), metadata=BOARD)
    assert claim.amount_pence == 50_000
    await stub.ApproveClaim(pb.ApproveClaimRequest(claim_id=claim.claim_id), metadata=BOARD)
    statement = await stub.GetStatement(
        pb.GetStatementRequest(payee="sessional-person", financial_year="2024/25"),
        metadata=BOARD,
    )
    assert statement.total_pence == 50_000


async def test_a_schedule_is_drafted_approved_once_exported_and_later_entries_wait(
    platform: Platform,
) -> None:
    stub = platform.stub
    await platform.publish(
        platform.meetings,
        held("sched-1", dt.date(2024, 6, 20), attendee("rep", "org-claims")),
    )
    await platform.caught_up()
    drafted = await stub.DraftSchedule(
        pb.DraftScheduleRequest(health_board="7A1", period="2024-06"), metadata=BOARD
    )
    schedule = drafted.schedule
    assert schedule.total_pence == 25_000 + 25_000 + 50_000  # collab, attendance, sessional
    await refused(
        stub.ExportSchedule(
            pb.ExportScheduleRequest(health_board="7A1", schedule_id=schedule.schedule_id),
            metadata=BOARD,
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )
    approve = pb.ApproveScheduleRequest(health_board="7A1", schedule_id=schedule.schedule_id)
    await stub.ApproveSchedule(approve, metadata=BOARD)
    await refused(
        stub.ApproveSchedule(approve, metadata=BOARD), grpc.StatusCode.FAILED_PRECONDITION
    )
    exported = await stub.ExportSchedule(
        pb.ExportScheduleRequest(health_board="7A1", schedule_id=schedule.schedule_id),
        metadata=BOARD,
    )
    assert exported.csv.splitlines() == [
        "payee,ods_code,rule,amount_pence",
        "org-claims,FA123,CP-ATTEND,25000",
        "org-claims,FA123,CP-COLLAB,25000",
        "sessional-person,,SESSIONAL,50000",
    ]
    # A correction after approval lands in the next schedule; the approved one never changes.
    await platform.publish(
        platform.meetings,
        held("sched-1", dt.date(2024, 6, 20), attendee("rep", "org-claims", status="absent")),
    )
    await platform.caught_up()
    nxt = await stub.DraftSchedule(
        pb.DraftScheduleRequest(health_board="7A1", period="2024-06"), metadata=BOARD
    )
    assert nxt.schedule.total_pence == -25_000
    accruals = await stub.ListAccruals(
        pb.ListAccrualsRequest(health_board="7A1", rule_id="CP-ATTEND", page_size=1),
        metadata=BOARD,
    )
    assert len(accruals.entries) == 1
    assert accruals.next_page_token
    await refused(
        stub.ListAccruals(pb.ListAccrualsRequest(health_board="7A1"), metadata=OTHER_BOARD),
        grpc.StatusCode.PERMISSION_DENIED,
    )
    await refused(
        stub.DraftSchedule(
            pb.DraftScheduleRequest(health_board="7A1", period="2024-06"), metadata=BOARD
        ),
        grpc.StatusCode.FAILED_PRECONDITION,
    )

"""Membership -> meetings -> payments, the real services over Redis, checked to the penny.

A pharmacy, its pharmacist and the pharmacy PC lead (who usually works there) are registered in
membership; meetings records cluster and pharmacy PC meetings held with them; payments learns
all of it only from the two services' events and accrues by the shipped rate card.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
import pytest
from grpc import aio

from clwstwr.meetings.v1 import meetings_service_pb2 as gpb
from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceStub
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceStub
from clwstwr.payments.v1 import payments_service_pb2 as ppb
from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceStub
from kernel.runtime import RunningService, start_service
from kernel.testing.grpc import call_metadata
from kernel.testing.infrastructure import service_settings
from meetings.bootstrap import definition as meetings_definition
from meetings.settings import MeetingsSettings
from membership.bootstrap import definition as membership_definition
from membership.settings import MembershipSettings
from payments.adapters.reconciliation import reconcile
from payments.bootstrap import definition as payments_definition
from payments.settings import PaymentsSettings

if TYPE_CHECKING:  # the async stubs exist only in the generated type stubs
    from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceAsyncStub
    from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceAsyncStub
    from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceAsyncStub

pytestmark = pytest.mark.integration

BOARD = call_metadata("board-7a1")
CLUSTER = "7A1-anglesey"
PHARMACY_PC = f"{CLUSTER}.community-pharmacy"


@dataclass
class Wales:
    membership: RunningService
    meetings: RunningService
    payments: RunningService
    members: MembershipServiceAsyncStub
    minutes: MeetingsServiceAsyncStub
    money: PaymentsServiceAsyncStub
    settings: PaymentsSettings


@pytest.fixture(scope="module")
async def wales(pg_pool: asyncpg.Pool) -> AsyncIterator[Wales]:
    suffix = uuid.uuid4().hex[:8]
    names = [f"membership_{suffix}", f"meetings_{suffix}", f"payments_{suffix}"]
    members_name, meetings_name, payments_name = names
    membership = await start_service(
        membership_definition(), service_settings(MembershipSettings, members_name)
    )
    feeds = {members_name: f"127.0.0.1:{membership.server.port}"}
    meetings_settings = service_settings(
        MeetingsSettings,
        meetings_name,
        membership_source=members_name,
        feed_targets=json.dumps(feeds),
        feed_token="service",
    )
    meetings = await start_service(
        meetings_definition(meetings_settings.membership_source), meetings_settings
    )
    feeds[meetings_name] = f"127.0.0.1:{meetings.server.port}"
    payments_settings = service_settings(
        PaymentsSettings,
        payments_name,
        membership_source=members_name,
        meetings_source=meetings_name,
        feed_targets=json.dumps(feeds),
        feed_token="service",
    )
    payments = await start_service(payments_definition(payments_settings), payments_settings)
    running = [payments, meetings, membership]
    try:
        async with (
            aio.insecure_channel(f"127.0.0.1:{membership.server.port}") as a,
            aio.insecure_channel(f"127.0.0.1:{meetings.server.port}") as b,
            aio.insecure_channel(f"127.0.0.1:{payments.server.port}") as c,
        ):
            yield Wales(
                membership,
                meetings,
                payments,
                MembershipServiceStub(a),
                MeetingsServiceStub(b),
                PaymentsServiceStub(c),
                payments_settings,
            )
    finally:
        for service in running:
            await service.stop(grace=0)
        for name in names:
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


async def until(pool: asyncpg.Pool, sql: str, *args: object) -> None:
    async def poll() -> None:
        while await pool.fetchval(sql, *args) is None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), 20)


async def enrol(w: Wales, person: str, body: str, organisation: str = "") -> None:
    await w.members.EnrolMember(
        mpb.EnrolMemberRequest(
            body_id=body,
            person_id=person,
            kind="core",
            role_title="Community pharmacist",
            organisation_id=organisation,
            start_date="2023-04-01",
        ),
        metadata=BOARD,
    )


async def hold(w: Wales, body: str, date: str, chair: str, *present: str) -> str:
    meeting = await w.minutes.ScheduleMeeting(
        gpb.ScheduleMeetingRequest(
            body_id=body, kind="ordinary", mode="virtual", date=date, start_time="18:30"
        ),
        metadata=BOARD,
    )
    for person in present:
        await w.minutes.RecordAttendance(
            gpb.RecordAttendanceRequest(
                meeting_id=meeting.meeting_id, person_id=person, status="present"
            ),
            metadata=BOARD,
        )
    await w.minutes.RecordMeetingHeld(
        gpb.RecordMeetingHeldRequest(meeting_id=meeting.meeting_id, chair_person_id=chair),
        metadata=BOARD,
    )
    return meeting.meeting_id


async def statement(w: Wales, payee: str, year: str) -> ppb.GetStatementResponse:
    return await w.money.GetStatement(
        ppb.GetStatementRequest(payee=payee, financial_year=year), metadata=BOARD
    )


async def test_a_year_of_pharmacy_meetings_is_paid_to_the_penny(wales: Wales) -> None:
    w = wales
    await w.members.SeedRegister(
        mpb.SeedRegisterRequest(established_on="2023-04-01"), metadata=call_metadata("operator")
    )
    pharmacy = (
        await w.members.RegisterOrganisation(
            mpb.RegisterOrganisationRequest(
                name="Fferyllfa Llangefni",
                kind="community_pharmacy",
                ods_code="FA301",
                cluster_id=CLUSTER,
            ),
            metadata=BOARD,
        )
    ).organisation_id
    pharmacist = (
        await w.members.RegisterPerson(mpb.RegisterPersonRequest(name="Ann"), metadata=BOARD)
    ).person_id
    lead = (
        await w.members.RegisterPerson(mpb.RegisterPersonRequest(name="Lowri"), metadata=BOARD)
    ).person_id
    chair = (
        await w.members.RegisterPerson(mpb.RegisterPersonRequest(name="Dafydd"), metadata=BOARD)
    ).person_id
    await enrol(w, chair, CLUSTER)
    await enrol(w, pharmacist, CLUSTER, pharmacy)
    await enrol(w, pharmacist, PHARMACY_PC, pharmacy)
    await enrol(w, lead, PHARMACY_PC, pharmacy)
    await w.members.AppointLead(
        mpb.AppointLeadRequest(
            body_id=PHARMACY_PC,
            person_id=lead,
            role="collaborative_lead",
            start_date="2023-04-01",
            usual_workplace_id=pharmacy,
        ),
        metadata=BOARD,
    )
    meetings_schema = w.meetings.settings.service_name
    await until(
        w.meetings.pool,
        f"SELECT 1 FROM {meetings_schema}.appointments WHERE person_id = $1",
        lead,
    )

    # The pharmacy is represented at cluster meetings (by its pharmacist) and at pharmacy PC
    # meetings (by the lead, who works there): CP-ATTEND pays £250 for each of the first 3 in
    # date order and £250 more with the 3rd, £1,000 in all; the rest are past the cap.
    cluster_meetings = [
        await hold(w, CLUSTER, day, chair, chair, pharmacist)
        for day in ("2024-05-01", "2024-07-01", "2024-09-01", "2024-11-01")
    ]
    # Five pharmacy PC meetings chaired by the lead: £500 backfill to the pharmacy, 4 at most.
    pc_meetings = [
        await hold(w, PHARMACY_PC, day, lead, lead)
        for day in ("2024-05-08", "2024-06-08", "2024-07-08", "2024-08-08", "2024-10-08")
    ]

    schema = w.payments.settings.service_name
    await until(
        w.payments.pool,
        f"SELECT 1 FROM {schema}.ledger WHERE payee = $1 AND rule_id = 'CPPC-LEAD'"
        " HAVING count(*) = 4",
        pharmacy,
    )
    await until(
        w.payments.pool,
        f"SELECT 1 FROM {schema}.ledger WHERE payee = $1 AND rule_id = 'CP-ATTEND'"
        " HAVING sum(amount_pence) = 100000",
        pharmacy,
    )
    answer = await statement(w, pharmacy, "2024/25")
    assert {t.rule_id: t.total_pence for t in answer.rule_totals} == {
        "CP-ATTEND": 100_000,
        "CPPC-LEAD": 200_000,
    }
    assert answer.total_pence == 300_000

    # Correcting the first cluster meeting (the pharmacist was absent) reverses its £250 and
    # moves the bonus to the new 3rd meeting (the 2nd cluster meeting): the total stands.
    await w.minutes.CorrectAttendance(
        gpb.CorrectAttendanceRequest(
            meeting_id=cluster_meetings[0],
            person_id=pharmacist,
            status="absent",
            reason="sent apologies by email",
        ),
        metadata=BOARD,
    )
    await until(
        w.payments.pool,
        f"SELECT 1 FROM {schema}.ledger WHERE source_id = $1 AND reverses IS NOT NULL",
        cluster_meetings[0],
    )
    after = await statement(w, pharmacy, "2024/25")
    assert after.total_pence == 300_000
    net: dict[str, int] = {}
    for e in after.entries:
        if e.rule_id == "CP-ATTEND":
            net[e.source_id] = net.get(e.source_id, 0) + e.amount_pence
    assert {source: pence for source, pence in net.items() if pence} == {
        pc_meetings[0]: 25_000,
        pc_meetings[1]: 25_000,
        cluster_meetings[1]: 50_000,  # the 3rd qualifying meeting now, with the bonus
    }
    assert net[cluster_meetings[0]] == 0
    _, differences = await reconcile(w.payments.pool, w.settings)
    assert differences == []

"""Membership -> meetings -> payments, the real services over Redis, checked to the penny.

One worked example per rule of RULES.md (Payments). The people, organisations and leads are
registered in membership; meetings records the meetings held with them; payments learns all of
it only from the two services' events and accrues by the shipped rate card (claims are made to
payments itself). The three services start once for the module; each example has its own
cluster and people, and reads its statements once payments has applied every event so far.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg
import grpc
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
from payments.adapters.grpc_cards import card_message
from payments.adapters.reconciliation import reconcile
from payments.bootstrap import definition as payments_definition
from payments.domain.shipped_card import SHIPPED_CARD
from payments.settings import PaymentsSettings

if TYPE_CHECKING:  # the async stubs exist only in the generated type stubs
    from clwstwr.meetings.v1.meetings_service_pb2_grpc import MeetingsServiceAsyncStub
    from clwstwr.membership.v1.membership_service_pb2_grpc import MembershipServiceAsyncStub
    from clwstwr.payments.v1.payments_service_pb2_grpc import PaymentsServiceAsyncStub

pytestmark = pytest.mark.integration

BOARD = call_metadata("board-7a1")
CLUSTER = "7A1-anglesey"
PHARMACY_PC = f"{CLUSTER}.community-pharmacy"
NATIONAL = call_metadata("national")
THIS_YEAR, LAST_YEAR = "2024/25", "2023/24"
CAP_REACHED = grpc.StatusCode.FAILED_PRECONDITION


def pc(cluster: str, profession: str) -> str:
    """The professional collaborative of ``profession`` in ``cluster``."""
    return f"{cluster}.{profession}"


@dataclass
class Wales:
    membership: RunningService
    meetings: RunningService
    payments: RunningService
    members: MembershipServiceAsyncStub
    minutes: MeetingsServiceAsyncStub
    money: PaymentsServiceAsyncStub
    settings: PaymentsSettings
    pool: asyncpg.Pool


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
            # The register from FY 2023/24: LEAD-AT-CLUSTER's last year is one of the examples.
            await MembershipServiceStub(a).SeedRegister(
                mpb.SeedRegisterRequest(established_on="2023-04-01"),
                metadata=call_metadata("operator"),
            )
            yield Wales(
                membership,
                meetings,
                payments,
                MembershipServiceStub(a),
                MeetingsServiceStub(b),
                PaymentsServiceStub(c),
                payments_settings,
                pg_pool,
            )
    finally:
        for service in running:
            await service.stop(grace=0)
        for name in names:
            await pg_pool.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")


async def settled(w: Wales) -> None:
    """Wait until meetings has applied all of membership's events, and payments all of both."""
    members = w.membership.settings.service_name
    minutes = w.meetings.settings.service_name
    membership_head = await w.membership.store.last_position()
    await _reach(w.meetings, {members: membership_head})
    meetings_head = await w.meetings.store.last_position()
    await _reach(w.payments, {members: membership_head, minutes: meetings_head})


async def _reach(consumer: RunningService, heads: dict[str, int]) -> None:
    schema = consumer.settings.service_name

    async def behind() -> bool:
        rows = await consumer.pool.fetch(
            f"SELECT source, min(position) FROM {schema}.consumer_checkpoints GROUP BY source"
        )
        reached = {r[0]: r[1] for r in rows}
        return any(reached.get(source, 0) < head for source, head in heads.items())

    async def poll() -> None:
        while await behind():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), 20)


async def organisation(
    w: Wales, name: str, kind: str, cluster: str, ods_code: str = "", *, salaried: bool = False
) -> str:
    registered = await w.members.RegisterOrganisation(
        mpb.RegisterOrganisationRequest(
            name=name,
            kind=kind,
            ods_code=ods_code,
            cluster_id=cluster,
            health_board_salaried=salaried,
        ),
        metadata=BOARD,
    )
    return registered.organisation_id


async def person(w: Wales, name: str) -> str:
    registered = await w.members.RegisterPerson(
        mpb.RegisterPersonRequest(name=name), metadata=BOARD
    )
    return registered.person_id


async def enrol(w: Wales, person: str, body: str, organisation: str = "") -> None:
    await w.members.EnrolMember(
        mpb.EnrolMemberRequest(
            body_id=body,
            person_id=person,
            kind="core",
            role_title="Member",
            organisation_id=organisation,
            start_date="2023-04-01",
        ),
        metadata=BOARD,
    )


async def appoint(w: Wales, body: str, lead: str, workplace: str, end_date: str = "") -> None:
    await w.members.AppointLead(
        mpb.AppointLeadRequest(
            body_id=body,
            person_id=lead,
            role="collaborative_lead",
            start_date="2023-04-01",
            end_date=end_date,
            usual_workplace_id=workplace,
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
    for attendee in present:
        await w.minutes.RecordAttendance(
            gpb.RecordAttendanceRequest(
                meeting_id=meeting.meeting_id, person_id=attendee, status="present"
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


async def totals(w: Wales, payee: str, year: str) -> dict[str, int]:
    """Net pence per rule on the payee's statement for the year."""
    answer = await statement(w, payee, year)
    return {t.rule_id: t.total_pence for t in answer.rule_totals if t.total_pence}


async def paid_for(w: Wales, payee: str, year: str) -> dict[str, int]:
    """Net pence per meeting or claim on the payee's statement (lines netting to 0 left out)."""
    net: dict[str, int] = {}
    for entry in (await statement(w, payee, year)).entries:
        net[entry.source_id] = net.get(entry.source_id, 0) + entry.amount_pence
    return {source: pence for source, pence in net.items() if pence}


async def refused(call: Awaitable[object], code: grpc.StatusCode) -> None:
    with pytest.raises(aio.AioRpcError) as raised:
        await call
    assert raised.value.code() == code, raised.value.details()


async def test_a_year_of_pharmacy_meetings_is_paid_to_the_penny(wales: Wales) -> None:
    w = wales
    pharmacy = await organisation(
        w, "Fferyllfa Llangefni", "community_pharmacy", CLUSTER, ods_code="FA301"
    )
    pharmacist = await person(w, "Ann")
    lead = await person(w, "Lowri")
    chair = await person(w, "Dafydd")
    await enrol(w, chair, CLUSTER)
    await enrol(w, pharmacist, CLUSTER, pharmacy)
    await enrol(w, pharmacist, PHARMACY_PC, pharmacy)
    await enrol(w, lead, PHARMACY_PC, pharmacy)
    await appoint(w, PHARMACY_PC, lead, pharmacy)
    await settled(w)

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
    await settled(w)
    assert await paid_for(w, pharmacy, THIS_YEAR) == {
        # CP-ATTEND in date order: cluster 1 May, PC 8 May, then the 3rd (PC 8 June) + bonus.
        cluster_meetings[0]: 25_000,
        pc_meetings[0]: 25_000 + 50_000,
        pc_meetings[1]: 25_000 + 25_000 + 50_000,
        pc_meetings[2]: 50_000,
        pc_meetings[3]: 50_000,
    }
    answer = await statement(w, pharmacy, THIS_YEAR)
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
    await settled(w)
    after = await statement(w, pharmacy, THIS_YEAR)
    assert after.total_pence == 300_000
    assert await paid_for(w, pharmacy, THIS_YEAR) == {
        pc_meetings[0]: 25_000 + 50_000,
        pc_meetings[1]: 25_000 + 50_000,
        cluster_meetings[1]: 25_000 + 25_000,  # the 3rd qualifying meeting now, with the bonus
        pc_meetings[2]: 50_000,
        pc_meetings[3]: 50_000,
    }
    # Earlier lines were reversed too, as the meetings arrived out of date order; these are
    # the correction's.
    reversals = [
        e for e in after.entries if e.reverses_entry_id and "AttendanceCorrected" in e.caused_by
    ]
    assert sorted((e.source_id, e.part, e.amount_pence) for e in reversals) == sorted(
        [(cluster_meetings[0], "payment", -25_000), (pc_meetings[1], "bonus", -25_000)]
    )


async def test_collaborative_working_and_sessional_claims_accrue_once_approved(
    wales: Wales,
) -> None:
    w = wales
    cluster = "7A1-conwy-west"
    pharmacy = await organisation(w, "Fferyllfa Conwy", "community_pharmacy", cluster, "FA302")
    facilitator = await person(w, "Gwen")
    await settled(w)

    def collab(day: str) -> ppb.SubmitClaimRequest:
        return ppb.SubmitClaimRequest(
            rule_id="CP-COLLAB", payee=pharmacy, activity_date=day, evidence="Joint flu clinic"
        )

    # CP-COLLAB: £250 a claim once approved, 2 claims a year; a rejected one does not count.
    first = await w.money.SubmitClaim(collab("2024-06-01"), metadata=BOARD)
    rejected = await w.money.SubmitClaim(collab("2024-07-01"), metadata=BOARD)
    await w.money.RejectClaim(
        ppb.RejectClaimRequest(claim_id=rejected.claim_id, reason="no evidence"), metadata=BOARD
    )
    second = await w.money.SubmitClaim(collab("2024-08-01"), metadata=BOARD)
    await refused(w.money.SubmitClaim(collab("2024-09-01"), metadata=BOARD), CAP_REACHED)
    for claim in (first, second):
        await w.money.ApproveClaim(ppb.ApproveClaimRequest(claim_id=claim.claim_id), metadata=BOARD)
    assert await paid_for(w, pharmacy, THIS_YEAR) == {
        first.claim_id: 25_000,
        second.claim_id: 25_000,
    }

    # SESSIONAL: 3 half-days at the agreed £270 = £810; a rate outside £240-£280 is refused.
    def sessional(rate_pence: int) -> ppb.SubmitClaimRequest:
        return ppb.SubmitClaimRequest(
            rule_id="SESSIONAL",
            payee=facilitator,
            health_board="7A1",
            activity_date="2024-06-10",
            half_days=3,
            rate_pence=rate_pence,
            evidence="Cluster plan workshop",
        )

    await refused(
        w.money.SubmitClaim(sessional(28_001), metadata=BOARD), grpc.StatusCode.INVALID_ARGUMENT
    )
    time_claim = await w.money.SubmitClaim(sessional(27_000), metadata=BOARD)
    assert time_claim.amount_pence == 81_000
    await w.money.ApproveClaim(
        ppb.ApproveClaimRequest(claim_id=time_claim.claim_id), metadata=BOARD
    )
    assert await totals(w, facilitator, THIS_YEAR) == {"SESSIONAL": 81_000}


async def test_an_optometry_practice_is_paid_once_a_year_and_its_lead_per_meeting_up_to_four(
    wales: Wales,
) -> None:
    w = wales
    optometry = pc("7A1-conwy-east", "optometry")
    practice = await organisation(
        w, "Optegwyr Conwy", "optometry_practice", "7A1-conwy-east", "TP301"
    )
    lead_practice = await organisation(
        w, "Llygaid Llandudno", "optometry_practice", "7A1-conwy-east", "TP302"
    )
    optometrist, lead = await person(w, "Iwan"), await person(w, "Mari")
    await enrol(w, optometrist, optometry, practice)
    await enrol(w, lead, optometry)
    await appoint(w, optometry, lead, lead_practice)
    await settled(w)
    days = ("2024-05-02", "2024-07-02", "2024-09-02", "2024-11-02", "2025-01-02")
    meetings = [await hold(w, optometry, day, lead, lead, optometrist) for day in days]
    await settled(w)
    # OPT-PRACTICE: £1,000 once a year, for the first meeting the practice was represented at.
    assert await paid_for(w, practice, THIS_YEAR) == {meetings[0]: 100_000}
    # OPT-LEAD: £500 a meeting the lead attended, the 5th past the cap of 4 (£2,000).
    assert await paid_for(w, lead, THIS_YEAR) == dict.fromkeys(meetings[:4], 50_000)
    # The lead's workplace was not represented (the lead attended for no organisation).
    assert await totals(w, lead_practice, THIS_YEAR) == {}


async def test_the_gp_lead_is_paid_and_gp_practices_attendance_is_evidence_only(
    wales: Wales,
) -> None:
    w = wales
    cluster = "7A1-north-east-flintshire"
    gp = pc(cluster, "general-practice")
    surgery = await organisation(w, "Meddygfa Fflint", "gp_practice", cluster, "W91301")
    doctor, lead = await person(w, "Elin"), await person(w, "Huw")
    await enrol(w, doctor, gp, surgery)
    await enrol(w, lead, gp, surgery)
    await appoint(w, gp, lead, surgery)
    await settled(w)
    meeting = await hold(w, gp, "2024-06-05", lead, lead, doctor)
    await settled(w)
    assert await paid_for(w, lead, THIS_YEAR) == {meeting: 50_000}  # GP-LEAD
    assert await totals(w, surgery, THIS_YEAR) == {}  # GP-ATTEND: QAIF evidence, no payment


async def test_a_health_board_salaried_lead_is_not_paid_an_independent_one_is(
    wales: Wales,
) -> None:
    w = wales
    cluster = "7A1-north-west-flintshire"
    team = await organisation(
        w, "District nursing team", "health_board_team", cluster, salaried=True
    )
    charity = await organisation(w, "Gofal Fflint", "third_sector", cluster)
    elsewhere = "7A1-arfon"
    arfon_charity = await organisation(w, "Gofal Arfon", "third_sector", elsewhere)
    paid: dict[str, tuple[str, str]] = {}
    for name, body, workplace in (
        ("Siân", pc(cluster, "community-nursing"), team),  # salaried: NURSING-LEAD pays nothing
        ("Rhys", pc(elsewhere, "community-nursing"), arfon_charity),  # independent: £500
        ("Nia", pc(cluster, "allied-health-professionals"), charity),
        ("Owain", pc(cluster, "social-care"), charity),
    ):
        lead = await person(w, name)
        await enrol(w, lead, body)
        await appoint(w, body, lead, workplace)
        paid[name] = (lead, body)
    await settled(w)
    held = {
        name: await hold(w, body, "2024-07-03", lead, lead) for name, (lead, body) in paid.items()
    }
    await settled(w)
    assert await totals(w, paid["Siân"][0], THIS_YEAR) == {}
    assert await paid_for(w, paid["Rhys"][0], THIS_YEAR) == {held["Rhys"]: 50_000}
    assert await totals(w, paid["Nia"][0], THIS_YEAR) == {"AHP-LEAD": 50_000}
    assert await totals(w, paid["Owain"][0], THIS_YEAR) == {"SOCIAL-CARE-LEAD": 50_000}


async def test_a_pc_lead_at_cluster_meetings_is_paid_half_days_until_march_2024(
    wales: Wales,
) -> None:
    w = wales
    cluster = "7A1-south-flintshire"
    workplace = await organisation(w, "Ffisio Yr Wyddgrug", "other", cluster)
    salaried_team = await organisation(
        w, "Therapies team", "health_board_team", cluster, salaried=True
    )
    lead, salaried_lead = await person(w, "Catrin"), await person(w, "Gareth")
    for who, profession, where in (
        (lead, "allied-health-professionals", workplace),
        (salaried_lead, "community-nursing", salaried_team),
    ):
        await enrol(w, who, pc(cluster, profession))
        await appoint(w, pc(cluster, profession), who, where)
        await enrol(w, who, cluster)
    await settled(w)
    last_year = ("2023-06-01", "2023-09-01", "2023-12-01", "2024-02-01", "2024-03-28")
    meetings = [await hold(w, cluster, day, lead, lead, salaried_lead) for day in last_year]
    after_the_end = await hold(w, cluster, "2024-04-04", lead, lead, salaried_lead)
    await settled(w)
    # LEAD-AT-CLUSTER: a £260 half-day a cluster meeting, 4 a year (the 5th is past the cap).
    assert await paid_for(w, lead, LAST_YEAR) == dict.fromkeys(meetings[:4], 26_000)
    # Funded for 2022/23 and 2023/24 only: a meeting from 1 April 2024 pays nothing.
    assert after_the_end not in await paid_for(w, lead, THIS_YEAR)
    assert await totals(w, lead, THIS_YEAR) == {}
    # A health-board-salaried lead is never paid for it.
    assert await totals(w, salaried_lead, LAST_YEAR) == {}


async def test_a_dental_pc_meeting_pays_nobody_until_a_rule_is_published(wales: Wales) -> None:
    w = wales
    dental = pc("7A1-north-denbighshire", "dental")
    practice = await organisation(
        w, "Deintyddfa Rhyl", "dental_practice", "7A1-north-denbighshire", "V12301"
    )
    lead = await person(w, "Llinos")
    await enrol(w, lead, dental, practice)
    await appoint(w, dental, lead, practice)
    await settled(w)
    await hold(w, dental, "2024-06-12", lead, lead)
    await settled(w)
    assert await totals(w, lead, THIS_YEAR) == {}
    assert await totals(w, practice, THIS_YEAR) == {}


async def test_a_card_published_mid_year_applies_from_its_date(wales: Wales) -> None:
    w = wales
    gp = pc("7A1-south-wrexham", "general-practice")
    surgery = await organisation(
        w, "Meddygfa Wrecsam", "gp_practice", "7A1-south-wrexham", "W91302"
    )
    lead = await person(w, "Bethan")
    await enrol(w, lead, gp, surgery)
    await appoint(w, gp, lead, surgery)
    # From 1 October 2026 GP-LEAD pays £600 (a later card; LEAD-AT-CLUSTER ended long before).
    richer = SHIPPED_CARD.model_copy(
        update={
            "card_id": "wales-2026-10",
            "effective_from": dt.date(2026, 10, 1),
            "rules": tuple(
                r.model_copy(update={"amount_pence": 60_000}) if r.rule_id == "GP-LEAD" else r
                for r in SHIPPED_CARD.rules
                if r.last_day is None
            ),
        }
    )
    await w.money.PublishRateCard(
        ppb.PublishRateCardRequest(card=card_message(richer)), metadata=NATIONAL
    )
    await settled(w)
    before = await hold(w, gp, "2026-09-10", lead, lead)
    after = await hold(w, gp, "2026-10-10", lead, lead)
    await settled(w)
    answer = await statement(w, lead, "2026/27")
    assert [(e.source_id, e.card_id, e.amount_pence) for e in answer.entries] == [
        (before, "wales-2022-04", 50_000),
        (after, "wales-2026-10", 60_000),
    ]
    assert answer.total_pence == 110_000


async def test_the_ledger_reconciles_with_every_event(wales: Wales) -> None:
    await settled(wales)
    compared, differences = await reconcile(wales.pool, wales.settings)
    assert compared > 0
    assert differences == []

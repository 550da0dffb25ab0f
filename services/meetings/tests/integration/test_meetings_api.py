"""Meetings end to end with membership: real gRPC, PostgreSQL and Redis, in one process."""

import asyncio

import grpc
import pytest
from grpc import aio

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from clwstwr.membership.v1 import membership_service_pb2 as mpb
from kernel.grpc.errors import error_reason, field_violations
from kernel.personal_data import is_sealed
from kernel.testing.grpc import call_metadata

from .conftest import BOARD, PC, Platform

pytestmark = pytest.mark.integration


async def schedule(platform: Platform, date: str = "2024-06-12", **headers: str) -> str:
    metadata = call_metadata("board-7a1", idempotency_key=headers.get("key"))
    answer = await platform.stub.ScheduleMeeting(
        pb.ScheduleMeetingRequest(
            body_id=PC, kind="ordinary", mode="virtual", date=date, start_time="18:30"
        ),
        metadata=metadata,
    )
    return answer.meeting_id


async def attend(platform: Platform, meeting: str, person: str, status: str = "present") -> None:
    await platform.stub.RecordAttendance(
        pb.RecordAttendanceRequest(meeting_id=meeting, person_id=person, status=status),
        metadata=BOARD,
    )


async def refused(platform: Platform, call: object, reason: str | None = None) -> grpc.StatusCode:
    """The status a call failed with, having checked it stored nothing."""
    stored = await platform.stored()
    with pytest.raises(aio.AioRpcError) as failed:
        await call  # type: ignore[misc]
    if reason is not None:
        assert error_reason(failed.value) == reason
    assert await platform.stored() == stored
    return failed.value.code()


async def test_seed_enrol_schedule_attend_hold_correct_and_read_back(platform: Platform) -> None:
    members = platform.members
    workplace = await platform.pharmacy("FA201")
    lead = await platform.person("Lowri Lead", workplace)
    ann, bob = await platform.person("Ann"), await platform.person("Bob")
    await members.AppointLead(
        mpb.AppointLeadRequest(
            body_id=PC,
            person_id=lead,
            role="collaborative_lead",
            start_date="2024-04-01",
            usual_workplace_id=workplace,
        ),
        metadata=BOARD,
    )
    await members.RecordTermsOfReferenceReview(
        mpb.RecordTermsOfReferenceReviewRequest(
            body_id=PC, reviewed_on="2024-04-01", quorum=mpb.QuorumRule(minimum_core_members=2)
        ),
        metadata=BOARD,
    )
    await platform.meetings_know("SELECT 1 FROM {schema}.terms WHERE body_id = $1", PC)
    await platform.meetings_know("SELECT 1 FROM {schema}.appointments WHERE person_id = $1", lead)

    meeting = await schedule(platform)
    stub = platform.stub
    item = await stub.AddAgendaItem(
        pb.AddAgendaItemRequest(meeting_id=meeting, title="Flu", purpose="decision", lead="Chair"),
        metadata=BOARD,
    )
    await attend(platform, meeting, lead)
    await attend(platform, meeting, ann)
    await attend(platform, meeting, bob, "apologies")
    await stub.RecordDecision(
        pb.RecordDecisionRequest(meeting_id=meeting, item_number=item.item_number, text="Go"),
        metadata=BOARD,
    )
    action = await stub.RaiseAction(
        pb.RaiseActionRequest(
            meeting_id=meeting, description="Book venue", lead="Ann", due_date="2024-07-01"
        ),
        metadata=BOARD,
    )
    await stub.RecordMeetingHeld(
        pb.RecordMeetingHeldRequest(meeting_id=meeting, chair_person_id=lead), metadata=BOARD
    )
    await stub.CorrectAttendance(
        pb.CorrectAttendanceRequest(
            meeting_id=meeting, person_id=bob, status="present", reason="joined late"
        ),
        metadata=BOARD,
    )

    got = (await stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting), metadata=BOARD)).meeting
    assert (got.status, got.chair_person_id, got.chaired_by_lead, got.quorate) == (
        "held",
        lead,
        True,
        True,
    )
    by_person = {a.person_id: a for a in got.attendance}
    assert by_person[lead].held_lead_appointment
    assert by_person[lead].organisation_id == workplace
    assert by_person[lead].profession == "community-pharmacy"
    assert by_person[bob].status == "present"
    assert [c.reason for c in got.corrections] == ["joined late"]
    assert [a.ref for a in got.actions] == [action.ref]

    listed = await stub.ListMeetings(
        pb.ListMeetingsRequest(body_id=PC, financial_year="2024/25"), metadata=BOARD
    )
    assert [(m.id, m.status) for m in listed.meetings] == [(meeting, "held")]
    other_year = await stub.ListMeetings(
        pb.ListMeetingsRequest(body_id=PC, financial_year="2025/26"), metadata=BOARD
    )
    assert list(other_year.meetings) == []
    overdue = await stub.ListActions(
        pb.ListActionsRequest(body_id=PC, overdue=True, as_of="2024-08-01"), metadata=BOARD
    )
    assert [(a.meeting_id, a.ref, a.overdue) for a in overdue.actions] == [
        (meeting, action.ref, True)
    ]
    held = [e for e in await platform.meetings.store.read_all(0) if e.stream_id.endswith(meeting)]
    assert [e.event_type for e in held][-2:] == [
        "meetings.MeetingHeld",
        "meetings.AttendanceCorrected",
    ]


async def test_clear_errors_and_nothing_stored(platform: Platform) -> None:
    stub = platform.stub
    stranger = (
        await platform.members.RegisterPerson(mpb.RegisterPersonRequest(name="Sam"), metadata=BOARD)
    ).person_id
    await platform.meetings_know("SELECT 1 FROM {schema}.people WHERE person_id = $1", stranger)
    meeting = await schedule(platform, "2024-07-01")
    attendance = pb.RecordAttendanceRequest(
        meeting_id=meeting, person_id=stranger, status="present"
    )
    code = await refused(
        platform, stub.RecordAttendance(attendance, metadata=BOARD), "ATTENDEE_NOT_A_MEMBER"
    )
    assert code == grpc.StatusCode.FAILED_PRECONDITION
    correction = pb.CorrectAttendanceRequest(
        meeting_id=meeting, person_id=stranger, status="present", reason="x", invited=True
    )
    await refused(platform, stub.CorrectAttendance(correction, metadata=BOARD), "MEETING_NOT_HELD")
    other_board = stub.RecordAttendance(attendance, metadata=call_metadata("board-7a2"))
    assert await refused(platform, other_board) == grpc.StatusCode.PERMISSION_DENIED
    bad_year = stub.ListMeetings(
        pb.ListMeetingsRequest(body_id=PC, financial_year="2024-25"), metadata=BOARD
    )
    assert await refused(platform, bad_year) == grpc.StatusCode.INVALID_ARGUMENT
    unknown = stub.GetMeeting(pb.GetMeetingRequest(meeting_id="nope"), metadata=BOARD)
    assert await refused(platform, unknown) == grpc.StatusCode.NOT_FOUND


async def test_two_clerks_at_once_both_succeed_and_a_retried_schedule_acts_once(
    platform: Platform,
) -> None:
    people = [await platform.person(f"Clerked {n}") for n in range(4)]
    await platform.meetings_know(
        "SELECT 1 FROM {schema}.memberships WHERE person_id = $1", people[-1]
    )
    first = await schedule(platform, "2024-10-01", key="schedule-oct")
    stored = await platform.stored()
    assert await schedule(platform, "2024-10-01", key="schedule-oct") == first
    assert await platform.stored() == stored
    await asyncio.gather(*(attend(platform, first, p) for p in people))
    got = await platform.stub.GetMeeting(pb.GetMeetingRequest(meeting_id=first), metadata=BOARD)
    assert sorted(a.person_id for a in got.meeting.attendance) == sorted(people)


async def test_a_meeting_is_scheduled_with_its_agenda_in_one_call(platform: Platform) -> None:
    def request(*agenda: pb.ProposedAgendaItem) -> pb.ScheduleMeetingRequest:
        return pb.ScheduleMeetingRequest(
            body_id=PC,
            kind="ordinary",
            mode="virtual",
            date="2024-12-03",
            start_time="18:30",
            agenda=agenda,
        )

    minutes = pb.ProposedAgendaItem(title="Minutes", purpose="information", lead="Chair")
    bad = pb.ProposedAgendaItem(title="Rota", purpose="gossip", lead="Chair")
    with pytest.raises(aio.AioRpcError) as refused_schedule:
        await platform.stub.ScheduleMeeting(request(minutes, bad), metadata=BOARD)
    assert [v.field for v in field_violations(refused_schedule.value)] == ["agenda[1].purpose"]
    plan = pb.ProposedAgendaItem(title="Plan", purpose="decision", lead="Ann")
    stored = await platform.stored()
    answer = await platform.stub.ScheduleMeeting(request(minutes, plan), metadata=BOARD)
    assert await platform.stored() == stored + 3  # scheduled, then two items
    got = await platform.stub.GetMeeting(
        pb.GetMeetingRequest(meeting_id=answer.meeting_id), metadata=BOARD
    )
    assert [(i.number, i.title, i.purpose, i.lead) for i in got.meeting.agenda] == [
        (1, "Minutes", "information", "Chair"),
        (2, "Plan", "decision", "Ann"),
    ]


async def test_a_register_is_recorded_in_one_call_and_a_bad_entry_stores_nothing(
    platform: Platform,
) -> None:
    people = [await platform.person(f"Registered {n}") for n in range(3)]
    stranger = (
        await platform.members.RegisterPerson(mpb.RegisterPersonRequest(name="Sam"), metadata=BOARD)
    ).person_id
    await platform.meetings_know("SELECT 1 FROM {schema}.people WHERE person_id = $1", stranger)
    await platform.meetings_know(
        "SELECT 1 FROM {schema}.memberships WHERE person_id = $1", people[-1]
    )
    meeting = await schedule(platform, "2024-11-05")
    entries = [pb.AttendanceEntry(person_id=p, status="present") for p in people]

    def register(*extra: pb.AttendanceEntry) -> pb.RecordAttendanceRegisterRequest:
        return pb.RecordAttendanceRegisterRequest(meeting_id=meeting, entries=[*entries, *extra])

    stub = platform.stub
    with pytest.raises(aio.AioRpcError) as bad:
        await stub.RecordAttendanceRegister(
            register(pb.AttendanceEntry(person_id=people[0], status="late")), metadata=BOARD
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert [(v.field, v.description) for v in field_violations(bad.value)] == [
        ("entries[3].person_id", "repeats entries[0]"),
        ("entries[3].status", "must be one of absent, apologies, present"),
    ]
    stranger_entry = pb.AttendanceEntry(person_id=stranger, status="present")
    with_stranger = stub.RecordAttendanceRegister(register(stranger_entry), metadata=BOARD)
    await refused(platform, with_stranger, "ATTENDEE_NOT_A_MEMBER")
    answer = await stub.RecordAttendanceRegister(register(), metadata=BOARD)
    assert answer.recorded == 3
    again = await stub.RecordAttendanceRegister(register(), metadata=BOARD)
    assert again.recorded == 0
    got = await stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting), metadata=BOARD)
    assert sorted((a.person_id, a.status) for a in got.meeting.attendance) == sorted(
        (p, "present") for p in people
    )


async def test_a_late_enrolment_dated_before_the_meeting_is_honoured(platform: Platform) -> None:
    meeting = await schedule(platform, "2024-11-05")
    late = await platform.person("Late Lewis")  # enrolled from April, after the meeting was set
    await platform.meetings_know("SELECT 1 FROM {schema}.memberships WHERE person_id = $1", late)
    await attend(platform, meeting, late)


async def test_lists_are_paged_in_date_order_and_filtered(platform: Platform) -> None:
    stub, cluster = platform.stub, "7A1-anglesey"
    dates = ["2025-03-04", "2024-05-01", "2024-09-17", "2025-04-01"]  # the last: FY 2025/26
    meetings = {}
    for date in dates:
        answer = await stub.ScheduleMeeting(
            pb.ScheduleMeetingRequest(
                body_id=cluster, kind="ordinary", mode="in_person", date=date, start_time="10:00"
            ),
            metadata=BOARD,
        )
        meetings[date] = answer.meeting_id
    listed, token = [], ""
    for _ in range(3):
        page = await stub.ListMeetings(
            pb.ListMeetingsRequest(
                body_id=cluster, financial_year="2024/25", page_size=2, page_token=token
            ),
            metadata=call_metadata("national"),
        )
        listed += [m.date for m in page.meetings]
        token = page.next_page_token
        if not token:
            break
    assert listed == sorted(dates[:3])
    for date in dates[:2]:
        await stub.RaiseAction(
            pb.RaiseActionRequest(
                meeting_id=meetings[date], description="Do it", lead="All", due_date=date
            ),
            metadata=BOARD,
        )
    await stub.UpdateAction(
        pb.UpdateActionRequest(meeting_id=meetings[dates[1]], ref=1, status="done"),
        metadata=BOARD,
    )
    done = await stub.ListActions(
        pb.ListActionsRequest(body_id=cluster, status="done"), metadata=BOARD
    )
    assert [a.meeting_id for a in done.actions] == [meetings[dates[1]]]
    overdue = await stub.ListActions(
        pb.ListActionsRequest(body_id=cluster, overdue=True), metadata=BOARD
    )
    assert [a.meeting_id for a in overdue.actions] == [meetings[dates[0]]]
    with pytest.raises(aio.AioRpcError) as other_board:
        await stub.ListActions(
            pb.ListActionsRequest(body_id=cluster), metadata=call_metadata("board-7a2")
        )
    assert other_board.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_after_holding_minutes_are_approved_and_a_cancellation_voids_it(
    platform: Platform,
) -> None:
    stub, chair = platform.stub, await platform.person("Chair Cadi")
    await platform.meetings_know("SELECT 1 FROM {schema}.memberships WHERE person_id = $1", chair)
    meeting = await schedule(platform, "2025-01-14")
    await stub.RaiseAction(
        pb.RaiseActionRequest(
            meeting_id=meeting, description="x", lead="All", due_date="2025-02-01"
        ),
        metadata=BOARD,
    )
    await attend(platform, meeting, chair)
    held = pb.RecordMeetingHeldRequest(meeting_id=meeting, chair_person_id=chair)
    await stub.RecordMeetingHeld(held, metadata=BOARD)
    assert await refused(
        platform, stub.RecordMeetingHeld(held, metadata=BOARD), "MEETING_ALREADY_HELD"
    )
    approve = pb.ApproveMinutesRequest(meeting_id=meeting, approved_on="2025-04-08")
    await stub.ApproveMinutes(approve, metadata=BOARD)
    await stub.CancelMeeting(
        pb.CancelMeetingRequest(meeting_id=meeting, reason="Recorded against the wrong body"),
        metadata=BOARD,
    )
    got = await stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting), metadata=BOARD)
    assert (got.meeting.status, got.meeting.minutes_approved_on) == ("cancelled", "2025-04-08")
    assert got.meeting.cancellation_reason == "Recorded against the wrong body"
    listed = await stub.ListMeetings(
        pb.ListMeetingsRequest(body_id=PC, financial_year="2024/25"), metadata=BOARD
    )
    assert [m.status for m in listed.meetings if m.id == meeting] == ["cancelled"]
    actions = await stub.ListActions(pb.ListActionsRequest(body_id=PC), metadata=BOARD)
    assert meeting not in {a.meeting_id for a in actions.actions}  # void with their meeting
    events = [e.event_type for e in await platform.meetings.store.read_stream(f"meeting-{meeting}")]
    assert events[-3:] == [
        "meetings.MeetingHeld",
        "meetings.MinutesApproved",
        "meetings.MeetingCancelled",
    ]


async def test_an_erased_persons_declaration_shows_no_description(platform: Platform) -> None:
    stub, gwen = platform.stub, await platform.person("Gwen")
    await platform.meetings_know("SELECT 1 FROM {schema}.memberships WHERE person_id = $1", gwen)
    meeting = await schedule(platform, "2025-02-11")
    item = await stub.AddAgendaItem(
        pb.AddAgendaItemRequest(
            meeting_id=meeting, title="Rota", purpose="discussion", lead="Gwen"
        ),
        metadata=BOARD,
    )
    await attend(platform, meeting, gwen)
    declaration = pb.RecordDeclarationRequest(
        meeting_id=meeting,
        person_id=gwen,
        item_number=item.item_number,
        kind="non_financial_personal",
        description="Sister works at the practice",
    )
    await stub.RecordDeclaration(declaration, metadata=BOARD)
    await platform.members.ErasePerson(mpb.ErasePersonRequest(person_id=gwen), metadata=BOARD)
    await platform.meetings_know(
        "SELECT 1 FROM {schema}.people WHERE person_id = $1 AND erased", gwen
    )
    got = await stub.GetMeeting(pb.GetMeetingRequest(meeting_id=meeting), metadata=BOARD)
    [shown] = got.meeting.declarations
    assert (shown.person_id, shown.kind, shown.description) == (gwen, "non_financial_personal", "")
    # Crypto-shredded too: meetings stored and published only sealed text, and membership's
    # erasure made meetings forget the key, so no copy can be read again.
    stored = [
        e
        for e in await platform.meetings.store.read_stream(f"meeting-{meeting}")
        if e.event_type == "meetings.DeclarationRecorded"
    ]
    assert is_sealed(stored[0].data["description"])
    await platform.meetings_know(
        "SELECT 1 FROM {schema}.personal_data_keys WHERE subject = $1 AND key IS NULL", gwen
    )


async def test_no_declarations_is_recorded_once_and_shown_and_never_beside_one(
    platform: Platform,
) -> None:
    stub, huw = platform.stub, await platform.person("Huw")
    await platform.meetings_know("SELECT 1 FROM {schema}.memberships WHERE person_id = $1", huw)
    quiet, declared = await schedule(platform, "2025-03-04"), await schedule(platform, "2025-03-05")
    none = pb.RecordNoDeclarationsRequest(meeting_id=quiet)
    assert (await stub.RecordNoDeclarations(none, metadata=BOARD)).recorded
    assert not (await stub.RecordNoDeclarations(none, metadata=BOARD)).recorded
    got = await stub.GetMeeting(pb.GetMeetingRequest(meeting_id=quiet), metadata=BOARD)
    assert got.meeting.none_declared
    assert not got.meeting.declarations

    item = await stub.AddAgendaItem(
        pb.AddAgendaItemRequest(meeting_id=declared, title="Rota", purpose="discussion", lead="H"),
        metadata=BOARD,
    )
    await attend(platform, declared, huw)
    await stub.RecordDeclaration(
        pb.RecordDeclarationRequest(
            meeting_id=declared,
            person_id=huw,
            item_number=item.item_number,
            kind="financial",
            description="Partner at the practice",
        ),
        metadata=BOARD,
    )
    contradicting = stub.RecordNoDeclarations(
        pb.RecordNoDeclarationsRequest(meeting_id=declared), metadata=BOARD
    )
    code = await refused(platform, contradicting, "DECLARATIONS_RECORDED")
    assert code == grpc.StatusCode.FAILED_PRECONDITION

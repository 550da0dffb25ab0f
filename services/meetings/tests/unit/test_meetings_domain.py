"""The meeting's rules, given / when / then: scheduling, attendance, quorum, holding."""

import datetime as dt
from dataclasses import replace

import pytest

from kernel.errors import AlreadyExists, NotFound, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from meetings.domain.events import (
    AgendaItemAdded,
    AttendanceRecorded,
    Attendee,
    DecisionRecorded,
    DeclarationRecorded,
    MeetingHeld,
    NoDeclarationsRecorded,
)
from meetings.domain.meeting import Meeting
from meetings.domain.meeting_record import AgendaItem
from meetings.domain.standing import RegisterLine, Standing

from .meeting_samples import AFTER, ANN, BOB, BODY, DAY, GUEST, LEAD, held, present, scheduled


def item(
    number: int = 1, purpose: str = "decision", title: str = "Flu campaign", lead: str = "Chair"
) -> AgendaItemAdded:
    return AgendaItemAdded(
        meeting_id="m-1",
        health_board="7A1",
        item_number=number,
        title=title,
        purpose=purpose,
        lead=lead,
    )


def test_a_meeting_is_scheduled_in_london_time() -> None:
    event = scheduled(day=dt.date(2024, 6, 12))
    assert event.starts_at == dt.datetime(2024, 6, 12, 8, 30, tzinfo=dt.UTC)  # BST
    assert (event.body_kind, event.profession, event.timezone) == (
        "collaborative",
        "community-pharmacy",
        "Europe/London",
    )
    winter = scheduled(day=dt.date(2025, 1, 15))
    assert winter.starts_at == dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC)


def test_a_time_the_clocks_skip_is_refused() -> None:
    refused = scenario(Meeting).when(
        lambda m: m.schedule("m-1", BODY, "ordinary", "virtual", "", dt.date(2025, 3, 30), "01:30")
    )
    error = refused.then_raises(ValidationFailed)
    assert [v.field for v in error.violations] == ["start_time"]  # type: ignore[attr-defined]


def test_scheduling_again_under_the_same_id_is_a_retry_or_a_clash() -> None:
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.schedule("m-1", BODY, "ordinary", "virtual", "Quarterly", DAY, "09:30")
    ).then()
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.schedule("m-1", BODY, "extraordinary", "virtual", "", DAY, "09:30")
    ).then_raises(AlreadyExists)


def test_a_body_closed_by_a_merge_has_no_meetings_after_its_last_day() -> None:
    closed = replace(BODY, closed_on=DAY - dt.timedelta(days=1))
    error = (
        scenario(Meeting)
        .when(lambda m: m.schedule("m-1", closed, "ordinary", "virtual", "", DAY, "09:30"))
        .then_raises(RuleViolated)
    )
    assert error.reason == "BODY_CLOSED"  # type: ignore[attr-defined]
    on_the_day = replace(BODY, closed_on=DAY)
    scenario(Meeting).when(
        lambda m: m.schedule("m-1", on_the_day, "ordinary", "virtual", "Quarterly", DAY, "09:30")
    ).then(scheduled())


def test_a_meeting_is_scheduled_with_its_agenda_numbered_in_order() -> None:
    agenda = [AgendaItem("Minutes", "information", "Chair"), AgendaItem("Plan", "decision", "Ann")]
    scenario(Meeting).when(
        lambda m: m.schedule("m-1", BODY, "ordinary", "virtual", "Quarterly", DAY, "09:30", agenda)
    ).then(
        scheduled(),
        item(1, "information", "Minutes"),
        item(2, "decision", "Plan", "Ann"),
    )
    bad = [AgendaItem("Minutes", "information", "Chair"), AgendaItem("", "gossip", "Ann")]
    error = (
        scenario(Meeting)
        .when(lambda m: m.schedule("m-1", BODY, "ordinary", "virtual", "", DAY, "09:30", bad))
        .then_raises(ValidationFailed)
    )
    assert [v.field for v in error.violations] == ["agenda[1].title", "agenda[1].purpose"]  # type: ignore[attr-defined]


def test_bad_kinds_and_modes_are_named() -> None:
    error = (
        scenario(Meeting)
        .when(lambda m: m.schedule("m-1", BODY, "social", "carrier_pigeon", "", DAY, "9.30"))
        .then_raises(ValidationFailed)
    )
    assert {v.field for v in error.violations} == {"kind", "mode"}  # type: ignore[attr-defined]


def test_a_member_is_recorded_with_the_organisation_they_represent() -> None:
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance(ANN, "present", None, invited=False)
    ).then(present(ANN))


def test_a_non_member_cannot_be_recorded_unless_invited() -> None:
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance(GUEST, "present", None, invited=False)
    ).then_raises(RuleViolated, "not a member")
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance(GUEST, "present", None, invited=True)
    ).then(present(GUEST))


def test_the_organisation_must_be_one_they_represent() -> None:
    error = (
        scenario(Meeting)
        .given(scheduled())
        .when(lambda m: m.record_attendance(ANN, "present", "o-bob", invited=False))
        .then_raises(RuleViolated)
    )
    assert error.reason == "ORGANISATION_NOT_REPRESENTED"  # type: ignore[attr-defined]


def test_with_two_organisations_none_is_assumed() -> None:
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance(BOB, "apologies", None, invited=False)
    ).then(
        AttendanceRecorded(
            meeting_id="m-1",
            health_board="7A1",
            attendee=Attendee(
                person_id="p-bob",
                status="apologies",
                organisation_id=None,
                profession=None,
                membership_kind="core",
                held_lead_appointment=False,
            ),
        )
    )


def test_recording_the_same_attendance_twice_records_it_once() -> None:
    scenario(Meeting).given(scheduled(), present(ANN)).when(
        lambda m: m.record_attendance(ANN, "present", None, invited=False)
    ).then()


def line(standing: Standing, status: str = "present", *, invited: bool = False) -> RegisterLine:
    return RegisterLine(standing, status, None, invited)


def test_a_register_records_every_line_and_a_retry_records_none() -> None:
    register = [line(LEAD), line(ANN, "apologies"), line(GUEST, invited=True)]
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance_register(register)
    ).then(present(LEAD), present(ANN, "apologies"), present(GUEST))
    meeting = Meeting.replay("meeting-m-1", [scheduled(), present(LEAD), present(ANN)])
    assert meeting.record_attendance_register([line(LEAD), line(ANN, "absent")]) == 1
    assert meeting.pending_events == [present(ANN, "absent")]


def test_a_register_with_any_bad_line_records_nothing_and_names_the_line() -> None:
    bad = [line(LEAD), line(ANN, "late"), line(LEAD), line(BOB, "absent")]
    error = (
        scenario(Meeting)
        .given(scheduled())
        .when(lambda m: m.record_attendance_register(bad))
        .then_raises(ValidationFailed)
    )
    assert [(v.field, v.description) for v in error.violations] == [  # type: ignore[attr-defined]
        ("entries[1].status", "must be one of absent, apologies, present"),
        ("entries[2].person_id", "repeats entries[0]"),
    ]
    stranger = [line(LEAD), line(GUEST)]
    refused = (
        scenario(Meeting)
        .given(scheduled())
        .when(lambda m: m.record_attendance_register(stranger))
        .then_raises(RuleViolated, r"^entries\[1\]: p-guest was not a member")
    )
    assert refused.reason == "ATTENDEE_NOT_A_MEMBER"  # type: ignore[attr-defined]
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.record_attendance_register([])
    ).then_raises(ValidationFailed, "at least one entry")
    scenario(Meeting).given(scheduled(), held()).when(
        lambda m: m.record_attendance_register([line(ANN)])
    ).then_raises(RuleViolated, "record closed")


def test_a_decision_needs_a_quorum_of_core_members() -> None:
    history = (scheduled(), item(), present(ANN), present(GUEST))
    error = (
        scenario(Meeting)
        .given(*history)
        .when(lambda m: m.record_decision(1, "Run the campaign", 2))
        .then_raises(RuleViolated)
    )
    assert error.reason == "MEETING_NOT_QUORATE"  # type: ignore[attr-defined]
    scenario(Meeting).given(*history, present(LEAD)).when(
        lambda m: m.record_decision(1, "Run the campaign", 2)
    ).then(
        DecisionRecorded(
            meeting_id="m-1",
            health_board="7A1",
            decision_number=1,
            item_number=1,
            text="Run the campaign",
            core_members_present=2,  # the guest does not count
            quorum_minimum_core_members=2,
        )
    )


def test_no_decision_without_terms_of_reference_or_on_an_item_for_information() -> None:
    history = (scheduled(), item(), item(2, "information"), present(ANN))
    error = (
        scenario(Meeting)
        .given(*history)
        .when(lambda m: m.record_decision(1, "Yes", None))
        .then_raises(RuleViolated)
    )
    assert error.reason == "NO_QUORUM_RULE"  # type: ignore[attr-defined]
    error = (
        scenario(Meeting)
        .given(*history)
        .when(lambda m: m.record_decision(2, "Yes", 1))
        .then_raises(RuleViolated)
    )
    assert error.reason == "ITEM_FOR_INFORMATION_ONLY"  # type: ignore[attr-defined]
    scenario(Meeting).given(*history).when(lambda m: m.record_decision(9, "Yes", 1)).then_raises(
        NotFound
    )


def test_holding_carries_the_attendance_chair_and_quorum() -> None:
    event = held()
    assert [a.person_id for a in event.attendance] == ["p-ann", "p-lead"]
    assert event.attendance[1].held_lead_appointment
    assert (event.chaired_by_lead, event.quorate, event.core_members_present) == (True, True, 2)
    assert (event.body_id, event.meeting_date) == (BODY.body_id, DAY)


def test_the_lead_chairs_when_present_and_a_deputy_otherwise() -> None:
    error = (
        scenario(Meeting)
        .given(scheduled(), present(LEAD), present(ANN))
        .when(lambda m: m.hold("p-ann", "p-lead", 2, AFTER))
        .then_raises(RuleViolated)
    )
    assert error.reason == "LEAD_PRESENT_BUT_NOT_CHAIRING"  # type: ignore[attr-defined]
    deputy = Meeting.replay("meeting-m-1", [scheduled(), present(LEAD, "apologies"), present(ANN)])
    deputy.hold("p-ann", "p-lead", 2, AFTER)
    [event] = deputy.pending_events
    assert isinstance(event, MeetingHeld)
    assert (event.chaired_by_lead, event.quorate) == (False, False)


@pytest.mark.parametrize(
    ("chair", "today", "reason"),
    [
        ("p-bob", AFTER, "CHAIR_NOT_PRESENT"),
        ("p-guest", AFTER, "CHAIR_NOT_A_MEMBER"),
        ("p-ann", DAY - dt.timedelta(days=1), "MEETING_NOT_YET_DUE"),
    ],
)
def test_who_may_chair_and_when(chair: str, today: dt.date, reason: str) -> None:
    error = (
        scenario(Meeting)
        .given(scheduled(), present(ANN), present(GUEST))
        .when(lambda m: m.hold(chair, None, None, today))
        .then_raises(RuleViolated)
    )
    assert error.reason == reason  # type: ignore[attr-defined]


def test_a_meeting_is_held_once_and_then_its_record_is_closed() -> None:
    history = (scheduled(), present(LEAD), present(ANN), held())
    for command in (
        lambda m: m.hold("p-lead", "p-lead", 2, AFTER),
        lambda m: m.record_attendance(BOB, "present", "o-bob", invited=False),
        lambda m: m.add_agenda_item("AOB", "discussion", "All"),
    ):
        error = scenario(Meeting).given(*history).when(command).then_raises(RuleViolated)
        assert error.reason == "MEETING_ALREADY_HELD"  # type: ignore[attr-defined]


def test_no_declarations_is_recorded_once_and_never_beside_a_declaration() -> None:
    none = NoDeclarationsRecorded(meeting_id="m-1", health_board="7A1")
    scenario(Meeting).given(scheduled(), present(ANN)).when(
        lambda m: m.record_no_declarations()
    ).then(none)
    # Again: nothing new.
    scenario(Meeting).given(scheduled(), present(ANN), none).when(
        lambda m: m.record_no_declarations()
    ).then()
    declared = DeclarationRecorded(
        meeting_id="m-1",
        health_board="7A1",
        person_id=ANN.person_id,
        item_number=1,
        kind="financial",
        description="Owner",
    )
    error = (
        scenario(Meeting)
        .given(scheduled(), item(), present(ANN), declared)
        .when(lambda m: m.record_no_declarations())
        .then_raises(RuleViolated)
    )
    assert error.reason == "DECLARATIONS_RECORDED"  # type: ignore[attr-defined]
    closed = scenario(Meeting).given(scheduled(), present(LEAD), present(ANN), held())
    error = closed.when(lambda m: m.record_no_declarations()).then_raises(RuleViolated)
    assert error.reason == "MEETING_ALREADY_HELD"  # type: ignore[attr-defined]

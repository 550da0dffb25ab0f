"""After a meeting is held: corrections, cancellation, minutes; and the action log."""

import datetime as dt

from kernel.errors import NotFound, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from meetings.domain.events import (
    ActionRaised,
    ActionUpdated,
    AttendanceCorrected,
    MeetingCancelled,
    MeetingFacts,
    MinutesApproved,
)
from meetings.domain.meeting import Meeting

from .meeting_samples import ANN, BOB, BODY, DAY, GUEST, LEAD, held, present, scheduled

HELD = (scheduled(), present(LEAD), present(ANN), held())
FACTS = scheduled().model_dump(include=set(MeetingFacts.model_fields))


def test_a_correction_carries_the_reason_and_what_payments_need() -> None:
    meeting = (
        scenario(Meeting)
        .given(*HELD)
        .when(
            lambda m: m.correct_attendance(BOB, "present", "o-bob", "signed in late", invited=False)
        )
        .then(
            AttendanceCorrected(
                **FACTS,
                attendee=present(BOB).attendee.model_copy(update={"organisation_id": "o-bob"}),
                previous_status=None,
                reason="signed in late",
            )
        )
    )
    assert meeting.record.attendance["p-bob"].status == "present"


def test_a_meeting_never_held_cannot_be_corrected_and_a_reason_is_required() -> None:
    error = (
        scenario(Meeting)
        .given(scheduled())
        .when(lambda m: m.correct_attendance(ANN, "absent", None, "no show", invited=False))
        .then_raises(RuleViolated)
    )
    assert error.reason == "MEETING_NOT_HELD"  # type: ignore[attr-defined]
    scenario(Meeting).given(*HELD).when(
        lambda m: m.correct_attendance(ANN, "absent", None, " ", invited=False)
    ).then_raises(ValidationFailed)


def test_the_chair_cannot_be_corrected_away_nor_a_non_member_added() -> None:
    error = (
        scenario(Meeting)
        .given(*HELD)
        .when(lambda m: m.correct_attendance(LEAD, "absent", None, "oops", invited=False))
        .then_raises(RuleViolated)
    )
    assert error.reason == "CHAIR_NOT_PRESENT"  # type: ignore[attr-defined]
    scenario(Meeting).given(*HELD).when(
        lambda m: m.correct_attendance(GUEST, "present", None, "oops", invited=False)
    ).then_raises(RuleViolated, "not a member")


def test_cancelling_voids_the_meeting_once() -> None:
    scenario(Meeting).given(*HELD).when(lambda m: m.cancel("Held without notice")).then(
        MeetingCancelled(**FACTS, reason="Held without notice", was_held=True)
    )
    cancelled = (*HELD, MeetingCancelled(**FACTS, reason="x", was_held=True))
    scenario(Meeting).given(*cancelled).when(lambda m: m.cancel("x")).then()
    error = (
        scenario(Meeting)
        .given(*cancelled)
        .when(lambda m: m.approve_minutes(DAY))
        .then_raises(RuleViolated)
    )
    assert error.reason == "MEETING_CANCELLED"  # type: ignore[attr-defined]


def test_minutes_are_approved_once_after_the_meeting() -> None:
    later = DAY + dt.timedelta(days=90)
    approved = MinutesApproved(
        meeting_id="m-1", body_id=BODY.body_id, health_board="7A1", approved_on=later
    )
    scenario(Meeting).given(*HELD).when(lambda m: m.approve_minutes(later)).then(approved)
    scenario(Meeting).given(*HELD, approved).when(lambda m: m.approve_minutes(later)).then()
    error = (
        scenario(Meeting)
        .given(*HELD, approved)
        .when(lambda m: m.approve_minutes(later + dt.timedelta(days=1)))
        .then_raises(RuleViolated)
    )
    assert error.reason == "MINUTES_ALREADY_APPROVED"  # type: ignore[attr-defined]
    error = (
        scenario(Meeting)
        .given(scheduled())
        .when(lambda m: m.approve_minutes(later))
        .then_raises(RuleViolated)
    )
    assert error.reason == "MEETING_NOT_HELD"  # type: ignore[attr-defined]


RAISED = ActionRaised(
    meeting_id="m-1",
    body_id=BODY.body_id,
    health_board="7A1",
    meeting_date=DAY,
    ref=1,
    description="Agree cluster plans",
    lead="All",
    due_date=DAY + dt.timedelta(days=30),
)


def test_actions_are_numbered_and_carried_on_after_the_meeting() -> None:
    scenario(Meeting).given(scheduled()).when(
        lambda m: m.raise_action("Agree cluster plans", "All", RAISED.due_date)
    ).then(RAISED)
    update = ActionUpdated(
        meeting_id="m-1",
        body_id=BODY.body_id,
        health_board="7A1",
        ref=1,
        status="in_progress",
        progress_note="Awaiting the board",
        updated_on=DAY + dt.timedelta(days=92),
        reviewed_at_meeting_id="m-2",
    )
    later = scheduled("m-2", DAY + dt.timedelta(days=92))
    meeting = (
        scenario(Meeting)
        .given(*HELD, RAISED)
        .when(
            lambda m: m.update_action(
                1, "in_progress", "Awaiting the board", update.updated_on, later
            )
        )
        .then(update)
    )
    action = meeting.record.actions[1]
    assert (action.status, action.notes, action.last_reviewed_at) == (
        "in_progress",
        ("Awaiting the board",),
        "m-2",
    )
    scenario(Meeting).given(*HELD, RAISED).when(
        lambda m: m.update_action(2, "done", "", DAY, None)
    ).then_raises(NotFound)
    scenario(Meeting).given(*HELD, RAISED).when(
        lambda m: m.update_action(1, "finished", "", DAY, None)
    ).then_raises(ValidationFailed)
    earlier = scheduled("m-0", DAY - dt.timedelta(days=92))
    error = (
        scenario(Meeting)
        .given(*HELD, RAISED)
        .when(lambda m: m.update_action(1, "done", "", DAY, earlier))
        .then_raises(RuleViolated)
    )
    assert error.reason == "REVIEWED_BEFORE_RAISED"  # type: ignore[attr-defined]
    elsewhere = later.model_copy(update={"body_id": "7A1-anglesey"})
    error = (
        scenario(Meeting)
        .given(*HELD, RAISED)
        .when(lambda m: m.update_action(1, "done", "", DAY, elsewhere))
        .then_raises(RuleViolated)
    )
    assert error.reason == "REVIEWED_AT_ANOTHER_BODY"  # type: ignore[attr-defined]

"""Translation between the API's messages and the application's values, both ways."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from clwstwr.meetings.v1 import meetings_service_pb2 as pb
from kernel.grpc.fields import caller_as
from meetings.application.access import Caller
from meetings.application.ports import ActionView, MeetingSummary
from meetings.domain.events import Attendee
from meetings.domain.meeting import Meeting
from meetings.domain.meeting_state import Action
from meetings.domain.vocabulary import OPEN_ACTION_STATUSES


def caller() -> Caller:
    """The authenticated caller of the call being served, as the access rules see it."""
    return caller_as(Caller)


def attendance_message(attendee: Attendee) -> pb.Attendance:
    return pb.Attendance(
        person_id=attendee.person_id,
        status=attendee.status,
        organisation_id=attendee.organisation_id or "",
        profession=attendee.profession or "",
        membership_kind=attendee.membership_kind,
        held_lead_appointment=attendee.held_lead_appointment,
    )


def _action(meeting: Meeting, action: Action, today: dt.date) -> pb.Action:
    facts = meeting.facts
    return pb.Action(
        meeting_id=facts.meeting_id,
        body_id=facts.body_id,
        ref=action.ref,
        meeting_date=facts.meeting_date.isoformat(),
        description=action.description,
        lead=action.lead,
        due_date=action.due_date.isoformat(),
        status=action.status,
        progress=list(action.notes),
        last_reviewed_at_meeting_id=action.last_reviewed_at or "",
        overdue=action.due_date < today and action.status in OPEN_ACTION_STATUSES,
    )


def meeting_message(meeting: Meeting, today: dt.date, erased: Collection[str] = ()) -> pb.Meeting:
    """The meeting's record; declarations by ``erased`` people show no description."""
    facts, record, held = meeting.facts, meeting.record, meeting.held
    status = "cancelled" if meeting.cancelled else "held" if held else "scheduled"
    return pb.Meeting(
        id=facts.meeting_id,
        body_id=facts.body_id,
        body_kind=facts.body_kind,
        health_board=facts.health_board,
        kind=facts.meeting_kind,
        mode=facts.mode,
        title=facts.title,
        date=facts.meeting_date.isoformat(),
        start_time=facts.start_time,
        status=status,
        agenda=[
            pb.AgendaItem(number=i.item_number, title=i.title, purpose=i.purpose, lead=i.lead)
            for i in record.agenda.values()
        ],
        attendance=[attendance_message(record.attendance[p]) for p in sorted(record.attendance)],
        none_declared=record.none_declared,
        declarations=[
            pb.Declaration(
                person_id=d.person_id,
                item_number=d.item_number,
                kind=d.kind,
                description="" if d.person_id in erased else d.description or "",
            )
            for d in record.declarations
        ],
        decisions=[
            pb.Decision(number=d.decision_number, item_number=d.item_number, text=d.text)
            for d in record.decisions
        ],
        actions=[_action(meeting, a, today) for a in record.actions.values()],
        chair_person_id=held.chair_person_id if held else "",
        chaired_by_lead=held.chaired_by_lead if held else False,
        quorum_minimum_core_members=(held.quorum_minimum_core_members or 0) if held else 0,
        core_members_present=held.core_members_present if held else 0,
        quorate=bool(held.quorate) if held else False,
        corrections=[
            pb.Correction(
                attendance=attendance_message(c.attendee),
                previous_status=c.previous_status or "",
                reason=c.reason,
            )
            for c in record.corrections
        ],
        cancellation_reason=meeting.cancelled.reason if meeting.cancelled else "",
        minutes_approved_on=(
            meeting.minutes_approved_on.isoformat() if meeting.minutes_approved_on else ""
        ),
    )


def summary_message(meeting: MeetingSummary) -> pb.MeetingSummary:
    return pb.MeetingSummary(
        id=meeting.meeting_id,
        body_id=meeting.body_id,
        date=meeting.meeting_date.isoformat(),
        start_time=meeting.start_time,
        kind=meeting.kind,
        mode=meeting.mode,
        title=meeting.title,
        status=meeting.status,
        minutes_approved=meeting.minutes_approved,
    )


def action_message(action: ActionView) -> pb.Action:
    return pb.Action(
        meeting_id=action.meeting_id,
        body_id=action.body_id,
        ref=action.ref,
        meeting_date=action.meeting_date.isoformat(),
        description=action.description,
        lead=action.lead,
        due_date=action.due_date.isoformat(),
        status=action.status,
        progress=list(action.notes),
        last_reviewed_at_meeting_id=action.last_reviewed_at or "",
        overdue=action.overdue,
    )

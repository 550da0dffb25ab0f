"""Values the meetings unit tests share: a collaborative, its people, a scheduled meeting."""

import datetime as dt

from meetings.domain.events import AttendanceRecorded, Attendee, MeetingHeld, MeetingScheduled
from meetings.domain.meeting import Meeting
from meetings.domain.standing import Body, Standing

DAY = dt.date(2024, 6, 12)
AFTER = DAY + dt.timedelta(days=1)
BODY = Body(
    "7A1-anglesey.community-pharmacy",
    "collaborative",
    "7A1",
    "7A1-isle-of-anglesey",
    "7A1-anglesey",
    "community-pharmacy",
)
LEAD = Standing("p-lead", "core", {"o-lead": "community-pharmacy"}, holds_lead=True)
ANN = Standing("p-ann", "core", {"o-ann": "community-pharmacy"})
BOB = Standing("p-bob", "core", {"o-bob": "community-pharmacy", "o-bob2": "community-pharmacy"})
GUEST = Standing("p-guest", None)


def scheduled(meeting_id: str = "m-1", day: dt.date = DAY) -> MeetingScheduled:
    meeting = Meeting(f"meeting-{meeting_id}")
    meeting.schedule(meeting_id, BODY, "ordinary", "virtual", "Quarterly", day, "09:30")
    [event] = meeting.pending_events
    assert isinstance(event, MeetingScheduled)
    return event


def present(standing: Standing, status: str = "present") -> AttendanceRecorded:
    organisation = next(iter(standing.organisations), None)
    return AttendanceRecorded(
        meeting_id="m-1",
        health_board="7A1",
        attendee=Attendee(
            person_id=standing.person_id,
            status=status,
            organisation_id=organisation,
            profession="community-pharmacy" if organisation else None,
            membership_kind=standing.membership_kind or "invited",
            held_lead_appointment=standing.holds_lead,
        ),
    )


def held(chair: str = "p-lead") -> MeetingHeld:
    """The meeting held with the lead and Ann present, the lead chairing, a quorum of 2."""
    meeting = Meeting.replay("meeting-m-1", [scheduled(), present(LEAD), present(ANN)])
    meeting.hold(chair, "p-lead", 2, AFTER)
    [event] = meeting.pending_events
    assert isinstance(event, MeetingHeld)
    return event

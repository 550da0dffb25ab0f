"""What the meetings service publishes on ``meetings.events.v1``: what happened at meetings.

Each model is the published shape of the meetings event of the same ``event_type``; the
service's tests validate its stored events against these, so the two cannot drift apart.

Payments and reporting need no call back: ``MeetingHeld`` carries the attendance as recorded
(person, organisation represented and its profession, their membership kind that day, whether
they held the body's lead appointment that day, status), the chair and quorum, and the body's
place in the register; ``AttendanceCorrected`` and ``MeetingCancelled`` carry the same facts so
a consumer can reverse and re-accrue. Dates are ISO calendar dates (Europe/London business
dates); ``starts_at`` is a UTC instant.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from contracts.base import IntegrationEvent


class MeetingFacts(IntegrationEvent):
    """The meeting and where its body sits.

    ``body_kind`` is cluster, collaborative or pcpg; ``profession`` is the collaborative's
    profession (None otherwise); ``cluster_id`` is None for a PCPG; ``meeting_kind`` is
    ordinary, extraordinary or peer_review.
    """

    meeting_id: str
    body_id: str
    body_kind: str
    health_board: str
    cluster_id: str | None
    pcpg_id: str
    profession: str | None
    meeting_kind: str
    meeting_date: dt.date


class Attendee(BaseModel):
    """One person's attendance as recorded.

    ``status`` is present, apologies or absent; ``organisation_id`` the organisation they
    represented (None: none) and ``profession`` its profession code; ``membership_kind`` core,
    in_attendance or invited (a guest, not a member); ``held_lead_appointment``: they held the
    body's lead appointment (cluster or collaborative lead) on the meeting date.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    status: str
    organisation_id: str | None
    profession: str | None
    membership_kind: str
    held_lead_appointment: bool


class MeetingScheduled(MeetingFacts):
    """A meeting was scheduled for a local date and time (``timezone`` Europe/London)."""

    event_type: ClassVar[str] = "meetings.MeetingScheduled"
    title: str
    mode: str
    start_time: str
    timezone: str
    starts_at: dt.datetime


class AgendaItemAdded(IntegrationEvent):
    """An agenda item (``purpose`` information, discussion or decision) with its lead."""

    event_type: ClassVar[str] = "meetings.AgendaItemAdded"
    meeting_id: str
    health_board: str
    item_number: int
    title: str
    purpose: str
    lead: str


class AttendanceRecorded(IntegrationEvent):
    """Attendance recorded before the meeting was held.

    A later one for the same person replaces it. Payments should act on ``MeetingHeld``, which
    carries the final record.
    """

    event_type: ClassVar[str] = "meetings.AttendanceRecorded"
    meeting_id: str
    health_board: str
    attendee: Attendee


class DeclarationRecorded(IntegrationEvent):
    """A declaration of interest at the meeting, against an agenda item.

    ``description`` is personal data, **sealed** (``sealed:v1:...`` text only meetings can open,
    shredded when membership erases the person; see ``contracts.membership.PersonRegistered``).
    """

    event_type: ClassVar[str] = "meetings.DeclarationRecorded"
    meeting_id: str
    health_board: str
    person_id: str
    item_number: int
    kind: str
    description: str


class NoDeclarationsRecorded(IntegrationEvent):
    """Declarations of interest were asked for at the meeting and none was made."""

    event_type: ClassVar[str] = "meetings.NoDeclarationsRecorded"
    meeting_id: str
    health_board: str


class DecisionRecorded(IntegrationEvent):
    """A decision on an agenda item, taken while the meeting was quorate."""

    event_type: ClassVar[str] = "meetings.DecisionRecorded"
    meeting_id: str
    health_board: str
    decision_number: int
    item_number: int
    text: str
    core_members_present: int
    quorum_minimum_core_members: int


class ActionRaised(IntegrationEvent):
    """An action joined the body's action log (``ref`` numbers it within its meeting)."""

    event_type: ClassVar[str] = "meetings.ActionRaised"
    meeting_id: str
    body_id: str
    health_board: str
    meeting_date: dt.date
    ref: int
    description: str
    lead: str
    due_date: dt.date


class ActionUpdated(IntegrationEvent):
    """An action moved on.

    ``status`` is open, in_progress, done or dropped; ``progress_note`` may be empty;
    ``reviewed_at_meeting_id`` names the later meeting that reviewed it, if any.
    """

    event_type: ClassVar[str] = "meetings.ActionUpdated"
    meeting_id: str
    body_id: str
    health_board: str
    ref: int
    status: str
    progress_note: str
    updated_on: dt.date
    reviewed_at_meeting_id: str | None


class MeetingHeld(MeetingFacts):
    """The meeting was held and its record closed: the attendance as recorded, the chair, quorum.

    ``quorate`` is None when the body had no terms of reference on the meeting date.
    """

    event_type: ClassVar[str] = "meetings.MeetingHeld"
    chair_person_id: str
    chaired_by_lead: bool
    quorum_minimum_core_members: int | None
    core_members_present: int
    quorate: bool | None
    attendance: tuple[Attendee, ...]


class AttendanceCorrected(MeetingFacts):
    """One person's attendance at a held meeting was corrected.

    Replaces that person's entry in ``MeetingHeld.attendance``; ``previous_status`` None: they
    were not recorded before.
    """

    event_type: ClassVar[str] = "meetings.AttendanceCorrected"
    attendee: Attendee
    previous_status: str | None
    reason: str


class MeetingCancelled(MeetingFacts):
    """The meeting was voided, with a reason; ``was_held``: it had been recorded as held."""

    event_type: ClassVar[str] = "meetings.MeetingCancelled"
    reason: str
    was_held: bool


class MinutesApproved(IntegrationEvent):
    """The minutes of a held meeting were approved."""

    event_type: ClassVar[str] = "meetings.MinutesApproved"
    meeting_id: str
    body_id: str
    health_board: str
    approved_on: dt.date


EVENTS: tuple[type[IntegrationEvent], ...] = (
    MeetingScheduled,
    AgendaItemAdded,
    AttendanceRecorded,
    DeclarationRecorded,
    NoDeclarationsRecorded,
    DecisionRecorded,
    ActionRaised,
    ActionUpdated,
    MeetingHeld,
    AttendanceCorrected,
    MeetingCancelled,
    MinutesApproved,
)
"""Every meetings integration event."""

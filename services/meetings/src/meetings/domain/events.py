"""The meetings service's stored events: stable names, past tense, one shape each.

Their JSON must stay valid against the published contracts in ``contracts.meetings`` (a unit
test proves it): payments and reporting act on them without calling back, so the events that
start or settle something carry the body's place in the register and the meeting's date.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from kernel.aggregate import DomainEvent, EventRegistry


class MeetingFacts(DomainEvent):
    """The meeting and where its body sits: carried by every event that payments acts on."""

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
    """One person's attendance as recorded: whom they represented and their standing that day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    person_id: str
    status: str
    organisation_id: str | None
    profession: str | None
    membership_kind: str
    held_lead_appointment: bool


class MeetingScheduled(MeetingFacts):
    event_type: ClassVar[str] = "meetings.MeetingScheduled"
    title: str
    mode: str
    start_time: str
    timezone: str
    starts_at: dt.datetime


class AgendaItemAdded(DomainEvent):
    event_type: ClassVar[str] = "meetings.AgendaItemAdded"
    meeting_id: str
    health_board: str
    item_number: int
    title: str
    purpose: str
    lead: str


class AttendanceRecorded(DomainEvent):
    event_type: ClassVar[str] = "meetings.AttendanceRecorded"
    meeting_id: str
    health_board: str
    attendee: Attendee


class DeclarationRecorded(DomainEvent):
    event_type: ClassVar[str] = "meetings.DeclarationRecorded"
    # What someone declared is about them: sealed in the store, shredded when membership
    # erases them (``ErasureFollower`` in ``bootstrap``).
    personal_data: ClassVar[tuple[str, ...]] = ("description",)
    personal_data_of: ClassVar[str] = "person_id"
    meeting_id: str
    health_board: str
    person_id: str
    item_number: int
    kind: str
    description: str | None  # None once the person is erased


class NoDeclarationsRecorded(DomainEvent):
    """Declarations of interest were asked for and none was made."""

    event_type: ClassVar[str] = "meetings.NoDeclarationsRecorded"
    meeting_id: str
    health_board: str


class DecisionRecorded(DomainEvent):
    event_type: ClassVar[str] = "meetings.DecisionRecorded"
    meeting_id: str
    health_board: str
    decision_number: int
    item_number: int
    text: str
    core_members_present: int
    quorum_minimum_core_members: int


class ActionRaised(DomainEvent):
    event_type: ClassVar[str] = "meetings.ActionRaised"
    meeting_id: str
    body_id: str
    health_board: str
    meeting_date: dt.date
    ref: int
    description: str
    lead: str
    due_date: dt.date


class ActionUpdated(DomainEvent):
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
    event_type: ClassVar[str] = "meetings.MeetingHeld"
    chair_person_id: str
    chaired_by_lead: bool
    quorum_minimum_core_members: int | None
    core_members_present: int
    quorate: bool | None
    attendance: tuple[Attendee, ...]


class AttendanceCorrected(MeetingFacts):
    event_type: ClassVar[str] = "meetings.AttendanceCorrected"
    attendee: Attendee
    previous_status: str | None
    reason: str


class MeetingCancelled(MeetingFacts):
    event_type: ClassVar[str] = "meetings.MeetingCancelled"
    reason: str
    was_held: bool


class MinutesApproved(DomainEvent):
    event_type: ClassVar[str] = "meetings.MinutesApproved"
    meeting_id: str
    body_id: str
    health_board: str
    approved_on: dt.date


MeetingEvent = (
    MeetingScheduled
    | AgendaItemAdded
    | AttendanceRecorded
    | DeclarationRecorded
    | NoDeclarationsRecorded
    | DecisionRecorded
    | ActionRaised
    | ActionUpdated
    | MeetingHeld
    | AttendanceCorrected
    | MeetingCancelled
    | MinutesApproved
)

EVENTS = EventRegistry(
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
"""Every meetings event type, by its stable name."""

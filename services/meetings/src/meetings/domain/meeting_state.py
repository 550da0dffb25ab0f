"""A meeting's state as the fold of its events, and the guards its commands share.

Kept apart from the commands (``meeting.py``) so each reads on its own: here is only what the
record holds and which phase it is in (scheduled, held, cancelled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import NotFound, RuleViolated
from meetings.domain.events import (
    ActionRaised,
    ActionUpdated,
    AgendaItemAdded,
    AttendanceCorrected,
    AttendanceRecorded,
    Attendee,
    DecisionRecorded,
    DeclarationRecorded,
    MeetingCancelled,
    MeetingEvent,
    MeetingHeld,
    MeetingScheduled,
    MinutesApproved,
    NoDeclarationsRecorded,
)
from meetings.domain.standing import CORE


@dataclass(frozen=True, slots=True)
class Action:
    """One line of the action log, with its progress notes in the order they were made."""

    ref: int
    description: str
    lead: str
    due_date: dt.date
    status: str = "open"
    notes: tuple[str, ...] = ()
    last_reviewed_at: str | None = None


@dataclass(slots=True)
class MeetingRecord:
    """Everything the meeting's record holds (what ``GetMeeting`` shows)."""

    agenda: dict[int, AgendaItemAdded] = field(default_factory=dict)
    attendance: dict[str, Attendee] = field(default_factory=dict)
    declarations: list[DeclarationRecorded] = field(default_factory=list)
    #: Declarations were asked for and none was made (``NoDeclarationsRecorded``).
    none_declared: bool = False
    decisions: list[DecisionRecorded] = field(default_factory=list)
    actions: dict[int, Action] = field(default_factory=dict)
    corrections: list[AttendanceCorrected] = field(default_factory=list)


class MeetingState(Aggregate[MeetingEvent]):
    """The state of one meeting (stream ``meeting-<id>``)."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.scheduled: MeetingScheduled | None = None
        self.record = MeetingRecord()
        self.held: MeetingHeld | None = None
        self.cancelled: MeetingCancelled | None = None
        self.minutes_approved_on: dt.date | None = None

    @property
    def facts(self) -> MeetingScheduled:
        if self.scheduled is None:
            raise NotFound(f"no meeting {self.stream_id!r}")
        return self.scheduled

    def core_members_present(self) -> int:
        return sum(
            1
            for a in self.record.attendance.values()
            if a.status == "present" and a.membership_kind == CORE
        )

    def meeting_facts(self) -> dict[str, Any]:
        """The fields of ``MeetingFacts``, for the events that carry them."""
        facts = self.facts
        return {
            "meeting_id": facts.meeting_id,
            "body_id": facts.body_id,
            "body_kind": facts.body_kind,
            "health_board": facts.health_board,
            "cluster_id": facts.cluster_id,
            "pcpg_id": facts.pcpg_id,
            "profession": facts.profession,
            "meeting_kind": facts.meeting_kind,
            "meeting_date": facts.meeting_date,
        }

    def _require_not_cancelled(self) -> MeetingScheduled:
        facts = self.facts
        if self.cancelled is not None:
            raise RuleViolated(
                "MEETING_CANCELLED", f"{facts.meeting_id} was cancelled: {self.cancelled.reason}"
            )
        return facts

    def _require_open(self, what: str) -> MeetingScheduled:
        """The meeting's facts, if its record is still open (scheduled, not yet held)."""
        facts = self._require_not_cancelled()
        if self.held is not None:
            raise RuleViolated(
                "MEETING_ALREADY_HELD",
                f"{facts.meeting_id} is held and its record closed: {what} can no longer change"
                " (attendance can be corrected with CorrectAttendance)",
            )
        return facts

    def _require_held(self) -> MeetingHeld:
        self._require_not_cancelled()
        if self.held is None:
            raise RuleViolated("MEETING_NOT_HELD", f"{self.facts.meeting_id} has not been held")
        return self.held

    @override
    def _apply(self, event: MeetingEvent) -> None:  # noqa: C901 - one branch per event type
        record = self.record
        if isinstance(event, MeetingScheduled):
            self.scheduled = event
        elif isinstance(event, AgendaItemAdded):
            record.agenda[event.item_number] = event
        elif isinstance(event, AttendanceRecorded):
            record.attendance[event.attendee.person_id] = event.attendee
        elif isinstance(event, DeclarationRecorded):
            record.declarations.append(event)
        elif isinstance(event, NoDeclarationsRecorded):
            record.none_declared = True
        elif isinstance(event, DecisionRecorded):
            record.decisions.append(event)
        elif isinstance(event, ActionRaised):
            record.actions[event.ref] = Action(
                event.ref, event.description, event.lead, event.due_date
            )
        elif isinstance(event, ActionUpdated):
            held = record.actions[event.ref]
            notes = (*held.notes, event.progress_note) if event.progress_note else held.notes
            reviewed = event.reviewed_at_meeting_id or held.last_reviewed_at
            record.actions[event.ref] = replace(
                held, status=event.status, notes=notes, last_reviewed_at=reviewed
            )
        elif isinstance(event, MeetingHeld):
            self.held = event
        elif isinstance(event, AttendanceCorrected):
            record.attendance[event.attendee.person_id] = event.attendee
            record.corrections.append(event)
        elif isinstance(event, MeetingCancelled):
            self.cancelled = event
        elif isinstance(event, MinutesApproved):
            self.minutes_approved_on = event.approved_on

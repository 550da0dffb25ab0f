"""A meeting: scheduled, recorded, held once; then corrected, cancelled or approved.

After it is held, the record changes only by new events, never in place.

One aggregate per meeting (stream ``meeting-<id>``): two clerks recording at once meet a
version conflict on save and the application retries, re-checking against the other's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from kernel.calendar import LONDON
from kernel.errors import AlreadyExists, RuleViolated
from meetings.domain.calendar import london_instant
from meetings.domain.events import (
    AttendanceCorrected,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MinutesApproved,
)
from meetings.domain.meeting_record import AgendaItem, MeetingRecordCommands
from meetings.domain.standing import INVITED, Body, Standing, attendee
from meetings.domain.vocabulary import (
    ATTENDANCE_STATUSES,
    MEETING_KINDS,
    MODES,
    check,
    one_of,
    text_problem,
)


def check_schedule(kind: str, mode: str, title: str, agenda: Sequence[AgendaItem] = ()) -> None:
    """Raise ``ValidationFailed`` naming a bad kind, mode, title or agenda item's field.

    An agenda item's field is named by its place: ``agenda[1].purpose``.
    """
    check(
        ("kind", one_of(MEETING_KINDS, kind)),
        ("mode", one_of(MODES, mode)),
        ("title", text_problem(title, required=False)),
        *(problem for n, item in enumerate(agenda) for problem in item.problems(f"agenda[{n}].")),
    )


class Meeting(MeetingRecordCommands):
    """One meeting of a cluster, a professional collaborative or a PCPG."""

    def schedule(
        self,
        meeting_id: str,
        body: Body,
        kind: str,
        mode: str,
        title: str,
        day: dt.date,
        start_time: str,
        agenda: Sequence[AgendaItem] = (),
    ) -> None:
        """Schedule the meeting for a local date and time; a retried schedule does nothing.

        ``agenda`` are its first agenda items, numbered 1, 2, … in order.

        Raises:
            ValidationFailed: an unknown kind or mode, a long title, a time that does not exist.
            RuleViolated: ``BODY_CLOSED`` (a merged or split cluster's body, after its last day).
            AlreadyExists: the id names a different meeting already.
        """
        check_schedule(kind, mode, title, agenda)
        starts_at = london_instant("start_time", day, start_time)
        if body.closed_on is not None and day > body.closed_on:
            raise RuleViolated(
                "BODY_CLOSED",
                f"{body.body_id} closed after {body.closed_on} (a cluster merge or split)",
            )
        scheduled = MeetingScheduled(
            meeting_id=meeting_id,
            body_id=body.body_id,
            body_kind=body.kind,
            health_board=body.health_board,
            cluster_id=body.cluster_id,
            pcpg_id=body.pcpg_id,
            profession=body.profession,
            meeting_kind=kind,
            meeting_date=day,
            title=title.strip(),
            mode=mode,
            start_time=start_time,
            timezone=str(LONDON),
            starts_at=starts_at,
        )
        if self.scheduled is not None:
            if self.scheduled == scheduled:
                return
            raise AlreadyExists(f"meeting {meeting_id} is scheduled already")
        self._record(scheduled)
        for item in agenda:
            self._add_agenda_item(item)

    def hold(
        self, chair_person_id: str, lead_person_id: str | None, quorum: int | None, today: dt.date
    ) -> None:
        """Close the record: the meeting was held, chaired by ``chair_person_id``.

        ``lead_person_id`` held the body's lead appointment on the meeting date (None: nobody);
        the lead chairs when present, otherwise the member arranged as deputy does.

        Raises:
            RuleViolated: ``MEETING_ALREADY_HELD``, ``MEETING_CANCELLED``,
                ``MEETING_NOT_YET_DUE``, ``CHAIR_NOT_PRESENT``, ``CHAIR_NOT_A_MEMBER``,
                ``LEAD_PRESENT_BUT_NOT_CHAIRING``.
        """
        check(("chair_person_id", None if chair_person_id else "is required"))
        facts = self._require_open("the record")
        if facts.meeting_date > today:
            raise RuleViolated(
                "MEETING_NOT_YET_DUE", f"{facts.meeting_id} is on {facts.meeting_date}"
            )
        attendance = self.record.attendance
        chair = attendance.get(chair_person_id)
        if chair is None or chair.status != "present":
            raise RuleViolated("CHAIR_NOT_PRESENT", f"{chair_person_id} is not recorded present")
        if chair.membership_kind == INVITED:
            raise RuleViolated("CHAIR_NOT_A_MEMBER", f"{chair_person_id} is a guest, not a member")
        lead = attendance.get(lead_person_id) if lead_person_id else None
        if lead is not None and lead.status == "present" and lead_person_id != chair_person_id:
            raise RuleViolated(
                "LEAD_PRESENT_BUT_NOT_CHAIRING",
                f"the body's lead {lead_person_id} was present, so chairs the meeting",
            )
        present = self.core_members_present()
        self._record(
            MeetingHeld(
                **self.meeting_facts(),
                chair_person_id=chair_person_id,
                chaired_by_lead=chair_person_id == lead_person_id,
                quorum_minimum_core_members=quorum,
                core_members_present=present,
                quorate=None if quorum is None else present >= quorum,
                attendance=tuple(attendance[p] for p in sorted(attendance)),
            )
        )

    def correct_attendance(
        self,
        standing: Standing,
        status: str,
        organisation_id: str | None,
        reason: str,
        *,
        invited: bool,
    ) -> None:
        """Correct one person's attendance at a held meeting, with the reason.

        Raises:
            ValidationFailed: an unknown status or a blank reason.
            RuleViolated: ``MEETING_NOT_HELD``, ``MEETING_CANCELLED``, ``CHAIR_NOT_PRESENT``
                (the chair cannot be corrected away), and the attendance rules.
        """
        check(
            ("status", one_of(ATTENDANCE_STATUSES, status)),
            ("reason", text_problem(reason)),
        )
        held = self._require_held()
        corrected = attendee(standing, status, organisation_id, invited=invited)
        previous = self.record.attendance.get(corrected.person_id)
        if previous == corrected:
            return  # nothing to correct: the record says so already
        if corrected.person_id == held.chair_person_id and status != "present":
            raise RuleViolated("CHAIR_NOT_PRESENT", "the chair of a held meeting was present")
        self._record(
            AttendanceCorrected(
                **self.meeting_facts(),
                attendee=corrected,
                previous_status=previous.status if previous else None,
                reason=reason.strip(),
            )
        )

    def cancel(self, reason: str) -> None:
        """Void the meeting (held or not), with the reason; payments reverse what it earned."""
        check(("reason", text_problem(reason)))
        if self.cancelled is not None and self.cancelled.reason == reason.strip():
            return  # a retry
        self._require_not_cancelled()
        self._record(
            MeetingCancelled(
                **self.meeting_facts(), reason=reason.strip(), was_held=self.held is not None
            )
        )

    def approve_minutes(self, on: dt.date) -> None:
        """Record that the minutes of the held meeting were approved on ``on``."""
        held = self._require_held()
        if self.minutes_approved_on is not None:
            if self.minutes_approved_on == on:
                return
            raise RuleViolated(
                "MINUTES_ALREADY_APPROVED",
                f"the minutes were approved on {self.minutes_approved_on}",
            )
        if on < held.meeting_date:
            raise RuleViolated(
                "MINUTES_BEFORE_MEETING", "minutes cannot be approved before the meeting"
            )
        self._record(
            MinutesApproved(
                meeting_id=held.meeting_id,
                body_id=held.body_id,
                health_board=held.health_board,
                approved_on=on,
            )
        )

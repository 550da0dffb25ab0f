"""Commands that fill a meeting's record before it is held.

Agenda, attendance, declarations, decisions and actions; the action log lives on after the
meeting, so updates to actions come at any time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.errors import NotFound, RuleViolated
from meetings.domain.events import (
    ActionRaised,
    ActionUpdated,
    AgendaItemAdded,
    AttendanceRecorded,
    Attendee,
    DecisionRecorded,
    DeclarationRecorded,
    MeetingScheduled,
    NoDeclarationsRecorded,
)
from meetings.domain.meeting_state import MeetingState
from meetings.domain.standing import RegisterLine, Standing, attendee
from meetings.domain.vocabulary import (
    ACTION_STATUSES,
    ATTENDANCE_STATUSES,
    INTEREST_KINDS,
    PURPOSES,
    check,
    one_of,
    text_problem,
)


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An agenda item as proposed: for information, discussion or decision, with its lead."""

    title: str
    purpose: str
    lead: str

    def problems(self, prefix: str = "") -> list[tuple[str, str | None]]:
        """Each field's problem (None when it has none), named ``<prefix>title`` and so on."""
        return [
            (f"{prefix}title", text_problem(self.title)),
            (f"{prefix}purpose", one_of(PURPOSES, self.purpose)),
            (f"{prefix}lead", text_problem(self.lead)),
        ]


class MeetingRecordCommands(MeetingState):
    """Recording what happened at a meeting, while its record is open."""

    def add_agenda_item(self, title: str, purpose: str, lead: str) -> int:
        """Add an item (for information, discussion or decision) led by ``lead``; its number."""
        item = AgendaItem(title, purpose, lead)
        check(*item.problems())
        self._require_open("the agenda")
        return self._add_agenda_item(item)

    def _add_agenda_item(self, item: AgendaItem) -> int:
        title, purpose, lead = item.title, item.purpose, item.lead
        facts = self.facts
        number = len(self.record.agenda) + 1
        self._record(
            AgendaItemAdded(
                meeting_id=facts.meeting_id,
                health_board=facts.health_board,
                item_number=number,
                title=title.strip(),
                purpose=purpose,
                lead=lead.strip(),
            )
        )
        return number

    def record_attendance(
        self, standing: Standing, status: str, organisation_id: str | None, *, invited: bool
    ) -> None:
        """Record (or re-record, before the meeting is held) one person's attendance."""
        check(("status", one_of(ATTENDANCE_STATUSES, status)))
        self._require_open("attendance")
        self._record_attendees([attendee(standing, status, organisation_id, invited=invited)])

    def record_attendance_register(self, lines: Sequence[RegisterLine]) -> int:
        """Record a whole attendance register at once: every line, or none of them.

        Each line is checked as ``record_attendance`` checks one, and a refusal names its line
        (``entries[2]``). Lines recorded already, exactly so, change nothing (a retry).
        Returns how many lines changed the record.
        """
        check_register([(line.standing.person_id, line.status) for line in lines])
        self._require_open("attendance")
        attendees = []
        for n, line in enumerate(lines):
            try:
                attendees.append(
                    attendee(line.standing, line.status, line.organisation_id, invited=line.invited)
                )
            except RuleViolated as refused:
                raise RuleViolated(refused.reason, f"entries[{n}]: {refused}") from refused
        return self._record_attendees(attendees)

    def _record_attendees(self, attendees: Sequence[Attendee]) -> int:
        """Record each attendee whose record differs from what is recorded; how many did."""
        facts = self.facts
        changed = [a for a in attendees if self.record.attendance.get(a.person_id) != a]
        for recorded in changed:
            self._record(
                AttendanceRecorded(
                    meeting_id=facts.meeting_id, health_board=facts.health_board, attendee=recorded
                )
            )
        return len(changed)

    def record_declaration(
        self, person_id: str, item_number: int, kind: str, description: str
    ) -> None:
        """Record a present attendee's declaration of interest in an agenda item."""
        check(("kind", one_of(INTEREST_KINDS, kind)), ("description", text_problem(description)))
        facts = self._require_open("declarations")
        self._agenda_item(item_number)
        present = self.record.attendance.get(person_id)
        if present is None or present.status != "present":
            raise RuleViolated(
                "DECLARANT_NOT_PRESENT", f"{person_id} is not recorded as present at this meeting"
            )
        self._record(
            DeclarationRecorded(
                meeting_id=facts.meeting_id,
                health_board=facts.health_board,
                person_id=person_id,
                item_number=item_number,
                kind=kind,
                description=description.strip(),
            )
        )

    def record_no_declarations(self) -> bool:
        """Record that declarations were asked for and none was made; whether that was news.

        Refused once a declaration is recorded (the record would contradict itself); recording
        it again changes nothing.
        """
        facts = self._require_open("declarations")
        if self.record.declarations:
            raise RuleViolated(
                "DECLARATIONS_RECORDED",
                f"{len(self.record.declarations)} declaration(s) are recorded at this meeting",
            )
        if self.record.none_declared:
            return False
        self._record(
            NoDeclarationsRecorded(meeting_id=facts.meeting_id, health_board=facts.health_board)
        )
        return True

    def record_decision(self, item_number: int, text: str, quorum: int | None) -> int:
        """Record a decision on an item, if the meeting is quorate; return its number.

        ``quorum`` is the fewest core members present that the body's terms of reference in
        force on the meeting date require (None: no terms of reference recorded).
        """
        check(("text", text_problem(text)))
        facts = self._require_open("decisions")
        item = self._agenda_item(item_number)
        if item.purpose == "information":
            raise RuleViolated(
                "ITEM_FOR_INFORMATION_ONLY", f"agenda item {item_number} is for information only"
            )
        if quorum is None:
            raise RuleViolated(
                "NO_QUORUM_RULE",
                f"{facts.body_id} had no terms of reference on {facts.meeting_date}: record"
                " their review in membership before recording decisions",
            )
        present = self.core_members_present()
        if present < quorum:
            raise RuleViolated(
                "MEETING_NOT_QUORATE",
                f"{present} core members present; the terms of reference need {quorum}",
            )
        number = len(self.record.decisions) + 1
        self._record(
            DecisionRecorded(
                meeting_id=facts.meeting_id,
                health_board=facts.health_board,
                decision_number=number,
                item_number=item_number,
                text=text.strip(),
                core_members_present=present,
                quorum_minimum_core_members=quorum,
            )
        )
        return number

    def raise_action(self, description: str, lead: str, due_date: dt.date) -> int:
        """Add an open action to the log; return its ref (1, 2, … within the meeting)."""
        check(("description", text_problem(description)), ("lead", text_problem(lead)))
        facts = self._require_open("actions raised")
        ref = len(self.record.actions) + 1
        self._record(
            ActionRaised(
                meeting_id=facts.meeting_id,
                body_id=facts.body_id,
                health_board=facts.health_board,
                meeting_date=facts.meeting_date,
                ref=ref,
                description=description.strip(),
                lead=lead.strip(),
                due_date=due_date,
            )
        )
        return ref

    def update_action(
        self,
        ref: int,
        status: str,
        progress_note: str,
        on: dt.date,
        reviewed_at: MeetingScheduled | None,
    ) -> None:
        """Move an action on (status, a progress note), perhaps at a later meeting of the body.

        Raises:
            NotFound: no such action.
            RuleViolated: ``MEETING_CANCELLED``; ``REVIEWED_AT_ANOTHER_BODY`` or
                ``REVIEWED_BEFORE_RAISED`` for a reviewing meeting that cannot have carried it.
        """
        check(
            ("status", one_of(ACTION_STATUSES, status)),
            ("progress_note", text_problem(progress_note, required=False)),
        )
        facts = self._require_not_cancelled()
        action = self.record.actions.get(ref)
        if action is None:
            raise NotFound(f"no action {ref} of meeting {facts.meeting_id}")
        if reviewed_at is not None:
            if reviewed_at.body_id != facts.body_id:
                raise RuleViolated(
                    "REVIEWED_AT_ANOTHER_BODY",
                    f"{reviewed_at.meeting_id} is a meeting of {reviewed_at.body_id},"
                    f" not of {facts.body_id}",
                )
            if reviewed_at.meeting_date < facts.meeting_date:
                raise RuleViolated(
                    "REVIEWED_BEFORE_RAISED",
                    f"{reviewed_at.meeting_id} was before the meeting that raised the action",
                )
        self._record(
            ActionUpdated(
                meeting_id=facts.meeting_id,
                body_id=facts.body_id,
                health_board=facts.health_board,
                ref=ref,
                status=status,
                progress_note=progress_note.strip(),
                updated_on=on,
                reviewed_at_meeting_id=reviewed_at.meeting_id if reviewed_at else None,
            )
        )

    def _agenda_item(self, item_number: int) -> AgendaItemAdded:
        item = self.record.agenda.get(item_number)
        if item is None:
            raise NotFound(f"no agenda item {item_number} on this meeting")
        return item


def check_register(entries: Sequence[tuple[str, str]]) -> None:
    """Raise ``ValidationFailed`` naming each bad entry of a register of (person, status).

    At least one entry; each with a person, named once, and a known status. The application
    calls this before it looks anyone up, so a malformed register is refused as such.
    """
    check(("entries", None if entries else "at least one entry is required"))
    first: dict[str, int] = {}
    problems: list[tuple[str, str | None]] = []
    for n, (person, status) in enumerate(entries):
        repeated = f"repeats entries[{first[person]}]" if person in first else None
        problems.append((f"entries[{n}].person_id", "is required" if not person else repeated))
        problems.append((f"entries[{n}].status", one_of(ATTENDANCE_STATUSES, status)))
        first.setdefault(person, n)
    check(*problems)

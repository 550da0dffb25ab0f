"""The commands that record what happened, one per RPC, over ``MeetingCommands``' plumbing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from meetings.application.access import Caller
from meetings.application.commands import AttendanceEntry, MeetingCommands
from meetings.domain.meeting import Meeting
from meetings.domain.standing import RegisterLine
from meetings.domain.vocabulary import check


class MeetingRecorder:
    """Agenda, attendance, declarations, decisions, actions, holding, corrections, approval."""

    def __init__(self, commands: MeetingCommands) -> None:
        self._commands = commands

    async def add_agenda_item(
        self, caller: Caller, meeting_id: str, title: str, purpose: str, lead: str
    ) -> tuple[int, int]:
        meeting = await self._commands.changeable(caller, meeting_id)
        return await self._commands.decide(
            meeting, lambda m: m.add_agenda_item(title, purpose, lead)
        )

    async def record_attendance(
        self,
        caller: Caller,
        meeting_id: str,
        person_id: str,
        status: str,
        organisation_id: str | None,
        *,
        invited: bool,
    ) -> int:
        entry = AttendanceEntry(person_id, status, organisation_id, invited)
        meeting, line = await self._one_line(caller, meeting_id, entry)
        _, position = await self._commands.decide(
            meeting,
            lambda m: m.record_attendance(line.standing, status, organisation_id, invited=invited),
        )
        return position

    async def record_attendance_register(
        self, caller: Caller, meeting_id: str, entries: Sequence[AttendanceEntry]
    ) -> int:
        """Record a meeting's whole register, all or nothing; how many lines changed it."""
        meeting = await self._commands.changeable(caller, meeting_id)
        lines = await self._commands.register_lines(meeting, entries)
        changed, _ = await self._commands.decide(
            meeting, lambda m: m.record_attendance_register(lines)
        )
        return changed

    async def record_declaration(
        self,
        caller: Caller,
        meeting_id: str,
        person_id: str,
        item_number: int,
        kind: str,
        description: str,
    ) -> int:
        meeting = await self._commands.changeable(caller, meeting_id)
        _, position = await self._commands.decide(
            meeting, lambda m: m.record_declaration(person_id, item_number, kind, description)
        )
        return position

    async def record_no_declarations(self, caller: Caller, meeting_id: str) -> bool:
        """Record that no interest was declared; whether the record changed."""
        meeting = await self._commands.changeable(caller, meeting_id)
        recorded, _ = await self._commands.decide(meeting, lambda m: m.record_no_declarations())
        return recorded

    async def record_decision(
        self, caller: Caller, meeting_id: str, item_number: int, text: str
    ) -> tuple[int, int]:
        meeting = await self._commands.changeable(caller, meeting_id)
        facts = meeting.facts
        quorum = await self._commands.membership.quorum_on(facts.body_id, facts.meeting_date)
        return await self._commands.decide(
            meeting, lambda m: m.record_decision(item_number, text, quorum)
        )

    async def raise_action(
        self, caller: Caller, meeting_id: str, description: str, lead: str, due_date: dt.date
    ) -> tuple[int, int]:
        meeting = await self._commands.changeable(caller, meeting_id)
        return await self._commands.decide(
            meeting, lambda m: m.raise_action(description, lead, due_date)
        )

    async def update_action(
        self,
        caller: Caller,
        meeting_id: str,
        ref: int,
        status: str,
        progress_note: str,
        reviewed_at_meeting_id: str | None,
    ) -> int:
        meeting = await self._commands.changeable(caller, meeting_id)
        reviewed_at = None
        if reviewed_at_meeting_id is not None:
            reviewing = await self._commands.load_readable(caller, reviewed_at_meeting_id)
            reviewed_at = reviewing.facts
        today = self._commands.today()
        _, position = await self._commands.decide(
            meeting, lambda m: m.update_action(ref, status, progress_note, today, reviewed_at)
        )
        return position

    async def hold(self, caller: Caller, meeting_id: str, chair_person_id: str) -> int:
        meeting = await self._commands.changeable(caller, meeting_id)
        facts = meeting.facts
        membership = self._commands.membership
        lead = await membership.lead_on(facts.body_id, facts.meeting_date)
        quorum = await membership.quorum_on(facts.body_id, facts.meeting_date)
        today = self._commands.today()
        _, position = await self._commands.decide(
            meeting, lambda m: m.hold(chair_person_id, lead, quorum, today)
        )
        return position

    async def correct_attendance(
        self,
        caller: Caller,
        meeting_id: str,
        person_id: str,
        status: str,
        organisation_id: str | None,
        reason: str,
        *,
        invited: bool,
    ) -> int:
        entry = AttendanceEntry(person_id, status, organisation_id, invited)
        meeting, line = await self._one_line(caller, meeting_id, entry)
        _, position = await self._commands.decide(
            meeting,
            lambda m: m.correct_attendance(
                line.standing, status, organisation_id, reason, invited=invited
            ),
        )
        return position

    async def cancel(self, caller: Caller, meeting_id: str, reason: str) -> int:
        meeting = await self._commands.changeable(caller, meeting_id)
        _, position = await self._commands.decide(meeting, lambda m: m.cancel(reason))
        return position

    async def approve_minutes(self, caller: Caller, meeting_id: str, on: dt.date) -> int:
        meeting = await self._commands.changeable(caller, meeting_id)
        _, position = await self._commands.decide(meeting, lambda m: m.approve_minutes(on))
        return position

    async def _one_line(
        self, caller: Caller, meeting_id: str, entry: AttendanceEntry
    ) -> tuple[Meeting, RegisterLine]:
        """The meeting and one person's line (their standing), for a one-person command."""
        check(("person_id", None if entry.person_id else "is required"))
        meeting = await self._commands.changeable(caller, meeting_id)
        return meeting, await self._commands.line(meeting, entry)

"""The meetings commands, and the plumbing every recording command shares.

Each checks its input's shape, that the meeting exists, the caller's right to change its
board's record, then the meeting's rules, with what membership said on the meeting date.
Concurrent writers to one meeting are retried with ``retry_on_conflict``, each retry
re-deciding on the other's record, so two clerks recording at once both succeed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from kernel.calendar import london_today
from kernel.errors import NotFound
from kernel.eventstore.port import EventStore
from kernel.ids import new_id
from kernel.repository import AggregateRepository, retry_on_conflict
from meetings.application.access import Caller
from meetings.application.ports import MembershipView
from meetings.domain.events import EVENTS
from meetings.domain.meeting import Meeting, check_schedule
from meetings.domain.meeting_record import AgendaItem, check_register
from meetings.domain.standing import RegisterLine, Standing
from meetings.domain.vocabulary import check

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AttendanceEntry:
    """One person's attendance as a clerk sends it (``organisation_id`` None: their only one)."""

    person_id: str
    status: str
    organisation_id: str | None = None
    invited: bool = False


class MeetingCommands:
    """The command side of meetings, over any ``EventStore`` and membership view."""

    def __init__(
        self,
        store: EventStore,
        membership: MembershipView,
        today: Callable[[], dt.date] = london_today,
    ) -> None:
        self.meetings = AggregateRepository(store, Meeting, EVENTS, "meeting")
        self.membership = membership
        self.today = today

    async def schedule(
        self,
        caller: Caller,
        body_id: str,
        kind: str,
        mode: str,
        title: str,
        day: dt.date,
        start_time: str,
        agenda: Sequence[AgendaItem] = (),
    ) -> tuple[str, int]:
        """Schedule a meeting of a body, perhaps with its agenda; its id and store position."""
        check(("body_id", None if body_id else "is required"))
        check_schedule(kind, mode, title, agenda)
        body = await self.membership.find_body(body_id)
        if body is None:
            raise NotFound(f"no body {body_id!r} (is membership's register seeded?)")
        caller.require_change(body.health_board)
        meeting_id = new_id("meeting")

        async def attempt() -> int:
            meeting = await self.meetings.load(meeting_id)
            meeting.schedule(meeting_id, body, kind, mode, title, day, start_time, agenda)
            return await self._save(meeting)

        return meeting_id, await retry_on_conflict(attempt)

    async def load_readable(self, caller: Caller, meeting_id: str) -> Meeting:
        """The meeting as stored, if the caller may read it."""
        meeting = await self._load(meeting_id)
        caller.require_read(meeting.facts.health_board)
        return meeting

    async def changeable(self, caller: Caller, meeting_id: str) -> Meeting:
        """The meeting as stored, if the caller may change its record."""
        meeting = await self._load(meeting_id)
        caller.require_change(meeting.facts.health_board)
        return meeting

    async def decide(self, meeting: Meeting, decision: Callable[[Meeting], T]) -> tuple[T, int]:
        """Apply ``decision`` to ``meeting`` and save; on a version conflict, reload and redo."""
        loaded = [meeting]

        async def attempt() -> tuple[T, int]:
            current = loaded.pop() if loaded else await self.meetings.load(meeting.facts.meeting_id)
            result = decision(current)
            return result, await self._save(current)

        return await retry_on_conflict(attempt)

    async def register_lines(
        self, meeting: Meeting, entries: Sequence[AttendanceEntry]
    ) -> list[RegisterLine]:
        """A register's entries, checked, each with the person's standing on the meeting date.

        Membership's answers for every person come in one read. A guest (``invited``, not a
        member) may represent any registered organisation.
        """
        check_register([(e.person_id, e.status) for e in entries])
        return await self._lines(meeting, entries)

    async def line(self, meeting: Meeting, entry: AttendanceEntry) -> RegisterLine:
        """One person's entry with their standing (its fields checked by the caller)."""
        [line] = await self._lines(meeting, [entry])
        return line

    async def _lines(
        self, meeting: Meeting, entries: Sequence[AttendanceEntry]
    ) -> list[RegisterLine]:
        facts = meeting.facts
        standings = await self.membership.standings(
            facts.body_id, {e.person_id for e in entries}, facts.meeting_date
        )
        lines = []
        for n, entry in enumerate(entries):
            standing = standings.get(entry.person_id)
            if standing is None:
                where = f" (entries[{n}])" if len(entries) > 1 else ""
                raise NotFound(f"no person {entry.person_id!r}{where}")
            if entry.invited and standing.membership_kind is None and entry.organisation_id:
                standing = await self._guest(standing.person_id, entry.organisation_id)
            lines.append(RegisterLine(standing, entry.status, entry.organisation_id, entry.invited))
        return lines

    async def _guest(self, person_id: str, organisation_id: str) -> Standing:
        organisation = await self.membership.find_organisation(organisation_id)
        if organisation is None:
            raise NotFound(f"no organisation {organisation_id!r}")
        return Standing(person_id, None, {organisation_id: organisation.profession})

    async def _load(self, meeting_id: str) -> Meeting:
        check(("meeting_id", None if meeting_id else "is required"))
        meeting = await self.meetings.load(meeting_id)
        if meeting.scheduled is None:
            raise NotFound(f"no meeting {meeting_id!r}")
        return meeting

    async def _save(self, meeting: Meeting) -> int:
        saved = await self.meetings.save(meeting)
        return saved.positions[-1] if saved else 0

"""Meetings' events into payments' facts: held meetings, their attendance, corrections, voids.

Read as published (``contracts.meetings``). ``MeetingHeld`` carries the attendance as
recorded; ``AttendanceCorrected`` replaces one person's entry; ``MeetingCancelled`` voids the
meeting. Each brings the money of everyone the meeting may pay (or paid) up to date for its
board and year, in the same transaction.

A meeting remembers the position of the last event applied to it, so an older event applied
again (an operator redriving a dead letter, out of order on purpose) changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from contracts import meetings as published
from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from payments.adapters.accrual_store import (
    Scope,
    reaccrue_payees,
    take_turn_if_any,
)
from payments.adapters.facts_loader import load_cards, payees_of_meetings
from payments.domain.financial_year import financial_year
from payments.domain.payees import organisation_kinds_paid

_FACTS = frozenset(
    e.event_type
    for e in (published.MeetingHeld, published.AttendanceCorrected, published.MeetingCancelled)
)


class MeetingsFacts:
    """A kernel ``EventHandler`` of meetings' events (one ``Subscription``)."""

    def __init__(self, schema: str, source: str) -> None:
        self.name = "payments.meetings_facts"
        self._schema = schema
        self._source = source

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        if not await take_turn_if_any(conn, self._schema, events, _FACTS.__contains__):
            return
        changed: dict[Scope, set[str]] = defaultdict(set)
        last = ""
        for event in events:
            facts = await self._write(conn, event)
            if facts is not None:
                scope = (facts.health_board, financial_year(facts.meeting_date))
                changed[scope].add(facts.meeting_id)
                last = f"{self._source}@{event.position} {event.event_type}"
        if changed:
            cards = await load_cards(conn, self._schema)
            kinds = organisation_kinds_paid(cards)
            payees = {
                scope: await payees_of_meetings(conn, self._schema, meeting_ids, kinds)
                for scope, meeting_ids in changed.items()
            }
            await reaccrue_payees(conn, self._schema, payees, last, cards)

    async def _write(
        self, conn: DbConnection, event: RecordedEvent
    ) -> published.MeetingFacts | None:
        kind = event.event_type
        if kind == published.MeetingHeld.event_type:
            held = published.MeetingHeld.model_validate(event.data)
            if not await self._meeting(conn, event.position, held, held=True):
                return None
            await conn.execute(
                f"DELETE FROM {self._schema}.attendance WHERE meeting_id = $1", held.meeting_id
            )
            await self._attendees(conn, held.meeting_id, held.attendance)
            return held
        if kind == published.AttendanceCorrected.event_type:
            corrected = published.AttendanceCorrected.model_validate(event.data)
            if not await self._meeting(conn, event.position, corrected, held=True):
                return None
            await self._attendees(conn, corrected.meeting_id, (corrected.attendee,))
            return corrected
        if kind == published.MeetingCancelled.event_type:
            cancelled = published.MeetingCancelled.model_validate(event.data)
            voided = await self._meeting(
                conn, event.position, cancelled, held=cancelled.was_held, cancelled=True
            )
            return cancelled if voided else None
        return None

    async def _meeting(
        self,
        conn: DbConnection,
        position: int,
        m: published.MeetingFacts,
        *,
        held: bool,
        cancelled: bool = False,
    ) -> bool:
        """Store the meeting's facts; False if a later event about it was applied already."""
        stored = await conn.fetchval(
            f"INSERT INTO {self._schema}.meetings VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,"
            " $10, $11, $12) ON CONFLICT (meeting_id) DO UPDATE SET held = meetings.held OR $10,"
            " cancelled = meetings.cancelled OR $11, source_position = $12"
            " WHERE meetings.source_position < $12 RETURNING 1",
            m.meeting_id,
            m.body_id,
            m.body_kind,
            m.profession,
            m.cluster_id,
            m.health_board,
            m.meeting_kind,
            m.meeting_date,
            financial_year(m.meeting_date),
            held,
            cancelled,
            position,
        )
        return stored is not None

    async def _attendees(
        self, conn: DbConnection, meeting_id: str, attendees: Sequence[published.Attendee]
    ) -> None:
        await conn.executemany(
            f"INSERT INTO {self._schema}.attendance VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (meeting_id, person_id) DO UPDATE SET status = $3,"
            " organisation_id = $4, held_lead_appointment = $5",
            [
                (
                    meeting_id,
                    a.person_id,
                    a.status,
                    a.organisation_id,
                    a.held_lead_appointment,
                )
                for a in attendees
            ],
        )

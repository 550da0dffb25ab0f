"""Membership's events into payments' facts: organisations, people, lead appointments.

Also which clusters carry on a closed (merged or split) one, so an organisation registered in
it is still of its cluster afterwards.

Read as published (``contracts.membership``); other types are ignored. A change to an
organisation or an appointment can change what is due for any of its board's meetings, so the
board's years are brought up to date in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from contracts import membership as published
from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from payments.adapters.accrual_store import Scope, reaccrue, scopes_of_board, take_turn

_FACTS = frozenset(
    e.event_type
    for e in (
        published.OrganisationRegistered,
        published.PersonRegistered,
        published.LeadAppointed,
        published.AppointmentEnded,
        published.ClusterClosed,
    )
)


class MembershipFacts:
    """A kernel ``EventHandler`` of membership's events (one ``Subscription``)."""

    def __init__(self, schema: str, source: str) -> None:
        self.name = "payments.membership_facts"
        self._schema = schema
        self._source = source

    async def handle(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        if not any(e.event_type in _FACTS for e in events):
            return
        await take_turn(conn, self._schema)
        boards: set[str] = set()
        last = ""
        for event in events:
            board = await self._write(conn, event)
            if board is not None:
                boards.add(board)
                last = f"{self._source}@{event.position} {event.event_type}"
        scopes: list[Scope] = []
        for board in sorted(boards):
            scopes.extend(await scopes_of_board(conn, self._schema, board))
        if scopes:
            await reaccrue(conn, self._schema, scopes, last)

    async def _write(self, conn: DbConnection, event: RecordedEvent) -> str | None:
        """Store the fact; return the board whose money it may change (None: none)."""
        s, kind = self._schema, event.event_type
        if kind == published.OrganisationRegistered.event_type:
            o = published.OrganisationRegistered.model_validate(event.data)
            await conn.execute(
                f"INSERT INTO {s}.organisations VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (organisation_id) DO UPDATE SET kind = $2, ods_code = $3,"
                " cluster_id = $4, health_board = $5, health_board_salaried = $6",
                o.organisation_id,
                o.kind,
                o.ods_code,
                o.cluster_id,
                o.health_board,
                o.health_board_salaried,
            )
            return o.health_board
        if kind == published.PersonRegistered.event_type:
            person = published.PersonRegistered.model_validate(event.data)
            await conn.execute(
                f"INSERT INTO {s}.people VALUES ($1) ON CONFLICT DO NOTHING", person.person_id
            )
            return None
        if kind == published.LeadAppointed.event_type:
            a = published.LeadAppointed.model_validate(event.data)
            await conn.execute(
                f"INSERT INTO {s}.appointments VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                " $11) ON CONFLICT (appointment_id) DO NOTHING",
                a.appointment_id,
                a.body_id,
                a.body_kind,
                a.cluster_id,
                a.health_board,
                a.person_id,
                a.role,
                a.start_date,
                a.end_date,
                a.usual_workplace_id,
                a.usual_workplace_health_board_salaried,
            )
            return a.health_board
        if kind == published.ClusterClosed.event_type:
            closed = published.ClusterClosed.model_validate(event.data)
            await conn.executemany(
                f"INSERT INTO {s}.cluster_successions VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [
                    (closed.cluster_id, successor, closed.closed_on + dt.timedelta(days=1))
                    for successor in closed.successor_cluster_ids
                ],
            )
            return closed.health_board
        if kind == published.AppointmentEnded.event_type:
            ended = published.AppointmentEnded.model_validate(event.data)
            await conn.execute(
                f"UPDATE {s}.appointments SET end_date = $2 WHERE appointment_id = $1",
                ended.appointment_id,
                ended.end_date,
            )
            return ended.health_board
        return None

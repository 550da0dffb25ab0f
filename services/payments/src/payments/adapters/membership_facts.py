"""Membership's events into payments' facts: organisations, people, lead appointments.

Also which clusters carry on a closed (merged or split) one, so an organisation registered in
it is still of its cluster afterwards.

Read as published (``contracts.membership``); other types are ignored. A change to an
organisation or an appointment can change what is due for any of its board's meetings, so the
board's years are brought up to date in the same transaction: for the payees the change can
concern (an organisation is paid as itself, a lead as the person or their workplace), or for
everyone when a cluster closes (its organisations move to its successors).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from contracts import membership as published
from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from payments.adapters.accrual_store import (
    reaccrue,
    reaccrue_payees,
    scopes_of_board,
    take_turn_if_any,
)

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
        if not await take_turn_if_any(conn, self._schema, events, _FACTS.__contains__):
            return
        changes: dict[str, _Concerned] = {}
        registered = _Registrations()
        last = ""
        for event in events:
            concerned = await self._write(conn, event, registered)
            if concerned is not None:
                changes.setdefault(concerned.board, _Concerned(concerned.board)).add(concerned)
                last = f"{self._source}@{event.position} {event.event_type}"
        await registered.write(conn, self._schema)
        for board, concerned in sorted(changes.items()):
            scopes = await scopes_of_board(conn, self._schema, board)
            if concerned.everyone:
                await reaccrue(conn, self._schema, scopes, last)
            else:
                payees = dict.fromkeys(scopes, concerned.payees)
                await reaccrue_payees(conn, self._schema, payees, last)

    async def _write(
        self, conn: DbConnection, event: RecordedEvent, registered: _Registrations
    ) -> _Concerned | None:
        """Store the fact (or keep it in ``registered``); return whose money it may change."""
        s, kind = self._schema, event.event_type
        if kind == published.OrganisationRegistered.event_type:
            o = published.OrganisationRegistered.model_validate(event.data)
            registered.organisations.append(
                (
                    o.organisation_id,
                    o.kind,
                    o.ods_code,
                    o.cluster_id,
                    o.health_board,
                    o.health_board_salaried,
                )
            )
            return _Concerned(o.health_board, {o.organisation_id})
        if kind == published.PersonRegistered.event_type:
            person = published.PersonRegistered.model_validate(event.data)
            registered.people.append((person.person_id,))
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
            return await self._lead(conn, a.health_board, a.person_id)
        if kind == published.ClusterClosed.event_type:
            closed = published.ClusterClosed.model_validate(event.data)
            await conn.executemany(
                f"INSERT INTO {s}.cluster_successions VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                [
                    (closed.cluster_id, successor, closed.closed_on + dt.timedelta(days=1))
                    for successor in closed.successor_cluster_ids
                ],
            )
            return _Concerned(closed.health_board, everyone=True)
        if kind == published.AppointmentEnded.event_type:
            ended = published.AppointmentEnded.model_validate(event.data)
            await conn.execute(
                f"UPDATE {s}.appointments SET end_date = $2 WHERE appointment_id = $1",
                ended.appointment_id,
                ended.end_date,
            )
            return await self._lead(conn, ended.health_board, ended.person_id)
        return None

    async def _lead(self, conn: DbConnection, board: str, person_id: str) -> _Concerned:
        """A lead's appointments changed: the person and every workplace they lead from.

        Which appointment a meeting finds for them, so which workplace it pays, may change.
        """
        workplaces = await conn.fetch(
            f"SELECT usual_workplace_id FROM {self._schema}.appointments WHERE person_id = $1"
            " AND usual_workplace_id IS NOT NULL",
            person_id,
        )
        return _Concerned(board, {person_id, *(r[0] for r in workplaces)})


@dataclass(slots=True)
class _Registrations:
    """Organisations and people of a batch, written together (nothing in the batch reads them).

    A roster arrives as thousands of these: one statement each would be most of the work.
    """

    organisations: list[tuple[object, ...]] = field(default_factory=list)
    people: list[tuple[object, ...]] = field(default_factory=list)

    async def write(self, conn: DbConnection, schema: str) -> None:
        if self.organisations:
            await conn.executemany(
                f"INSERT INTO {schema}.organisations VALUES ($1, $2, $3, $4, $5, $6)"
                " ON CONFLICT (organisation_id) DO UPDATE SET kind = $2, ods_code = $3,"
                " cluster_id = $4, health_board = $5, health_board_salaried = $6",
                self.organisations,
            )
        if self.people:
            await conn.executemany(
                f"INSERT INTO {schema}.people VALUES ($1) ON CONFLICT DO NOTHING", self.people
            )


@dataclass(slots=True)
class _Concerned:
    """The board whose money a change may move, and whose: ``payees``, or ``everyone``."""

    board: str
    payees: set[str] = field(default_factory=set)
    everyone: bool = False

    def add(self, other: _Concerned) -> None:
        self.payees |= other.payees
        self.everyone = self.everyone or other.everyone

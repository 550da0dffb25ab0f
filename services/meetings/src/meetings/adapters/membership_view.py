"""Meetings' own copy of membership, fed by membership's integration events over the broker.

Only what attendance, chairing and quorum checks need: bodies, organisations' professions,
known people, dated memberships and lead appointments, and dated quorum rules. Events of other
types (and types added later) are ignored; the writes are in ``membership_writes``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import execute_statements
from meetings.adapters.membership_writes import WRITES, Tables

_TABLES = {
    "bodies": (
        "CREATE TABLE {table} (body_id text PRIMARY KEY, body_kind text NOT NULL,"
        " health_board text NOT NULL, pcpg_id text NOT NULL, cluster_id text, profession text,"
        " closed_on date)"
    ),
    "organisations": (
        "CREATE TABLE {table} (organisation_id text PRIMARY KEY, profession text,"
        " health_board text NOT NULL)"
    ),
    "people": "CREATE TABLE {table} (person_id text PRIMARY KEY, erased boolean NOT NULL)",
    "memberships": (
        "CREATE TABLE {table} (membership_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, kind text NOT NULL, organisation_id text,"
        " start_date date NOT NULL, end_date date);"
        " CREATE INDEX {name}_by_person ON {table} (body_id, person_id)"
    ),
    "appointments": (
        "CREATE TABLE {table} (appointment_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, role text NOT NULL, start_date date NOT NULL, end_date date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, role)"
    ),
    "terms": (
        "CREATE TABLE {table} (body_id text NOT NULL, reviewed_on date NOT NULL,"
        " quorum integer NOT NULL, PRIMARY KEY (body_id, reviewed_on))"
    ),
}


class MembershipView:
    """Membership as meetings needs it (a kernel ``Projection`` of another service's events)."""

    name = "meetings.membership_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        await execute_statements(conn, events, tables, WRITES)

"""The roster's read model: organisations, people, memberships and appointments, with dates.

Spans are stored as start and (inclusive) end dates, so "the members on a date" is one indexed
query, not a replay. Ending a membership or an appointment updates its row's end date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import StatementsFor, execute_statements, one_statement
from membership.domain.people_events import (
    AppointmentEnded,
    LeadAppointed,
    MemberEnrolled,
    MembershipEnded,
    OrganisationRegistered,
    PersonErased,
    PersonRegistered,
)

_TABLES = {
    "organisations": (
        "CREATE TABLE {table} (organisation_id text PRIMARY KEY, ods_code text, name text NOT NULL,"
        " kind text NOT NULL, cluster_id text NOT NULL, health_board text NOT NULL,"
        " health_board_salaried boolean NOT NULL);"
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id, organisation_id)"
    ),
    "people": (
        "CREATE TABLE {table} (person_id text PRIMARY KEY, name text NOT NULL, role_title text,"
        " contact text, erased boolean NOT NULL DEFAULT false)"
    ),
    "memberships": (
        "CREATE TABLE {table} (membership_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, kind text NOT NULL, role_title text NOT NULL,"
        " organisation_id text, start_date date NOT NULL, end_date date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, membership_id)"
    ),
    "appointments": (
        "CREATE TABLE {table} (appointment_id text PRIMARY KEY, body_id text NOT NULL,"
        " person_id text NOT NULL, role text NOT NULL, start_date date NOT NULL, end_date date,"
        " usual_workplace_id text);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, person_id)"
    ),
}


def _date(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class RosterView:
    """Who sits on which body, and from when to when (a kernel ``Projection``)."""

    name = "membership.roster_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Mapping[str, str]
    ) -> None:
        await execute_statements(conn, events, tables, _WRITES)


Data = Mapping[str, Any]
Tables = Mapping[str, str]


def _organisation(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['organisations']} VALUES ($1, $2, $3, $4, $5, $6, $7)",
        d["organisation_id"],
        d["ods_code"],
        d["name"],
        d["kind"],
        d["cluster_id"],
        d["health_board"],
        d["health_board_salaried"],
    )


def _person(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['people']} (person_id, name, role_title, contact) VALUES ($1, $2, $3, $4)",
        d["person_id"],
        d["name"] or "",  # None: erased since (a rebuild reads the event after the erasure)
        d["role_title"],
        d["contact"],
    )


def _person_erased(d: Data, t: Tables) -> tuple[Any, ...]:
    # The personal fields go; the row stays, so memberships still name an (erased) person.
    return (
        f"UPDATE {t['people']} SET name = '', role_title = NULL, contact = NULL, erased = true"
        " WHERE person_id = $1",
        d["person_id"],
    )


def _enrolled(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['memberships']} VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        d["membership_id"],
        d["body_id"],
        d["person_id"],
        d["kind"],
        d["role_title"],
        d["organisation_id"],
        _date(d["start_date"]),
    )


def _membership_ended(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"UPDATE {t['memberships']} SET end_date = $2 WHERE membership_id = $1",
        d["membership_id"],
        _date(d["end_date"]),
    )


def _appointed(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['appointments']} VALUES ($1, $2, $3, $4, $5, $6, $7)",
        d["appointment_id"],
        d["body_id"],
        d["person_id"],
        d["role"],
        _date(d["start_date"]),
        _date(d["end_date"]),
        d["usual_workplace_id"],
    )


def _appointment_ended(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"UPDATE {t['appointments']} SET end_date = $2 WHERE appointment_id = $1",
        d["appointment_id"],
        _date(d["end_date"]),
    )


_WRITES: dict[str, StatementsFor] = {
    OrganisationRegistered.event_type: one_statement(_organisation),
    PersonRegistered.event_type: one_statement(_person),
    PersonErased.event_type: one_statement(_person_erased),
    MemberEnrolled.event_type: one_statement(_enrolled),
    MembershipEnded.event_type: one_statement(_membership_ended),
    LeadAppointed.event_type: one_statement(_appointed),
    AppointmentEnded.event_type: one_statement(_appointment_ended),
}
"""The one write each event causes; events not listed are ignored by this view."""

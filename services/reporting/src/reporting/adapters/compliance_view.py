"""Reporting's copy of meetings: each meeting's record as it now stands, and the action logs.

Fed over the broker by a ``Subscription`` to meetings (with its EventFeed for catch-up) and
rebuildable from position 0. It keeps facts, not findings: ``MeetingHeld`` writes the record
and its attendance, ``AttendanceCorrected`` replaces one person's entry, ``MeetingCancelled``
voids the meeting (it stops counting), ``MinutesApproved`` dates the approval. Findings are
judged from these on reading (``domain.compliance``), so they follow every correction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import execute_statements

Data = Mapping[str, Any]
Tables = Mapping[str, str]
Write = tuple[Any, ...]

_TABLES = {
    "meetings": (
        "CREATE TABLE {table} (meeting_id text PRIMARY KEY, body_id text NOT NULL,"
        " body_kind text NOT NULL, health_board text NOT NULL, cluster_id text,"
        " pcpg_id text NOT NULL, meeting_date date NOT NULL, status text NOT NULL,"
        " chair_person_id text, chaired_by_lead boolean, quorate boolean,"
        " declarations integer NOT NULL DEFAULT 0, minutes_approved_on date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, meeting_date)"
    ),
    "attendance": (
        "CREATE TABLE {table} (meeting_id text NOT NULL, person_id text NOT NULL,"
        " status text NOT NULL, organisation_id text, profession text,"
        " PRIMARY KEY (meeting_id, person_id))"
    ),
    "actions": (
        "CREATE TABLE {table} (meeting_id text NOT NULL, ref integer NOT NULL,"
        " body_id text NOT NULL, meeting_date date NOT NULL, description text NOT NULL,"
        " lead text NOT NULL, due_date date NOT NULL, status text NOT NULL,"
        " PRIMARY KEY (meeting_id, ref)); CREATE INDEX {name}_by_body ON {table} (body_id)"
    ),
}


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _meeting(data: Data, t: Tables, status: str) -> Write:
    return (
        f"INSERT INTO {t['meetings']} (meeting_id, body_id, body_kind, health_board, cluster_id,"
        " pcpg_id, meeting_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (meeting_id) DO UPDATE SET meeting_date = $7, status = $8",
        data["meeting_id"],
        data["body_id"],
        data["body_kind"],
        data["health_board"],
        data["cluster_id"],
        data["pcpg_id"],
        _date(data["meeting_date"]),
        status,
    )


def _attendee(meeting_id: str, attendee: Data, t: Tables) -> Write:
    return (
        f"INSERT INTO {t['attendance']} (meeting_id, person_id, status, organisation_id,"
        " profession) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (meeting_id, person_id)"
        " DO UPDATE SET status = $3, organisation_id = $4, profession = $5",
        meeting_id,
        attendee["person_id"],
        attendee["status"],
        attendee["organisation_id"],
        attendee["profession"],
    )


def _scheduled(data: Data, t: Tables) -> Iterator[Write]:
    yield _meeting(data, t, "scheduled")


def _held(data: Data, t: Tables) -> Iterator[Write]:
    meeting = data["meeting_id"]
    yield _meeting(data, t, "held")
    yield (
        f"UPDATE {t['meetings']} SET chair_person_id = $2, chaired_by_lead = $3, quorate = $4"
        " WHERE meeting_id = $1",
        meeting,
        data["chair_person_id"],
        data["chaired_by_lead"],
        data["quorate"],
    )
    yield (f"DELETE FROM {t['attendance']} WHERE meeting_id = $1", meeting)
    for attendee in data["attendance"]:
        yield _attendee(meeting, attendee, t)


def _corrected(data: Data, t: Tables) -> Iterator[Write]:
    yield _attendee(data["meeting_id"], data["attendee"], t)


def _cancelled(data: Data, t: Tables) -> Iterator[Write]:
    yield _meeting(data, t, "cancelled")


def _declared(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['meetings']} SET declarations = declarations + 1 WHERE meeting_id = $1",
        data["meeting_id"],
    )


def _minutes(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['meetings']} SET minutes_approved_on = $2 WHERE meeting_id = $1",
        data["meeting_id"],
        _date(data["approved_on"]),
    )


def _action_raised(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"INSERT INTO {t['actions']} (meeting_id, ref, body_id, meeting_date, description, lead,"
        " due_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open')"
        " ON CONFLICT (meeting_id, ref) DO NOTHING",
        data["meeting_id"],
        data["ref"],
        data["body_id"],
        _date(data["meeting_date"]),
        data["description"],
        data["lead"],
        _date(data["due_date"]),
    )


def _action_updated(data: Data, t: Tables) -> Iterator[Write]:
    yield (
        f"UPDATE {t['actions']} SET status = $3 WHERE meeting_id = $1 AND ref = $2",
        data["meeting_id"],
        data["ref"],
        data["status"],
    )


WRITES: Mapping[str, Callable[[Data, Tables], Iterator[Write]]] = {
    "meetings.MeetingScheduled": _scheduled,
    "meetings.MeetingHeld": _held,
    "meetings.AttendanceCorrected": _corrected,
    "meetings.MeetingCancelled": _cancelled,
    "meetings.DeclarationRecorded": _declared,
    "meetings.MinutesApproved": _minutes,
    "meetings.ActionRaised": _action_raised,
    "meetings.ActionUpdated": _action_updated,
}


class ComplianceView:
    """Meetings as compliance needs them (a kernel ``Projection`` of another service's events)."""

    name = "reporting.compliance_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        await execute_statements(conn, events, tables, WRITES)

"""Reporting's copy of meetings: each meeting's record as it now stands, and the action logs.

Fed over the broker by a ``Subscription`` to meetings (with its EventFeed for catch-up) and
rebuildable from position 0, a batch of events at a time (``BatchedRows``: a few round trips
per batch, not one per statement). It keeps facts, not findings: ``MeetingHeld`` writes the record
and its attendance, ``AttendanceCorrected`` replaces one person's entry, ``MeetingCancelled``
voids the meeting (it stops counting), ``MinutesApproved`` dates the approval. Findings are
judged from these on reading (``domain.compliance``), so they follow every correction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from reporting.adapters.batched_rows import BatchedRows, Row

Data = Mapping[str, Any]
Tables = Mapping[str, str]

_TABLES = {
    "meetings": (
        "CREATE TABLE {table} (meeting_id text PRIMARY KEY, body_id text NOT NULL,"
        " body_kind text NOT NULL, health_board text NOT NULL, cluster_id text,"
        " pcpg_id text NOT NULL, meeting_date date NOT NULL, status text NOT NULL,"
        " chair_person_id text, chaired_by_lead boolean, quorate boolean,"
        " declarations integer NOT NULL DEFAULT 0, minutes_approved_on date);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, meeting_date);"
        # A cluster report's attendance: its meetings (and its PCs') of a year.
        " CREATE INDEX {name}_by_cluster ON {table} (cluster_id, meeting_date)"
    ),
    "attendance": (
        "CREATE TABLE {table} (meeting_id text NOT NULL, person_id text NOT NULL,"
        " status text NOT NULL, organisation_id text, profession text,"
        " PRIMARY KEY (meeting_id, person_id))"
    ),
    # Its own table, not a column of meetings: a new table is created when the service starts,
    # so adding it needed no rebuild of the live tables (create_tables leaves those as they are).
    "no_declarations": "CREATE TABLE {table} (meeting_id text PRIMARY KEY)",
    "actions": (
        "CREATE TABLE {table} (meeting_id text NOT NULL, ref integer NOT NULL,"
        " body_id text NOT NULL, meeting_date date NOT NULL, description text NOT NULL,"
        " lead text NOT NULL, due_date date NOT NULL, status text NOT NULL,"
        " PRIMARY KEY (meeting_id, ref)); CREATE INDEX {name}_by_body ON {table} (body_id)"
    ),
}


_MEETING = (
    "meeting_id", "body_id", "body_kind", "health_board", "cluster_id", "pcpg_id",
    "meeting_date", "status", "chair_person_id", "chaired_by_lead", "quorate", "declarations",
    "minutes_approved_on",
)  # fmt: skip
_ATTENDEE = ("meeting_id", "person_id", "status", "organisation_id", "profession")
_ACTION = (
    "meeting_id", "ref", "body_id", "meeting_date", "description", "lead", "due_date", "status",
)  # fmt: skip


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class _Batch:
    """The rows one batch of meetings events touches (``BatchedRows``, read once, written once)."""

    def __init__(self, tables: Tables) -> None:
        self.meetings = BatchedRows(tables["meetings"], ("meeting_id",), _MEETING)
        self.attendance = BatchedRows(tables["attendance"], _ATTENDEE[:2], _ATTENDEE)
        self.actions = BatchedRows(tables["actions"], ("meeting_id", "ref"), _ACTION)
        self.no_declarations = BatchedRows(
            tables["no_declarations"], ("meeting_id",), ("meeting_id",)
        )

    async def load(self, conn: DbConnection, events: Sequence[RecordedEvent]) -> None:
        # Attendance is only ever replaced or upserted whole, so it needs no reading.
        touched = [e.data["meeting_id"] for e in events if e.event_type in FOLDS]
        actions = [e.data["meeting_id"] for e in events if e.event_type in _ACTION_EVENTS]
        await self.meetings.load(conn, "meeting_id", set(touched))
        await self.actions.load(conn, "meeting_id", set(actions))

    async def flush(self, conn: DbConnection) -> None:
        for rows in (self.meetings, self.attendance, self.actions, self.no_declarations):
            await rows.flush(conn)


def _meeting(b: _Batch, data: Data, status: str) -> Row:
    """Insert the meeting, or move its date and status (its body never changes)."""
    row = b.meetings.get(data["meeting_id"])
    date = _date(data["meeting_date"])
    if row is None:
        row = {
            **{c: data[c] for c in _MEETING[:6]},
            "meeting_date": date,
            "status": status,
            "chair_person_id": None,
            "chaired_by_lead": None,
            "quorate": None,
            "declarations": 0,
            "minutes_approved_on": None,
        }
    else:
        row = {**row, "meeting_date": date, "status": status}
    b.meetings.put(row)
    return row


def _attendee(b: _Batch, meeting_id: str, attendee: Data) -> None:
    # Spelled out (the columns of _ATTENDEE), not a comprehension: most rows a rebuild writes.
    b.attendance.put(
        {
            "meeting_id": meeting_id,
            "person_id": attendee["person_id"],
            "status": attendee["status"],
            "organisation_id": attendee["organisation_id"],
            "profession": attendee["profession"],
        }
    )


def _scheduled(b: _Batch, data: Data) -> None:
    _meeting(b, data, "scheduled")


def _held(b: _Batch, data: Data) -> None:
    meeting = data["meeting_id"]
    row = _meeting(b, data, "held")
    b.meetings.put(
        {
            **row,
            "chair_person_id": data["chair_person_id"],
            "chaired_by_lead": data["chaired_by_lead"],
            "quorate": data["quorate"],
        }
    )
    b.attendance.clear(meeting)
    for attendee in data["attendance"]:
        _attendee(b, meeting, attendee)


def _corrected(b: _Batch, data: Data) -> None:
    _attendee(b, data["meeting_id"], data["attendee"])


def _cancelled(b: _Batch, data: Data) -> None:
    _meeting(b, data, "cancelled")


def _declared(b: _Batch, data: Data) -> None:
    row = b.meetings.get(data["meeting_id"])
    if row is not None:
        b.meetings.put({**row, "declarations": row["declarations"] + 1})


def _none_declared(b: _Batch, data: Data) -> None:
    b.no_declarations.put({"meeting_id": data["meeting_id"]})


def _minutes(b: _Batch, data: Data) -> None:
    row = b.meetings.get(data["meeting_id"])
    if row is not None:
        b.meetings.put({**row, "minutes_approved_on": _date(data["approved_on"])})


def _action_raised(b: _Batch, data: Data) -> None:
    # A repeat of a raised action leaves the logged one as it is.
    if b.actions.get(data["meeting_id"], data["ref"]) is None:
        b.actions.put(
            {
                **{c: data[c] for c in ("meeting_id", "ref", "body_id", "description", "lead")},
                "meeting_date": _date(data["meeting_date"]),
                "due_date": _date(data["due_date"]),
                "status": "open",
            }
        )


def _action_updated(b: _Batch, data: Data) -> None:
    row = b.actions.get(data["meeting_id"], data["ref"])
    if row is not None:
        b.actions.put({**row, "status": data["status"]})


FOLDS: Mapping[str, Callable[[_Batch, Data], None]] = {
    "meetings.MeetingScheduled": _scheduled,
    "meetings.MeetingHeld": _held,
    "meetings.AttendanceCorrected": _corrected,
    "meetings.MeetingCancelled": _cancelled,
    "meetings.DeclarationRecorded": _declared,
    "meetings.NoDeclarationsRecorded": _none_declared,
    "meetings.MinutesApproved": _minutes,
    "meetings.ActionRaised": _action_raised,
    "meetings.ActionUpdated": _action_updated,
}
_ACTION_EVENTS = frozenset({"meetings.ActionRaised", "meetings.ActionUpdated"})


class ComplianceView:
    """Meetings as compliance needs them (a kernel ``Projection`` of another service's events)."""

    name = "reporting.compliance_view"
    tables: Mapping[str, str] = _TABLES
    # What a rebuild asks the feed for: attendance as recorded, agenda items and decisions
    # (most of meetings' log) change nothing here, so they are never sent.
    event_types = frozenset(FOLDS)

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        batch = _Batch(tables)
        await batch.load(conn, events)
        for event in events:
            fold = FOLDS.get(event.event_type)
            if fold is not None:
                fold(batch, event.data)
        await batch.flush(conn)

"""The meetings read model: each body's meetings by date, and its action log.

Fed straight from this service's store (a ``LocalProjector``). A meeting's whole record is
read from its stream instead (``GetMeeting``): one short stream, always current.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kernel.events import RecordedEvent
from kernel.messaging import DbConnection
from kernel.projections import StatementsFor, execute_statements, one_statement
from meetings.domain.events import (
    ActionRaised,
    ActionUpdated,
    MeetingCancelled,
    MeetingHeld,
    MeetingScheduled,
    MinutesApproved,
)

_TABLES = {
    "meetings": (
        "CREATE TABLE {table} (meeting_id text PRIMARY KEY, body_id text NOT NULL,"
        " health_board text NOT NULL, meeting_date date NOT NULL, start_time text NOT NULL,"
        " kind text NOT NULL, mode text NOT NULL, title text NOT NULL, status text NOT NULL,"
        " minutes_approved boolean NOT NULL DEFAULT false);"
        " CREATE INDEX {name}_by_body ON {table} (body_id, meeting_date, meeting_id)"
    ),
    "actions": (
        "CREATE TABLE {table} (meeting_id text NOT NULL, ref integer NOT NULL,"
        " body_id text NOT NULL, meeting_date date NOT NULL, description text NOT NULL,"
        " lead text NOT NULL, due_date date NOT NULL, status text NOT NULL,"
        " progress text[] NOT NULL DEFAULT '{}', last_reviewed_at text,"
        " PRIMARY KEY (meeting_id, ref));"
        " CREATE INDEX {name}_by_body ON {table} (body_id, meeting_date, meeting_id, ref)"
    ),
}

Data = Mapping[str, Any]
Tables = Mapping[str, str]


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


class MeetingView:
    """Meetings and actions by body (a kernel ``Projection``)."""

    name = "meetings.meeting_view"
    tables: Mapping[str, str] = _TABLES

    async def apply(
        self, conn: DbConnection, events: Sequence[RecordedEvent], tables: Tables
    ) -> None:
        await execute_statements(conn, events, tables, _WRITES)


def _scheduled(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['meetings']} VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'scheduled')"
        " ON CONFLICT DO NOTHING",
        d["meeting_id"],
        d["body_id"],
        d["health_board"],
        _date(d["meeting_date"]),
        d["start_time"],
        d["meeting_kind"],
        d["mode"],
        d["title"],
    )


def _status(status: str) -> Callable[[Data, Tables], tuple[Any, ...]]:
    def write(d: Data, t: Tables) -> tuple[Any, ...]:
        return (
            f"UPDATE {t['meetings']} SET status = $2 WHERE meeting_id = $1",
            d["meeting_id"],
            status,
        )

    return write


def _cancelled(d: Data, t: Tables) -> tuple[Any, ...]:
    # A voided meeting's actions leave the body's log with it.
    return (
        f"WITH voided AS (UPDATE {t['meetings']} SET status = 'cancelled' WHERE meeting_id = $1)"
        f" DELETE FROM {t['actions']} WHERE meeting_id = $1",
        d["meeting_id"],
    )


def _approved(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"UPDATE {t['meetings']} SET minutes_approved = true WHERE meeting_id = $1",
        d["meeting_id"],
    )


def _action_raised(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"INSERT INTO {t['actions']} (meeting_id, ref, body_id, meeting_date, description, lead,"
        " due_date, status) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open') ON CONFLICT DO NOTHING",
        d["meeting_id"],
        d["ref"],
        d["body_id"],
        _date(d["meeting_date"]),
        d["description"],
        d["lead"],
        _date(d["due_date"]),
    )


def _action_updated(d: Data, t: Tables) -> tuple[Any, ...]:
    return (
        f"UPDATE {t['actions']} SET status = $3,"
        " progress = CASE WHEN $4 = '' THEN progress ELSE array_append(progress, $4) END,"
        " last_reviewed_at = coalesce($5, last_reviewed_at)"
        " WHERE meeting_id = $1 AND ref = $2",
        d["meeting_id"],
        d["ref"],
        d["status"],
        d["progress_note"],
        d["reviewed_at_meeting_id"],
    )


_WRITES: dict[str, StatementsFor] = {
    MeetingScheduled.event_type: one_statement(_scheduled),
    MeetingHeld.event_type: one_statement(_status("held")),
    MeetingCancelled.event_type: one_statement(_cancelled),
    MinutesApproved.event_type: one_statement(_approved),
    ActionRaised.event_type: one_statement(_action_raised),
    ActionUpdated.event_type: one_statement(_action_updated),
}
"""The one write each event causes; events not listed are ignored by this view."""

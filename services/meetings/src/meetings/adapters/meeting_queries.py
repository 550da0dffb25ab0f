"""``MeetingQueries`` on the meetings read model's live tables, paged by key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import asyncpg

from kernel.calendar import FinancialYear
from kernel.paging import PageRequest
from meetings.application.ports import ActionView, MeetingSummary
from meetings.domain.vocabulary import OPEN_ACTION_STATUSES

_MEETINGS = """
SELECT * FROM {meetings} WHERE body_id = $1 AND meeting_date BETWEEN $2 AND $3
  AND ($4::text IS NULL OR (meeting_date::text || '|' || meeting_id) > $4)
ORDER BY meeting_date, meeting_id LIMIT $5
"""
_ACTIONS = """
SELECT * FROM {actions} WHERE body_id = $1 AND ($2::text IS NULL OR status = $2)
  AND ($3::date IS NULL OR (due_date < $3 AND status = ANY($4::text[])))
  AND ($5::text IS NULL OR
       (meeting_date::text || '|' || meeting_id || '|' || lpad(ref::text, 6, '0')) > $5)
ORDER BY meeting_date, meeting_id, ref LIMIT $6
"""


def meeting_key(meeting: MeetingSummary) -> str:
    return f"{meeting.meeting_date.isoformat()}|{meeting.meeting_id}"


def action_key(action: ActionView) -> str:
    return f"{action.meeting_date.isoformat()}|{action.meeting_id}|{action.ref:06d}"


class PostgresMeetingQueries:
    def __init__(self, pool: asyncpg.Pool, tables: Mapping[str, str]) -> None:
        self._pool = pool
        self._meetings = _MEETINGS.format(**tables)
        self._actions = _ACTIONS.format(**tables)

    async def list_meetings(
        self, body_id: str, year: FinancialYear, page: PageRequest
    ) -> list[MeetingSummary]:
        rows = await self._pool.fetch(
            self._meetings, body_id, year.first_day, year.last_day, page.after, page.size + 1
        )
        return [
            MeetingSummary(
                meeting_id=r["meeting_id"],
                body_id=r["body_id"],
                health_board=r["health_board"],
                meeting_date=r["meeting_date"],
                start_time=r["start_time"],
                kind=r["kind"],
                mode=r["mode"],
                title=r["title"],
                status=r["status"],
                minutes_approved=r["minutes_approved"],
            )
            for r in rows
        ]

    async def list_actions(
        self,
        body_id: str,
        status: str | None,
        overdue_on: dt.date | None,
        as_of: dt.date,
        page: PageRequest,
    ) -> list[ActionView]:
        open_statuses = sorted(OPEN_ACTION_STATUSES)
        rows = await self._pool.fetch(
            self._actions, body_id, status, overdue_on, open_statuses, page.after, page.size + 1
        )
        return [
            ActionView(
                meeting_id=r["meeting_id"],
                ref=r["ref"],
                body_id=r["body_id"],
                meeting_date=r["meeting_date"],
                description=r["description"],
                lead=r["lead"],
                due_date=r["due_date"],
                status=r["status"],
                notes=tuple(r["progress"]),
                last_reviewed_at=r["last_reviewed_at"],
                overdue=r["due_date"] < as_of and r["status"] in OPEN_ACTION_STATUSES,
            )
            for r in rows
        ]

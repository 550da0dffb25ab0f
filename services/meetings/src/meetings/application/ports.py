"""What the application needs from outside.

Membership as meetings' projection knows it, the meetings read model, and a way to wait for it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from kernel.calendar import FinancialYear
from kernel.paging import PageRequest
from meetings.domain.standing import Body, Standing


@dataclass(frozen=True, slots=True)
class OrganisationFacts:
    organisation_id: str
    profession: str | None


class MembershipView(Protocol):
    """Membership as meetings' own projection of its events holds it (never a call to it)."""

    async def find_body(self, body_id: str) -> Body | None: ...

    async def find_organisation(self, organisation_id: str) -> OrganisationFacts | None: ...

    async def erased_among(self, person_ids: Collection[str]) -> set[str]:
        """Which of ``person_ids`` membership has erased (their personal data is not shown)."""
        ...

    async def standings(
        self, body_id: str, person_ids: Collection[str], on: dt.date
    ) -> dict[str, Standing]:
        """Each person's membership, organisations and lead appointment on ``on``, by id.

        A person unknown to meetings' copy of membership is missing from the answer.
        """
        ...

    async def lead_on(self, body_id: str, on: dt.date) -> str | None:
        """Who held the body's lead appointment on ``on`` (None: nobody)."""
        ...

    async def quorum_on(self, body_id: str, on: dt.date) -> int | None:
        """The fewest core members present for decisions, by the terms in force on ``on``."""
        ...


@dataclass(frozen=True, slots=True)
class MeetingSummary:
    meeting_id: str
    body_id: str
    health_board: str
    meeting_date: dt.date
    start_time: str
    kind: str
    mode: str
    title: str
    status: str
    minutes_approved: bool


@dataclass(frozen=True, slots=True)
class ActionView:
    """One line of a body's action log."""

    meeting_id: str
    ref: int
    body_id: str
    meeting_date: dt.date
    description: str
    lead: str
    due_date: dt.date
    status: str
    notes: tuple[str, ...]
    last_reviewed_at: str | None
    overdue: bool


class MeetingQueries(Protocol):
    """The meetings read model. Lists fetch ``page.size + 1`` items in key order."""

    async def list_meetings(
        self, body_id: str, year: FinancialYear, page: PageRequest
    ) -> list[MeetingSummary]: ...

    async def list_actions(
        self,
        body_id: str,
        status: str | None,
        overdue_on: dt.date | None,
        as_of: dt.date,
        page: PageRequest,
    ) -> list[ActionView]: ...


class ReadModelSync(Protocol):
    """Waits until the read model has applied a store position (read-your-writes).

    The runtime's ``Infrastructure.read_models`` is one.
    """

    async def caught_up(self, position: int) -> None: ...

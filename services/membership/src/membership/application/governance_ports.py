"""What the governance queries need from the read model: interests and terms in force on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from kernel.paging import PageRequest


@dataclass(frozen=True, slots=True)
class InterestView:
    """A declaration in force on the date asked for (its description "" once erased)."""

    interest_id: str
    person_id: str
    person_name: str
    kind: str
    description: str
    declared_on: dt.date
    withdrawn_on: dt.date | None


@dataclass(frozen=True, slots=True)
class TermsView:
    """The terms in force on a date: those set by the latest review on or before it."""

    body_id: str
    reviewed_on: dt.date
    reviewed_by: str
    minimum_core_members: int


class GovernanceQueries(Protocol):
    """The governance read model. Lists fetch ``page.size + 1`` items in key order."""

    async def list_interests(
        self, body_id: str, as_of: dt.date, page: PageRequest
    ) -> list[InterestView]: ...

    async def terms_in_force(self, body_id: str, as_of: dt.date) -> TermsView | None: ...

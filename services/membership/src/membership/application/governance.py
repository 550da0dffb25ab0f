"""Declaring and withdrawing interests, and recording reviews of a body's terms of reference.

Each body has a register of interests (``interests-<body id>``) and its terms of reference
(``terms-<body id>``), apart from its roster: see ``domain.interests`` for why. Declarations
check membership against the roster's events in the store, not the read model, so a member
enrolled a moment ago may declare at once. Only the body's health board (or an operator)
changes either; for terms of reference that is the board of the PCPG that reviews them.
"""

from __future__ import annotations

import datetime as dt

from kernel.eventstore.port import EventStore
from kernel.ids import new_id
from kernel.repository import AggregateRepository, retry_on_conflict
from membership.application.access import Caller
from membership.application.rosters import RosterCommands
from membership.domain.events import EVENTS
from membership.domain.interests import Interest, InterestRegister, check_declaration
from membership.domain.terms import Review, TermsOfReference


class GovernanceCommands:
    """The command side of registers of interests and terms of reference."""

    def __init__(self, store: EventStore, rosters: RosterCommands) -> None:
        self.interests = AggregateRepository(store, InterestRegister, EVENTS, "interests")
        self.terms = AggregateRepository(store, TermsOfReference, EVENTS, "terms")
        self._rosters = rosters

    async def declare_interest(
        self,
        caller: Caller,
        body_id: str,
        person_id: str,
        kind: str,
        description: str,
        declared_on: dt.date,
    ) -> tuple[str, int]:
        """Declare a member's interest; return the interest id and the store position."""
        check_declaration(kind, description)
        body = await self._rosters.changeable_body(caller, body_id)
        await self._rosters.require_person(person_id)
        interest = Interest(new_id("interest"), person_id, kind, description, declared_on)

        async def attempt() -> int:
            roster = await self._rosters.rosters.load(body_id)
            spans = [m.span for m in roster.memberships.values() if m.person_id == person_id]
            register = await self.interests.load(body_id)
            register.declare(body, interest, spans)
            saved = await self.interests.save(register)
            return saved.positions[-1] if saved else 0

        return interest.interest_id, await retry_on_conflict(attempt)

    async def withdraw_interest(
        self, caller: Caller, body_id: str, interest_id: str, withdrawn_on: dt.date
    ) -> int:
        """Withdraw a declaration from ``withdrawn_on``; return the store position."""
        body = await self._rosters.changeable_body(caller, body_id)

        async def attempt() -> int:
            register = await self.interests.load(body_id)
            register.withdraw(body, interest_id, withdrawn_on)
            saved = await self.interests.save(register)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)

    async def record_review(
        self,
        caller: Caller,
        body_id: str,
        reviewed_on: dt.date,
        minimum_core_members: int,
        reviewed_by: str | None,
    ) -> int:
        """Record an annual review of a body's terms (by its PCPG when ``reviewed_by`` is None)."""
        body = await self._rosters.changeable_body(caller, body_id)
        review = Review(reviewed_on, reviewed_by or body.pcpg_id, minimum_core_members)

        async def attempt() -> int:
            terms = await self.terms.load(body_id)
            terms.record_review(body, review)
            saved = await self.terms.save(terms)
            return saved.positions[-1] if saved else 0

        return await retry_on_conflict(attempt)

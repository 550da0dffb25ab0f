"""A body's register of interests: who declared what, from when, and when it was withdrawn.

One aggregate per body (stream ``interests-<body id>``), apart from the roster: declarations
neither constrain nor are constrained by one another, so they need not contend with enrolments
and appointments for the roster's version. The one rule that reads the roster (the declarant
is a member on the declared date) is checked against the roster's memberships, loaded from
the store by the application; a membership ended concurrently and backdated before the
declaration could slip past, which only over-records a declaration (the safe side for a
conflicts register).

A declaration is on the register from ``declared_on`` up to the day before ``withdrawn_on``:
as of the withdrawal date it no longer shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.errors import AlreadyExists, NotFound, RuleViolated, ValidationFailed
from membership.domain.bodies import Body
from membership.domain.governance_events import (
    InterestDeclared,
    InterestEvent,
    InterestWithdrawn,
)
from membership.domain.register import check
from membership.domain.roster_rules import Span, body_facts

INTEREST_KINDS: dict[str, str] = {
    "financial": "a direct financial interest, e.g. ownership of or employment by a contractor",
    "non_financial_professional": "a professional interest, e.g. an advisory role or research",
    "non_financial_personal": "a personal interest, e.g. membership of a charity or campaign",
    "indirect": "an interest of a close family member or associate",
}
"""The kinds of interest a declaration may be, each with what it covers (data, not branches)."""

MAX_DESCRIPTION_LENGTH = 1000


@dataclass(frozen=True, slots=True)
class Interest:
    interest_id: str
    person_id: str
    kind: str
    description: str
    declared_on: dt.date
    withdrawn_on: dt.date | None = None


def check_declaration(kind: str, description: str) -> None:
    """Raise ``ValidationFailed`` for an unknown kind or an unusable description."""
    described = None
    if not description.strip():
        described = "must not be empty"
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        described = f"must be at most {MAX_DESCRIPTION_LENGTH} characters"
    check(
        ("kind", None if kind in INTEREST_KINDS else f"must be one of {', '.join(INTEREST_KINDS)}"),
        ("description", described),
    )


class InterestRegister(Aggregate[InterestEvent]):
    """The declarations of interest made to one body."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.interests: dict[str, Interest] = {}

    def declare(
        self,
        body: Body,
        interest: Interest,
        memberships: Iterable[Span],
    ) -> None:
        """Declare ``interest`` of a member of ``body``; a retried declaration does nothing.

        ``memberships`` are the declarant's membership spans in the body (from its roster).

        Raises:
            ValidationFailed: an unknown kind or a blank description.
            RuleViolated: ``DECLARANT_NOT_A_MEMBER`` on ``declared_on``.
            AlreadyExists: the id names a different declaration already.
        """
        check_declaration(interest.kind, interest.description)
        existing = self.interests.get(interest.interest_id)
        if existing is not None:
            if replace(existing, withdrawn_on=None) == interest:
                return
            raise AlreadyExists("the id is used already for something else")
        if not any(span.covers(interest.declared_on) for span in memberships):
            raise RuleViolated(
                "DECLARANT_NOT_A_MEMBER",
                f"{interest.person_id} is not a member of {body.body_id} on"
                f" {interest.declared_on}; the register of interests is the body's members'",
            )
        self._record(
            InterestDeclared(
                **body_facts(body),
                interest_id=interest.interest_id,
                person_id=interest.person_id,
                kind=interest.kind,
                description=interest.description,
                declared_on=interest.declared_on,
            )
        )

    def withdraw(self, body: Body, interest_id: str, withdrawn_on: dt.date) -> None:
        """Withdraw a declaration from ``withdrawn_on`` (the first day it no longer shows).

        Raises:
            NotFound: no such declaration in this body's register.
            ValidationFailed: ``withdrawn_on`` before the declaration.
            RuleViolated: ``INTEREST_ALREADY_WITHDRAWN``.
        """
        held = self.interests.get(interest_id)
        if held is None:
            raise NotFound(f"no interest {interest_id!r} in {body.body_id}'s register")
        if withdrawn_on < held.declared_on:
            raise ValidationFailed.single(
                "withdrawn_on", f"must not be before the declaration, {held.declared_on}"
            )
        if held.withdrawn_on is not None:
            raise RuleViolated(
                "INTEREST_ALREADY_WITHDRAWN", f"{interest_id} was withdrawn on {held.withdrawn_on}"
            )
        self._record(
            InterestWithdrawn(
                body_id=body.body_id,
                health_board=body.health_board,
                interest_id=interest_id,
                person_id=held.person_id,
                withdrawn_on=withdrawn_on,
            )
        )

    @override
    def _apply(self, event: InterestEvent) -> None:
        if isinstance(event, InterestDeclared):
            self.interests[event.interest_id] = Interest(
                event.interest_id,
                event.person_id,
                event.kind,
                event.description or "",
                event.declared_on,
            )
        else:
            held = self.interests[event.interest_id]
            self.interests[event.interest_id] = replace(held, withdrawn_on=event.withdrawn_on)

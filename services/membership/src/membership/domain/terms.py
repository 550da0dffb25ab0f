"""A body's terms of reference: the quorum rule in force and the dates of its annual reviews.

One aggregate per body (stream ``terms-<body id>``): reviews depend on nothing else the body
holds. Each review restates the quorum rule from its date (a later review supersedes it), so
the rule in force on any date is the latest review on or before it. Reviews recorded late, out
of date order, are fine; a second review on the same date corrects the first.

The quorum rule is one number: the fewest **core** members who must be present for the body
to make decisions (003: "check enough members are present for decisions to be made"). A count,
not a fraction, so meetings evaluate it exactly, with no rounding rule to agree on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from membership.domain.bodies import Body
from membership.domain.governance_events import TermsEvent, TermsOfReferenceReviewed
from membership.domain.register import check
from membership.domain.roster_rules import body_facts

MAX_QUORUM = 40
"""A sanity bound: no cluster, collaborative or PCPG has anywhere near 40 core members."""


@dataclass(frozen=True, slots=True)
class Review:
    """A review of the terms on ``reviewed_on`` by the PCPG ``reviewed_by``, and its quorum."""

    reviewed_on: dt.date
    reviewed_by: str
    minimum_core_members: int


def review_due(last_reviewed: dt.date) -> dt.date:
    """The day the next annual review is due: a year on (a 29 February review: 28 February)."""
    try:
        return last_reviewed.replace(year=last_reviewed.year + 1)
    except ValueError:
        return last_reviewed.replace(year=last_reviewed.year + 1, day=28)


def overdue(last_reviewed: dt.date, as_of: dt.date) -> bool:
    """Whether, on ``as_of``, more than twelve months have passed since the last review."""
    return as_of > review_due(last_reviewed)


def check_review(body: Body, review: Review) -> None:
    """Raise ``ValidationFailed`` for a quorum outside 1..``MAX_QUORUM`` or another PCPG.

    The PCPG reviews the terms of its bodies (003), so ``reviewed_by`` must be the body's own.
    """
    quorum = review.minimum_core_members
    check(
        (
            "quorum.minimum_core_members",
            None if 1 <= quorum <= MAX_QUORUM else f"must be between 1 and {MAX_QUORUM}",
        ),
        (
            "reviewed_by",
            None
            if review.reviewed_by == body.pcpg_id
            else f"must be {body.body_id}'s PCPG, {body.pcpg_id}",
        ),
    )


class TermsOfReference(Aggregate[TermsEvent]):
    """The reviews of one body's terms of reference, by date."""

    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.reviews: dict[dt.date, Review] = {}

    def record_review(self, body: Body, review: Review) -> None:
        """Record a review; repeating the review in force on its date does nothing.

        Raises:
            ValidationFailed: a quorum out of range, or a PCPG other than the body's.
        """
        check_review(body, review)
        if self.reviews.get(review.reviewed_on) == review:
            return
        self._record(
            TermsOfReferenceReviewed(
                **body_facts(body),
                reviewed_on=review.reviewed_on,
                reviewed_by=review.reviewed_by,
                quorum_minimum_core_members=review.minimum_core_members,
            )
        )

    def in_force(self, as_of: dt.date) -> Review | None:
        """The latest review on or before ``as_of`` (None: no terms recorded by then)."""
        dates = [day for day in self.reviews if day <= as_of]
        return self.reviews[max(dates)] if dates else None

    @override
    def _apply(self, event: TermsEvent) -> None:
        self.reviews[event.reviewed_on] = Review(
            event.reviewed_on, event.reviewed_by, event.quorum_minimum_core_members
        )

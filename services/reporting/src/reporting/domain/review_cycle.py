"""A board's review cycle for one financial year: its outcomes, its nominee, its peer review.

One aggregate per board and year (stream ``review-cycle-<board>-<2024-25>``): the rule "one
cluster per board per year" and "the peer review rates the board's outcomes, for its nominee"
both hold inside it. Self-assessments live apart (``domain.self_assessment``), one stream per
cluster and year, so sixty clusters submitting at once never contend on their board's stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.calendar import FinancialYear
from kernel.errors import AlreadyExists, RuleViolated
from reporting.domain.assignment import Assignment, Cluster, check_assignment, rating_problems
from reporting.domain.events import (
    AgreedLevel,
    CycleEvent,
    NominatedForPeerReview,
    PeerReviewer,
    PeerReviewRecorded,
    ReviewOutcomesAssigned,
)
from reporting.domain.vocabulary import check, text_problem


def cycle_id(board: str, year: FinancialYear) -> str:
    return f"{board}-{year.key}"


@dataclass(frozen=True, slots=True)
class PeerReview:
    """What a peer review agreed: reviewers (with their clusters), chair, levels, findings."""

    reviewed_on: dt.date
    reviewers: Sequence[PeerReviewer]
    independent_chair: str
    agreed_levels: Sequence[AgreedLevel]
    findings: Sequence[str]


class ReviewCycle(Aggregate[CycleEvent]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.assignment: Assignment | None = None
        self.nominee: str | None = None
        self.reviewed = False

    def assign(self, board: str, year: FinancialYear, assignment: Assignment) -> None:
        """Assign the outcomes; the same assignment again is a no-op, another is refused."""
        check_assignment(year, assignment)
        if self.assignment == assignment:
            return
        if self.assignment is not None:
            listed = ", ".join(self.assignment.outcomes)
            raise AlreadyExists(f"{board} already has its {year.label} outcomes ({listed})")
        self._record(
            ReviewOutcomesAssigned(
                health_board=board,
                financial_year=year.label,
                pcmw_outcomes=assignment.pcmw,
                acd_outcome=assignment.acd,
                self_assessment_due=assignment.due,
            )
        )

    def nominate(self, year: FinancialYear, cluster: Cluster, board: str, on: dt.date) -> None:
        """Nominate the board's cluster; the same again is a no-op, a second one is refused."""
        if cluster.health_board != board:
            check(("cluster_id", f"{cluster.cluster_id} is not a cluster of {board}"))
        cluster.require_open(on)
        if self.nominee == cluster.cluster_id:
            return
        if self.nominee is not None:
            raise AlreadyExists(
                f"{board} already nominated {self.nominee} for its {year.label} peer review"
                " (one cluster per board a year)"
            )
        self._record(
            NominatedForPeerReview(
                health_board=board,
                financial_year=year.label,
                cluster_id=cluster.cluster_id,
                nominated_on=on,
            )
        )

    def record_peer_review(self, year: FinancialYear, cluster: Cluster, review: PeerReview) -> None:
        """Record the nominee's peer review, once; reviewers come from other boards' clusters."""
        board = cluster.health_board
        if self.assignment is None:
            raise RuleViolated(
                "OUTCOMES_NOT_ASSIGNED", f"{board} has no outcomes assigned for {year.label}"
            )
        _check_review(self.assignment, cluster, review)
        if self.nominee != cluster.cluster_id:
            raise RuleViolated(
                "CLUSTER_NOT_NOMINATED",
                f"{cluster.cluster_id} is not {board}'s nominee for {year.label}"
                f" ({self.nominee or 'none nominated yet'})",
            )
        if self.reviewed:
            raise AlreadyExists(f"{cluster.cluster_id}'s {year.label} peer review is recorded")
        self._record(
            PeerReviewRecorded(
                cluster_id=cluster.cluster_id,
                health_board=board,
                financial_year=year.label,
                reviewed_on=review.reviewed_on,
                reviewers=tuple(review.reviewers),
                independent_chair=review.independent_chair.strip(),
                agreed_levels=tuple(review.agreed_levels),
                findings=tuple(f.strip() for f in review.findings),
            )
        )

    @override
    def _apply(self, event: CycleEvent) -> None:
        if isinstance(event, ReviewOutcomesAssigned):
            self.assignment = Assignment(
                event.pcmw_outcomes, event.acd_outcome, event.self_assessment_due
            )
        elif isinstance(event, NominatedForPeerReview):
            self.nominee = event.cluster_id
        else:
            self.reviewed = True


def _check_review(assignment: Assignment, cluster: Cluster, review: PeerReview) -> None:
    board = cluster.health_board
    problems: list[tuple[str, str | None]] = [
        ("reviewers", None if review.reviewers else "is required: at least one reviewer"),
        ("independent_chair", text_problem(review.independent_chair, 200)),
        ("findings", None if review.findings else "is required: at least one finding"),
    ]
    for n, reviewer in enumerate(review.reviewers):
        same_board = reviewer.health_board == board
        problems.append(
            (
                f"reviewers[{n}].cluster_id",
                f"{reviewer.cluster_id} is of {board}, the reviewed cluster's own board:"
                " reviewers come from another board's clusters"
                if same_board
                else None,
            )
        )
        problems.append((f"reviewers[{n}].person_id", text_problem(reviewer.person_id, 100)))
    problems.extend((f"findings[{n}]", text_problem(f)) for n, f in enumerate(review.findings))
    levels = [(a.outcome, a.level) for a in review.agreed_levels]
    problems.extend(rating_problems("agreed_levels", levels, assignment, board))
    check(*problems)

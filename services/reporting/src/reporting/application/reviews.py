"""The assessment cycle's commands: assign outcomes, self-assess, nominate, peer review.

Each checks who may act, resolves clusters through reporting's copy of membership, then
decides in one aggregate (see ``domain.review_cycle`` for the streams). A self-assessment reads
its board's cycle for the assignment; outcomes are assigned once, so that read cannot go stale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.calendar import FinancialYear
from kernel.errors import NotFound, RuleViolated
from kernel.eventstore.port import EventStore
from kernel.repository import AggregateRepository, retry_on_conflict
from reporting.application.access import Caller
from reporting.application.ports import Register, Today, last_position
from reporting.domain.assignment import Assignment, Cluster
from reporting.domain.events import EVENTS, AgreedLevel, PeerReviewer
from reporting.domain.review_cycle import PeerReview, ReviewCycle, cycle_id
from reporting.domain.self_assessment import SelfAssessment, Submission, assessment_id
from reporting.domain.vocabulary import board_problem, check


@dataclass(frozen=True, slots=True)
class PeerReviewInput:
    """A peer review as requested: reviewers as (person id, cluster id) pairs."""

    reviewed_on: dt.date
    reviewers: Sequence[tuple[str, str]]
    independent_chair: str
    agreed_levels: Sequence[AgreedLevel]
    findings: Sequence[str]


class ReviewCommands:
    def __init__(self, store: EventStore, register: Register, today: Today) -> None:
        self.cycles = AggregateRepository(store, ReviewCycle, EVENTS, "review-cycle")
        self.assessments = AggregateRepository(store, SelfAssessment, EVENTS, "self-assessment")
        self._register = register
        self._today = today

    async def assign_outcomes(
        self, caller: Caller, board: str, year_label: str, assignment: Assignment
    ) -> int:
        """Assign a board its year's outcomes; return the store position."""
        caller.require_national()
        year = _year(year_label)
        check(("health_board", board_problem(board)))

        async def attempt() -> int:
            cycle = await self.cycles.load(cycle_id(board, year))
            cycle.assign(board, year, assignment)
            return last_position(await self.cycles.save(cycle))

        return await retry_on_conflict(attempt)

    async def submit_self_assessment(
        self, caller: Caller, cluster_id: str, year_label: str, submission: Submission
    ) -> tuple[int, int]:
        """Submit (or resubmit) a cluster's self-assessment; return its revision and position."""
        year = _year(year_label)
        cluster = await self._cluster("cluster_id", cluster_id)
        caller.require_board(cluster.health_board)
        assignment = await self._assignment(cluster.health_board, year)
        today = self._today()
        leads = await self._register.leads_on(cluster_id, today)

        async def attempt() -> tuple[int, int]:
            assessment = await self.assessments.load(assessment_id(cluster_id, year))
            assessment.submit(
                year,
                cluster,
                assignment,
                submission,
                submitter_leads=submission.submitted_by in leads,
                today=today,
            )
            saved = await self.assessments.save(assessment)
            return assessment.revision, last_position(saved)

        return await retry_on_conflict(attempt)

    async def nominate(self, caller: Caller, board: str, year_label: str, cluster_id: str) -> int:
        """Nominate the board's cluster for the year's peer review; return the position."""
        year = _year(year_label)
        check(("health_board", board_problem(board)))
        caller.require_board(board)
        cluster = await self._cluster("cluster_id", cluster_id)
        today = self._today()

        async def attempt() -> int:
            cycle = await self.cycles.load(cycle_id(board, year))
            cycle.nominate(year, cluster, board, today)
            return last_position(await self.cycles.save(cycle))

        return await retry_on_conflict(attempt)

    async def record_peer_review(
        self, caller: Caller, cluster_id: str, year_label: str, review: PeerReviewInput
    ) -> int:
        """Record the nominee's peer review; return the store position."""
        year = _year(year_label)
        cluster = await self._cluster("cluster_id", cluster_id)
        caller.require_board_or_national(cluster.health_board)
        reviewed = PeerReview(
            review.reviewed_on,
            await self._reviewers(review.reviewers),
            review.independent_chair,
            review.agreed_levels,
            review.findings,
        )

        async def attempt() -> int:
            cycle = await self.cycles.load(cycle_id(cluster.health_board, year))
            cycle.record_peer_review(year, cluster, reviewed)
            return last_position(await self.cycles.save(cycle))

        return await retry_on_conflict(attempt)

    async def _reviewers(self, reviewers: Sequence[tuple[str, str]]) -> list[PeerReviewer]:
        found = [await self._register.find_cluster(c) for _, c in reviewers]
        check(
            *(
                (f"reviewers[{n}].cluster_id", f"no cluster {cluster_id!r}")
                for n, ((_, cluster_id), cluster) in enumerate(zip(reviewers, found, strict=True))
                if cluster is None
            )
        )
        return [
            PeerReviewer(person_id=person, cluster_id=c.cluster_id, health_board=c.health_board)
            for (person, _), c in zip(reviewers, found, strict=True)
            if c is not None
        ]

    async def _cluster(self, field: str, cluster_id: str) -> Cluster:
        check((field, None if cluster_id else "is required"))
        cluster = await self._register.find_cluster(cluster_id)
        if cluster is None:
            raise NotFound(f"no cluster {cluster_id!r}")
        return cluster

    async def _assignment(self, board: str, year: FinancialYear) -> Assignment:
        cycle = await self.cycles.load(cycle_id(board, year))
        if cycle.assignment is None:
            raise RuleViolated(
                "OUTCOMES_NOT_ASSIGNED", f"{board} has no outcomes assigned for {year.label}"
            )
        return cycle.assignment


def _year(label: str) -> FinancialYear:
    return FinancialYear.parse("financial_year", label)

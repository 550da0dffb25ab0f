"""A cluster's self-assessment for one financial year (the self-reflection tool, 003).

One aggregate per cluster and year (stream ``self-assessment-<cluster>-<2024-25>``). Each
submission is complete: it rates every one of the board's three outcomes with evidence, and
gives enablers and barriers (good practice is invited, not required). A resubmission before the
deadline supersedes the last one; history is kept as revisions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from typing_extensions import override

from kernel.aggregate import Aggregate
from kernel.calendar import FinancialYear
from kernel.errors import RuleViolated
from reporting.domain.assignment import Assignment, Cluster, rating_problems
from reporting.domain.events import MaturityAssessed, SelfRating
from reporting.domain.vocabulary import check, text_problem


def assessment_id(cluster_id: str, year: FinancialYear) -> str:
    return f"{cluster_id}-{year.key}"


@dataclass(frozen=True, slots=True)
class Submission:
    """What a cluster lead (or deputy) submits; ``submitted_by`` is membership's person id."""

    submitted_by: str
    ratings: Sequence[SelfRating]
    enablers: Sequence[str]
    barriers: Sequence[str]
    good_practice: Sequence[str]


def check_submission(submission: Submission, assignment: Assignment, board: str) -> None:
    """Raise one ``ValidationFailed`` naming everything wrong with the submission's content."""
    problems = rating_problems(
        "ratings", [(r.outcome, r.level) for r in submission.ratings], assignment, board
    )
    problems.extend(
        (f"ratings[{n}].evidence", text_problem(r.evidence))
        for n, r in enumerate(submission.ratings)
    )
    for field, answers, required in (
        ("enablers", submission.enablers, True),
        ("barriers", submission.barriers, True),
        ("good_practice", submission.good_practice, False),
    ):
        if required and not answers:
            problems.append((field, "is required: at least one"))
        problems.extend((f"{field}[{n}]", text_problem(a)) for n, a in enumerate(answers))
    check(("submitted_by", text_problem(submission.submitted_by, 100)), *problems)


class SelfAssessment(Aggregate[MaturityAssessed]):
    def __init__(self, stream_id: str) -> None:
        super().__init__(stream_id)
        self.revision = 0
        self.latest: MaturityAssessed | None = None

    def submit(
        self,
        year: FinancialYear,
        cluster: Cluster,
        assignment: Assignment,
        submission: Submission,
        *,
        submitter_leads: bool,
        today: dt.date,
    ) -> None:
        """Submit (or resubmit) on ``today``; ``submitter_leads``: lead or deputy that day."""
        check_submission(submission, assignment, cluster.health_board)
        cluster.require_open(today)
        if not submitter_leads:
            raise RuleViolated(
                "SUBMITTER_NOT_CLUSTER_LEAD",
                f"{submission.submitted_by} is not {cluster.cluster_id}'s cluster lead or"
                f" deputy chair on {today.isoformat()}",
            )
        if today > assignment.due:
            raise RuleViolated(
                "SELF_ASSESSMENT_CLOSED",
                f"{year.label} self-assessments were due by {assignment.due.isoformat()}",
            )
        self._record(
            MaturityAssessed(
                cluster_id=cluster.cluster_id,
                health_board=cluster.health_board,
                financial_year=year.label,
                revision=self.revision + 1,
                submitted_by=submission.submitted_by,
                submitted_on=today,
                ratings=tuple(
                    SelfRating(outcome=r.outcome, level=r.level, evidence=r.evidence.strip())
                    for r in submission.ratings
                ),
                enablers=tuple(a.strip() for a in submission.enablers),
                barriers=tuple(a.strip() for a in submission.barriers),
                good_practice=tuple(a.strip() for a in submission.good_practice),
            )
        )

    @override
    def _apply(self, event: MaturityAssessed) -> None:
        self.revision = event.revision
        self.latest = event

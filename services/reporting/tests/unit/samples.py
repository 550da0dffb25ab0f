"""Events and values the reporting unit tests share."""

import datetime as dt

from kernel.calendar import FinancialYear
from kernel.errors import ValidationFailed
from reporting.domain.assignment import Assignment, Cluster
from reporting.domain.events import (
    AgreedLevel,
    NominatedForPeerReview,
    PeerReviewer,
    ReviewOutcomesAssigned,
    SelfRating,
)
from reporting.domain.review_cycle import PeerReview
from reporting.domain.self_assessment import Submission

YEAR = FinancialYear(2024)
DUE = dt.date(2025, 1, 31)
ANGLESEY = Cluster("7A1-anglesey", "7A1")
ARFON = Cluster("7A1-arfon", "7A1")
CARMARTHEN = Cluster("7A2-taf-jeli", "7A2")
ASSIGNMENT = Assignment(("PCMW-03", "PCMW-07"), "ACD-02", DUE)
ASSIGNED = ReviewOutcomesAssigned(
    health_board="7A1",
    financial_year="2024/25",
    pcmw_outcomes=("PCMW-03", "PCMW-07"),
    acd_outcome="ACD-02",
    self_assessment_due=DUE,
)
NOMINATED = NominatedForPeerReview(
    health_board="7A1",
    financial_year="2024/25",
    cluster_id=ANGLESEY.cluster_id,
    nominated_on=dt.date(2024, 6, 1),
)


def ratings(*levels: int, outcomes: tuple[str, ...] = ASSIGNMENT.outcomes) -> list[SelfRating]:
    return [
        SelfRating(outcome=o, level=level, evidence=f"evidence for {o}")
        for o, level in zip(outcomes, levels, strict=True)
    ]


def submission(*levels: int, by: str = "lead-1", **changes: object) -> Submission:
    values: dict[str, object] = {
        "submitted_by": by,
        "ratings": ratings(*levels) if levels else [],
        "enablers": ["shared premises"],
        "barriers": ["recruitment"],
        "good_practice": [],
    }
    values.update(changes)
    return Submission(**values)  # type: ignore[arg-type]


def agreed(*levels: int) -> list[AgreedLevel]:
    return [
        AgreedLevel(outcome=o, level=level)
        for o, level in zip(ASSIGNMENT.outcomes, levels, strict=True)
    ]


def review(*reviewers: PeerReviewer, levels: tuple[int, ...] = (2, 1, 2)) -> PeerReview:
    return PeerReview(
        reviewed_on=dt.date(2024, 11, 5),
        reviewers=list(reviewers),
        independent_chair="chair-1",
        agreed_levels=agreed(*levels),
        findings=["strong MDT working"],
    )


REVIEWER = PeerReviewer(person_id="p-9", cluster_id=CARMARTHEN.cluster_id, health_board="7A2")


def fields(error: Exception) -> set[str]:
    assert isinstance(error, ValidationFailed)
    return {v.field for v in error.violations}

"""Self-assessment rules, given / when / then."""

import datetime as dt
from collections.abc import Callable

from kernel.errors import RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from reporting.domain.assignment import Cluster
from reporting.domain.events import MaturityAssessed
from reporting.domain.self_assessment import SelfAssessment

from .samples import ANGLESEY, ASSIGNMENT, DUE, YEAR, fields, ratings, submission

TODAY = dt.date(2024, 10, 1)


def _submitted(revision: int, *levels: int, on: dt.date = TODAY) -> MaturityAssessed:
    return MaturityAssessed(
        cluster_id=ANGLESEY.cluster_id,
        health_board="7A1",
        financial_year="2024/25",
        revision=revision,
        submitted_by="lead-1",
        submitted_on=on,
        ratings=tuple(ratings(*levels)),
        enablers=("shared premises",),
        barriers=("recruitment",),
        good_practice=(),
    )


def _submit(
    levels: tuple[int, ...], *, leads: bool = True, today: dt.date = TODAY
) -> Callable[[SelfAssessment], None]:
    def command(assessment: SelfAssessment) -> None:
        assessment.submit(
            YEAR,
            ANGLESEY,
            ASSIGNMENT,
            submission(*levels),
            submitter_leads=leads,
            today=today,
        )

    return command


def test_a_lead_submits_a_rating_for_each_assigned_outcome() -> None:
    scenario(SelfAssessment).when(_submit((1, 2, 3))).then(_submitted(1, 1, 2, 3))


def test_a_resubmission_before_the_deadline_supersedes_as_the_next_revision() -> None:
    assessment = (
        scenario(SelfAssessment)
        .given(_submitted(1, 1, 1, 1))
        .when(_submit((2, 2, 2)))
        .then(_submitted(2, 2, 2, 2))
    )
    assert assessment.latest is not None
    assert [r.level for r in assessment.latest.ratings] == [2, 2, 2]


def test_after_the_deadline_nothing_is_submitted() -> None:
    scenario(SelfAssessment).when(_submit((1, 2, 3), today=DUE + dt.timedelta(1))).then_raises(
        RuleViolated, match="due by 2025-01-31"
    )


def test_only_the_cluster_lead_or_deputy_submits() -> None:
    error = scenario(SelfAssessment).when(_submit((1, 2, 3), leads=False)).then_raises(RuleViolated)
    assert isinstance(error, RuleViolated)
    assert error.reason == "SUBMITTER_NOT_CLUSTER_LEAD"


def test_a_rating_of_4_is_refused_naming_the_field() -> None:
    error = scenario(SelfAssessment).when(_submit((1, 4, 3))).then_raises(ValidationFailed)
    assert fields(error) == {"ratings[1].level"}
    assert "1 foundation, 2 developing, 3 mature" in str(error)


def test_an_unassigned_outcome_is_refused_and_the_missing_one_named() -> None:
    wrong = ratings(1, 2, 3, outcomes=("PCMW-03", "PCMW-08", "ACD-02"))

    def command(assessment: SelfAssessment) -> None:
        assessment.submit(
            YEAR,
            ANGLESEY,
            ASSIGNMENT,
            submission(by="lead-1", ratings=wrong),
            submitter_leads=True,
            today=TODAY,
        )

    error = scenario(SelfAssessment).when(command).then_raises(ValidationFailed)
    assert fields(error) == {"ratings[1].outcome", "ratings"}
    assert "'PCMW-08' is not one of 7A1's outcomes (PCMW-03, PCMW-07, ACD-02)" in str(error)
    assert "needs a rating for PCMW-07" in str(error)


def test_evidence_enablers_and_barriers_are_required() -> None:
    blank = [r.model_copy(update={"evidence": " "}) for r in ratings(1, 2, 3)]

    def command(assessment: SelfAssessment) -> None:
        assessment.submit(
            YEAR,
            ANGLESEY,
            ASSIGNMENT,
            submission(ratings=blank, enablers=[], barriers=[""]),
            submitter_leads=True,
            today=TODAY,
        )

    error = scenario(SelfAssessment).when(command).then_raises(ValidationFailed)
    assert fields(error) == {
        "ratings[0].evidence",
        "ratings[1].evidence",
        "ratings[2].evidence",
        "enablers",
        "barriers[0]",
    }


def test_a_cluster_closed_by_a_merge_or_split_no_longer_submits() -> None:
    closed = Cluster(ANGLESEY.cluster_id, "7A1", closed_on=TODAY - dt.timedelta(days=1))

    def command(assessment: SelfAssessment) -> None:
        assessment.submit(
            YEAR, closed, ASSIGNMENT, submission(1, 2, 3), submitter_leads=True, today=TODAY
        )

    scenario(SelfAssessment).when(command).then_raises(RuleViolated, match="closed on")

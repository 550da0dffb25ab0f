"""Nomination and peer review rules, given / when / then."""

import datetime as dt

from kernel.errors import AlreadyExists, RuleViolated, ValidationFailed
from kernel.testing.scenario import scenario
from reporting.domain.assignment import Cluster
from reporting.domain.events import PeerReviewer, PeerReviewRecorded
from reporting.domain.review_cycle import ReviewCycle

from .samples import (
    ANGLESEY,
    ARFON,
    ASSIGNED,
    CARMARTHEN,
    NOMINATED,
    REVIEWER,
    YEAR,
    fields,
    review,
)


def test_a_board_nominates_one_of_its_clusters() -> None:
    scenario(ReviewCycle).given(ASSIGNED).when(
        lambda c: c.nominate(YEAR, ANGLESEY, "7A1", dt.date(2024, 6, 1))
    ).then(NOMINATED)


def test_a_second_nomination_is_refused_and_a_repeat_is_a_no_op() -> None:
    scenario(ReviewCycle).given(NOMINATED).when(
        lambda c: c.nominate(YEAR, ANGLESEY, "7A1", dt.date(2024, 6, 2))
    ).then()
    scenario(ReviewCycle).given(NOMINATED).when(
        lambda c: c.nominate(YEAR, ARFON, "7A1", dt.date(2024, 6, 2))
    ).then_raises(AlreadyExists, match="already nominated 7A1-anglesey")


def test_a_board_nominates_only_its_own_clusters() -> None:
    error = (
        scenario(ReviewCycle)
        .when(lambda c: c.nominate(YEAR, CARMARTHEN, "7A1", dt.date(2024, 6, 1)))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"cluster_id"}


REVIEWED = review(REVIEWER)
RECORDED = PeerReviewRecorded(
    cluster_id=ANGLESEY.cluster_id,
    health_board="7A1",
    financial_year="2024/25",
    reviewed_on=REVIEWED.reviewed_on,
    reviewers=(REVIEWER,),
    independent_chair="chair-1",
    agreed_levels=tuple(REVIEWED.agreed_levels),
    findings=("strong MDT working",),
)


def test_the_nominee_peer_review_is_recorded_with_the_agreed_levels() -> None:
    scenario(ReviewCycle).given(ASSIGNED, NOMINATED).when(
        lambda c: c.record_peer_review(YEAR, ANGLESEY, REVIEWED)
    ).then(RECORDED)


def test_a_reviewer_from_the_same_board_is_refused() -> None:
    own = PeerReviewer(person_id="p-2", cluster_id=ARFON.cluster_id, health_board="7A1")
    error = (
        scenario(ReviewCycle)
        .given(ASSIGNED, NOMINATED)
        .when(lambda c: c.record_peer_review(YEAR, ANGLESEY, review(REVIEWER, own)))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"reviewers[1].cluster_id"}
    assert "reviewers come from another board's clusters" in str(error)


def test_agreed_levels_are_checked_as_self_ratings_are() -> None:
    error = (
        scenario(ReviewCycle)
        .given(ASSIGNED, NOMINATED)
        .when(lambda c: c.record_peer_review(YEAR, ANGLESEY, review(REVIEWER, levels=(4, 1, 0))))
        .then_raises(ValidationFailed)
    )
    assert fields(error) == {"agreed_levels[0].level", "agreed_levels[2].level"}


def test_only_the_nominee_is_peer_reviewed_and_only_once() -> None:
    scenario(ReviewCycle).given(ASSIGNED, NOMINATED).when(
        lambda c: c.record_peer_review(YEAR, ARFON, review(REVIEWER))
    ).then_raises(RuleViolated, match="not 7A1's nominee")
    scenario(ReviewCycle).given(NOMINATED).when(
        lambda c: c.record_peer_review(YEAR, ANGLESEY, review(REVIEWER))
    ).then_raises(RuleViolated, match="no outcomes assigned")
    scenario(ReviewCycle).given(ASSIGNED, NOMINATED, RECORDED).when(
        lambda c: c.record_peer_review(YEAR, ANGLESEY, REVIEWED)
    ).then_raises(AlreadyExists, match="peer review is recorded")


def test_a_closed_cluster_is_not_nominated() -> None:
    closed = Cluster(ARFON.cluster_id, "7A1", closed_on=dt.date(2024, 5, 31))
    scenario(ReviewCycle).when(
        lambda c: c.nominate(YEAR, closed, "7A1", dt.date(2024, 6, 1))
    ).then_raises(RuleViolated, match="closed on 2024-05-31")

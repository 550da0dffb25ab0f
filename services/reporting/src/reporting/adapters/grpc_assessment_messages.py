"""``GetAssessmentResponse`` from the application's ``AssessmentView``."""

from __future__ import annotations

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from reporting.application.assessment_reads import (
    AssessmentView,
    PeerReviewView,
    SelfAssessmentView,
)


def assessment_message(view: AssessmentView) -> pb.GetAssessmentResponse:
    own, review = view.self_assessment, view.peer_review
    return pb.GetAssessmentResponse(
        cluster_id=view.cluster_id,
        health_board=view.health_board,
        financial_year=view.financial_year,
        self_assessment=_self_assessment(own) if own else None,
        peer_review=_peer_review(review) if review else None,
    )


def _self_assessment(own: SelfAssessmentView) -> pb.SelfAssessment:
    return pb.SelfAssessment(
        revision=own.revision,
        submitted_by=own.submitted_by,
        submitted_on=own.submitted_on.isoformat(),
        ratings=[
            pb.SelfRating(outcome=r.outcome, level=r.level, evidence=r.evidence)
            for r in own.ratings
        ],
        enablers=own.enablers,
        barriers=own.barriers,
        good_practice=own.good_practice,
    )


def _peer_review(review: PeerReviewView) -> pb.PeerReview:
    return pb.PeerReview(
        reviewed_on=review.reviewed_on.isoformat(),
        reviewers=[
            pb.Reviewer(person_id=r.person_id, cluster_id=r.cluster_id, health_board=r.health_board)
            for r in review.reviewers
        ],
        independent_chair=review.independent_chair,
        agreed_levels=[
            pb.AgreedLevel(outcome=a.outcome, level=a.level) for a in review.agreed_levels
        ],
        findings=review.findings,
    )

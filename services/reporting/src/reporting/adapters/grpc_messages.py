"""Translation between the API's messages and the application's values, both ways."""

from __future__ import annotations

import datetime as dt

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.grpc.fields import caller_as, parse_date
from reporting.application.access import Caller
from reporting.application.cycle_status import CycleStatus
from reporting.application.maturity import ClusterMatrix, MaturityYear, OutcomeView
from reporting.application.reviews import PeerReviewInput
from reporting.application.rollups import BoardRollup
from reporting.domain.events import AgreedLevel, SelfRating
from reporting.domain.self_assessment import Submission
from reporting.domain.vocabulary import Level


def caller() -> Caller:
    """The authenticated caller of the call being served, as the access rules see it."""
    return caller_as(Caller)


def _iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def submission(request: pb.SubmitSelfAssessmentRequest) -> Submission:
    return Submission(
        submitted_by=request.submitted_by,
        ratings=[
            SelfRating(outcome=r.outcome, level=r.level, evidence=r.evidence)
            for r in request.ratings
        ],
        enablers=list(request.enablers),
        barriers=list(request.barriers),
        good_practice=list(request.good_practice),
    )


def peer_review(request: pb.RecordPeerReviewRequest) -> PeerReviewInput:
    return PeerReviewInput(
        reviewed_on=parse_date("reviewed_on", request.reviewed_on),
        reviewers=[(r.person_id, r.cluster_id) for r in request.reviewers],
        independent_chair=request.independent_chair,
        agreed_levels=[
            AgreedLevel(outcome=a.outcome, level=a.level) for a in request.agreed_levels
        ],
        findings=list(request.findings),
    )


def outcome_message(outcome: OutcomeView) -> pb.Outcome:
    return pb.Outcome(
        code=outcome.code,
        framework=outcome.framework,
        title=outcome.title,
        placeholder=outcome.placeholder,
    )


def maturity_year_message(year: MaturityYear) -> pb.MaturityYear:
    return pb.MaturityYear(
        financial_year=year.financial_year,
        self_assessment_revision=year.revision or 0,
        self_assessed_on=_iso(year.self_assessed_on),
        peer_reviewed_on=_iso(year.peer_reviewed_on),
        outcomes=[
            pb.OutcomeLevels(
                outcome=outcome_message(o.outcome),
                self_assessed_level=o.self_level or 0,
                self_assessed_evidence=o.self_evidence or "",
                peer_agreed_level=o.peer_level or 0,
            )
            for o in year.outcomes
        ],
    )


def matrix_message(matrix: ClusterMatrix) -> pb.MaturityMatrix:
    return pb.MaturityMatrix(
        cluster_id=matrix.cluster_id,
        health_board=matrix.health_board,
        cluster_name=matrix.cluster_name,
        years=[maturity_year_message(year) for year in matrix.years],
    )


def cycle_message(cycle: CycleStatus) -> pb.ReviewCycle:
    return pb.ReviewCycle(
        health_board=cycle.health_board,
        financial_year=cycle.financial_year,
        outcomes=cycle.outcomes,
        self_assessment_due=_iso(cycle.self_assessment_due),
        clusters=cycle.clusters,
        self_assessments_submitted=cycle.self_assessments,
        nominee_cluster_id=cycle.nominee or "",
        nominated_on=_iso(cycle.nominated_on),
        peer_reviewed_on=_iso(cycle.peer_reviewed_on),
    )


def rollup_message(rollup: BoardRollup) -> pb.BoardRollup:
    return pb.BoardRollup(
        health_board=rollup.health_board,
        financial_year=rollup.financial_year,
        outcome=rollup.outcome,
        foundation=rollup.at_level[Level.FOUNDATION],
        developing=rollup.at_level[Level.DEVELOPING],
        mature=rollup.at_level[Level.MATURE],
        peer_agreed_level=rollup.peer_agreed_level or 0,
    )

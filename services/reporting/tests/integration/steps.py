"""Requests the reporting API tests share: one board's 2024/25 cycle for Anglesey."""

import grpc
from grpc import aio

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.grpc.errors import field_violations

from .conftest import CLUSTER

FY = "2024/25"
OUTCOMES = ("PCMW-03", "PCMW-07", "ACD-02")
REVIEWER_CLUSTER = "7A2-amman-gwendraeth"
ASSIGN = pb.AssignReviewOutcomesRequest(
    health_board="7A1", financial_year=FY, pcmw_outcomes=OUTCOMES[:2], acd_outcome=OUTCOMES[2]
)
NOMINATE = pb.NominateForPeerReviewRequest(
    health_board="7A1", financial_year=FY, cluster_id=CLUSTER
)


def violations(error: aio.AioRpcError) -> list[str]:
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    return [v.field for v in field_violations(error)]


def ratings(*levels: int, outcomes: tuple[str, ...] = OUTCOMES) -> list[pb.SelfRating]:
    return [
        pb.SelfRating(outcome=o, level=level, evidence=f"evidence for {o}")
        for o, level in zip(outcomes, levels, strict=True)
    ]


def submission(lead: str, *levels: int) -> pb.SubmitSelfAssessmentRequest:
    return pb.SubmitSelfAssessmentRequest(
        cluster_id=CLUSTER,
        financial_year=FY,
        submitted_by=lead,
        ratings=ratings(*levels),
        enablers=["co-located teams"],
        barriers=["GP recruitment"],
        good_practice=["community connectors"],
    )


def peer_review(
    *levels: int, reviewer_cluster: str = REVIEWER_CLUSTER
) -> pb.RecordPeerReviewRequest:
    return pb.RecordPeerReviewRequest(
        cluster_id=CLUSTER,
        financial_year=FY,
        reviewed_on="2024-11-05",
        reviewers=[pb.Reviewer(person_id="p-9", cluster_id=reviewer_cluster)],
        independent_chair="chair-1",
        agreed_levels=[
            pb.AgreedLevel(outcome=o, level=level)
            for o, level in zip(OUTCOMES, levels, strict=True)
        ],
        findings=["strong multidisciplinary working"],
    )

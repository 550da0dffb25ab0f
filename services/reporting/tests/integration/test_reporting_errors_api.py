"""Bad input over gRPC: clear errors, with field violations where a field is wrong; no events."""

import grpc
import pytest
from grpc import aio

from clwstwr.reporting.v1 import compliance_pb2 as cpb
from clwstwr.reporting.v1 import reporting_service_pb2 as pb

from .conftest import BOARD, CLUSTER, NATIONAL, Platform
from .steps import ASSIGN, FY, NOMINATE, peer_review, ratings, submission, violations

pytestmark = pytest.mark.integration


async def test_bad_input_gets_clear_errors_and_stores_nothing(platform: Platform) -> None:
    api = platform.stub
    await api.AssignReviewOutcomes(ASSIGN, metadata=NATIONAL)
    await api.NominateForPeerReview(NOMINATE, metadata=BOARD)
    lead = await platform.appoint(CLUSTER, "cluster_lead")
    before = await platform.stored()

    with pytest.raises(aio.AioRpcError) as rating_4:
        await api.SubmitSelfAssessment(submission(lead, 1, 4, 2), metadata=BOARD)
    assert violations(rating_4.value) == ["ratings[1].level"]

    unassigned = submission(lead, 1, 2, 3)
    unassigned.ClearField("ratings")
    unassigned.ratings.extend(ratings(1, 2, 3, outcomes=("PCMW-03", "PCMW-09", "ACD-02")))
    with pytest.raises(aio.AioRpcError) as not_assigned:
        await api.SubmitSelfAssessment(unassigned, metadata=BOARD)
    assert violations(not_assigned.value) == ["ratings[1].outcome", "ratings"]

    with pytest.raises(aio.AioRpcError) as same_board:
        await api.RecordPeerReview(
            peer_review(2, 2, 2, reviewer_cluster="7A1-arfon"), metadata=NATIONAL
        )
    assert violations(same_board.value) == ["reviewers[0].cluster_id"]

    second = pb.NominateForPeerReviewRequest(
        health_board="7A1", financial_year=FY, cluster_id="7A1-arfon"
    )
    with pytest.raises(aio.AioRpcError) as again:
        await api.NominateForPeerReview(second, metadata=BOARD)
    assert again.value.code() is grpc.StatusCode.ALREADY_EXISTS
    assert "already nominated 7A1-anglesey" in (again.value.details() or "")

    with pytest.raises(aio.AioRpcError) as not_lead:
        await api.SubmitSelfAssessment(submission("someone-else", 1, 2, 3), metadata=BOARD)
    assert not_lead.value.code() is grpc.StatusCode.FAILED_PRECONDITION

    with pytest.raises(aio.AioRpcError) as year:
        await api.GetAssessment(
            pb.GetAssessmentRequest(cluster_id=CLUSTER, financial_year="2024"), metadata=BOARD
        )
    assert violations(year.value) == ["financial_year"]
    assert await platform.stored() == before


async def test_bad_report_requests_get_clear_errors(platform: Platform) -> None:
    api = platform.stub
    with pytest.raises(aio.AioRpcError) as year:
        await api.GetClusterReport(
            pb.GetClusterReportRequest(cluster_id=CLUSTER, financial_year="2024-25"),
            metadata=BOARD,
        )
    assert violations(year.value) == ["financial_year"]
    with pytest.raises(aio.AioRpcError) as unknown:
        await api.GetClusterReport(
            pb.GetClusterReportRequest(cluster_id="7A1-nowhere", financial_year=FY),
            metadata=BOARD,
        )
    assert unknown.value.code() is grpc.StatusCode.NOT_FOUND
    with pytest.raises(aio.AioRpcError) as paging:
        await api.ListFindings(
            cpb.ListFindingsRequest(financial_year=FY, page_size=500, page_token="nonsense"),
            metadata=NATIONAL,
        )
    assert violations(paging.value) == ["page_size"]
    with pytest.raises(aio.AioRpcError) as board:
        await api.GetNationalOverview(
            pb.GetNationalOverviewRequest(financial_year=FY, health_board="7B9"),
            metadata=NATIONAL,
        )
    assert violations(board.value) == ["health_board"]

"""The maturity cycle over gRPC: assign, self-assess, nominate, peer review, read the matrix."""

import grpc
import pytest
from grpc import aio

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from kernel.testing.grpc import call_metadata

from .conftest import BOARD, CLUSTER, NATIONAL, OPERATOR, OTHER_BOARD, Platform
from .steps import ASSIGN, FY, NOMINATE, peer_review, submission

pytestmark = pytest.mark.integration


async def test_the_maturity_cycle_end_to_end(platform: Platform) -> None:
    api = platform.stub
    loaded = await api.LoadOutcomeTitles(pb.LoadOutcomeTitlesRequest(), metadata=OPERATOR)
    assert loaded.changed == 20
    await api.LoadOutcomeTitles(
        pb.LoadOutcomeTitlesRequest(
            titles=[pb.OutcomeTitle(code="PCMW-03", title="Corrected title")], reason="official"
        ),
        metadata=OPERATOR,
    )
    outcomes = (await api.ListOutcomes(pb.ListOutcomesRequest(), metadata=BOARD)).outcomes
    assert (len(outcomes), outcomes[0].code, outcomes[-1].code) == (20, "PCMW-01", "ACD-07")
    assert (outcomes[2].title, outcomes[2].placeholder, outcomes[0].placeholder) == (
        "Corrected title",
        False,
        True,
    )

    assigned = await api.AssignReviewOutcomes(ASSIGN, metadata=NATIONAL)
    assert assigned.self_assessment_due == "2025-03-31"

    lead = await platform.appoint(CLUSTER, "cluster_lead")
    deputy = await platform.appoint(CLUSTER, "deputy_chair")
    first = await api.SubmitSelfAssessment(submission(lead, 1, 2, 1), metadata=BOARD)
    second = await api.SubmitSelfAssessment(submission(deputy, 2, 2, 1), metadata=BOARD)
    assert (first.revision, second.revision) == (1, 2)
    [year] = second.matrix.years
    assert [(o.outcome.code, o.self_assessed_level) for o in year.outcomes] == [
        ("PCMW-03", 2),
        ("PCMW-07", 2),
        ("ACD-02", 1),
    ]
    assert year.outcomes[0].outcome.title == "Corrected title"

    await api.NominateForPeerReview(NOMINATE, metadata=BOARD)
    reviewed = await api.RecordPeerReview(peer_review(2, 3, 1), metadata=NATIONAL)
    [year] = reviewed.matrix.years
    assert year.peer_reviewed_on == "2024-11-05"
    assert [o.peer_agreed_level for o in year.outcomes] == [2, 3, 1]


async def test_boards_and_wales_side_by_side(platform: Platform) -> None:
    """Reads what the first test recorded (the module shares one platform)."""
    api = platform.stub
    request = pb.ListReviewCyclesRequest(financial_year=FY)
    cycles = (await api.ListReviewCycles(request, metadata=NATIONAL)).cycles
    assert [c.health_board for c in cycles] == [f"7A{n}" for n in range(1, 8)]
    betsi = cycles[0]
    assert (list(betsi.outcomes), betsi.self_assessments_submitted, betsi.clusters) == (
        ["PCMW-03", "PCMW-07", "ACD-02"],
        1,
        14,
    )
    assert (betsi.nominee_cluster_id, betsi.peer_reviewed_on) == (CLUSTER, "2024-11-05")
    assert (list(cycles[1].outcomes), cycles[1].nominee_cluster_id) == ([], "")
    own_cycles = await api.ListReviewCycles(request, metadata=OTHER_BOARD)
    assert [c.health_board for c in own_cycles.cycles] == ["7A2"]

    overview = await api.GetMaturityOverview(pb.GetMaturityOverviewRequest(), metadata=NATIONAL)
    assert len(overview.clusters) == 60
    assert [c.cluster_id for c in overview.clusters if c.years] == [CLUSTER]
    rollups = [
        (r.health_board, r.outcome, r.foundation, r.developing, r.mature, r.peer_agreed_level)
        for r in overview.board_rollups
    ]
    assert rollups == [
        ("7A1", "PCMW-03", 0, 1, 0, 2),
        ("7A1", "PCMW-07", 0, 1, 0, 3),
        ("7A1", "ACD-02", 1, 0, 0, 1),
    ]
    own = await api.GetMaturityOverview(pb.GetMaturityOverviewRequest(), metadata=OTHER_BOARD)
    assert {c.health_board for c in own.clusters} == {"7A2"}
    with pytest.raises(aio.AioRpcError) as denied:
        await api.GetMaturityMatrix(
            pb.GetMaturityMatrixRequest(cluster_id=CLUSTER), metadata=OTHER_BOARD
        )
    assert denied.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_the_whole_assessment_reads_back(platform: Platform) -> None:
    """Reads what the first test recorded (the module shares one platform)."""
    request = pb.GetAssessmentRequest(cluster_id=CLUSTER, financial_year=FY)
    answer = await platform.stub.GetAssessment(request, metadata=BOARD)
    own = answer.self_assessment
    assert (own.revision, own.submitted_on, list(own.enablers)) == (
        2,
        "2024-10-01",
        ["co-located teams"],
    )
    assert [(r.outcome, r.level) for r in own.ratings] == [
        ("PCMW-03", 2),
        ("PCMW-07", 2),
        ("ACD-02", 1),
    ]
    assert own.ratings[0].evidence == "evidence for PCMW-03"
    review = answer.peer_review
    assert [(r.cluster_id, r.health_board) for r in review.reviewers] == [
        ("7A2-amman-gwendraeth", "7A2")
    ]
    assert list(review.findings) == ["strong multidisciplinary working"]
    nothing = await platform.stub.GetAssessment(
        pb.GetAssessmentRequest(cluster_id="7A1-arfon", financial_year=FY), metadata=BOARD
    )
    assert not nothing.HasField("self_assessment")
    assert not nothing.HasField("peer_review")


async def test_a_retried_submission_acts_once(platform: Platform) -> None:
    lead = await platform.appoint(CLUSTER, "cluster_lead")
    keyed = call_metadata("board-7a1", idempotency_key="self-assessment-retry")
    before = await platform.stored()
    first = await platform.stub.SubmitSelfAssessment(submission(lead, 3, 3, 3), metadata=keyed)
    retry = await platform.stub.SubmitSelfAssessment(submission(lead, 3, 3, 3), metadata=keyed)
    assert first.revision == retry.revision == 3
    assert await platform.stored() == before + 1

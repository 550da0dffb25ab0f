"""``clwstwr.reporting.v1.ReportingService``: requests to commands and queries, and back.

Commands wait for this process's read models to apply what they stored before answering, so a
client that reads after a successful write sees it (read-your-writes).
"""

from __future__ import annotations

from dataclasses import dataclass

from grpc import aio
from typing_extensions import override

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1 import reporting_service_pb2_grpc as pb_grpc
from kernel.calendar import FinancialYear
from kernel.grpc.fields import parse_date
from reporting.adapters.catalogue_file import shipped_titles
from reporting.adapters.grpc_assessment_messages import assessment_message
from reporting.adapters.grpc_messages import (
    caller,
    cycle_message,
    matrix_message,
    outcome_message,
    peer_review,
    rollup_message,
    submission,
)
from reporting.adapters.grpc_watch import WatchRpcs
from reporting.application.assessment_reads import AssessmentReads
from reporting.application.catalogue import CatalogueCommands
from reporting.application.cluster_report import ComplianceReads
from reporting.application.cycle_status import CycleReads
from reporting.application.maturity import MaturityReads
from reporting.application.national_overview import NationalOverview
from reporting.application.ports import ReadModelSync
from reporting.application.report_watch import ReadModelChanges
from reporting.application.reviews import ReviewCommands
from reporting.application.rollups import board_rollups
from reporting.domain.assignment import Assignment
from reporting.domain.catalogue import OutcomeTitle

Context = aio.ServicerContext[object, object]


@dataclass(frozen=True, slots=True)
class ReportingParts:
    catalogue: CatalogueCommands
    reviews: ReviewCommands
    maturity: MaturityReads
    cycles: CycleReads
    assessments: AssessmentReads
    reports: ComplianceReads
    overview: NationalOverview
    sync: ReadModelSync
    changes: ReadModelChanges


class ReportingServicer(WatchRpcs, pb_grpc.ReportingServiceServicer):
    def __init__(self, parts: ReportingParts) -> None:
        super().__init__(parts.reports, parts.overview, parts.maturity, parts.changes)
        self._catalogue = parts.catalogue
        self._reviews = parts.reviews
        self._maturity = parts.maturity
        self._cycles = parts.cycles
        self._assessments = parts.assessments
        self._sync = parts.sync

    @override
    async def LoadOutcomeTitles(
        self, request: pb.LoadOutcomeTitlesRequest, context: Context
    ) -> pb.LoadOutcomeTitlesResponse:
        titles = [OutcomeTitle(t.code, t.title, t.placeholder) for t in request.titles]
        reason = request.reason or ("" if titles else "loaded the shipped catalogue")
        changed, position = await self._catalogue.set_titles(
            caller(), titles or shipped_titles(), reason
        )
        await self._sync.caught_up(position)
        return pb.LoadOutcomeTitlesResponse(changed=changed)

    @override
    async def ListOutcomes(
        self, request: pb.ListOutcomesRequest, context: Context
    ) -> pb.ListOutcomesResponse:
        caller().board_filter(None)  # any role that reads reports at all
        outcomes = await self._maturity.queries.outcomes()
        return pb.ListOutcomesResponse(outcomes=[outcome_message(o) for o in outcomes])

    @override
    async def AssignReviewOutcomes(
        self, request: pb.AssignReviewOutcomesRequest, context: Context
    ) -> pb.AssignReviewOutcomesResponse:
        year = FinancialYear.parse("financial_year", request.financial_year)
        due = parse_date("self_assessment_due", request.self_assessment_due, default=year.last_day)
        assignment = Assignment(tuple(request.pcmw_outcomes), request.acd_outcome, due)
        position = await self._reviews.assign_outcomes(
            caller(), request.health_board, request.financial_year, assignment
        )
        await self._sync.caught_up(position)
        return pb.AssignReviewOutcomesResponse(
            health_board=request.health_board,
            financial_year=year.label,
            pcmw_outcomes=assignment.pcmw,
            acd_outcome=assignment.acd,
            self_assessment_due=due.isoformat(),
        )

    @override
    async def SubmitSelfAssessment(
        self, request: pb.SubmitSelfAssessmentRequest, context: Context
    ) -> pb.SubmitSelfAssessmentResponse:
        revision, position = await self._reviews.submit_self_assessment(
            caller(), request.cluster_id, request.financial_year, submission(request)
        )
        await self._sync.caught_up(position)
        matrix = await self._maturity.matrix(caller(), request.cluster_id)
        return pb.SubmitSelfAssessmentResponse(revision=revision, matrix=matrix_message(matrix))

    @override
    async def NominateForPeerReview(
        self, request: pb.NominateForPeerReviewRequest, context: Context
    ) -> pb.NominateForPeerReviewResponse:
        position = await self._reviews.nominate(
            caller(), request.health_board, request.financial_year, request.cluster_id
        )
        await self._sync.caught_up(position)
        return pb.NominateForPeerReviewResponse(cluster_id=request.cluster_id)

    @override
    async def RecordPeerReview(
        self, request: pb.RecordPeerReviewRequest, context: Context
    ) -> pb.RecordPeerReviewResponse:
        position = await self._reviews.record_peer_review(
            caller(), request.cluster_id, request.financial_year, peer_review(request)
        )
        await self._sync.caught_up(position)
        matrix = await self._maturity.matrix(caller(), request.cluster_id)
        return pb.RecordPeerReviewResponse(matrix=matrix_message(matrix))

    @override
    async def GetMaturityMatrix(
        self, request: pb.GetMaturityMatrixRequest, context: Context
    ) -> pb.GetMaturityMatrixResponse:
        matrix = await self._maturity.matrix(caller(), request.cluster_id)
        return pb.GetMaturityMatrixResponse(matrix=matrix_message(matrix))

    @override
    async def GetMaturityOverview(
        self, request: pb.GetMaturityOverviewRequest, context: Context
    ) -> pb.GetMaturityOverviewResponse:
        matrices = await self._maturity.overview(
            caller(), request.health_board or None, request.financial_year or None
        )
        return pb.GetMaturityOverviewResponse(
            clusters=[matrix_message(m) for m in matrices],
            board_rollups=[rollup_message(r) for r in board_rollups(matrices)],
        )

    @override
    async def ListReviewCycles(
        self, request: pb.ListReviewCyclesRequest, context: Context
    ) -> pb.ListReviewCyclesResponse:
        cycles = await self._cycles.cycles(
            caller(), request.health_board or None, request.financial_year
        )
        return pb.ListReviewCyclesResponse(cycles=[cycle_message(c) for c in cycles])

    @override
    async def GetAssessment(
        self, request: pb.GetAssessmentRequest, context: Context
    ) -> pb.GetAssessmentResponse:
        view = await self._assessments.assessment(
            caller(), request.cluster_id, request.financial_year
        )
        return assessment_message(view)

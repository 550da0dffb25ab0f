"""``GetClusterReport`` and ``ListFindings``: the compliance half of ``ReportingService``.

A mixin of ``ReportingServicer`` (one gRPC service, one servicer) kept apart so each module
stays small; the messages it builds are in ``clwstwr/reporting/v1/compliance.proto``.
"""

from __future__ import annotations

from collections.abc import Sequence

from grpc import aio
from typing_extensions import override

from clwstwr.reporting.v1 import compliance_pb2 as cpb
from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1 import reporting_service_pb2_grpc as pb_grpc
from kernel.paging import PageRequest
from reporting.adapters import report_export
from reporting.adapters.grpc_messages import (
    caller,
    matrix_message,
    maturity_year_message,
    rollup_message,
)
from reporting.application.cluster_report import (
    KEPT_REPORTS,
    AttendanceCount,
    ClusterReport,
    ComplianceReads,
    OpenAction,
)
from reporting.application.maturity import MaturityReads
from reporting.application.national_overview import (
    ComplianceSummary,
    NationalOverview,
    board_summaries,
)
from reporting.application.rollups import board_rollups
from reporting.domain.compliance import BodyCompliance
from reporting.domain.findings import Finding

Context = aio.ServicerContext[object, object]
#: A report and the message made from it.
_KeptMessage = tuple[ClusterReport, pb.GetClusterReportResponse]


def finding_message(f: Finding) -> cpb.Finding:
    return cpb.Finding(
        key=f.key,
        cluster_id=f.cluster_id,
        financial_year=f.financial_year,
        body_id=f.body_id,
        code=f.code.value,
        subject=f.subject,
        quarter=f.quarter or 0,
        meeting_id=f.meeting_id or "",
        text=f.text,
    )


def _body(b: BodyCompliance, actions: Sequence[OpenAction]) -> cpb.BodyCompliance:
    own = [a for a in actions if a.body_id == b.body.body_id]
    return cpb.BodyCompliance(
        body_id=b.body.body_id,
        kind=b.body.kind,
        profession=b.body.profession or "",
        label=b.body.label,
        annual_minimum=b.body.annual_minimum or 0,
        held=b.held,
        quarters=[
            cpb.QuarterCompliance(
                quarter=q.quarter,
                held=q.held,
                chaired_by_lead_or_deputy=q.chaired_by_lead_or_deputy,
                quorate=q.quorate,
                with_declarations=q.with_declarations,
                minutes_approved=q.minutes_approved,
            )
            for q in b.quarters
        ],
        terms_last_reviewed=b.terms_last_reviewed.isoformat() if b.terms_last_reviewed else "",
        open_actions=len(own),
        overdue_actions=sum(a.overdue for a in own),
    )


def _count(c: AttendanceCount) -> cpb.AttendanceCount:
    return cpb.AttendanceCount(
        key=c.key, label=c.label, attendances=c.attendances, meetings=c.meetings
    )


def _action(a: OpenAction) -> cpb.OpenAction:
    return cpb.OpenAction(
        body_id=a.body_id,
        meeting_id=a.meeting_id,
        ref=a.ref,
        meeting_date=a.meeting_date.isoformat(),
        description=a.description,
        lead=a.lead,
        due_date=a.due_date.isoformat(),
        status=a.status,
        overdue=a.overdue,
    )


def compliance_message(r: ClusterReport) -> cpb.ClusterCompliance:
    return cpb.ClusterCompliance(
        cluster_id=r.cluster_id,
        health_board=r.health_board,
        cluster_name=r.cluster_name,
        financial_year=r.financial_year,
        as_of=r.as_of.isoformat(),
        bodies=[_body(b, r.open_actions) for b in r.compliance.bodies],
        findings=[finding_message(f) for f in r.compliance.findings],
        attendance_by_profession=[_count(c) for c in r.by_profession],
        attendance_by_organisation=[_count(c) for c in r.by_organisation],
        open_actions=[_action(a) for a in r.open_actions],
    )


def summary_message(s: ComplianceSummary) -> cpb.ComplianceSummary:
    return cpb.ComplianceSummary(
        key=s.key,
        health_board=s.health_board,
        name=s.name,
        clusters=s.clusters,
        meetings_held=s.meetings_held,
        findings=s.total_findings,
        by_code=[cpb.FindingCount(code=c, count=n) for c, n in sorted(s.findings.items())],
    )


class ComplianceRpcs(pb_grpc.ReportingServiceServicer):
    def __init__(
        self, reports: ComplianceReads, overview: NationalOverview, maturity: MaturityReads
    ) -> None:
        self._reports = reports
        self._overview = overview
        self._maturity_reads = maturity
        self._messages: dict[
            tuple[str, str], tuple[ClusterReport, pb.GetClusterReportResponse]
        ] = {}

    @override
    async def GetClusterReport(
        self, request: pb.GetClusterReportRequest, context: Context
    ) -> pb.GetClusterReportResponse:
        report = await self._reports.cluster_report(
            caller(), request.cluster_id, request.financial_year
        )
        # A report served from memory again: its message too (building it is half the work).
        key = (request.cluster_id, request.financial_year)
        kept = self._messages.get(key)
        if kept is not None and kept[0] is report:
            return kept[1]
        message = pb.GetClusterReportResponse(
            compliance=compliance_message(report),
            maturity=maturity_year_message(report.maturity) if report.maturity else None,
            payments=[
                pb.RulePayments(
                    rule_id=p.rule_id,
                    accrued_pence=p.accrued_pence,
                    scheduled_pence=p.scheduled_pence,
                    entries=p.entries,
                )
                for p in report.payments
            ],
        )
        if len(self._messages) >= KEPT_REPORTS:
            self._messages.clear()
        self._messages[key] = (report, message)
        return message

    @override
    async def ExportClusterReport(
        self, request: pb.ExportClusterReportRequest, context: Context
    ) -> pb.ExportClusterReportResponse:
        content_type = report_export.content_type(request.format)
        report = await self.GetClusterReport(
            pb.GetClusterReportRequest(
                cluster_id=request.cluster_id, financial_year=request.financial_year
            ),
            context,
        )
        year = report.compliance.financial_year.replace("/", "-")
        return pb.ExportClusterReportResponse(
            content_type=content_type,
            filename=f"{request.cluster_id}-{year}.{request.format}",
            content=report_export.render(report, request.format),
        )

    @override
    async def ListFindings(
        self, request: cpb.ListFindingsRequest, context: Context
    ) -> cpb.ListFindingsResponse:
        page = PageRequest.parse(request.page_size, request.page_token)
        where = (request.health_board or None, request.cluster_id or None, request.financial_year)
        findings, token = await self._reports.findings(caller(), where, page)
        return cpb.ListFindingsResponse(
            findings=[finding_message(f) for f in findings], next_page_token=token
        )

    @override
    async def GetNationalOverview(
        self, request: pb.GetNationalOverviewRequest, context: Context
    ) -> pb.GetNationalOverviewResponse:
        board = request.health_board or None
        clusters = await self._overview.clusters(caller(), board, request.financial_year)
        matrices = await self._maturity_reads.overview(caller(), board, request.financial_year)
        return pb.GetNationalOverviewResponse(
            clusters=[summary_message(s) for s in clusters],
            board_rollups=[summary_message(s) for s in board_summaries(clusters)],
            maturity=[matrix_message(m) for m in matrices],
            maturity_rollups=[rollup_message(r) for r in board_rollups(matrices)],
        )

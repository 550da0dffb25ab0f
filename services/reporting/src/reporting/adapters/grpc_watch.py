"""``WatchClusterReports``: a cluster's report pushed to the client whenever it changes.

The stream sends the report, then waits until the read models move (``ReadModelChanges``: one
shared look at their version every quarter second while anyone watches) or ``WATCH_INTERVAL``
passes (the business date can change what is overdue), builds the report again (served from
memory when nothing it depends on moved) and sends it if it differs from the last one sent
(compared as serialised bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from grpc import aio
from typing_extensions import override

from clwstwr.reporting.v1 import reporting_service_pb2 as pb
from clwstwr.reporting.v1 import reporting_service_pb2_grpc as pb_grpc
from reporting.adapters.grpc_compliance import ComplianceRpcs
from reporting.application.cluster_report import ComplianceReads
from reporting.application.maturity import MaturityReads
from reporting.application.national_overview import NationalOverview
from reporting.application.report_watch import ReadModelChanges

#: The longest a watcher goes without looking at its report, when the read models stand still.
WATCH_INTERVAL = 30.0

Context = aio.ServicerContext[object, object]


class WatchRpcs(ComplianceRpcs, pb_grpc.ReportingServiceServicer):
    watch_interval: float = WATCH_INTERVAL

    def __init__(
        self,
        reports: ComplianceReads,
        overview: NationalOverview,
        maturity: MaturityReads,
        changes: ReadModelChanges,
    ) -> None:
        super().__init__(reports, overview, maturity)
        self._changes = changes

    @override
    async def WatchClusterReports(
        self, request: pb.WatchClusterReportsRequest, context: Context
    ) -> AsyncIterator[pb.WatchClusterReportsResponse]:
        ask = pb.GetClusterReportRequest(
            cluster_id=request.cluster_id, financial_year=request.financial_year
        )
        last_sent, seen = b"", None
        while True:  # until the client cancels: grpc.aio then cancels this task
            report = await self.GetClusterReport(ask, context)
            serialised = report.SerializeToString(deterministic=True)
            if serialised != last_sent:
                yield pb.WatchClusterReportsResponse(report=report)
                last_sent = serialised
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.watch_interval):
                    seen = await self._changes.after(seen)
